package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// screenName screens a name alone at n and returns the decision.
func screenName(n *fedNode, name string) string {
	st, r := n.call("officer", "POST", "/v1/screen", fmt.Sprintf(`{"ref":"x","name":%q}`, name))
	if st != 200 {
		return fmt.Sprint(st)
	}
	return fmt.Sprint(r["decision"])
}

// partnerHealth returns n's view of partner p (GET /v1/partners).
func partnerHealth(n *fedNode, p string) map[string]any {
	_, out := n.call("admin", "GET", "/v1/partners", "")
	ps, _ := out["partners"].([]any)
	for _, x := range ps {
		if m := x.(map[string]any); m["id"] == p {
			h, _ := m["health"].(map[string]any)
			return h
		}
	}
	return nil
}

// cursorAt returns how far n has read origin's events from partner p
// (-1: not at all).
func cursorAt(n *fedNode, p, origin string) int64 {
	origins, _ := partnerHealth(n, p)["origins"].([]any)
	for _, o := range origins {
		if m := o.(map[string]any); m["origin"] == origin {
			c, _ := m["cursor"].(float64)
			return int64(c)
		}
	}
	return -1
}

// healthCount returns a count of n's health of partner p (pulls, errors).
func healthCount(n *fedNode, p, field string) int64 {
	c, _ := partnerHealth(n, p)[field].(float64)
	return int64(c)
}

// activeOf returns how many active listings of originator n's coverage counts.
func activeOf(n *fedNode, originator string) int {
	_, cov := n.call("analyst", "GET", "/v1/coverage", "")
	groups, _ := cov["groups"].([]any)
	total := 0
	for _, g := range groups {
		if m := g.(map[string]any); m["originator"] == originator {
			total += int(m["active"].(float64))
		}
	}
	return total
}

