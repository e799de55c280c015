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

// consentNodes makes originator A (agency-a) and relay B (agency-b),
// partners of each other, with their feeds (B's passing on what A
// consented to).
func consentNodes(t *testing.T) (a, b *sqlite.DB, aFed, bFed *sqlstore.FederationStore, aFeed, bFeed *federation.Feed) {
	a, aKey := signingDB(t, "A")
	b, bKey := signingDB(t, "B")
	aFed, bFed = partnerOf(t, a, "B", "agency-b", bKey), partnerOf(t, b, "A", "agency-a", aKey)
	aFed.Agency, bFed.Agency = "agency-a", "agency-b"
	aFeed = &federation.Feed{Events: sqlstore.NewEventService(a), Self: "A", Sign: a.Sign, Groups: tripline.GroupMap{}}
	bFeed = &federation.Feed{Events: sqlstore.NewEventService(b), Self: "B", Sign: b.Sign, Groups: tripline.GroupMap{}, Consented: consented(b)}
	return a, b, aFed, bFed, aFeed, bFeed
}

// TestConsentCrossesNodes is issue 15 item 3 at the stores: relay B's
// request reaches originator A through B's feed; A's grant travels back
// through A's feed, with the listing stated again behind it, so that B's
// feed passes the listing to C at once; A's withdrawal makes B's feed give
// C a placeholder for it, which drops it there.
func TestConsentCrossesNodes(t *testing.T) {
	ctx := context.Background()
	a, b, aFed, bFed, aFeed, bFeed := consentNodes(t)
	consents := func(db *sqlite.DB) *sqlstore.ConsentService { return sqlstore.NewConsentService(db) }
	// pass moves what from's feed has for agency into to's store.
	pass := func(feed *federation.Feed, origin, agency string, to *sqlstore.FederationStore, via string) {
		t.Helper()
		cur, _ := to.Cursor(ctx, origin)
		evs, err := feed.Page(ctx, agency, origin, cur, 100)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := to.ApplyForeign(ctx, via, evs); err != nil || len(res.Rejected) > 0 {
			t.Fatalf("apply %s's events: %+v, %v", origin, res, err)
		}
	}
	// cSees reports whether B's feed now gives C the listing in clear.
	cSees := func() bool {
		evs, err := bFeed.Page(ctx, "agency-c", "A", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		return last.Type == tripline.EventListingUpserted && !last.Redacted
	}
	l := putWithConsent(t, a)
	pass(aFeed, "A", "agency-b", bFed, "A")
	if cSees() {
		t.Fatal("B passes the listing on before consent")
	}
	req, err := consents(b).RequestConsent(ctx, &tripline.Consent{Listing: l.ID, Originator: "agency-a", Requester: "agency-b", Recipient: "agency-c"})
	if err != nil {
		t.Fatal(err)
	}
	pass(bFeed, "B", "agency-a", aFed, "B")
	atA, err := consents(a).Consents(ctx, tripline.ConsentFilter{Listing: l.ID})
	if err != nil || len(atA) != 1 || atA[0].ID != req.ID || atA[0].Status != tripline.ConsentPending {
		t.Fatalf("the request at A: %+v, %v", atA, err)
	}
	if _, err := consents(a).DecideConsent(ctx, req.ID, true, "a-analyst"); err != nil {
		t.Fatal(err)
	}
	pass(aFeed, "A", "agency-b", bFed, "A")
	if !cSees() {
		t.Fatal("granted at A: B's feed still withholds the listing from C")
	}
	if _, err := consents(a).WithdrawConsent(ctx, req.ID, "a-analyst"); err != nil {
		t.Fatal(err)
	}
	pass(aFeed, "A", "agency-b", bFed, "A")
	if cSees() {
		t.Fatal("withdrawn at A: B's feed still gives C the listing")
	}
	if got, _ := consents(b).Consents(ctx, tripline.ConsentFilter{Listing: l.ID}); len(got) != 1 || got[0].Status != tripline.ConsentWithdrawn {
		t.Fatalf("B's copy of the consent: %+v", got)
	}
	// A consent is withdrawn once.
	if _, err := consents(a).WithdrawConsent(ctx, req.ID, "a-analyst"); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("withdraw twice: %v", err)
	}
}

// TestConsentOnlyFromTheListingsOriginator: a consent decision is the
// listing's originator's. Partner X, naming itself the originator of A's
// listing in a grant addressed to relay B, made B's feed pass A's listing
// to C: B's node stored it, as it checked only that the decision's
// originator was the event's, not the listing's.
func TestConsentOnlyFromTheListingsOriginator(t *testing.T) {
	ctx := context.Background()
	a, _ := signingDB(t, "A")
	b, _ := signingDB(t, "B")
	x := newSigner("X")
	bFed := partnerOf(t, b, "A", "agency-a", ed25519Key(t))
	partnerOf(t, b, "X", "agency-x", x.priv)
	bFed.Agency = "agency-b"
	putWithConsent(t, a)
	aFeed := &federation.Feed{Events: sqlstore.NewEventService(a), Self: "A", Sign: a.Sign, Groups: tripline.GroupMap{}}
	evs, err := aFeed.Page(ctx, "agency-b", "A", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := bFed.ApplyForeign(ctx, "A", evs); err != nil || len(res.Rejected) > 0 {
		t.Fatalf("A's listing at B: %+v, %v", res, err)
	}
	for _, tc := range []struct {
		name    string
		listing string
	}{
		{"a grant for another origin's listing", "agency-a:1"},
		{"a grant for a listing B does not hold", "agency-a:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forged := x.event(t, tripline.EventConsent, "x-"+tc.listing, tripline.Consent{ID: "x-" + tc.listing, Listing: tc.listing,
				Originator: "agency-x", Requester: "agency-b", Recipient: "agency-c", Status: tripline.ConsentGranted})
			res, err := bFed.ApplyForeign(ctx, "X", []*tripline.Event{forged})
			if err != nil || len(res.Rejected) != 1 || tripline.ErrorCode(res.Rejected[0].Err) != tripline.EFORBIDDEN {
				t.Fatalf("X's grant: %+v, %v; want refused", res, err)
			}
			if cs, _ := sqlstore.NewConsentService(b).Consents(ctx, tripline.ConsentFilter{Listing: tc.listing}); len(cs) != 0 {
				t.Fatalf("B holds X's grant: %+v", cs)
			}
		})
	}
	bFeed := &federation.Feed{Events: sqlstore.NewEventService(b), Self: "B", Sign: b.Sign, Groups: tripline.GroupMap{},
		Consented: consented(b)}
	page, err := bFeed.Page(ctx, "agency-c", "A", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range page {
		if ev.Type == tripline.EventListingUpserted && !ev.Redacted {
			t.Fatalf("B's feed gives C A's listing on X's word: %s", ev.Payload)
		}
	}
}

