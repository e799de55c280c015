// Package httpapi serves Tripline's HTTP API v1: JSON over HTTP, one
// code→status table, an OpenAPI document generated from the route table.
package httpapi

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tripline"
	"tripline/mrz"
	"tripline/policy"
	"tripline/screening"
)

// MaxBodyBytes bounds every request body: a hostile client cannot make the
// server buffer more than this.
const MaxBodyBytes = 32 << 20

// Server is the HTTP API.
type Server struct {
	Listings   tripline.ListingService
	Events     tripline.EventService
	Encounters tripline.EncounterService
	Alerts     tripline.DocumentAlertService
	Consents   tripline.ConsentService
	Identity   tripline.IdentityService
	Audit      AuditReader
	Screener   Screener
	// Federation serves partner nodes; nil when the node runs alone.
	Federation Federation
	// Partners manages the partner nodes while serving (partners.go); nil
	// when the node runs alone.
	Partners PartnerAdmin
	// Witness holds the partners' audit checkpoints this node keeps
	// (audit.go); nil answers their route 503.
	Witness tripline.AuditWitness
	// Blind serves partners screening against this node's blind lists
	// (blind.go); nil offers none.
	Blind BlindService
	// Network answers link-analysis queries (network.go); nil disables them.
	Network NetworkService
	// Policy is the one disclosure layer every read path calls.
	Policy *policy.Policy
	// Lookup returns the current listing with an id (the index's copy), or
	// nil: the policy layer needs the listing behind each match.
	Lookup func(id string) *tripline.Listing
	// Active returns every active listing held in memory (the index's
	// copies), so that a summary over all of them need not decode them
	// from the store; nil reads them from the store.
	Active func() []*tripline.Listing
	// Origin is this node's id, the default origin of /v1/events.
	// Diffusions stores diffusions and DiffusionTransport sends them
	// (issue 19); either nil answers their routes 503.
	Diffusions         tripline.DiffusionService
	DiffusionTransport DiffusionTransport
	// Tips stores tips (issue 19); nil answers their routes 503.
	Tips   tripline.TipService
	Origin string
	Logger *slog.Logger
	// Ready reports whether the node can serve screenings (index loaded).
	Ready func() bool
	// SpoolDir is where uploaded lists are spooled before an import: the
	// node's data directory, not a shared temporary one ("" uses the
	// system's). MaxImportBytes bounds one upload; 0 means
	// DefaultMaxImportBytes, and MaxImportCeiling caps it.
	SpoolDir       string
	MaxImportBytes int64
	// ScreenLimit bounds the screening requests in progress, ReportLimit
	// the coverage and export reports (screenlimit.go).
	ScreenLimit Limit
	ReportLimit Limit
	// AuditWait bounds how long an answer waits for its audit entries to
	// be committed before 503 goes out instead (default DefaultAuditWait).
	AuditWait time.Duration
	// Now is the clock for what the server itself decides (whether a PNR's
	// flight has left); nil is time.Now.
	Now func() time.Time
	// TLS, if set, makes Serve answer HTTPS only (tlsconf.Keypair.Config
	// builds it). Every answer over TLS carries HSTS, and the console's
	// session cookie is Secure.
	TLS *tls.Config

	mux      *http.ServeMux
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	// crossOrigin refuses a browser's state-changing request made from
	// another site (CSRF; the session cookie is SameSite=Strict too).
	crossOrigin http.CrossOriginProtection
	// cursors seal the page positions a caller may not see (cursor.go).
	cursors cursors
	// polls bounds the feed long-polls each partner holds (federation.go).
	polls longPolls
	// refused bounds the audit entries of refused requests per client.
	refused           refusals
	refusalsUnaudited prometheus.Counter
	latency           *prometheus.HistogramVec
	screenMetrics     *screenMetrics
	srv               *http.Server
	ln                net.Listener
}

// AuditReader answers auditors and verifies the chain. Flush returns once
// every entry recorded so far is committed: no answer is sent before it
// (durable.go).
type AuditReader interface {
	Entries(ctx context.Context, f tripline.AuditFilter) ([]*tripline.AuditEntry, error)
	Verify(ctx context.Context) (int64, *tripline.ChainError, error)
	Flush(ctx context.Context) error
}

// Screener screens travellers, MRZs and manifests; screening.Service
// implements it.
type Screener interface {
	tripline.Screener
	ScreenBatch(ctx context.Context, ts []*tripline.Traveller) ([]*tripline.Result, error)
	ScreenMRZ(ctx context.Context, ref, text string, travel *tripline.Travel) (*tripline.Result, *mrz.Result, error)
	ScreenManifest(ctx context.Context, m *screening.Manifest) (*screening.ManifestResult, error)
}

