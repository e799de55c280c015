package httpapi

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"time"

	"tripline"
	"tripline/screening"
)

// Screening request limits. A traveller's name is bounded by validation
// (tripline.MaxNameBytes, tripline.MaxNameWords); these bound a request.
const (
	// MaxBatch bounds the travellers of one batch screening request.
	MaxBatch = screening.MaxBatch
	// MaxScreenBodyBytes bounds the body of /v1/screen and /v1/manifests:
	// a batch of MaxBatch travellers with long names fits, and an 8 MiB
	// name still reaches validation, which names the field.
	MaxScreenBodyBytes = 16 << 20
	// MaxMRZBytes bounds the mrz field: three lines of 30 characters or
	// two of 44, with room for the spaces and line breaks officers type.
	MaxMRZBytes = 512
	// DefaultScreenWait is how long a screening request waits for a slot
	// before it is answered 503: longer than the largest batch takes
	// (about 1.6 s on 2 cores), so a busy moment queues rather than fails.
	DefaultScreenWait = 5 * time.Second
	// DefaultReportWait is how long a coverage or export request waits
	// for the report slot: one at a time, each up to a few seconds on a
	// million listings.
	DefaultReportWait = 10 * time.Second
)

// Limit bounds the requests of a kind in progress at once. Screening
// (/v1/screen, /v1/manifests) is the API's CPU-heavy work: bounded, it
// leaves the processor to health checks, readiness probes and every other
// request, however heavy the screening load. Reports that read every
// listing or encounter (coverage, exports) are bounded too: a writer
// repeating them cannot take the processors from the border. A request
// that finds every slot taken waits up to Wait, then gets 503 with
// Retry-After.
type Limit struct {
	// Slots is the number of requests served at once; 0 means two per
	// processor (GOMAXPROCS). A batch screens on every processor within
	// its one slot.
	Slots int
	// Wait is how long a request waits for a free slot; 0 answers 503 at
	// once. NewServer sets DefaultScreenWait.
	Wait time.Duration
	// What names the requests in the 503's message (default "screening").
	What string

	once sync.Once
	sem  chan struct{}
}

// enter takes a slot, waiting up to Wait, and returns the function that
// gives it back (calling it again does nothing). It fails EUNAVAILABLE when no slot frees in time, and with
// the context's error when the client goes away.
func (l *Limit) enter(ctx context.Context) (func(), error) {
	l.once.Do(func() {
		n := l.Slots
		if n <= 0 {
			n = 2 * runtime.GOMAXPROCS(0)
		}
		l.sem = make(chan struct{}, n)
	})
	var once sync.Once
	release := func() { once.Do(func() { <-l.sem }) }
	select {
	case l.sem <- struct{}{}:
		return release, nil
	default:
	}
	what := l.What
	if what == "" {
		what = "screening"
	}
	busy := tripline.Errorf(tripline.EUNAVAILABLE, "%s: all %d slots are busy; retry shortly", what, cap(l.sem))
	if l.Wait <= 0 {
		return nil, busy
	}
	t := time.NewTimer(l.Wait)
	defer t.Stop()
	select {
	case l.sem <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, busy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// inSlot takes a screening slot for r, answering it (503, or the client's
// going away) when none frees in time: ok is false then. The writer it
// returns gives the slot back when the answer starts; release gives it
// back at the latest.
func (s *Server) inSlot(w http.ResponseWriter, r *http.Request) (_ http.ResponseWriter, release func(), ok bool) {
	return s.inLimit(&s.ScreenLimit, w, r)
}

// inReport is inSlot for the report slot (ReportLimit): a client reading
// an export slowly does not hold it.
func (s *Server) inReport(w http.ResponseWriter, r *http.Request) (_ http.ResponseWriter, release func(), ok bool) {
	return s.inLimit(&s.ReportLimit, w, r)
}

func (s *Server) inLimit(l *Limit, w http.ResponseWriter, r *http.Request) (_ http.ResponseWriter, release func(), ok bool) {
	release, err := l.enter(r.Context())
	if err != nil {
		Error(w, r, s.Logger, err)
		return w, nil, false
	}
	return slotWriter{w, release}, release, true
}

// slotWriter gives the slot back when the answer starts: the
// wait for its audit entries to be committed (durableWriter) uses no
// processor, and waiting outside the slot lets more requests share one
// commit.
type slotWriter struct {
	http.ResponseWriter
	release func()
}

func (w slotWriter) WriteHeader(code int) {
	w.release()
	w.ResponseWriter.WriteHeader(code)
}

func (w slotWriter) Write(p []byte) (int, error) {
	w.release()
	return w.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w slotWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
