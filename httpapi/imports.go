package httpapi

import (
	"fmt"
	"net/http"
	"reflect"

	"tripline"
	"tripline/importer"
)

func init() {
	schemaTypes["ImportSummary"] = reflect.TypeOf(tripline.ImportSummary{})
}

// MaxImportBytes bounds an uploaded list. The file streams into the store
// as it arrives, so the bound is about the size of a list, not memory.
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
	sum, err := s.Listings.ImportListings(r.Context(), source, importer.StreamCSV(r.Body, "request body", source))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "listing.import", source, fmt.Sprintf("%d listings: %d added, %d updated, %d withdrawn, %d unchanged",
		sum.Listings, sum.Added, sum.Updated, sum.Withdrawn, sum.Unchanged))
	writeJSON(w, http.StatusOK, sum)
}
