package tripline_test

import (
	"strings"
	"testing"
	"time"

	"tripline"
)

func TestEncounterUpdates(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	enc := func() *tripline.Encounter {
		return &tripline.Encounter{ID: "enc-1", Originator: "agency-a", Agency: "agency-c", Outcome: tripline.OutcomePending, Action: tripline.ActionDetain}
	}
	// What each end owes the other.
	e := enc()
	if u, _ := tripline.UpdateFor(e, "agency-a"); u != nil {
		t.Fatalf("unacknowledged: originator owes %+v", u)
	}
	e.Acknowledged = &at
	if u, key := tripline.UpdateFor(e, "agency-a"); u == nil || u.Kind != tripline.UpdateAck || key != "enc-1#ack" {
		t.Fatalf("acknowledged: originator owes %+v %q", u, key)
	}
	e.Outcome = tripline.OutcomeDetained
	if u, key := tripline.UpdateFor(e, "agency-c"); u == nil || u.Outcome != tripline.OutcomeDetained || key != "enc-1#outcome:detained" {
		t.Fatalf("resolved: reporter owes %+v %q", u, key)
	}
	for _, tc := range []struct {
		name    string
		u       tripline.EncounterUpdate
		sender  string
		changed bool
		err     string
	}{
		{"originator acknowledges", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateAck, Acknowledged: &at}, "agency-a", true, ""},
		{"reporter may not acknowledge", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateAck, Acknowledged: &at}, "agency-c", false, "only the originator"},
		{"reporter records the outcome", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome, Outcome: tripline.OutcomeDeported}, "agency-c", true, ""},
		{"originator may not record the outcome", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome, Outcome: tripline.OutcomeAdmitted}, "agency-a", false, "only the reporting agency"},
		{"a bystander", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateAck, Acknowledged: &at}, "agency-x", false, "only the originator"},
		{"an unknown outcome", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome, Outcome: "vanished"}, "agency-c", false, "outcome"},
		{"another encounter", tripline.EncounterUpdate{ID: "enc-2", Kind: tripline.UpdateAck, Acknowledged: &at}, "agency-a", false, "is not encounter"},
		{"an unknown kind", tripline.EncounterUpdate{ID: "enc-1", Kind: "delete"}, "agency-a", false, "kind"},
		// A partner's note was taken as sent, of any size: the originator's
		// console shows it.
		{"a note of two lines", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome, Outcome: tripline.OutcomeDeported, Note: "flight TK1\nescorted"}, "agency-c", true, ""},
		{"a note of megabytes", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome, Outcome: tripline.OutcomeDeported, Note: strings.Repeat("x", 1<<20)}, "agency-c", false, "note"},
		{"a note with a bidi override", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome, Outcome: tripline.OutcomeDeported, Note: "released \u202eyaM 5"}, "agency-c", false, "note"},
		{"a note with a terminal escape", tripline.EncounterUpdate{ID: "enc-1", Kind: tripline.UpdateOutcome, Outcome: tripline.OutcomeDeported, Note: "\x1b[2Jcleared"}, "agency-c", false, "note"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed, err := tripline.MergeUpdate(enc(), &tc.u, tc.sender)
			if changed != tc.changed || (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("= %v, %v; want %v, %q", changed, err, tc.changed, tc.err)
			}
		})
	}
}

func TestEscalation(t *testing.T) {
	x, err := tripline.ParseEscalation("detain=5m, report=48h")
	if err != nil || x.For(tripline.ActionDetain) != 5*time.Minute || x.For(tripline.ActionReport) != 48*time.Hour ||
		x.For(tripline.ActionRefuseEntry) != 30*time.Minute {
		t.Fatalf("= %v, %v", x, err)
	}
	for _, bad := range []string{"detain", "arrest=5m", "detain=soon", "detain=-1m"} {
		if _, err := tripline.ParseEscalation(bad); tripline.ErrorCode(err) != tripline.EINVALID {
			t.Errorf("%q: %v, want invalid", bad, err)
		}
	}
	due := time.Date(2026, 11, 25, 9, 15, 0, 0, time.UTC)
	e := &tripline.Encounter{AckDue: &due}
	if e.MarkOverdue(due.Add(-time.Second)); e.Overdue {
		t.Fatal("overdue before its time")
	}
	if e.MarkOverdue(due.Add(time.Second)); !e.Overdue {
		t.Fatal("not overdue after its time")
	}
	e.Acknowledged = &due
	if e.MarkOverdue(due.Add(time.Hour)); e.Overdue {
		t.Fatal("overdue once acknowledged")
	}
}
