package federation_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// TestReportCannotSetReceiversFields: a partner's report lands in the
// originator's queue with only the facts of its screening; what belongs
// to the receiving end is the receiver's, whatever the report says. No
// acknowledgement given on the originator's behalf (nor sent back as
// its), no outcome or clearance decision, the due time by the receiver's
// escalation from receipt for the listing's own action (never a milder
// one the report names), and the encounter's time at most a few minutes
// ahead of the receiver's clock (a date in 2099 would never be erased).
func TestReportCannotSetReceiversFields(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	db := mustDB(t, "A")
	db.Now = func() time.Time { return now }
	pubA, privA, _ := ed25519.GenerateKey(nil)
	a := &gapped{peer: federation.NewPeer("A", privA, sqlstore.NewFederationStore(db), quiet()), store: sqlstore.NewFederationStore(db)}
	a.peer.Now = func() time.Time { return now }
	b, pubB := newGapped(t, "B")
	a.know(t, "B", "agency-b", pubB)
	b.know(t, "A", "agency-a", pubA)
	encounters := sqlstore.NewEncounterService(db)
	svc := &federation.Service{Peer: a.peer, Agency: "agency-a",
		Held: func(_ context.Context, id string) (*tripline.Listing, error) {
			return &tripline.Listing{ID: id, Action: tripline.ActionDetain, Provenance: tripline.Provenance{Originator: "agency-a"}}, nil
		},
		Create: func(ctx context.Context, e *tripline.Encounter) error {
			_, err := encounters.CreateEncounter(ctx, e)
			return err
		}}

	far := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	acked := now.Add(-time.Minute)
	due := now.Add(15 * time.Minute) // the default escalation of a detention, from receipt
	tests := []struct {
		name   string
		set    func(e *tripline.Encounter)
		wantAt time.Time
	}{
		{name: "honest", set: func(e *tripline.Encounter) {}, wantAt: now.Add(-3 * time.Hour)},
		{name: "a clock a little ahead", set: func(e *tripline.Encounter) { e.At = now.Add(2 * time.Minute) }, wantAt: now.Add(2 * time.Minute)},
		{name: "in the future", set: func(e *tripline.Encounter) { e.At = far }, wantAt: now},
		// A milder action would give the originator a day, not 15 minutes,
		// before the report of a detention hit is overdue.
		{name: "a milder action", set: func(e *tripline.Encounter) { e.Action = tripline.ActionInfo }, wantAt: now.Add(-3 * time.Hour)},
		{name: "everything preset", set: func(e *tripline.Encounter) {
			e.At, e.UpdatedAt, e.Acknowledged, e.AckDue, e.Overdue = far, far, &acked, &far, true
			e.Outcome, e.Note, e.Erased = tripline.OutcomeDetained, "done already", &acked
			e.Clearance = &tripline.ClearanceShare{Status: tripline.ClearanceGranted, DecidedBy: "forged", DecidedAt: &acked}
		}, wantAt: now},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tripline.Encounter{ID: fmt.Sprintf("B-e%d", i), Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b", Node: "B",
				Decision: tripline.DecisionHit, Score: 0.97, Action: tripline.ActionDetain, Officer: "officer-b",
				Traveller: tripline.Traveller{Ref: "t1", Name: "Zebulon Quartermaine"}, At: now.Add(-3 * time.Hour), Outcome: tripline.OutcomePending}
			tt.set(&e)
			if err := b.peer.QueueEncounter(ctx, &e, "A", "A"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ReceiveReport(ctx, "B", signedOf(t, b, e.ID)); err != nil {
				t.Fatal(err)
			}
			got, err := encounters.Encounter(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.At.Equal(tt.wantAt) || !got.UpdatedAt.Equal(now) {
				t.Errorf("at %s, updated %s; want %s, %s", got.At, got.UpdatedAt, tt.wantAt, now)
			}
			if got.Acknowledged != nil || got.AckDue == nil || !got.AckDue.Equal(due) || got.Overdue {
				t.Errorf("acknowledged %v, due %v, overdue %v; want none, %s, false", got.Acknowledged, got.AckDue, got.Overdue, due)
			}
			if got.Outcome != tripline.OutcomePending || got.Note != "" || got.Clearance != nil || got.Erased != nil {
				t.Errorf("outcome %q, note %q, clearance %+v, erased %v; want pending and nothing else", got.Outcome, got.Note, got.Clearance, got.Erased)
			}
			if u, _ := tripline.UpdateFor(got, "agency-a"); u != nil || tripline.ClearanceUpdateFor(got, "agency-a") != nil {
				t.Errorf("the originator's node owes the reporter an update it never made: %+v, %+v", u, tripline.ClearanceUpdateFor(got, "agency-a"))
			}
			// The facts of the reporter's screening are kept.
			if got.Decision != e.Decision || got.Score != e.Score || got.Action != tripline.ActionDetain || got.Officer != e.Officer ||
				got.Traveller.Name != e.Traveller.Name || got.Node != "B" || got.Agency != "agency-b" {
				t.Errorf("reported facts changed: %+v", got)
			}
		})
	}
}
