package httpapi

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"

	"tripline"
	"tripline/importer"
)

func init() {
	schemaTypes["ImportSummary"] = reflect.TypeOf(tripline.ImportSummary{})
}

// MaxImportBytes bounds an uploaded list. The file is spooled to disk and
// streamed into the store, so the bound is about the size of a list, not
// memory.
const MaxImportBytes = 4 << 30

// importRoutes let a partner agency hand over its whole list without
// shell access to the node (issue 2's import, over the API).
func (s *Server) importRoutes() []route {
	return []route{
		{Method: "POST", Pattern: "/v1/imports", Roles: writers,
			Summary: "Replace the caller's agency list with an uploaded CSV template (docs/csv-template.md): new listings added, " +
				"changed ones updated, missing ones withdrawn, all or nothing. The source is the caller's agency.",
			RequestType: "text/csv", MaxBody: MaxImportBytes, Response: "ImportSummary",
			Query:   []param{{"source", "string", "the caller's agency (the default); any other is refused"}},
			Handler: s.handleImport},
	}
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "source"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	source := r.URL.Query().Get("source")
	if source == "" {
		source = tripline.IdentityFrom(r.Context()).Agency
	}
	if err := s.Policy.Import(r.Context(), source); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// The upload is spooled to a file first: an import holds the store's
	// write lock from its first row to its commit, and a slow client must
	// not stretch that to the time of its upload.
	f, err := os.CreateTemp("", "tripline-import-*.csv")
	if err != nil {
		Error(w, r, s.Logger, fmt.Errorf("spool upload: %w", err))
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, r.Body); err != nil {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "request body: %v", err))
		return
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		Error(w, r, s.Logger, fmt.Errorf("spool upload: %w", err))
		return
	}
	sum, err := s.Listings.ImportListings(r.Context(), source, importer.StreamCSV(bufio.NewReaderSize(f, 1<<20), "request body", source))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "listing.import", source, fmt.Sprintf("%d listings: %d added, %d updated, %d withdrawn, %d unchanged",
		sum.Listings, sum.Added, sum.Updated, sum.Withdrawn, sum.Unchanged))
	writeJSON(w, http.StatusOK, sum)
}