func ed25519Key(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// putWithConsent stores at a agency-a's listing agency-a:1, passed on by
// agency-b to agency-c only with agency-a's consent.
func putWithConsent(t *testing.T, a *sqlite.DB) *tripline.Listing {
	t.Helper()
	l := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Status: tripline.StatusActive, Action: tripline.ActionDetain,
		Names:      []tripline.Name{{Full: "Consented Person", Kind: tripline.NamePrimary}},
		Handling:   tripline.Handling{Screen: []string{"agency-b", "agency-c"}, Action: []string{"agency-b", "agency-c"}, Reshare: tripline.ReshareWithConsent},
		Provenance: tripline.Provenance{Originator: "agency-a"}}
	if _, err := sqlstore.NewListingService(a).PutListing(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	return l
}

// consented is a node's Feed.Consented, as cmd/tripline's: the agencies
// granted consent for a listing.
func consented(db *sqlite.DB) func(context.Context, string) []string {
	return func(ctx context.Context, listing string) []string {
		cs, _ := sqlstore.NewConsentService(db).Consents(ctx, tripline.ConsentFilter{Listing: listing})
		var out []string
		for _, c := range cs {
			if c.Status == tripline.ConsentGranted {
				out = append(out, c.Recipient)
			}
		}
		return out
	}
}

// TestPartnerConsentRequestsBounded: a partner may ask for consent on a
// listing only so many times while its originator has not answered; past
// the bound its requests are refused (and audited as refusals), without
// holding back another agency's, and the originator's node reads only
// what it granted when it decides whether the listing may go on.
func TestPartnerConsentRequestsBounded(t *testing.T) {
	ctx := context.Background()
	a, b, aFed, bFed, aFeed, bFeed := consentNodes(t)
	aFed.MaxPendingConsents = 2
	l := putWithConsent(t, a)
	evs, err := aFeed.Page(ctx, "agency-b", "A", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := bFed.ApplyForeign(ctx, "A", evs); err != nil || len(res.Rejected) > 0 {
		t.Fatalf("A's listing at B: %+v, %v", res, err)
	}
	// ask has B request consent n times and passes B's feed to A.
	ask := func(n int) *tripline.ForeignResult {
		t.Helper()
		for i := range n {
			if _, err := sqlstore.NewConsentService(b).RequestConsent(ctx, &tripline.Consent{Listing: l.ID, Originator: "agency-a", Requester: "agency-b",
				Recipient: fmt.Sprintf("agency-c%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		cur, _ := aFed.Cursor(ctx, "B")
		evs, err := bFeed.Page(ctx, "agency-a", "B", cur, 100)
		if err != nil {
			t.Fatal(err)
		}
		res, err := aFed.ApplyForeign(ctx, "B", evs)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := ask(3)
	if len(res.Rejected) != 1 || tripline.ErrorCode(res.Rejected[0].Err) != tripline.EFORBIDDEN || !strings.Contains(tripline.ErrorMessage(res.Rejected[0].Err), "pending") {
		t.Fatalf("a third pending request: %+v; want it refused", res)
	}
	aConsents := sqlstore.NewConsentService(a)
	pending, err := aConsents.Consents(ctx, tripline.ConsentFilter{Listing: l.ID, Status: tripline.ConsentPending})
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending at A: %d, %v; want 2", len(pending), err)
	}
	// An answer makes room; what was granted is all a status filter reads.
	if _, err := aConsents.DecideConsent(ctx, pending[0].ID, true, "a-analyst"); err != nil {
		t.Fatal(err)
	}
	if res := ask(1); len(res.Rejected) != 0 {
		t.Fatalf("a request after an answer: %+v", res)
	}
	granted, err := aConsents.Consents(ctx, tripline.ConsentFilter{Listing: l.ID, Status: tripline.ConsentGranted})
	if err != nil || len(granted) != 1 || granted[0].ID != pending[0].ID {
		t.Fatalf("granted at A: %+v, %v", granted, err)
	}
	// The bound is B's: B is at it again, and another agency still asks.
	if res := ask(1); len(res.Rejected) != 1 {
		t.Fatalf("B past its bound again: %+v", res)
	}
	aConsents.MaxPending = 2
	if _, err := aConsents.RequestConsent(ctx, &tripline.Consent{Listing: l.ID, Originator: "agency-a", Requester: "agency-a", Recipient: "agency-d"}); err != nil {
		t.Fatalf("agency-a's own request while B is at its bound: %v", err)
	}
}
