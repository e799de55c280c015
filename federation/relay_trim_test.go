package federation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// TestRelayCannotWidenByLeavingOut: a relay may leave fields out of an
// originator's signed event (their digests keep the signature whole), as
// a feed trims what a partner may not see. Leaving out the fields that
// restrict the listing widens it instead: without handling.use (H3: screen
// only), the receiver's agencies named for details saw details and the
// receiver passed it on; without valid_until it never expired.
func TestRelayCannotWidenByLeavingOut(t *testing.T) {
	until := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		left []string
	}{
		{"the handling code", []string{"handling.use"}},
		{"the handling rules", []string{"handling"}},
		{"the re-share rule", []string{"handling.reshare"}},
		{"the expiry", []string{"valid_until"}},
		{"the directed actions", []string{"directions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTrustWorld(t)
			l := listingOf("agency-a", "agency-a:1", "Restricted Person", 1, tripline.StatusActive)
			l.Handling = tripline.Handling{Screen: []string{"*"}, Details: []string{"*"}, Use: tripline.UseH3, Reshare: tripline.ReshareWithConsent}
			l.ValidUntil = &until
			l.Directions = map[string]tripline.DirectedAction{tripline.DirectionOut: {Action: tripline.ActionPreventDeparture, Instruction: "Hold."}}
			ev := w.a.event(t, tripline.EventListingUpserted, l.ID, l)
			relayed, err := ev.Trim(tc.left)
			if err != nil {
				t.Fatal(err)
			}
			w.apply(t, "B", relayed)
			if got, err := sqlstore.NewListingService(w.db).Listing(context.Background(), l.ID); err == nil {
				t.Fatalf("held with %v left out: handling %+v, valid_until %v, directions %v", tc.left, got.Handling, got.ValidUntil, got.Directions)
			}
			if refused := w.audit.refused(); len(refused) != 1 || !strings.Contains(detailError(refused[0]), "left out") {
				t.Fatalf("audited refusals = %+v, want one saying what was left out", refused)
			}
			// The originator's next version, relayed whole, applies.
			l.Version = 2
			w.apply(t, "B", w.a.event(t, tripline.EventListingUpserted, l.ID, l))
			if got, err := sqlstore.NewListingService(w.db).Listing(context.Background(), l.ID); err != nil || got.Handling.Use != tripline.UseH3 {
				t.Fatalf("the next version, whole: %+v, %v", got, err)
			}
		})
	}
}
