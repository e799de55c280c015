package federation_test

import (
	"context"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestConsentCrossesNodes is issue 15 item 3 at the stores: relay B's
// request reaches originator A through B's feed; A's grant travels back
// through A's feed, with the listing stated again behind it, so that B's
// feed passes the listing to C at once; A's withdrawal makes B's feed give
// C a placeholder for it, which drops it there.
func TestConsentCrossesNodes(t *testing.T) {
	ctx := context.Background()
	a, aKey := signingDB(t, "A")
	b, bKey := signingDB(t, "B")
	aFed, bFed := partnerOf(t, a, "B", "agency-b", bKey), partnerOf(t, b, "A", "agency-a", aKey)
	aFed.Agency, bFed.Agency = "agency-a", "agency-b"
	consents := func(db *sqlite.DB) *sqlstore.ConsentService { return sqlstore.NewConsentService(db) }
	consented := func(db *sqlite.DB) func(context.Context, string) []string {
		return func(ctx context.Context, listing string) []string {
			cs, _ := consents(db).Consents(ctx, listing)
			var out []string
			for _, c := range cs {
				if c.Status == tripline.ConsentGranted {
					out = append(out, c.Recipient)
				}
			}
			return out
		}
	}
	aFeed := &federation.Feed{Events: sqlstore.NewEventService(a), Self: "A", Sign: a.Sign, Groups: tripline.GroupMap{}}
	bFeed := &federation.Feed{Events: sqlstore.NewEventService(b), Self: "B", Sign: b.Sign, Groups: tripline.GroupMap{}, Consented: consented(b)}
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
	l := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Status: tripline.StatusActive, Action: tripline.ActionDetain,
		Names:      []tripline.Name{{Full: "Consented Person", Kind: tripline.NamePrimary}},
		Handling:   tripline.Handling{Screen: []string{"agency-b", "agency-c"}, Action: []string{"agency-b", "agency-c"}, Reshare: tripline.ReshareWithConsent},
		Provenance: tripline.Provenance{Originator: "agency-a"}}
	if _, err := sqlstore.NewListingService(a).PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	pass(aFeed, "A", "agency-b", bFed, "A")
	if cSees() {
		t.Fatal("B passes the listing on before consent")
	}
	req, err := consents(b).RequestConsent(ctx, &tripline.Consent{Listing: l.ID, Originator: "agency-a", Requester: "agency-b", Recipient: "agency-c"})
	if err != nil {
		t.Fatal(err)
	}
	pass(bFeed, "B", "agency-a", aFed, "B")
	atA, err := consents(a).Consents(ctx, l.ID)
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
	if got, _ := consents(b).Consents(ctx, l.ID); len(got) != 1 || got[0].Status != tripline.ConsentWithdrawn {
		t.Fatalf("B's copy of the consent: %+v", got)
	}
	// A consent is withdrawn once.
	if _, err := consents(a).WithdrawConsent(ctx, req.ID, "a-analyst"); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("withdraw twice: %v", err)
	}
}
