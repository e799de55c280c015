package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// clearanceOf returns the status of encounter enc's shared clearance at n.
func clearanceOf(n *fedNode, enc string) string {
	st, e := n.call("analyst", "GET", "/v1/encounters/"+enc, "")
	if st != 200 {
		return fmt.Sprint(st)
	}
	c, _ := e["clearance"].(map[string]any)
	return fmt.Sprint(c["status"])
}

// TestFederationSharedClearance is issue 15 item 9 on real processes: B's
// officer finds a hit on A's listing to be a namesake (false_positive); B
// proposes sharing the clearance; A's analyst grants it; C, another
// partner that may see the listing, then screens that traveller clear for
// that listing (while another traveller of the same name still hits). A
// revokes it, and C stops the traveller again. Steps out of turn or by
// the wrong agency are refused, and each step is in A's audit log.
func TestFederationSharedClearance(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three tripline processes")
	}
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	tmp, bin := t.TempDir(), tripBinary(t)
	mk := func(id string) *fedNode { return newFedNode(t, bin, tmp, id, "officer", "analyst", "admin", "auditor") }
	a, b, c := mk("A"), mk("B"), mk("C")
	a.cli("partners", "add", "B", "--agency", b.agency, "--key", b.key, "--url", "http://"+b.addr)
	a.cli("partners", "add", "C", "--agency", c.agency, "--key", c.key, "--url", "http://"+c.addr)
	b.cli("partners", "add", "A", "--agency", a.agency, "--key", a.key, "--url", "http://"+a.addr)
	c.cli("partners", "add", "A", "--agency", a.agency, "--key", a.key, "--url", "http://"+a.addr)
	startNodes(t, a, b, c)

	a.must("analyst", "POST", "/v1/listings", listingBody("agency-a", "1", "Leopoldine Vandersteen", "1969-04-05", "allowed"))
	traveller := `{"ref":"t","name":"Leopoldine Vandersteen","dob":"1969-04-05","document":{"number":"NL4455667","country":"NLD"}}`
	other := `{"ref":"t","name":"Leopoldine Vandersteen","dob":"1969-04-05","document":{"number":"NL9999999","country":"NLD"}}`
	screen := func(n *fedNode, body string) string {
		_, r := n.call("officer", "POST", "/v1/screen", body)
		return fmt.Sprint(r["decision"])
	}
	within(t, 20*time.Second, "A's listing at B and C", func() bool {
		return screen(b, other) == "hit" && screen(c, other) == "hit"
	})

	// B's hit is a namesake: resolved false_positive, proposed for sharing.
	st, r := b.call("officer", "POST", "/v1/screen", traveller)
	if st != 200 || r["decision"] != "hit" {
		t.Fatalf("B screening = %d %v", st, r)
	}
	enc := r["encounters"].([]any)[0].(string)
	if st, out := b.call("analyst", "POST", "/v1/encounters/"+enc+"/clearance", `{"step":"propose"}`); st != 409 {
		t.Fatalf("a proposal before the false_positive outcome = %d %v, want 409", st, out)
	}
	b.must("officer", "POST", "/v1/encounters/"+enc+"/resolve", `{"outcome":"false_positive","note":"a namesake: other birthplace"}`)
	b.must("analyst", "POST", "/v1/encounters/"+enc+"/clearance", `{"step":"propose","reason":"namesake, checked at secondary"}`)
	if st, out := b.call("analyst", "POST", "/v1/encounters/"+enc+"/clearance", `{"step":"grant"}`); st != 403 {
		t.Fatalf("the reporting agency granting its own proposal = %d %v, want 403", st, out)
	}
	within(t, 20*time.Second, "B's proposal at A", func() bool { return clearanceOf(a, enc) == "proposed" })
	if got := screen(c, traveller); got != "hit" {
		t.Fatalf("C before the grant: %s", got)
	}

	// A grants: C clears that traveller for that listing, not a namesake
	// with another document; B sees the decision.
	a.must("analyst", "POST", "/v1/encounters/"+enc+"/clearance", `{"step":"grant"}`)
	took := within(t, 20*time.Second, "the shared clearance effective at C", func() bool { return screen(c, traveller) == "clear" })
	t.Logf("item 9: clearance granted at A → traveller clear at C: %s", took)
	if got := screen(c, other); got != "hit" {
		t.Fatalf("another traveller of the same name at C: %s, want hit", got)
	}
	within(t, 20*time.Second, "the grant visible at B", func() bool { return clearanceOf(b, enc) == "granted" })
	if got := screen(a, traveller); got != "clear" {
		t.Fatalf("the cleared traveller at A itself: %s", got)
	}

	// A revokes it: C stops the traveller again.
	a.must("analyst", "POST", "/v1/encounters/"+enc+"/clearance", `{"step":"revoke"}`)
	took = within(t, 20*time.Second, "the revocation effective at C", func() bool { return screen(c, traveller) == "hit" })
	t.Logf("item 9: clearance revoked at A → traveller stopped at C again: %s", took)
	within(t, 20*time.Second, "the revocation visible at B", func() bool { return clearanceOf(b, enc) == "revoked" })
	if st, out := a.call("analyst", "POST", "/v1/encounters/"+enc+"/clearance", `{"step":"revoke"}`); st != 409 {
		t.Fatalf("revoking twice = %d %v, want 409", st, out)
	}
	_, audit := a.call("auditor", "GET", "/v1/audit?limit=1000", "")
	for _, action := range []string{"encounter.clearance.grant", "encounter.clearance.revoke"} {
		if !strings.Contains(fmt.Sprint(audit), action) {
			t.Fatalf("A's audit log lacks %s", action)
		}
	}
}
