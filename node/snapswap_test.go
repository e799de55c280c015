package node

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"tripline"
	"tripline/sqlstore"
	"tripline/storetest"
)

// A node that loaded its listings in full from the store (no snapshot yet)
// swaps its heap index for the snapshot it writes, and the swap loses no
// change made after the snapshot was begun: a new listing screens, a
// withdrawn one does not, an updated one screens under its new name.
func TestFullLoadSwapsToItsSnapshot(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	build := func(n *Node) { n.Build, n.StoreID = "build-test", "store-test" }
	n := startTestNodeWith(t, dir, build)
	for _, l := range []*tripline.Listing{
		storetest.Listing("local", "1", "Zebulon Quartermaine"),
		storetest.Listing("local", "2", "Ottoline Barnaby"),
		storetest.Listing("local", "3", "Peregrine Fotheringay"),
	} {
		if _, err := n.Listings.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	n.Close()

	// No snapshot: the next start loads the store in full.
	if err := os.Remove(filepath.Join(dir, SnapshotFile)); err != nil {
		t.Fatal(err)
	}
	n = startTestNodeWith(t, dir, build)
	n.snapWG.Wait()
	if !n.Index.Mapped() || n.Index.Len() != 3 {
		t.Fatalf("after a full load: mapped %v, %d listings; want the snapshot's 3", n.Index.Mapped(), n.Index.Len())
	}

	// Changes after the head a snapshot is written at are applied to the
	// index as they come; the swap re-reads them onto the mapped one.
	head, err := sqlstore.NewListingChanges(n.DB).Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n.writeSnapshotLater(dir, n.Build, head, false, false)
	n.snapWG.Wait()
	if _, err := n.Listings.PutListing(ctx, storetest.Listing("local", "4", "Wilhelmina Thistlewood")); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listings.WithdrawListing(ctx, "local:1", "delisted"); err != nil {
		t.Fatal(err)
	}
	renamed := storetest.Listing("local", "2", "Ottoline Barnaby Featherstonehaugh")
	renamed.Version = 2
	if _, err := n.Listings.PutListing(ctx, renamed); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing("local:4") != nil && n.Index.Listing("local:1") == nil })
	if err := n.swapToSnapshot(ctx, filepath.Join(dir, SnapshotFile), n.Build, head); err != nil {
		t.Fatal(err)
	}
	hits := func(name string) []string {
		var ids []string
		for _, m := range n.Index.Screen(&tripline.Traveller{Name: name}, n.Now(), nil) {
			ids = append(ids, m.Listing)
		}
		return ids
	}
	for _, c := range []struct {
		name, id string
		want     bool
	}{
		{"Wilhelmina Thistlewood", "local:4", true},
		{"Zebulon Quartermaine", "local:1", false},
		{"Ottoline Barnaby Featherstonehaugh", "local:2", true},
		{"Peregrine Fotheringay", "local:3", true},
	} {
		if got := hits(c.name); slices.Contains(got, c.id) != c.want {
			t.Errorf("after the swap, %q screens as %v; want %s there: %v", c.name, got, c.id, c.want)
		}
	}
	if l := n.Index.Listing("local:2"); l == nil || l.PrimaryName() != renamed.PrimaryName() {
		t.Errorf("after the swap local:2 is %+v; want its new name", l)
	}
	if !n.Index.Mapped() || n.Index.Len() != 3 {
		t.Errorf("after the swap: mapped %v, %d listings; want 3 mapped", n.Index.Mapped(), n.Index.Len())
	}
}
