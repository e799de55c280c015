package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/screening"
)

// countingMatcher counts the travellers that reach matching.
type countingMatcher struct{ n *atomic.Int64 }

func (m countingMatcher) Screen(t *tripline.Traveller, now time.Time, allow func(*tripline.Listing) bool) []tripline.Match {
	m.n.Add(1)
	return fakeMatcher{}.Screen(t, now, allow)
}

// A name of 8 MiB took a node down (7.4 GB, unresponsive): it is refused
// with a 400 naming the field, before any matching work, and the request
// allocates about what its body holds, not gigabytes.
func TestScreenHugeNameRefused(t *testing.T) {
	ts := newServer(t)
	var calls atomic.Int64
	serverOf(ts.URL + "/").srv.Screener = screening.NewService(countingMatcher{&calls})
	huge := strings.Repeat("Abcd ", 8<<20/5) + "Abc"
	for _, tc := range []struct {
		name, body, want string
	}{
		{"one traveller", `{"ref":"x","name":"` + huge + `"}`, fmt.Sprintf("name: %d bytes long, at most %d", len(huge), tripline.MaxNameBytes)},
		{"surname", `{"ref":"x","given_names":"Ali","surname":"` + huge + `"}`, fmt.Sprintf("surname: %d bytes long, at most %d", len(huge), tripline.MaxNameBytes)},
		{"batch", `{"travellers":[{"ref":"a","name":"Ali Hassan"},{"ref":"b","name":"` + huge + `"}]}`, "travellers[1].name: 8388608 bytes long"},
		{"too many words", `{"ref":"x","name":"` + strings.Repeat("Ab ", tripline.MaxNameWords+1) + `"}`, fmt.Sprintf("name: more than %d words", tripline.MaxNameWords)},
		{"invisible only", `{"ref":"x","name":"\u200b\u3164\u00ad"}`, "name: no letters or digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			st, body := do(t, "POST", ts.URL+"/v1/screen", tc.body)
			runtime.ReadMemStats(&m1)
			if code, msg := errMsg(body); st != 400 || code != "invalid" || !strings.Contains(msg, tc.want) {
				t.Fatalf("got %d %s %q, want 400 invalid containing %q", st, code, msg, tc.want)
			}
			if n := calls.Load(); n != 0 {
				t.Fatalf("%d travellers reached the matcher, want none", n)
			}
			// Client, server and JSON decoder each hold a copy of the body
			// or two: a few tens of MB. The quadratic key building took GBs.
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 512<<20 {
				t.Errorf("the request allocated %d MB", alloc>>20)
			}
		})
	}
}

