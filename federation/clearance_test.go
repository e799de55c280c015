package federation_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"tripline"
	"tripline/sqlstore"
)

// TestPartnerCannotTakeOthersClearances: a shared clearance is its
// listing's originator's. A partner that learnt another's clearance id
// (it follows the same originator, or it was the reporter) cannot remove
// it with a "revocation" for a listing of its own, nor replace it, nor
// remove or replace this node's own clearances: the namesake the
// clearance spares would be stopped again at this node's border.
func TestPartnerCannotTakeOthersClearances(t *testing.T) {
	ctx := context.Background()
	shared := func(id, listing string, revoked bool) tripline.Clearance {
		return tripline.Clearance{ID: id, Listing: listing, Shared: true, Revoked: revoked, DocCountry: "NLD", DocNumber: "NL4455667",
			DOB: tripline.PartialDate{Year: 1969}}
	}
	for _, tc := range []struct {
		name    string
		attack  func(t *testing.T, a *signer) *tripline.Event
		refused string
	}{
		{"revokes another partner's shared clearance", func(t *testing.T, a *signer) *tripline.Event {
			return a.event(t, tripline.EventClearance, "shr-e1", shared("shr-e1", "agency-a:1", true))
		}, "held for listing"},
		{"replaces another partner's shared clearance", func(t *testing.T, a *signer) *tripline.Event {
			return a.event(t, tripline.EventClearance, "shr-e1", shared("shr-e1", "agency-a:1", false))
		}, "held for listing"},
		{"revokes this node's own shared clearance", func(t *testing.T, a *signer) *tripline.Event {
			return a.event(t, tripline.EventClearance, "shr-c1", shared("shr-c1", "agency-a:1", true))
		}, "held for listing"},
		{"revokes this node's officer's clearance of its own listing", func(t *testing.T, a *signer) *tripline.Event {
			return a.event(t, tripline.EventClearance, "clr-c2", shared("clr-c2", "agency-a:1", true))
		}, "not a shared clearance"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTrustWorld(t)
			w.apply(t, "A", w.a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Abelard Attacker", 1, tripline.StatusActive)))
			w.apply(t, "B", w.b.event(t, tripline.EventClearance, "shr-e1", shared("shr-e1", "agency-b:1", false)))
			own := sqlstore.NewEncounterService(w.db)
			for _, c := range []*tripline.Clearance{
				{ID: "shr-c1", Listing: "agency-c:1", Shared: true, DocCountry: "NLD", DocNumber: "NL1", DOB: tripline.PartialDate{Year: 1970}, ListingVersion: 1},
				{ID: "clr-c2", Listing: "agency-a:1", DocCountry: "NLD", DocNumber: "NL2", DOB: tripline.PartialDate{Year: 1971}, Agency: "agency-c"},
			} {
				body, _ := json.Marshal(c)
				if _, err := w.db.SQL().ExecContext(ctx, `INSERT INTO clearances (id, listing, body) VALUES (?, ?, ?)`, c.ID, c.Listing, body); err != nil {
					t.Fatal(err)
				}
			}
			before := clearanceState(t, own)
			w.apply(t, "A", tc.attack(t, w.a))
			if after := clearanceState(t, own); after != before {
				t.Fatalf("clearances changed:\nbefore %s\nafter  %s", before, after)
			}
			if refused := w.audit.refused(); len(refused) != 1 || !strings.Contains(detailError(refused[0]), tc.refused) {
				t.Fatalf("audited refusals = %+v, want one saying %q", refused, tc.refused)
			}
			// B, the listing's originator, still revokes its own.
			w.apply(t, "B", w.b.event(t, tripline.EventClearance, "shr-e1", shared("shr-e1", "agency-b:1", true)))
			if s := clearanceState(t, own); strings.Contains(s, "shr-e1") {
				t.Fatalf("B's revocation of its own clearance did not apply: %s", s)
			}
		})
	}
}

func clearanceState(t *testing.T, s *sqlstore.EncounterService) string {
	t.Helper()
	cs, err := s.Clearances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.ID + "=" + c.Listing + "/" + c.DocNumber + " ")
	}
	return b.String()
}
