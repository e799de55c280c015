package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// recorder is a reverse proxy in front of A that keeps every byte B sends
// A: request lines, headers and bodies.
type recorder struct {
	mu   sync.Mutex
	seen bytes.Buffer
	ts   *httptest.Server
}

func newRecorder(t *testing.T, target string) *recorder {
	u, _ := url.Parse("http://" + target)
	rec := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	rec.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		rec.mu.Lock()
		fmt.Fprintf(&rec.seen, "%s %s\n", r.Method, r.URL.RequestURI())
		r.Header.Write(&rec.seen)
		rec.seen.Write(b)
		rec.seen.WriteString("\n")
		rec.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.ts.Close)
	return rec
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.seen.Bytes()...)
}

// twoBlindNodes builds the binary and starts A (the originator) and B (its
// partner, reaching A through a recording proxy).
func twoBlindNodes(t *testing.T) (a, b *fedNode, rec *recorder) {
	tmp, bin := t.TempDir(), tripBinary(t)
	mk := func(id string) *fedNode { return newFedNode(t, bin, tmp, id, "officer", "analyst", "auditor") }
	a, b = mk("A"), mk("B")
	rec = newRecorder(t, a.addr)
	a.cli("partners", "add", "B", "--agency", b.agency, "--key", b.key) // A verifies B's requests and reports
	b.cli("partners", "add", "A", "--agency", a.agency, "--key", a.key, "--url", rec.ts.URL)
	a.cli("blind", "volume", "B", "1000")
	for _, n := range []*fedNode{a, b} {
		n.start()
		t.Cleanup(func() { n.stop(syscall.SIGTERM) })
	}
	return a, b, rec
}

