package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPNRPreDepartureHitRouted is issue 19's PNR story on three processes:
// A lists a person with an exit ban; B gets a PNRGOV push days before the
// flight with that person on a booking; B's hit carries the departure
// instruction, the locator and the co-traveller, and is reported to A (the
// originator), which notices C, the partner agency of the departure
// country (TR) that its handling rules let see the listing.
func TestPNRPreDepartureHitRouted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three tripline processes")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	tmp := t.TempDir()
	bin := tripBinary(t)
	mk := func(id string) *fedNode { return newFedNode(t, bin, tmp, id, "officer", "analyst", "admin") }
	a, b, c := mk("A"), mk("B"), mk("C")
	add := func(on, p *fedNode, url bool) {
		args := []string{"partners", "add", p.id, "--agency", p.agency, "--key", p.key}
		if url {
			args = append(args, "--url", "http://"+p.addr)
		}
		on.cli(args...)
	}
	add(a, b, false) // A verifies B's reports
	add(a, c, true)  // A serves C its feed and sends it notices
	add(b, a, true)  // B pulls A, and reports to it
	add(c, a, true)  // C pulls A, and verifies its notices
	a.cli("agencies", "add", "agency-c", "--country", "TR")
	a.cli("agencies", "add", "agency-b", "--country", "TR")
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

	a.must("analyst", "POST", "/v1/listings", `{"id":"agency-a:x1","source":"agency-a","names":[{"full":"Karim Benali Haddad","kind":"primary"}],
		"birth_dates":["1988-04-02"],"action":"refuse_entry","directions":{"out":{"action":"prevent_departure"}},"contact":"A duty desk",
		"handling":{"screen":["agency-b","agency-c"],"action":["agency-b","agency-c"]},"provenance":{"originator":"agency-a"}}`)
	for _, n := range []*fedNode{b, c} {
		within(t, 60*time.Second, "listing at "+n.id, func() bool { return decisionOf(n, "Karim Benali Haddad", "1988-04-02") == "hit" })
	}

	push, err := os.ReadFile("../../screening/testdata/pnr_predeparture.edi")
	if err != nil {
		t.Fatal(err)
	}
	// The push is for a flight three days from now (DDMMYY in its TVLs).
	day := time.Now().UTC().AddDate(0, 0, 3).Format("020106")
	body := strings.ReplaceAll(string(push), "051226", day)
	st, res := b.call("officer", "POST", "/v1/manifests?direction=out", body)
	if st != 200 {
		t.Fatalf("PNR at B: %d %v", st, res)
	}
	if p := res["pnr"].(map[string]any); p["pre_departure"] != true || p["departure_country"] != "TUR" {
		t.Fatalf("PNR summary %v", p)
	}
	r := res["results"].([]any)[0].(map[string]any)
	if r["decision"] != "hit" || r["action"] != "prevent_departure" || r["booking"] != "ABC123" || !strings.Contains(fmt.Sprint(r["co_travellers"]), "LEILA") {
		t.Fatalf("listed passenger at B: %v", r)
	}
	enc := r["encounters"].([]any)[0].(string)
	var last string
	defer func() {
		if t.Failed() {
			t.Log("last answer:", last)
		}
	}()
	within(t, 20*time.Second, "report at A, the originator", func() bool {
		st, e := a.call("analyst", "GET", "/v1/encounters/"+enc, "")
		return st == 200 && e["agency"] == "agency-b" && e["action"] == "prevent_departure" &&
			strings.Contains(fmt.Sprint(e["traveller"]), "pre_departure:true")
	})
	within(t, 20*time.Second, "notice at C, the departure country's partner", func() bool {
		st, e := c.call("analyst", "GET", "/v1/encounters/"+enc+"-dep-C", "")
		last = fmt.Sprint(st, e)
		return st == 200 && e["listing"] == "agency-a:x1"
	})
	within(t, 20*time.Second, "report acknowledged at B, notice taken from A", func() bool {
		_, rb := b.call("analyst", "GET", "/v1/reports?status=acknowledged", "")
		_, ra := a.call("analyst", "GET", "/v1/reports?status=acknowledged", "")
		return strings.Contains(fmt.Sprint(rb["reports"]), enc) && strings.Contains(fmt.Sprint(ra["reports"]), enc+"-dep-C")
	})
	// B, the reporting agency, is in TR too but is not told twice; C does
	// not re-report the notice to A.
	for _, id := range []string{enc + "-dep-B"} {
		if st, _ := b.call("analyst", "GET", "/v1/encounters/"+id, ""); st != 404 {
			t.Errorf("%s at B: %d", id, st)
		}
	}
	if st, _ := a.call("analyst", "GET", "/v1/encounters/"+enc+"-dep-C", ""); st != 404 {
		t.Errorf("the notice came back to A as an encounter: %d", st)
	}
}
