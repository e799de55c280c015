package federation_test

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// TestNarrowedShareErasedAtRecipient is issue 15 item 4 at the store: when
// the originator narrows a share, the recipient keeps no field it is no
// longer granted (not in the current version, not in an older event of its
// log); when it revokes the share, the listing is gone from the recipient's
// store: no read finds it, active or not.
func TestNarrowedShareErasedAtRecipient(t *testing.T) {
	ctx := context.Background()
	a, priv := signingDB(t, "A")
	feed := &federation.Feed{Events: sqlstore.NewEventService(a), Self: "A", Sign: a.Sign, Groups: tripline.GroupMap{}}
	b := mustDB(t, "B")
	store := partnerOf(t, b, "A", "agency-a", priv)
	listings := sqlstore.NewListingService(b)
	l := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Status: tripline.StatusActive, Action: tripline.ActionDetain,
		Names: []tripline.Name{{Full: "Narrowed Person", Kind: tripline.NamePrimary}}, Reason: "SECRET-REASON", Narrative: "SECRET-NARRATIVE",
		Handling:   tripline.Handling{Details: []string{"agency-b"}},
		Provenance: tripline.Provenance{Originator: "agency-a"}}
	share := func(h tripline.Handling) {
		t.Helper()
		l.Handling = h
		if _, err := sqlstore.NewListingService(a).PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
		cur, _ := store.Cursor(ctx, "A")
		evs, err := feed.Page(ctx, "agency-b", "A", cur, 100)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := store.ApplyForeign(ctx, "A", evs); err != nil || len(res.Rejected) > 0 {
			t.Fatalf("apply: %+v, %v", res, err)
		}
	}
	// secrets reports whether any of B's stored events still holds a detail.
	secrets := func() bool {
		var n int
		if err := b.SQL().QueryRow(`SELECT COUNT(*) FROM events WHERE CAST(payload AS TEXT) LIKE '%SECRET%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	share(tripline.Handling{Details: []string{"agency-b"}})
	if got, err := listings.Listing(ctx, l.ID); err != nil || got.Reason != "SECRET-REASON" {
		t.Fatalf("granted details: %+v, %v", got, err)
	}
	share(tripline.Handling{Action: []string{"agency-b"}})
	got, err := listings.Listing(ctx, l.ID)
	if err != nil || got.Reason != "" || got.Status != tripline.StatusActive || got.Action != tripline.ActionDetain {
		t.Fatalf("narrowed to action: %+v, %v", got, err)
	}
	if secrets() {
		t.Fatal("narrowed to action: an older event of B's log still holds the reason or narrative")
	}
	share(tripline.Handling{Screen: []string{"agency-c"}}) // B no longer granted
	if got, err := listings.Listing(ctx, l.ID); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("revoked: B still reads %+v, %v", got, err)
	}
	all, err := listings.Listings(ctx, tripline.ListingFilter{})
	if err != nil || len(all) != 0 {
		t.Fatalf("revoked: B lists %d listings, %v", len(all), err)
	}
	var names int
	if err := b.SQL().QueryRow(`SELECT COUNT(*) FROM events WHERE CAST(payload AS TEXT) LIKE '%Narrowed Person%'`).Scan(&names); err != nil || names != 0 {
		t.Fatalf("revoked: %d of B's events still hold the identity (%v)", names, err)
	}
	// The log still verifies and relays: every event is kept, as a placeholder.
	evs, err := sqlstore.NewEventService(b).Events(ctx, "A", 0, 100)
	if err != nil || len(evs) != 3 {
		t.Fatalf("B's copy of A's log: %d events, %v", len(evs), err)
	}
	if _, bad := federation.VerifyRun(evs, "", func(string) (ed25519.PublicKey, bool) { return priv.Public().(ed25519.PublicKey), true }); bad != nil &&
		!strings.Contains(bad.Error(), "unsigned") {
		t.Fatalf("B's erased copy no longer verifies: %v", bad)
	}
	// Granted again: the listing comes back, with what is granted now.
	share(tripline.Handling{Action: []string{"agency-b"}})
	if got, err := listings.Listing(ctx, l.ID); err != nil || got.Status != tripline.StatusActive || got.Reason != "" {
		t.Fatalf("granted again: %+v, %v", got, err)
	}
}