// TestBlindScreeningTwoProcesses is issue 20 across two real processes: A
// lists a person B may screen against only blind; B's officer screens a
// manifest and gets "possible match on a blind list of A: contact A" with
// the action; A's queue gets the encounter under its own listing, and A
// audited the evaluation batch. Everything A received from B holds no
// traveller's name, birth date or document, and B never held the listing.
// With A down, B still finds the traveller it screened before and says of
// a new one that A's list was not checked.
func TestBlindScreeningTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two tripline processes")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	a, b, rec := twoBlindNodes(t)
	defer func() {
		if t.Failed() {
			for _, n := range []*fedNode{a, b} {
				t.Logf("---- %s log (tail) ----\n%s", n.id, tail(n.log(), 4000))
			}
		}
	}()
	a.must("analyst", "POST", "/v1/listings", `{"id":"agency-a:1","source":"agency-a","names":[{"full":"Zebulon Quartermaine","kind":"primary"}],
		"birth_dates":["1980-02-03"],"documents":[{"type":"P","number":"ZQ4455667","country":"GBR"}],
		"action":"detain","contact":"agency-a duty desk +44 20 7946 0000","reason":"SECRET-REASON","narrative":"SECRET-NARRATIVE",
		"handling":{"blind":["agency-b"]},"provenance":{"originator":"agency-a","source_ref":"SECRET-SOURCE"}}`)
	manifest := `{"direction":"in","flight":"TK1980","travellers":[
		{"ref":"p1","name":"QUARTERMAINE, Zebulon","dob":"1980-02-03"},
		{"ref":"p2","name":"Peregrine Oddfellow","dob":"1977-07-07","document":{"number":"PO1234999","country":"FRA"}},
		{"ref":"p3","name":"Z Q","document":{"number":"ZQ4455667","country":"GB"}}]}`
	var res map[string]any
	within(t, 30*time.Second, "blind hit at B", func() bool {
		st, r := b.call("officer", "POST", "/v1/manifests", manifest)
		res = r
		return st == 200 && fmt.Sprint(r["summary"]) == "map[clear:1 hit:2 review:0]"
	})
	results := res["results"].([]any)
	for _, i := range []int{0, 2} {
		r := results[i].(map[string]any)
		m := r["matches"].([]any)[0].(map[string]any)
		instr := fmt.Sprint(r["instruction"])
		if r["action"] != "detain" || !strings.HasPrefix(fmt.Sprint(m["listing"]), "blind:A:") ||
			!strings.Contains(instr, "Possible match on a blind list of agency-a: contact agency-a (agency-a duty desk +44 20 7946 0000)") {
			t.Errorf("traveller %d: %v", i, r)
		}
		raw := fmt.Sprint(r)
		for _, secret := range []string{"agency-a:1", "SECRET", "Quartermaine\"", "ZQ4455667\""} {
			if strings.Contains(raw, secret) {
				t.Errorf("B's officer sees %q: %s", secret, raw)
			}
		}
	}
	if st, _ := b.call("analyst", "GET", "/v1/listings/agency-a:1", ""); st != http.StatusNotFound {
		t.Errorf("B holds A's blind listing: %d", st)
	}
	// The encounter reaches A's queue, under A's listing, without the traveller.
	var enc map[string]any
	within(t, 30*time.Second, "encounter report at A", func() bool {
		_, page := a.call("analyst", "GET", "/v1/encounters?listing=agency-a:1", "")
		es, _ := page["encounters"].([]any)
		if len(es) > 0 {
			enc = es[0].(map[string]any)
		}
		return len(es) >= 2
	})
	if tr := fmt.Sprint(enc["traveller"]); strings.Contains(tr, "Zebulon") || strings.Contains(tr, "ZQ4455667") || enc["agency"] != "agency-b" {
		t.Errorf("A's encounter: %v", enc)
	}
	_, audit := a.call("auditor", "GET", "/v1/audit?action=blind.evaluate", "")
	if es, _ := audit["entries"].([]any); len(es) == 0 || !strings.Contains(fmt.Sprint(es), "node:B") {
		t.Errorf("A's audit of evaluation batches: %v", audit)
	}

	// Everything A received from B.
	got := rec.bytes()
	for _, secret := range []string{"Zebulon", "ZEBULON", "zebulon", "Quartermaine", "QUARTERMAINE", "quartermaine", "Peregrine", "Oddfellow",
		"oddfellow", "1980-02-03", "1977-07-07", "ZQ4455667", "PO1234999", "TK1980"} {
		if bytes.Contains(got, []byte(secret)) {
			t.Errorf("A received %q from B", secret)
		}
	}
	if !bytes.Contains(got, []byte("POST /v1/blind/evaluate")) || !bytes.Contains(got, []byte("POST /v1/reports")) {
		t.Fatalf("the recording missed the evaluation or the report:\n%.2000s", got)
	}

	// A down: the traveller screened before is still found from the table
	// and outputs B holds; a new one is flagged, not cleared silently.
	a.stop(syscall.SIGTERM)
	st, r := b.call("officer", "POST", "/v1/screen", `{"ref":"again","name":"Zebulon Quartermaine","dob":"1980-02-03"}`)
	if st != 200 || r["decision"] != "hit" {
		t.Errorf("A down, traveller seen before: %d %v", st, r)
	}
	st, r = b.call("officer", "POST", "/v1/screen", `{"ref":"new","name":"Ottoline Featherstonehaugh","dob":"1975-05-06"}`)
	if st != 200 || !strings.Contains(fmt.Sprint(r["notes"]), "blind list of agency-a not checked") {
		t.Errorf("A down, new traveller: %d %v", st, r)
	}

	// B suspends A: A's list stops stopping travellers within a second
	// (before, the table B held went on detaining them until B restarted).
	b.cli("partners", "suspend", "A")
	within(t, 5*time.Second, "A's blind list gone at B", func() bool {
		st, r := b.call("officer", "POST", "/v1/screen", `{"ref":"suspended","name":"Zebulon Quartermaine","dob":"1980-02-03"}`)
		return st == 200 && r["decision"] == "clear" && !strings.Contains(fmt.Sprint(r), "agency-a")
	})
}
