package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"tripline"
)

// failingWriter fails as a full disk does under a spool file.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: "/srv/tripline-data/spool/upload-123", Err: syscall.ENOSPC}
}

// TestSpoolWriteFailureIsTheNodes: a full disk while an upload was spooled
// was answered 400 "request body: write /srv/tripline-data/spool/...: no
// space left on device": the client blamed for the node's fault, and the
// data directory's path given to any analyst. A write failure is now the
// node's (uncoded: 500, a generic message, the path in the log); a read
// failure stays the client's.
func TestSpoolWriteFailureIsTheNodes(t *testing.T) {
	err := spoolBody(failingWriter{}, strings.NewReader("id,primary_name,action\n"), 1<<20)
	if err == nil || tripline.ErrorCode(err) != tripline.EINTERNAL {
		t.Fatalf("write failure: %v (code %q), want an uncoded error", err, tripline.ErrorCode(err))
	}
	rec := httptest.NewRecorder()
	Error(rec, httptest.NewRequest("POST", "/v1/imports", nil), slog.New(slog.DiscardHandler), err)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "spool") {
		t.Errorf("answered %d %s, want 500 naming no path", rec.Code, rec.Body)
	}
	cut := io.MultiReader(strings.NewReader("id,primary_name"), iotest.ErrReader(errors.New("unexpected EOF")))
	if err := spoolBody(io.Discard, cut, 1<<20); tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), "unexpected EOF") {
		t.Errorf("read failure: %v, want the client's (invalid)", err)
	}
}
