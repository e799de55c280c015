package httpapi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"tripline"
	"tripline/importer"
)

func init() {
	schemaTypes["ImportSummary"] = reflect.TypeOf(tripline.ImportSummary{})
}

// DefaultMaxImportBytes bounds an uploaded list unless the node sets
// Server.MaxImportBytes: an agency's whole list with narratives is a few
// megabytes; a quarter gigabyte leaves room without letting one request
// fill the disk.
const DefaultMaxImportBytes = 256 << 20

// MaxImportCeiling is the most Server.MaxImportBytes may raise the bound
// to. The file is spooled to disk and streamed into the store, so the
// bound is about disk, not memory.
const MaxImportCeiling = 4 << 30

// spoolPattern names spooled uploads, so that those a killed process left
// behind can be found and removed at the next start (RemoveStaleSpool).
const spoolPattern = "tripline-import-*.csv"

// importRoutes let a partner agency hand over its whole list without
// shell access to the node (issue 2's import, over the API).
func (s *Server) importRoutes() []route {
	return []route{
		{Method: "POST", Pattern: "/v1/imports", Roles: writers,
			Summary: "Replace the caller's agency list with an uploaded CSV template (docs/csv-template.md): new listings added, " +
				"changed ones updated, missing ones withdrawn, all or nothing. The source is the caller's agency. " +
				"The body is bounded by the node's import limit (256 MiB by default).",
			RequestType: "text/csv", MaxBody: MaxImportCeiling, Response: "ImportSummary",
			Query:   []param{{"source", "string", "the caller's agency (the default); any other is refused"}},
			Handler: s.handleImport},
	}
}

// importLimit is the configured upload bound.
func (s *Server) importLimit() int64 {
	if s.MaxImportBytes > 0 {
		return min(s.MaxImportBytes, MaxImportCeiling)
	}
	return DefaultMaxImportBytes
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "source"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := checkQueryIDs(r, "source"); err != nil {
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
	limit := s.importLimit()
	if r.ContentLength > limit {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "request body: %d bytes, more than the import limit of %d", r.ContentLength, limit))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	// The upload is spooled to a file first: an import holds the store's
	// write lock from its first row to its commit, and a slow client must
	// not stretch that to the time of its upload.
	f, err := s.spool()
	if err != nil {
		Error(w, r, s.Logger, fmt.Errorf("spool upload: %w", err))
		return
	}
	defer f.Close()
	if err := spoolBody(f, r.Body, limit); err != nil {
		if r.Context().Err() != nil {
			Error(w, r, s.Logger, r.Context().Err()) // the client went away
			return
		}
		Error(w, r, s.Logger, err)
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

// spool creates the file an upload is spooled to, in SpoolDir (the node's
// data directory, not a shared /tmp: the list holds narratives). The file
// is unlinked at once, so its data go with the process on every path —
// return, panic, cancellation, even SIGKILL; where the system cannot remove
// an open file, closing it removes it.
func (s *Server) spool() (*spoolFile, error) {
	if s.SpoolDir != "" {
		if err := os.MkdirAll(s.SpoolDir, 0o700); err != nil {
			return nil, err
		}
	}
	f, err := os.CreateTemp(s.SpoolDir, spoolPattern)
	if err != nil {
		return nil, err
	}
	sf := &spoolFile{File: f}
	sf.unlinked = os.Remove(f.Name()) == nil
	return sf, nil
}

// spoolBody copies an upload's body into f. A failure to read it is the
// client's (EINVALID); a failure to write is the node's (a full disk):
// uncoded, so answered 500 with a generic message and the spool file's
// path in the log only. Both were answered 400 with the error's text,
// which named the spool file inside the data directory.
func spoolBody(f io.Writer, body io.Reader, limit int64) error {
	br := &readFailure{r: body}
	_, err := io.Copy(f, br)
	switch {
	case err == nil:
		return nil
	case br.err == nil:
		return fmt.Errorf("spool upload: %w", err)
	}
	var tooBig *http.MaxBytesError
	if errors.As(br.err, &tooBig) {
		return tripline.Errorf(tripline.EINVALID, "request body: larger than the import limit of %d bytes", limit)
	}
	return tripline.Errorf(tripline.EINVALID, "request body: %v", br.err)
}

// readFailure keeps the error its reader gave, to tell it from a write's.
type readFailure struct {
	r   io.Reader
	err error
}

func (b *readFailure) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// spoolFile is a spooled upload that removes itself when closed.
type spoolFile struct {
	*os.File
	unlinked bool
}

// Close closes the file and removes it if it was not unlinked already.
func (f *spoolFile) Close() error {
	err := f.File.Close()
	if !f.unlinked {
		if rerr := os.Remove(f.Name()); rerr != nil && !os.IsNotExist(rerr) && err == nil {
			err = rerr
		}
	}
	return err
}

// RemoveStaleSpool removes the spooled uploads a process killed during an
// import left in dir, and returns how many it removed. A node calls it at
// start, before serving.
func RemoveStaleSpool(dir string) (int, error) {
	if dir == "" {
		return 0, nil
	}
	matches, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range matches {
		if !strings.HasPrefix(filepath.Base(m), "tripline-import-") {
			continue
		}
		if err := os.Remove(m); err != nil && !os.IsNotExist(err) {
			return n, fmt.Errorf("remove stale upload: %w", err)
		}
		n++
	}
	return n, nil
}
