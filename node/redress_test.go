package node

import (
	"encoding/json"
	"testing"

	"tripline"
	"tripline/storetest"
)

// TestClearanceSparesOnlyItsAgency: an officer of agency b, granted
// screening on the originator's listing, resolved b's encounter
// false_positive, and the listed person then screened clear for the
// originator itself and every other agency on the node. The clearance now
// spares b only, also once a clearance stored before clearances named an
// agency is loaded again (its encounter's agency is filled in).
func TestClearanceSparesOnlyItsAgency(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	n := startTestNode(t, dir, 0)
	l := storetest.Listing("orig", "1", "Ottoline Barnaby")
	l.Handling.Screen = []string{"b", "c"}
	if _, err := n.Listings.PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing(l.ID) != nil })
	traveller := tripline.Traveller{Ref: "fp", Name: "Ottoline Barnaby", DOB: tripline.PartialDate{Year: 1975, Month: 3, Day: 1},
		Document: &tripline.Document{Type: "P", Number: "N1", Country: "GBR"}}
	e, err := n.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: l.ID, Originator: "orig", Agency: "b",
		Decision: tripline.DecisionHit, Traveller: traveller})
	if err != nil {
		t.Fatal(err)
	}
	_, clr, err := n.Encounters.ResolveEncounter(ctx, e.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive, By: "b-officer"},
		n.Index.Listing(l.ID).ContentHash())
	if err != nil || clr == nil {
		t.Fatalf("resolve = %v, %v; want a clearance", clr, err)
	}
	screen := func(n *testNode, agency string) tripline.Decision {
		t.Helper()
		tr := traveller
		res, err := n.Screener.Screen(tripline.WithIdentity(ctx, &tripline.Identity{User: agency + "-officer", Agency: agency, Role: tripline.RoleOfficer}), &tr)
		if err != nil {
			t.Fatal(err)
		}
		return res.Decision
	}
	check := func(n *testNode, when string) {
		t.Helper()
		for agency, want := range map[string]tripline.Decision{"b": tripline.DecisionClear, "orig": tripline.DecisionHit, "c": tripline.DecisionHit} {
			if got := screen(n, agency); got != want {
				t.Errorf("%s: screened by %s: %s, want %s", when, agency, got, want)
			}
		}
	}
	waitFor(t, func() bool { return screen(n, "b") == tripline.DecisionClear }) // tailed from the log
	check(n, "made now")
	// As stored before clearances named their agency.
	clr.Agency = ""
	body, _ := json.Marshal(clr)
	if _, err := n.DB.SQL().ExecContext(ctx, `UPDATE clearances SET body = ? WHERE id = ?`, body, clr.ID); err != nil {
		t.Fatal(err)
	}
	n.Close()
	n = startTestNode(t, dir, 0)
	check(n, "stored without its agency, loaded again")
}