// TestFederationHoldsAcrossAgencies is issue 15's "must show" on real
// processes: three nodes, C reaching A only through B, showing items 1
// (the node id belongs to the data directory), 2 (published lists keyed by
// their version), 3 (consent requested at the relay, granted and withdrawn
// at the originator), 4 (revocation effective at once), 6 (a retro-alert
// at the screening agency and the originator), 7 (acknowledgement and
// outcome travel both ways), 10 (partners changed while serving, their
// health) and 11 (relayed origins announced: C has no --follows).
func TestFederationHoldsAcrossAgencies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three tripline processes")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	needShared(t, unFile2026)
	mk := fedNodes(t)
	a, b, c := mk("A"), mk("B"), mk("C")
	a.cli("partners", "add", "B", "--agency", b.agency, "--key", b.key, "--url", "http://"+b.addr)
	a.cli("partners", "add", "C", "--agency", c.agency, "--key", c.key) // C's reports reach A through B
	b.cli("partners", "add", "A", "--agency", a.agency, "--key", a.key, "--url", "http://"+a.addr)
	c.cli("partners", "add", "B", "--agency", b.agency, "--key", b.key, "--url", "http://"+b.addr)
	c.cli("partners", "add", "A", "--agency", a.agency, "--key", a.key) // by key only, and no --follows
	for _, n := range []*fedNode{a, b, c} {
		n.start()
		t.Cleanup(func() { n.stop(syscall.SIGTERM) })
	}
	defer func() {
		if t.Failed() {
			for _, n := range []*fedNode{a, b, c} {
				t.Logf("---- %s log (tail) ----\n%s", n.id, tail(n.log(), 4000))
			}
		}
	}()

	// Item 10: B learns of C while serving, over the API.
	b.must("admin", "POST", "/v1/partners", fmt.Sprintf(`{"id":"C","agency":%q,"public_key":%q,"url":"http://%s"}`, c.agency, c.key, c.addr))

	// Item 11: A's listing reaches C through B, which announces origin A.
	a.must("analyst", "POST", "/v1/listings", listingBody("agency-a", "1", "Zebulon Quartermaine", "1980-02-03", "allowed"))
	took := within(t, 20*time.Second, "A's listing screenable at C via B, no --follows", func() bool {
		return decisionOf(c, "Zebulon Quartermaine", "1980-02-03") == "hit"
	})
	t.Logf("item 11: write at A → screenable at C via B (announced origin): %s", took)

	// Item 1: a withdrawal from A's command line without TRIPLINE_NODE is
	// still A's, and reaches C.
	a.must("analyst", "POST", "/v1/listings", listingBody("agency-a", "2", "Ottoline Featherstonehaugh", "1975-05-06", "allowed"))
	within(t, 20*time.Second, "second listing at C", func() bool { return decisionOf(c, "Ottoline Featherstonehaugh", "1975-05-06") == "hit" })
	withdraw := exec.Command(a.bin, "listings", "withdraw", "agency-a:2", "--reason", "delisted")
	withdraw.Env = []string{"TRIPLINE_DATA=" + a.dir, "PATH=/usr/bin:/bin"}
	if out, err := withdraw.CombinedOutput(); err != nil {
		t.Fatalf("withdraw without TRIPLINE_NODE: %v\n%s", err, out)
	}
	took = within(t, 20*time.Second, "CLI withdrawal at A effective at C", func() bool {
		return decisionOf(c, "Ottoline Featherstonehaugh", "1975-05-06") == "clear"
	})
	t.Logf("item 1: CLI withdrawal (no TRIPLINE_NODE) at A → clear at C: %s", took)
	if st, _ := a.call("admin", "GET", "/v1/events?origin=local&limit=10", ""); st == 200 && lastSeq(a, "local") > 0 {
		t.Fatalf("A's log holds events under origin local")
	}
	refused := exec.Command(a.bin, "node", "info")
	refused.Env = []string{"TRIPLINE_DATA=" + a.dir, "TRIPLINE_NODE=B"}
	if out, err := refused.CombinedOutput(); err == nil || refused.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), `belongs to node "A"`) {
		t.Fatalf("another node id for A's directory: %v\n%s", err, out)
	}

	// Item 4: A stops sharing listing 1 with C: at C it leaves screening,
	// GET and coverage at once; B, still granted, keeps it.
	before := activeOf(c, "agency-a")
	narrowed := strings.Replace(listingBody("agency-a", "1", "Zebulon Quartermaine", "1980-02-03", "allowed"),
		`"screen":["agency-b","agency-c"],"action":["agency-b","agency-c"]`, `"screen":["agency-b"],"action":["agency-b"]`, 1)
	a.must("analyst", "POST", "/v1/listings", narrowed)
	took = within(t, 20*time.Second, "revocation effective at C", func() bool {
		st, _ := c.call("analyst", "GET", "/v1/listings/agency-a:1", "")
		return st == 404 && decisionOf(c, "Zebulon Quartermaine", "1980-02-03") == "clear"
	})
	t.Logf("item 4: revocation at A → gone from C's reads and screening: %s", took)
	if after := activeOf(c, "agency-a"); after != before-1 {
		t.Fatalf("C's coverage counts %d active listings of agency-a after the revocation, want %d", after, before-1)
	}
	if d := decisionOf(b, "Zebulon Quartermaine", "1980-02-03"); d != "hit" {
		t.Fatalf("B, still granted: %s", d)
	}

	// Item 3: B asks A's consent to pass a listing on to C; A's analyst
	// sees the request at A and grants it; the listing reaches C at once;
	// withdrawn, it leaves C.
	withConsent := strings.Replace(listingBody("agency-a", "4", "Theodosia Blennerhassett", "1982-09-10", "with_consent"),
		`"action":["agency-b","agency-c"]`, `"action":["agency-b","agency-c"],"details":["agency-b"]`, 1)
	a.must("analyst", "POST", "/v1/listings", withConsent)
	within(t, 20*time.Second, "with-consent listing at B", func() bool { return decisionOf(b, "Theodosia Blennerhassett", "1982-09-10") == "hit" })
	if d := decisionOf(c, "Theodosia Blennerhassett", "1982-09-10"); d != "clear" {
		t.Fatalf("C holds a with-consent listing before any consent: %s", d)
	}
	req := b.must("analyst", "POST", "/v1/consents", `{"listing":"agency-a:4","recipient":"agency-c","reason":"joint operation"}`)
	var consentID string
	within(t, 20*time.Second, "B's request at A", func() bool {
		_, out := a.call("analyst", "GET", "/v1/consents?listing=agency-a:4", "")
		cs, _ := out["consents"].([]any)
		for _, x := range cs {
			if m := x.(map[string]any); m["id"] == req["id"] && m["status"] == "pending" {
				consentID = m["id"].(string)
			}
		}
		return consentID != ""
	})
	a.must("analyst", "POST", "/v1/consents/"+consentID+"/decide", `{"grant":true}`)
	took = within(t, 20*time.Second, "granted consent: listing at C", func() bool {
		return decisionOf(c, "Theodosia Blennerhassett", "1982-09-10") == "hit"
	})
	t.Logf("item 3: consent granted at A → listing screenable at C through B: %s", took)
	if st, out := b.call("analyst", "GET", "/v1/consents?listing=agency-a:4", ""); st != 200 || !strings.Contains(fmt.Sprint(out), "granted") {
		t.Fatalf("B's view of its request: %d %v", st, out)
	}
	if raw, _ := json.Marshal(c.must("analyst", "GET", "/v1/listings/agency-a:4", "")); strings.Contains(string(raw), "SECRET") {
		t.Fatalf("details reached C through consent: %s", raw)
	}
	a.must("analyst", "POST", "/v1/consents/"+consentID+"/withdraw", "")
	took = within(t, 20*time.Second, "withdrawn consent: listing gone from C", func() bool {
		st, _ := c.call("analyst", "GET", "/v1/listings/agency-a:4", "")
		return st == 404 && decisionOf(c, "Theodosia Blennerhassett", "1982-09-10") == "clear"
	})
	t.Logf("item 3: consent withdrawn at A → gone from C: %s", took)

	// Item 2: A and B import the UN list; B's older copy is refused, and
	// forced it changes B only.
	for _, n := range []*fedNode{a, b} {
		n.cli("import", "--format", "un-xml", unFile2024)
		n.cli("import", "--format", "un-xml", unFile2026)
	}
	stale := exec.Command(b.bin, "import", "--format", "un-xml", unFile2024)
	stale.Env = b.env()
	if out, err := stale.CombinedOutput(); err == nil || !strings.Contains(string(out), "older than the list of 2026-02-27") {
		t.Fatalf("an older UN list at B: %v\n%s", err, out)
	}
	var delisted struct {
		Names []struct{ Full string } `json:"names"`
	}
	line, _, _ := strings.Cut(a.cli("listings", "list", "--json", "--source", "un-sc", "--status", "withdrawn"), "\n")
	if err := json.Unmarshal([]byte(line), &delisted); err != nil || len(delisted.Names) == 0 {
		t.Fatalf("a delisted UN entry at A: %v %q", err, line)
	}
	who := delisted.Names[0].Full
	b.cli("import", "--format", "un-xml", "--force", unFile2024)
	within(t, 20*time.Second, "B's forced copy screens", func() bool { return screenName(b, who) != "clear" })
	// A has read B's log past the forced import: had it travelled, it
	// would be there now.
	head := lastSeq(b, "B")
	within(t, 60*time.Second, "A reads B's log past the forced import", func() bool { return cursorAt(a, "B", "B") >= head })
	if d := screenName(a, who); d != "clear" {
		t.Fatalf("B's forced old UN list reached A: %s is %s there", who, d)
	}

	// Item 10: A suspends B: B's pulls are refused and nothing new reaches
	// it; resumed, B catches up. B's view of A shows the errors.
	a.must("admin", "POST", "/v1/partners/B/suspend", "")
	within(t, 20*time.Second, "B sees its pulls refused", func() bool {
		h := partnerHealth(b, "A")
		return h != nil && h["errors"].(float64) > 0 && strings.Contains(fmt.Sprint(h["last_error"]), "suspended")
	})
	errs := healthCount(b, "A", "errors")
	a.must("analyst", "POST", "/v1/listings", listingBody("agency-a", "3", "Peregrine Wolstenholme", "1966-07-08", "allowed"))
	// Two more refusals: the second pull was sent after the listing was
	// made (backoff up to federation.MaxErrorBackoff between them).
	within(t, 60*time.Second, "B's pulls refused after the listing", func() bool { return healthCount(b, "A", "errors") >= errs+2 })
	if d := decisionOf(b, "Peregrine Wolstenholme", "1966-07-08"); d != "clear" {
		t.Fatalf("a suspended partner received a new listing: %s", d)
	}
	a.must("admin", "POST", "/v1/partners/B/resume", "")
	within(t, 30*time.Second, "resumed B catches up", func() bool { return decisionOf(b, "Peregrine Wolstenholme", "1966-07-08") == "hit" })
	within(t, 30*time.Second, "C catches up through B", func() bool { return decisionOf(c, "Peregrine Wolstenholme", "1966-07-08") == "hit" })

	// Item 7: C's officer hits A's listing; A acknowledges, and the
	// acknowledgement is visible at C; C records the outcome, and it is
	// visible at A.
	st, r := c.call("officer", "POST", "/v1/screen", `{"ref":"enc-7","name":"Peregrine Wolstenholme","dob":"1966-07-08","document":{"number":"X7","country":"GBR"}}`)
	if st != 200 || r["decision"] != "hit" {
		t.Fatalf("C screening = %d %v", st, r)
	}
	enc := r["encounters"].([]any)[0].(string)
	within(t, 20*time.Second, "the report in A's queue", func() bool {
		st, e := a.call("analyst", "GET", "/v1/encounters/"+enc, "")
		return st == 200 && e["agency"] == "agency-c" && e["ack_due"] != nil
	})
	a.must("analyst", "POST", "/v1/encounters/"+enc+"/ack", "")
	took = within(t, 20*time.Second, "A's acknowledgement visible at C", func() bool {
		st, e := c.call("analyst", "GET", "/v1/encounters/"+enc, "")
		return st == 200 && e["acknowledged"] != nil
	})
	t.Logf("item 7: acknowledgement at A → visible at C: %s", took)
	c.must("officer", "POST", "/v1/encounters/"+enc+"/resolve", `{"outcome":"detained","note":"held for the originator"}`)
	took = within(t, 20*time.Second, "C's outcome visible at A", func() bool {
		st, e := a.call("analyst", "GET", "/v1/encounters/"+enc, "")
		return st == 200 && e["outcome"] == "detained" && e["note"] == "held for the originator"
	})
	t.Logf("item 7: outcome at C → visible at A: %s", took)

	// Item 6: C screened a traveller before A listed him: the
	// retro-encounter is C's agency's to see, and reaches A's queue.
	if d := decisionOf(c, "Aurelian Mountbatten", "1977-01-02"); d != "clear" {
		t.Fatalf("before the listing: %s", d)
	}
	a.must("analyst", "POST", "/v1/listings", listingBody("agency-a", "5", "Aurelian Mountbatten", "1977-01-02", "allowed"))
	var retroID string
	within(t, 30*time.Second, "C's retro-encounter, visible to C's analysts", func() bool {
		_, out := c.call("analyst", "GET", "/v1/encounters", "")
		es, _ := out["encounters"].([]any)
		for _, x := range es {
			if e := x.(map[string]any); e["retro"] == true && e["listing"] == "agency-a:5" && e["agency"] == "agency-c" {
				retroID = e["id"].(string)
			}
		}
		return retroID != ""
	})
	within(t, 30*time.Second, "C's retro-encounter in A's queue", func() bool {
		st, e := a.call("analyst", "GET", "/v1/encounters/"+retroID, "")
		return st == 200 && e["retro"] == true
	})

	// C's health of B: pulled, both origins (B's own and A's) with no lag.
	within(t, 30*time.Second, "C's health of B shows both origins caught up", func() bool {
		h := partnerHealth(c, "B")
		if h == nil || h["last_pull"] == nil || h["bytes"].(float64) == 0 {
			return false
		}
		origins := map[string]float64{}
		for _, o := range h["origins"].([]any) {
			m := o.(map[string]any)
			origins[m["origin"].(string)] = m["lag_events"].(float64)
		}
		lagA, okA := origins["A"]
		return okA && lagA == 0
	})
	metrics := c.scrape()
	if !strings.Contains(metrics, `tripline_partner_lag_events{origin="A",partner="B"} 0`) {
		t.Fatalf("C's metrics lack the lag of A through B:\n%s", tail(metrics, 2000))
	}
	for _, n := range []*fedNode{a, b, c} {
		if strings.Contains(n.log(), "rejected") || strings.Contains(n.log(), "bad payload") {
			t.Fatalf("%s logged a rejected or bad event:\n%s", n.id, tail(n.log(), 3000))
		}
	}
}

// startNodes starts ns, stops them when t ends, and logs the tail of each
// one's log if t failed.
func startNodes(t *testing.T, ns ...*fedNode) {
	for _, n := range ns {
		n.start()
		t.Cleanup(func() { n.stop(syscall.SIGTERM) })
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range ns {
				t.Logf("---- %s log (tail) ----\n%s", n.id, tail(n.log(), 4000))
			}
		}
	})
}

// fedNodes returns a maker of nodes in one temporary directory: each with
// its data directory, an officer, analyst and admin, and its key read.
func fedNodes(t testing.TB) func(id string) *fedNode {
	tmp, bin := t.TempDir(), tripBinary(t)
	return func(id string) *fedNode { return newFedNode(t, bin, tmp, id, "officer", "analyst", "admin") }
}
