package storetest

import (
	"context"
	"strconv"
	"testing"

	"tripline"
)

// Upgrade is a store's side of TestRehashUpgrade: its services, raw SQL
// on it, and a way to close and reopen it, which runs its migrations.
type Upgrade struct {
	Store  Store
	Exec   func(query string) error
	Reopen func() Store
	// Version is the number of the code migration that rehashes.
	Version int
}

// TestRehashUpgrade checks the upgrade of a store whose content hashes
// predate their definition from field digests: an unchanged re-import
// still changes nothing, and a clearance made against the listing's
// current content still holds (a stale one stays stale).
func TestRehashUpgrade(t *testing.T, u Upgrade) {
	ctx := context.Background()
	l := Listing("agency", "1", "Ali Hassan")
	stored, err := u.Store.Listings.PutListing(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	legacy := stored.LegacyContentHash()
	const stale = "0123456789abcdef0123456789abcdef"
	for _, q := range []string{
		`UPDATE listings SET hash = '` + legacy + `'`,
		`INSERT INTO clearances (id, listing, body) VALUES ('clr-1', 'agency:1', '{"id":"clr-1","listing":"agency:1","listing_hash":"` + legacy + `"}')`,
		`INSERT INTO clearances (id, listing, body) VALUES ('clr-2', 'agency:1', '{"id":"clr-2","listing":"agency:1","listing_hash":"` + stale + `"}')`,
		`DELETE FROM schema_migrations WHERE version = ` + strconv.Itoa(u.Version),
	} {
		if err := u.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s := u.Reopen()
	sum, err := s.Listings.ImportListings(ctx, "agency", tripline.Records([]*tripline.Listing{l}))
	if err != nil || sum.Unchanged != 1 || sum.Events != 0 {
		t.Fatalf("re-import after upgrade = %+v, %v; want unchanged", sum, err)
	}
	cs, err := s.Encounters.Clearances(ctx)
	if err != nil || len(cs) != 2 {
		t.Fatalf("clearances = %v, %v", cs, err)
	}
	if cs[0].ListingHash != stored.ContentHash() || cs[1].ListingHash != stale {
		t.Fatalf("clearance hashes = %s, %s; want %s and the stale one kept", cs[0].ListingHash, cs[1].ListingHash, stored.ContentHash())
	}
}
