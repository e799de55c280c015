package sqlstore_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// TestScreeningLogApplyRows: the applier stores journaled encounters, the
// node's complete ones as the rows their records carry and another
// completed as CreateEncounter would, more than one statement's worth in a
// batch: each reads back as journaled, each with its event in journal
// order, numbered without gaps, carrying the same JSON.
func TestScreeningLogApplyRows(t *testing.T) {
	ctx := t.Context()
	db := MustOpenDB(t)
	at := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return at }
	encs := sqlstore.NewEncounterService(db)
	trav := tripline.Traveller{Ref: "t-1", Name: "Noor Qasim", DOB: tripline.PartialDate{Year: 1974, Month: 2, Day: 16}}
	var want []*tripline.Encounter
	journaled := func(ws ...*sqlstore.ScreeningWrites) []*sqlstore.ScreeningWrites {
		var out []*sqlstore.ScreeningWrites
		for _, w := range ws {
			rec, err := w.AppendBinary(nil)
			if err != nil {
				t.Fatal(err)
			}
			got := new(sqlstore.ScreeningWrites)
			if err := got.UnmarshalBinary(rec); err != nil {
				t.Fatal(err)
			}
			out = append(out, got)
		}
		return out
	}
	many := &sqlstore.ScreeningWrites{Seen: &sqlstore.Seen{Traveller: &trav, At: at}}
	for i := range 70 {
		e := encs.NewEncounter(&tripline.Encounter{Listing: fmt.Sprint("gen:G", i), Originator: "gen", Decision: tripline.DecisionReview,
			Score: 0.69, Action: tripline.ActionInfo, Traveller: trav}, at)
		many.Encounters = append(many.Encounters, e)
		want = append(want, e)
	}
	bare := &tripline.Encounter{ID: "e-bare", Listing: "un:1", Originator: "un", Decision: tripline.DecisionHit, Action: tripline.ActionDetain, Traveller: trav}
	ws := journaled(many, &sqlstore.ScreeningWrites{Encounters: []*tripline.Encounter{bare}}, &sqlstore.ScreeningWrites{Seen: &sqlstore.Seen{Traveller: &trav, At: at}})
	want = append(want, encs.NewEncounter(bare, at))
	if err := sqlstore.NewScreeningLog(db).Apply(ctx, "j", 3, ws); err != nil {
		t.Fatal(err)
	}
	evs, err := sqlstore.NewEventService(db).Events(ctx, db.Origin, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, w := range want {
		wj, _ := json.Marshal(w)
		got, err := encs.Encounter(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if gj, _ := json.Marshal(got); string(gj) != string(wj) {
			t.Errorf("encounter %d read back\n%s\nwant\n%s", i, gj, wj)
		}
		if ev := evs[i]; ev.Seq != int64(i+1) || ev.Type != tripline.EventEncounter || ev.Subject != w.ID || string(ev.Payload) != string(wj) {
			t.Errorf("event %d: %d %s %s %s, want %d %s %s %s", i, ev.Seq, ev.Type, ev.Subject, ev.Payload, i+1, tripline.EventEncounter, w.ID, wj)
		}
	}
	// The columns the queues and the overdue gauge read.
	for _, f := range []tripline.EncounterFilter{{Originator: "gen"}, {Originator: "un"}, {Listing: "gen:G69"}, {Outcome: tripline.OutcomePending}} {
		n := 0
		for _, w := range want {
			if (f.Originator == "" || w.Originator == f.Originator) && (f.Listing == "" || w.Listing == f.Listing) {
				n++
			}
		}
		if got, err := encs.Encounters(ctx, f); err != nil || len(got) != n {
			t.Errorf("encounters of %+v: %d, %v; want %d", f, len(got), err, n)
		}
	}
	late := at.Add(25 * time.Hour)
	if got, err := encs.OverdueEncounters(ctx, late); err != nil || got[tripline.ActionInfo] != 70 || got[tripline.ActionDetain] != 1 {
		t.Errorf("overdue a day later: %v, %v; want 70 info and 1 detain", got, err)
	}
	if n, err := sqlstore.NewScreeningLog(db).Applied(ctx, "j"); err != nil || n != 3 {
		t.Errorf("applied up to %d, %v; want 3", n, err)
	}
}
