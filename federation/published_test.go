package federation_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestFeedKeepsPublishedListsHome is issue 15 item 2 in the feed: a node's
// import of the UN list reaches no partner as listings (each node imports
// it itself; a partner would only refuse 682 events per import), while the
// node's own listings travel as before.
func TestFeedKeepsPublishedListsHome(t *testing.T) {
	ctx := context.Background()
	db, priv := signingDB(t, "A")
	ls := sqlstore.NewListingService(db)
	every := tripline.Handling{Screen: []string{"*"}, Action: []string{"*"}, Reshare: tripline.ReshareAllowed}
	un := &tripline.Listing{ID: "un-sc:QDi.1", Source: "un-sc", Status: tripline.StatusActive, Action: tripline.ActionRefuseEntry,
		Names: []tripline.Name{{Full: "Published Person", Kind: tripline.NamePrimary}}, Handling: every, Provenance: tripline.Provenance{Originator: "un-sc"}}
	own := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Status: tripline.StatusActive, Action: tripline.ActionRefuseEntry,
		Names: []tripline.Name{{Full: "Own Person", Kind: tripline.NamePrimary}}, Handling: every, Provenance: tripline.Provenance{Originator: "agency-a"}}
	if _, err := ls.ImportListings(ctx, "un-sc", tripline.Records([]*tripline.Listing{un})); err != nil {
		t.Fatal(err)
	}
	if _, err := ls.PutListing(ctx, own); err != nil {
		t.Fatal(err)
	}
	feed := &federation.Feed{Events: sqlstore.NewEventService(db), Self: "A", Sign: db.Sign, Groups: tripline.GroupMap{}}
	evs, err := feed.Page(ctx, "agency-b", "A", 0, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("page = %v, %v", evs, err)
	}
	if !evs[0].Redacted || len(evs[0].Payload) != 0 {
		t.Fatalf("the UN listing %s was served in full", evs[0].Subject)
	}
	if evs[1].Redacted {
		t.Fatalf("A's own listing was held back")
	}
	// B, which imported the list itself, takes the page without a refusal.
	b := mustDB(t, "B")
	if _, err := sqlstore.NewListingService(b).ImportListings(ctx, "un-sc", tripline.Records([]*tripline.Listing{un})); err != nil {
		t.Fatal(err)
	}
	store := partnerOf(t, b, "A", "agency-a", priv)
	res, err := store.ApplyForeign(ctx, "A", evs)
	if err != nil || len(res.Rejected) != 0 || len(res.Stored) != 2 {
		t.Fatalf("B applied %+v, %v: want both stored, none refused", res, err)
	}
	if l, err := sqlstore.NewListingService(b).Listing(ctx, "un-sc:QDi.1"); err != nil || l.Status != tripline.StatusActive {
		t.Fatalf("B's own copy of the UN listing: %+v, %v", l, err)
	}
}

// signingDB is a node's store that signs its events, and its key.
func signingDB(tb testing.TB, origin string) (*sqlite.DB, ed25519.PrivateKey) {
	db := mustDB(tb, origin)
	_, priv, _ := ed25519.GenerateKey(nil)
	db.Sign = func(msg []byte) []byte { return ed25519.Sign(priv, msg) }
	return db, priv
}

// partnerOf registers node id (agency, key priv's) as a partner of db.
func partnerOf(tb testing.TB, db *sqlite.DB, id, agency string, priv ed25519.PrivateKey) *sqlstore.FederationStore {
	store := sqlstore.NewFederationStore(db)
	if err := store.PutPartner(context.Background(), &tripline.Partner{ID: id, Agency: agency,
		PublicKey: federation.PublicKeyString(priv.Public().(ed25519.PublicKey))}); err != nil {
		tb.Fatal(err)
	}
	return store
}

// TestFeedTrimsOncePerGrantClass is issue 15 item 12: serving an event to
// 100 partners trims it once per grant class, not once per partner, and
// each partner still gets exactly its own level.
func TestFeedTrimsOncePerGrantClass(t *testing.T) {
	ctx := context.Background()
	db, _ := signingDB(t, "A")
	var all, half []string
	for i := range 100 {
		all = append(all, fmt.Sprintf("agency-%02d", i))
	}
	half = all[:50]
	l := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Status: tripline.StatusActive, Action: tripline.ActionDetain,
		Names: []tripline.Name{{Full: "Many Partners", Kind: tripline.NamePrimary}}, Narrative: "SECRET",
		Handling: tripline.Handling{Screen: all, Action: half}, Provenance: tripline.Provenance{Originator: "agency-a"}}
	if _, err := sqlstore.NewListingService(db).PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	feed := &federation.Feed{Events: sqlstore.NewEventService(db), Self: "A", Sign: db.Sign, Groups: tripline.GroupMap{}}
	for round := range 3 {
		for i, agency := range all {
			evs, err := feed.Page(ctx, agency, "A", 0, 10)
			if err != nil || len(evs) != 1 || evs[0].Redacted {
				t.Fatalf("%s: %v, %v", agency, evs, err)
			}
			_, actionOmitted := evs[0].Omitted["action"]
			if actionOmitted != (i >= 50) || strings.Contains(string(evs[0].Payload), "SECRET") {
				t.Fatalf("round %d, %s: omitted %v", round, agency, evs[0].Omitted)
			}
			if len(evs[0].Sig) == 0 {
				t.Fatalf("round %d, %s: the page's last event is unsigned", round, agency)
			}
		}
	}
	if got := feed.Trims(); got != 2 {
		t.Fatalf("trimmed %d times for 300 requests by 100 partners in 2 grant classes, want 2", got)
	}
}