// Batches and manifests over their limits are refused with the limit named;
// a body over the screening limit is refused before it is decoded.
func TestScreenBatchLimits(t *testing.T) {
	ts := newServer(t)
	var b strings.Builder
	b.WriteString(`{"travellers":[`)
	for i := 0; i <= httpapi.MaxBatch; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"ref":"%d","name":"A B"}`, i)
	}
	b.WriteString(`]}`)
	st, body := do(t, "POST", ts.URL+"/v1/screen", b.String())
	if code, msg := errMsg(body); st != 400 || code != "invalid" || !strings.Contains(msg, fmt.Sprintf("%d in one batch, at most %d", httpapi.MaxBatch+1, httpapi.MaxBatch)) {
		t.Fatalf("batch of %d: got %d %s %q", httpapi.MaxBatch+1, st, code, msg)
	}
	manifest := strings.Replace(b.String(), `{"travellers":[`, `{"direction":"in","travellers":[`, 1)
	st, body = do(t, "POST", ts.URL+"/v1/manifests", manifest)
	if code, msg := errMsg(body); st != 400 || code != "invalid" || !strings.Contains(msg, fmt.Sprintf("at most %d", screening.MaxManifest)) {
		t.Fatalf("manifest of %d: got %d %s %q", httpapi.MaxBatch+1, st, code, msg)
	}
	big := `{"ref":"x","name":"Ali","seat":"` + strings.Repeat("1", httpapi.MaxScreenBodyBytes) + `"}`
	for _, path := range []string{"/v1/screen", "/v1/manifests"} {
		st, body = do(t, "POST", ts.URL+path, big)
		if code, msg := errMsg(body); st != 400 || code != "invalid" || !strings.Contains(msg, fmt.Sprintf("larger than %d bytes", httpapi.MaxScreenBodyBytes)) {
			t.Fatalf("%s with a %d-byte body: got %d %s %q", path, len(big), st, code, msg)
		}
	}
	st, body = do(t, "POST", ts.URL+"/v1/screen", `{"ref":"m","mrz":"`+strings.Repeat("P<UTO", 1000)+`"}`)
	if code, msg := errMsg(body); st != 400 || code != "invalid" || !strings.Contains(msg, fmt.Sprintf("mrz: 5000 bytes long, at most %d", httpapi.MaxMRZBytes)) {
		t.Fatalf("long mrz: got %d %s %q", st, code, msg)
	}
}

// blockingMatcher holds the screening of "Block Me" until release closes,
// telling entered when it starts: a heavy screening in progress, without a
// sleep.
type blockingMatcher struct {
	entered chan struct{}
	release chan struct{}
}

func (m blockingMatcher) Screen(t *tripline.Traveller, now time.Time, allow func(*tripline.Listing) bool) []tripline.Match {
	if t.FullName() == "Block Me" {
		m.entered <- struct{}{}
		<-m.release
	}
	return fakeMatcher{}.Screen(t, now, allow)
}

// While screening work fills every slot, health and readiness still
// answer, and further screening requests are told to come back (503 with
// Retry-After) instead of piling up behind it.
func TestHealthAnswersWhileScreeningIsFull(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	m := blockingMatcher{entered: make(chan struct{}), release: make(chan struct{})}
	srv.Screener = screening.NewService(m)
	srv.ScreenLimit.Slots, srv.ScreenLimit.Wait = 1, 0
	released := false
	defer func() {
		if !released {
			close(m.release)
		}
	}()

	token := serverOf(ts.URL + "/").tokens[tripline.RoleOfficer]
	held := screenAsync(ts.URL, token, `{"ref":"held","name":"Block Me"}`)
	select {
	case <-m.entered:
	case a := <-held:
		t.Fatalf("the held screening ended early: %d %v", a.st, a.body)
	case <-time.After(60 * time.Second):
		t.Fatal("the held screening never reached the matcher")
	}

	for _, p := range []string{"/healthz", "/readyz"} {
		if st, body := do(t, "GET", ts.URL+p, ""); st != 200 {
			t.Fatalf("%s while screening is full = %d %v", p, st, body)
		}
	}
	for _, tc := range []struct{ path, body string }{
		{"/v1/screen", `{"ref":"other","name":"Listed Person"}`},
		{"/v1/screen", `{"travellers":[{"ref":"a","name":"Listed Person"}]}`},
		{"/v1/manifests", `{"travellers":[{"ref":"a","name":"Listed Person"}]}`},
		// Parsed inside a slot too (up to ~200 MiB for a 16 MiB push): a
		// cut PAXLST and PNRGOV wait for one rather than being parsed (and
		// refused 400) beside the screenings that fill them.
		{"/v1/manifests", "UNA:+.? 'UNB+UNOA:4+AIR+GOV+260101:1200+1'UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL"},
		{"/v1/manifests", "UNA:+.? 'UNB+IATA:1+AIR+GOV+260101:1200+1'UNH+1+PNRGOV:13:1:IA'TVL+0101"},
	} {
		req, _ := http.NewRequest("POST", ts.URL+tc.path, strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if code, msg := errMsg(body); resp.StatusCode != 503 || code != "unavailable" || resp.Header.Get("Retry-After") == "" || !strings.Contains(msg, "screening") {
			t.Fatalf("%s %s while full: %d %s %q, Retry-After %q", tc.path, tc.body, resp.StatusCode, code, msg, resp.Header.Get("Retry-After"))
		}
	}

	close(m.release)
	released = true
	a := <-held
	if a.st != 200 || a.body["ref"] != "held" {
		t.Fatalf("the held screening = %d %v", a.st, a.body)
	}
	// The slot is free again.
	if st, body := do(t, "POST", ts.URL+"/v1/screen", `{"ref":"after","name":"Listed Person"}`); st != 200 || body["decision"] != "hit" {
		t.Fatalf("after release = %d %v", st, body)
	}
}

// heldFlushAudit holds the first Flush until release closes, telling
// entered when it starts: an answer waiting for its audit commit.
type heldFlushAudit struct {
	httpapi.AuditReader
	first   *atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (a heldFlushAudit) Flush(ctx context.Context) error {
	if a.first.CompareAndSwap(false, true) {
		a.entered <- struct{}{}
		<-a.release
	}
	return a.AuditReader.Flush(ctx)
}

// An answer waiting for its audit entries to be committed uses no
// processor: it gives its screening slot back, so another screening runs
// (and shares the commit) instead of being refused 503.
func TestScreeningSlotFreedWhileAnswerWaitsForAudit(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	a := heldFlushAudit{AuditReader: srv.Audit, first: new(atomic.Bool), entered: make(chan struct{}), release: make(chan struct{})}
	srv.Audit = a
	srv.ScreenLimit.Slots, srv.ScreenLimit.Wait = 1, 0
	released := false
	defer func() {
		if !released {
			close(a.release)
		}
	}()
	token := serverOf(ts.URL + "/").tokens[tripline.RoleOfficer]
	held := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/screen", strings.NewReader(`{"ref":"held","name":"Listed Person"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	select {
	case <-a.entered:
	case st := <-held:
		t.Fatalf("the held screening ended early: %d", st)
	case <-time.After(60 * time.Second):
		t.Fatal("the held screening never waited for its audit commit")
	}
	done := make(chan struct{})
	var st int
	var body map[string]any
	go func() {
		defer close(done)
		st, body = doNoFatal(ts.URL+"/v1/screen", token, `{"ref":"next","name":"Listed Person"}`)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the second screening did not finish")
	}
	if st != 200 || body["decision"] != "hit" {
		t.Fatalf("a screening while another waits for its audit commit = %d %v, want 200 hit", st, body)
	}
	close(a.release)
	released = true
	if st := <-held; st != 200 {
		t.Fatalf("the held screening = %d", st)
	}
}

// doNoFatal posts body with token and decodes the answer; safe off the
// test goroutine.
func doNoFatal(url, token, body string) (int, map[string]any) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, map[string]any{"transport error": err.Error()}
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// heldRecorder is a screening.DeferringRecorder whose writes become
// durable when durable closes (or fail with fail): a hit's fsync in
// progress.
type heldRecorder struct {
	queued  chan struct{} // told when a hit's writes are queued
	durable chan struct{}
	fail    error
}

func (h heldRecorder) Record(ctx context.Context, t *tripline.Traveller, at time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, error) {
	stored, wait, err := h.RecordDeferred(ctx, t, at, encs)
	if err == nil && wait != nil {
		err = wait(ctx)
	}
	return stored, err
}

func (h heldRecorder) RecordDeferred(_ context.Context, _ *tripline.Traveller, _ time.Time, encs []*tripline.Encounter) ([]*tripline.Encounter, func(context.Context) error, error) {
	if len(encs) == 0 {
		return nil, nil, nil
	}
	stored := make([]*tripline.Encounter, len(encs))
	for i, e := range encs {
		c := *e
		c.ID = fmt.Sprint("enc-", i)
		stored[i] = &c
	}
	h.queued <- struct{}{}
	return stored, func(ctx context.Context) error {
		select {
		case <-h.durable:
			return h.fail
		case <-ctx.Done():
			return ctx.Err()
		}
	}, nil
}

// A hit is answered only once its encounter is durable, and while it
// waits for that its screening slot is free: another screening goes
// through the one slot. A write that fails answers 503, never the hit.
func TestHitWaitsForItsWritesOutsideTheSlot(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail error
		want int
	}{
		{"durable", nil, 200},
		{"write fails", tripline.Errorf(tripline.EUNAVAILABLE, "the screening journal could not be written in time"), 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newServer(t)
			srv := serverOf(ts.URL + "/").srv
			svc := screening.NewService(fakeMatcher{})
			rec := heldRecorder{queued: make(chan struct{}, 1), durable: make(chan struct{}), fail: tc.fail}
			// A failure below must not leave the hit's handler waiting for
			// ever: the server's Close (an earlier cleanup) waits for it.
			release := sync.OnceFunc(func() { close(rec.durable) })
			t.Cleanup(release)
			svc.Recorder = rec
			srv.Screener = svc
			// The hit's writes are queued just before its handler gives the
			// slot back: the other screening may wait for the slot a moment
			// (on a busy machine, longer). Held through the fsync, the slot
			// would not come back at all, and it would fail after the wait.
			srv.ScreenLimit.Slots, srv.ScreenLimit.Wait = 1, 30*time.Second
			token := serverOf(ts.URL + "/").tokens[tripline.RoleOfficer]
			held := screenAsync(ts.URL, token, `{"ref":"hit","name":"Listed Person"}`)
			select {
			case <-rec.queued:
			case a := <-held:
				t.Fatalf("answered before its writes were queued: %d %v", a.st, a.body)
			case <-time.After(60 * time.Second):
				t.Fatal("the hit's writes were never queued")
			}
			// The hit waits for its fsync; the one slot serves another.
			if st, body := doToken(t, token, "POST", ts.URL+"/v1/screen", `{"ref":"clear","name":"Astrid Lindqvist"}`); st != 200 || body["decision"] != "clear" {
				t.Fatalf("a screening while the hit waits for its writes = %d %v", st, body)
			}
			select {
			case a := <-held:
				t.Fatalf("the hit was answered before its writes were durable: %d %v", a.st, a.body)
			default:
			}
			release()
			a := <-held
			if a.st != tc.want {
				t.Fatalf("the hit = %d %v, want %d", a.st, a.body, tc.want)
			}
			if tc.want == 200 && (a.body["decision"] != "hit" || fmt.Sprint(a.body["encounters"]) != "[enc-0]") {
				t.Fatalf("the hit = %v", a.body)
			}
			if code, _ := errMsg(a.body); tc.want == 503 && (code != "unavailable" || a.body["decision"] != nil) {
				t.Fatalf("a failed write answered %v", a.body)
			}
		})
	}
}

// answer is a screening's status and decoded body.
type answer struct {
	st   int
	body map[string]any
}

// screenAsync posts body to /v1/screen as token in the background; the
// answer arrives on the channel (status 0 for a transport error). Not do:
// t.Fatal must not be called from another goroutine.
func screenAsync(base, token, body string) <-chan answer {
	out := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/v1/screen", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			out <- answer{0, map[string]any{"transport error": err.Error()}}
			return
		}
		defer resp.Body.Close()
		var b map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&b)
		out <- answer{resp.StatusCode, b}
	}()
	return out
}

