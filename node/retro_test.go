package node

import (
	"context"
	"fmt"
	"testing"

	"tripline"
	"tripline/storetest"
)

// TestBulkRetroScreening: a burst of new listings larger than the retro
// queue (a big import while serving) is still retro-screened, traveller by
// traveller: a traveller seen before the import who matches its last
// listing becomes a retro-encounter.
func TestBulkRetroScreening(t *testing.T) {
	ctx := context.Background()
	n := startTestNode(t, t.TempDir(), 1)
	defer n.Close()
	officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: n.Agency, Role: tripline.RoleOfficer})
	dob, _ := tripline.ParsePartialDate("1980-02-03")
	r, err := n.Screener.Screen(officer, &tripline.Traveller{Ref: "early", Name: "Zebulon Quartermaine", DOB: dob, Nationality: "GBR"})
	if err != nil || r.Decision != tripline.DecisionClear {
		t.Fatalf("before the import: %v, %v", r, err)
	}
	var ls []*tripline.Listing
	for i := range 299 {
		ls = append(ls, storetest.Listing("local", fmt.Sprint(i), fmt.Sprintf("Person Number%d", i)))
	}
	z := storetest.Listing("local", "z", "Zebulon Quartermaine")
	z.BirthDates = []tripline.PartialDate{dob}
	ls = append(ls, z)
	if _, err := n.Listings.ImportListings(ctx, "local", tripline.Records(ls)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		es, err := n.Encounters.Encounters(ctx, tripline.EncounterFilter{Listing: "local:z"})
		return err == nil && len(es) == 1 && es[0].Retro && es[0].Traveller.Ref == "early"
	})
	if n.BulkRuns() == 0 {
		t.Fatal("the burst went through the queue: the test did not reach the bulk pass")
	}
}