// NewServer returns a Server with its routes registered. Set the service
// fields before serving.
func NewServer() *Server {
	s := &Server{mux: http.NewServeMux(), registry: prometheus.NewRegistry(), Logger: slog.Default(), cursors: newCursors()}
	s.ScreenLimit.Wait = DefaultScreenWait
	s.ReportLimit.Slots, s.ReportLimit.Wait, s.ReportLimit.What = 1, DefaultReportWait, "coverage and exports"
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tripline_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tripline_http_request_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
	}, []string{"route"})
	s.refusalsUnaudited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tripline_http_refusals_unaudited_total", Help: "Refused unauthenticated requests past a client's audited rate, counted and not recorded one by one.",
	})
	s.registry.MustRegister(s.requests, s.latency, s.refusalsUnaudited, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.screenMetrics = newScreenMetrics(s.registry)
	for _, r := range s.routes() {
		s.mux.Handle(r.Method+" "+r.Pattern, s.instrument(r))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		Error(w, r, s.Logger, tripline.Errorf(tripline.ENOTFOUND, "no route for %s %s", r.Method, r.URL.Path))
	})
	return s
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Registry is the Prometheus registry the server reports into, for other
// components to register their own collectors.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Handle registers an extra handler (the console) on the server's mux.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.TLS != nil {
		// A browser that has seen the console over HTTPS never again
		// tries plain HTTP to it, where a session cookie could be taken.
		w.Header().Set("Strict-Transport-Security", HSTS)
	}
	s.mux.ServeHTTP(w, r)
}

// HSTS is the Strict-Transport-Security of every answer over TLS: one
// year, this host only (other services of an agency's domain may not speak
// HTTPS).
const HSTS = "max-age=31536000"

// Listen binds addr (":0" picks a free port) without serving yet.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s.ln = ln
	// Made here, not in Serve: a Shutdown that comes before Serve has
	// started (a node stopped while starting) still finds it, and Serve
	// then returns at once instead of serving on.
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, TLSConfig: s.TLS,
		ErrorLog: log.New(serverLog{s.Logger}, "", 0)}
	return nil
}

// Addr returns the bound address, after Listen.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve serves until Shutdown, after Listen; it returns nil on a clean
// shutdown.
func (s *Server) Serve() error {
	serve := func() error { return s.srv.Serve(s.ln) }
	if s.TLS != nil {
		// The certificate comes from s.TLS; ServeTLS adds HTTP/2.
		serve = func() error { return s.srv.ServeTLS(s.ln, "", "") }
	}
	if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serverLog takes net/http's own log lines into the node's log: a failed
// TLS handshake (a port scan, a load balancer's TCP check, a client that
// does not trust the certificate) at debug, anything else as a warning.
type serverLog struct{ log *slog.Logger }

func (l serverLog) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	level := slog.LevelWarn
	if strings.HasPrefix(msg, "http: TLS handshake error") {
		level = slog.LevelDebug
	}
	l.log.Log(context.Background(), level, msg, "from", "net/http")
	return len(p), nil
}

// Shutdown stops accepting requests and waits for those in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

// Flush lets streaming handlers flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) instrument(rt route) http.Handler {
	name := rt.Method + " " + rt.Pattern
	// The route's usual series, looked up once rather than by label on
	// every request.
	ok, latency := s.requests.WithLabelValues(name, "200"), s.latency.WithLabelValues(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		dw := s.durable(w, r, rt)
		defer dw.finish()
		sw := &statusWriter{ResponseWriter: dw, code: 200}
		dw.status = &sw.code // a refused answer counts as the 503 it was
		limit := int64(MaxBodyBytes)
		if rt.MaxBody > 0 {
			limit = rt.MaxBody
		}
		r.Body = http.MaxBytesReader(sw, r.Body, limit)
		defer func() {
			if p := recover(); p != nil {
				s.Logger.Error("panic in handler", "route", name, "panic", p)
				Error(sw, r, s.Logger, fmt.Errorf("panic: %v", p))
			}
			if sw.code == http.StatusOK {
				ok.Inc()
			} else {
				s.requests.WithLabelValues(name, strconv.Itoa(sw.code)).Inc()
			}
			latency.Observe(time.Since(start).Seconds())
		}()
		if err := s.crossOrigin.Check(r); err != nil {
			err := tripline.Errorf(tripline.EFORBIDDEN, "%s %s from a page of another site: refused", r.Method, r.URL.Path)
			s.recordAuth(r, nil, "auth.cross_site", err)
			Error(sw, r, s.Logger, err)
			return
		}
		authed, err := s.authorize(rt, r)
		if err != nil {
			Error(sw, r, s.Logger, err)
			return
		}
		rt.Handler(sw, authed)
	})
}