// Coverage and exports read every listing or encounter the node holds:
// seconds each on a million listings. They take one report slot at a
// time, so that a writer repeating them cannot take the processors from
// the border: a second one waits, then gets 503 with Retry-After, while
// screening answers as usual.
func TestReportsOneAtATime(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	srv.ReportLimit.Wait = 0
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	srv.Active = func() []*tripline.Listing {
		if calls.Add(1) == 1 { // the first report holds its slot
			entered <- struct{}{}
			<-release
		}
		return nil
	}
	held := make(chan int, 1)
	go func() {
		st, _ := doAs(t, tripline.RoleAnalyst, "GET", ts.URL+"/v1/coverage", "")
		held <- st
	}()
	select {
	case <-entered:
	case <-time.After(60 * time.Second):
		t.Fatal("the first coverage request never started")
	}
	for _, path := range []string{"/v1/coverage", "/v1/exports/listings?format=ftm", "/v1/exports/encounters"} {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+serverOf(ts.URL + "/").tokens[tripline.RoleAnalyst])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "coverage and exports") {
			t.Errorf("%s while a report runs: %d %q (Retry-After %q), want 503 naming the reports", path, resp.StatusCode, body, resp.Header.Get("Retry-After"))
		}
	}
	if st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"r1","name":"Nobody Listed"}`); st != 200 {
		t.Errorf("screening while a report runs: %d %v", st, body)
	}
	close(release)
	if st := <-held; st != 200 {
		t.Fatalf("the first coverage request: %d", st)
	}
	srv.Active = nil
	if st, body := doAs(t, tripline.RoleAnalyst, "GET", ts.URL+"/v1/coverage", ""); st != 200 {
		t.Fatalf("coverage once the slot is free: %d %v", st, body)
	}
}
