package httpapi

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"tripline"
)

// DefaultAuditWait bounds how long an answer waits for its audit entries
// to be committed; past it the caller gets 503 unavailable instead of the
// answer.
const DefaultAuditWait = 10 * time.Second

// durableWriter holds an answer back until the audit entries recorded so
// far (this request's among them) are committed: an answered request
// always has its audit entry, even if the node is killed the moment after.
// The audit log commits many entries per transaction, so concurrent
// requests share one commit. An answer whose entries cannot be committed
// is not sent: the caller gets 503 and no data.
type durableWriter struct {
	http.ResponseWriter
	r       *http.Request
	s       *Server
	audit   AuditReader // nil: nothing to wait for
	started bool        // the header went out (or was refused)
	// granted skips the wait once the answer is a success: an unrecorded
	// route (metrics) records nothing when it grants, but its refusals
	// are audited like any other and wait for their entries.
	granted  bool
	unrecord bool // the route is Unrecorded
	failed   bool // refused: what the handler writes is dropped
	status   *int // where the status sent is counted, if set
}

// durable wraps w for route rt. Public reads (health, the API
// description) never wait, and unrecorded routes (metrics) wait only to
// refuse: a granted scrape answers under any load on the audit log, a
// refused one only once its audit entry is committed.
func (s *Server) durable(w http.ResponseWriter, r *http.Request, rt route) *durableWriter {
	d := &durableWriter{ResponseWriter: w, r: r, s: s, unrecord: rt.Unrecorded}
	if s.Audit != nil && !(rt.Public && rt.Method == http.MethodGet) {
		d.audit = s.Audit
	}
	return d
}

// flushWithin is implemented by an audit log that bounds its wait
// without a context of its own (sqlstore.AuditLog): one fewer timer and
// context per answer.
type flushWithin interface {
	FlushWithin(ctx context.Context, d time.Duration) error
}

func (d *durableWriter) commit() error {
	if d.audit == nil || d.granted {
		return nil
	}
	return d.s.flushAudit(d.r.Context())
}

// flushAudit returns once the audit entries recorded so far are
// committed, waiting at most AuditWait.
func (s *Server) flushAudit(ctx context.Context) error {
	wait := cmp.Or(s.AuditWait, DefaultAuditWait)
	if f, ok := s.Audit.(flushWithin); ok {
		return f.FlushWithin(ctx, wait)
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return s.Audit.Flush(ctx)
}

// WriteHeader sends the header once the audit entries are committed, or
// a 503 in its place.
func (d *durableWriter) WriteHeader(code int) {
	if d.failed {
		return
	}
	if !d.started && code >= 200 {
		d.started = true
		d.granted = d.unrecord && code < 400
		if err := d.commit(); err != nil {
			d.refuse(err)
			return
		}
	}
	d.ResponseWriter.WriteHeader(code)
}

// refuse answers 503 in place of the handler's answer, dropping the
// headers it set (a session cookie must not leave with the refusal).
func (d *durableWriter) refuse(err error) {
	d.failed = true
	h := d.ResponseWriter.Header()
	for k := range h {
		delete(h, k)
	}
	Error(d.ResponseWriter, d.r, d.s.Logger, err)
	if d.status != nil {
		*d.status = StatusOf(tripline.ErrorCode(err))
	}
}

func (d *durableWriter) Write(p []byte) (int, error) {
	if !d.started {
		d.WriteHeader(http.StatusOK)
	}
	if d.failed {
		return len(p), nil
	}
	return d.ResponseWriter.Write(p)
}

// Flush commits what a streaming handler recorded since the header, then
// flushes; a stream whose entries cannot be committed is cut off.
func (d *durableWriter) Flush() {
	if !d.started {
		d.WriteHeader(http.StatusOK)
	} else if !d.failed {
		if err := d.commit(); err != nil {
			d.abort(err)
		}
	}
	if f, ok := d.ResponseWriter.(http.Flusher); ok && !d.failed {
		f.Flush()
	}
}

// finish runs after the handler: one that wrote nothing is answered 200
// with no body by net/http, once its entries are committed. A handler
// records its entries before it writes its answer, as the policy layer's
// read paths do; only a streaming handler's later entries (Flush) are
// committed again.
func (d *durableWriter) finish() {
	if !d.started && !d.failed {
		d.WriteHeader(http.StatusOK)
	}
}

// abort cuts off an answer whose header already went out: the caller sees
// a broken response, never a complete one without its audit entry.
func (d *durableWriter) abort(err error) {
	d.failed = true
	d.s.Logger.Error("audit entries not committed: answer cut off", "method", d.r.Method, "path", d.r.URL.Path, "err", err)
	panic(http.ErrAbortHandler)
}

// Unwrap gives http.ResponseController the writer underneath.
func (d *durableWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }
