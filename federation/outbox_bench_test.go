package federation_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// BenchmarkDeliverWithHistory measures one delivery pass (a node runs one
// every 500 ms) and one acknowledgement over an outbox that holds a
// year's delivered reports: what is done must cost nothing.
//
//	go test ./federation -run x -bench DeliverWithHistory -benchtime 20x
func BenchmarkDeliverWithHistory(b *testing.B) {
	const delivered = 20_000
	ctx := context.Background()
	pubB, _, _ := ed25519.GenerateKey(nil)
	db := mustDB(b, "C")
	p := peerFor(b, db, "B", pubB, "") // no address: nothing goes out
	store := sqlstore.NewFederationStore(db)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	p.Now = func() time.Time { return now }
	tr := tripline.Traveller{Ref: "t", Name: "Karim Benali Haddad " + strings.Repeat("x", 200), Nationality: "TUR",
		Document: &tripline.Document{Number: "U12345678", Country: "TUR"}}
	for i := range delivered {
		e := &tripline.Encounter{ID: fmt.Sprintf("C-e%d", i), Listing: "agency-a:1", Originator: "agency-a", Decision: tripline.DecisionHit, Traveller: tr}
		if err := p.QueueEncounter(ctx, e, "B", "B"); err != nil {
			b.Fatal(err)
		}
		if err := store.MarkReport(ctx, e.ID, tripline.ReportAcknowledged, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.QueueEncounter(ctx, &tripline.Encounter{ID: "C-open", Listing: "agency-a:1", Originator: "agency-a", Traveller: tr}, "B", "B"); err != nil {
		b.Fatal(err)
	}
	b.Run("deliver", func(b *testing.B) {
		for range b.N {
			p.Deliver(ctx)
		}
	})
	b.Run("ack", func(b *testing.B) {
		for range b.N {
			if err := p.Acknowledged(ctx, "B", "C-e7"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