// codes is the one code→HTTP status table.
var codes = map[string]int{
	tripline.EINVALID:      http.StatusBadRequest,
	tripline.EUNAUTHORIZED: http.StatusUnauthorized,
	tripline.EFORBIDDEN:    http.StatusForbidden,
	tripline.ENOTFOUND:     http.StatusNotFound,
	tripline.ECONFLICT:     http.StatusConflict,
	tripline.ERATELIMIT:    http.StatusTooManyRequests,
	tripline.EUNAVAILABLE:  http.StatusServiceUnavailable,
	tripline.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error code.
func StatusOf(code string) int {
	if st, ok := codes[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// maxErrorMessage bounds the message of an error answer in bytes.
const maxErrorMessage = 500

// StatusClientClosed is the status recorded (in metrics and logs, never
// sent) for a request whose client went away before the answer: nginx's
// 499. It is not a server fault.
const StatusClientClosed = 499

// Error writes err in the design.md error shape. Internal errors are logged
// with their detail and answered with a generic message. A request whose
// client disconnected (its context canceled) is logged at info as a client
// disconnect and counted as StatusClientClosed: nobody is left to answer,
// and it is no server error.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(r.Context().Err(), context.Canceled) && (errors.Is(err, context.Canceled) || tripline.ErrorCode(err) == tripline.EINTERNAL) {
		log.Info("client disconnected", "method", r.Method, "path", r.URL.Path, "status", StatusClientClosed, "err", err)
		if sw, ok := w.(*statusWriter); ok {
			sw.code = StatusClientClosed
		}
		return
	}
	code, msg := tripline.ErrorCode(err), tripline.ErrorMessage(err)
	if len(msg) > maxErrorMessage {
		// A message quoting a huge input would echo it back: cut it.
		msg = strings.ToValidUTF8(msg[:maxErrorMessage], "") + "…"
	}
	if code == tripline.EINTERNAL {
		log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == tripline.EUNAVAILABLE {
		w.Header().Set("Retry-After", "2")
	}
	writeJSON(w, StatusOf(code), map[string]tripline.ErrBody{"error": {Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away: nothing left to tell it
}

// decodeJSON decodes one JSON value from the body into v, rejecting unknown
// fields, trailing data and oversized bodies with messages that say what is
// wrong and where.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return tripline.Errorf(tripline.EINVALID, "body: unexpected data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF && err != nil {
		return tripline.Errorf(tripline.EINVALID, "body: unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns a decoding error into a coded, caller-safe message.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	var coded *tripline.Error
	switch {
	case errors.As(err, &coded):
		return coded
	case errors.Is(err, io.EOF):
		return tripline.Errorf(tripline.EINVALID, "body: empty, want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tripline.Errorf(tripline.EINVALID, "body: JSON ends early")
	case errors.As(err, &syn):
		return tripline.Errorf(tripline.EINVALID, "body: malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return tripline.Errorf(tripline.EINVALID, "body: field %q: want %s, got JSON %s", jsonPath(typ.Field), typ.Type, typ.Value)
	case errors.As(err, &tooBig):
		return tripline.Errorf(tripline.EINVALID, "body: larger than %d bytes", tooBig.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok && tripline.ProtectedAttribute(strings.Trim(field, `"`)) {
			return tripline.Errorf(tripline.EINVALID, "body: field %s", tripline.ErrorMessage(tripline.ProtectedAttributeError(strings.Trim(field, `"`))))
		}
		return tripline.Errorf(tripline.EINVALID, "body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return tripline.Errorf(tripline.EINVALID, "body: %s", err.Error())
}

// jsonPath drops the Go names of embedded structs from a decoder's field
// path ("Traveller.name" → "name"): callers know only the JSON names, which
// are all lower case here.
func jsonPath(p string) string {
	var keep []string
	for _, seg := range strings.Split(p, ".") {
		if seg != "" && (seg[0] < 'A' || seg[0] > 'Z') {
			keep = append(keep, seg)
		}
	}
	return strings.Join(keep, ".")
}

// handleMetrics serves the registry to whom the policy layer lets read
// the node's operational figures (policy.Metrics).
func (s *Server) handleMetrics() http.HandlerFunc {
	h := promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.Policy.Metrics(r.Context()); err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		h.ServeHTTP(w, r)
	}
}
