package node

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
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

// TestStartLoadsTheWindow: a start puts the retention window's stored
// travellers in the retro store (behind the ready node, tokenized in
// parallel; their order is retro.TestLoadAsAdd's), a traveller screened
// meanwhile once, and a listing added after the start retro-screens them.
func TestStartLoadsTheWindow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n := startTestNode(t, dir, 0)
	now := time.Now().UTC()
	var batch []sqlstore.Seen
	for i := range 1300 {
		batch = append(batch, sqlstore.Seen{Traveller: &tripline.Traveller{Ref: fmt.Sprint("t-", i), Name: fmt.Sprintf("Person%d Quartermaine", i)},
			At: now.Add(-time.Duration(1300-i) * time.Minute)})
	}
	batch = append(batch, sqlstore.Seen{Traveller: &tripline.Traveller{Ref: "early", Name: "Zebulon Quartermaine", Nationality: "GBR"}, At: now.Add(-48 * time.Hour)})
	if err := n.Travellers.Save(ctx, batch); err != nil {
		t.Fatal(err)
	}
	n.Close()
	n = startTestNode(t, dir, 0)
	// Screened while the window loads behind the ready node: in the retro
	// store once, though the store has it too by the time the load reads.
	officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: n.Agency, Role: tripline.RoleOfficer})
	if _, err := n.Screener.Screen(officer, &tripline.Traveller{Ref: "live", Name: "Ottoline Barnaby"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		select {
		case <-n.window:
			return true
		default:
			return false
		}
	})
	if err := n.EncounterReads().(appliedEncounters).j.WaitApplied(ctx); err != nil {
		t.Fatal(err) // the live traveller in the store too
	}
	var stored, loaded []string
	if err := n.Travellers.Each(ctx, now.Add(-n.Retro.Window), func(s sqlstore.Seen) { stored = append(stored, s.Traveller.Ref) }); err != nil {
		t.Fatal(err)
	}
	n.Retro.Each(n.Now(), n.Now(), func(t tripline.Traveller, _ time.Time) bool { loaded = append(loaded, t.Ref); return true })
	// The live traveller may come before the window's last hour: the
	// retro store keeps a segment's travellers in the order they came.
	slices.Sort(stored)
	slices.Sort(loaded)
	if len(stored) != len(batch)+1 || !slices.Equal(loaded, stored) {
		t.Fatalf("retro store after the start: %d travellers, want the store's %d, the live one once", len(loaded), len(stored))
	}
	if _, err := n.Listings.ImportListings(ctx, "local", tripline.Records([]*tripline.Listing{storetest.Listing("local", "z", "Zebulon Quartermaine")})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		es, err := n.Encounters.Encounters(ctx, tripline.EncounterFilter{Listing: "local:z"})
		return err == nil && len(es) == 1 && es[0].Retro && es[0].Traveller.Ref == "early"
	})
}
