package federation_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	"tripline"
	"tripline/sqlstore"
)

// TestRelayedDropsVouchedByTheOrigin: a range stands for events its
// receiver does not see, so what it drops was whatever its server named.
// Relay B served two of A's encounter updates as a range dropping A's
// listing, and C stopped holding (and screening against) it, though no
// event of A changed it. Drops are now taken from the origin itself,
// signed by it (a relay forwards the origin's signed range as it came), or
// for a record that came through the relay serving the range.
func TestRelayedDropsVouchedByTheOrigin(t *testing.T) {
	ctx := context.Background()
	rangeOf := func(t *testing.T, w *trustWorld, sign bool) *tripline.Event {
		e2 := w.a.event(t, tripline.EventEncounterUpdated, "enc-1", map[string]string{"id": "enc-1"})
		e3 := w.a.event(t, tripline.EventEncounterUpdated, "enc-2", map[string]string{"id": "enc-2"})
		last, err := e3.Redact()
		if err != nil {
			t.Fatal(err)
		}
		last.RangeFrom, last.RangeChain = e2.Seq, e2.Chain
		last.Drops = []tripline.EventRef{{Type: tripline.EventListingUpserted, Subject: "agency-a:1"}}
		if sign {
			last.DropsSig = ed25519.Sign(w.a.priv, last.DropsSigningBytes())
		}
		return last
	}
	for _, tc := range []struct {
		name, held, via string
		sign            bool
		dropped         bool
	}{
		{"a relay's unsigned drops", "A", "B", false, false},
		{"a relay's drops signed by another key", "A", "B", false, false},
		{"the origin's signed drops, relayed", "A", "B", true, true},
		{"the origin's own range", "A", "A", false, true},
		// B could drop what it delivered anyway, by a placeholder of the
		// listing's next event; its ranges stay compact.
		{"a relay's drops of what it delivered", "B", "B", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTrustWorld(t)
			w.apply(t, tc.held, w.a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Wanted Person", 1, tripline.StatusActive)))
			r := rangeOf(t, w, tc.sign)
			if tc.name == "a relay's drops signed by another key" {
				r.DropsSig = ed25519.Sign(w.b.priv, r.DropsSigningBytes())
			}
			w.apply(t, tc.via, r)
			_, err := sqlstore.NewListingService(w.db).Listing(ctx, "agency-a:1")
			if dropped := tripline.ErrorCode(err) == tripline.ENOTFOUND; dropped != tc.dropped {
				t.Fatalf("A's listing dropped: %v (%v), want %v", dropped, err, tc.dropped)
			}
			// C relays the range on as it holds it: signed drops stay signed.
			evs, err := sqlstore.NewEventService(w.db).Events(ctx, "A", 1, 10)
			if err != nil || len(evs) != 1 {
				t.Fatalf("C's copy: %d events, %v", len(evs), err)
			}
			if len(evs[0].Drops) != 1 || tc.sign != (len(evs[0].DropsSig) > 0) {
				t.Fatalf("C keeps drops %v, signature %x; want the drops, signed %v", evs[0].Drops, evs[0].DropsSig, tc.sign)
			}
		})
	}
}
