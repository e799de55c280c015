package storetest

import (
	"context"
	"maps"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// overdueCounter is the count behind the overdue gauge (/metrics).
type overdueCounter interface {
	OverdueEncounters(ctx context.Context, now time.Time) (map[tripline.Action]int, error)
}

// updateMerger applies the other end's change to an encounter.
type updateMerger interface {
	MergeEncounterUpdate(ctx context.Context, u *tripline.EncounterUpdate, sender string) (*tripline.Encounter, error)
}

// testEncounterOverdue: the store's count of overdue encounters by action
// is, at every step, what reading every encounter and marking it at that
// time gives (tripline.Encounter.MarkOverdue), as encounters are added,
// fall due, are acknowledged here or by the other end, resolved and
// erased past their retention.
func testEncounterOverdue(t *testing.T, s Store) {
	oc, ok := s.Encounters.(overdueCounter)
	if !ok {
		t.Skip("the store counts no overdue encounters")
	}
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	now := t0
	set := func(at time.Time) { now = at; s.SetNow(at) }
	set(t0)
	check := func(step string, want map[tripline.Action]int) {
		t.Helper()
		read := map[tripline.Action]int{}
		for f := (tripline.EncounterFilter{}); ; {
			es, err := s.Encounters.Encounters(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 0 {
				break
			}
			for _, e := range es {
				if e.MarkOverdue(now); e.Overdue {
					read[e.Action]++
				}
			}
			f.Before = es[len(es)-1].ID
		}
		got, err := oc.OverdueEncounters(ctx, now)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if !maps.Equal(got, want) || !maps.Equal(read, want) {
			t.Errorf("%s: counted %v, read %v, want %v", step, got, read, want)
		}
	}
	create := func(a tripline.Action, doc string) *tripline.Encounter {
		t.Helper()
		e := encounter("agency-a", "a:1", doc)
		e.Action = a
		c, err := s.Encounters.CreateEncounter(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	d1, d2, d3 := create(tripline.ActionDetain, "D1"), create(tripline.ActionDetain, "D2"), create(tripline.ActionDetain, "D3")
	r1 := create(tripline.ActionReport, "R1")
	n1 := create("", "N1") // no action: an hour
	check("just created", map[tripline.Action]int{})

	due := *d1.AckDue // 15 minutes on
	set(due)
	check("at the due time", map[tripline.Action]int{})
	set(due.Add(time.Nanosecond))
	check("just past it", map[tripline.Action]int{tripline.ActionDetain: 3})

	if _, err := s.Encounters.AcknowledgeEncounter(ctx, d1.ID); err != nil {
		t.Fatal(err)
	}
	check("one acknowledged", map[tripline.Action]int{tripline.ActionDetain: 2})
	if _, _, err := s.Encounters.ResolveEncounter(ctx, d2.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive, By: "officer-1"}, "h"); err != nil {
		t.Fatal(err)
	}
	check("one answered, unacknowledged", map[tripline.Action]int{tripline.ActionDetain: 2})
	if m, ok := s.Encounters.(updateMerger); ok {
		at := now
		if _, err := m.MergeEncounterUpdate(ctx, &tripline.EncounterUpdate{ID: d3.ID, Kind: tripline.UpdateAck, Acknowledged: &at}, "agency-a"); err != nil {
			t.Fatal(err)
		}
		check("acknowledged by the originator's node", map[tripline.Action]int{tripline.ActionDetain: 1})
	} else {
		if _, err := s.Encounters.AcknowledgeEncounter(ctx, d3.ID); err != nil {
			t.Fatal(err)
		}
	}

	set(t0.Add(2 * time.Hour))
	check("the hour passed", map[tripline.Action]int{tripline.ActionDetain: 1, "": 1})
	set(t0.Add(25 * time.Hour))
	late := create(tripline.ActionDetain, "D4")
	check("a day passed, one more made", map[tripline.Action]int{tripline.ActionDetain: 1, "": 1, tripline.ActionReport: 1})

	// Past the retention the resolved encounter loses its traveller, not
	// its acknowledgement's due time.
	set(t0.AddDate(0, 2, 0))
	x, err := s.Encounters.EraseEncounters(ctx, tripline.EncounterRetention{FalsePositive: 24 * time.Hour, Resolved: 24 * time.Hour})
	if err != nil || x.Encounters != 1 {
		t.Fatalf("erased %+v, %v; want the one resolved", x, err)
	}
	check("after the erasure", map[tripline.Action]int{tripline.ActionDetain: 2, "": 1, tripline.ActionReport: 1})
	for _, e := range []*tripline.Encounter{r1, n1, late} {
		if _, err := s.Encounters.AcknowledgeEncounter(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	check("all acknowledged but the erased one", map[tripline.Action]int{tripline.ActionDetain: 1})
}

// testEncounterOverdueMigrated: a database of an older version, its
// encounters without the action and ack_open columns, fills them from each
// encounter's body when it opens (SQLite's code migration 49, PostgreSQL's
// 0049), to the nanosecond of the due time.
func testEncounterOverdueMigrated(t *testing.T, e Engine) {
	ctx := context.Background()
	db := e.Open(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 123400000, time.UTC)
	db.Now = func() time.Time { return t0 }
	encs := sqlstore.NewEncounterService(db)
	for _, a := range []tripline.Action{tripline.ActionDetain, tripline.ActionDetain, tripline.ActionReport, ""} {
		c, err := encs.CreateEncounter(ctx, &tripline.Encounter{Listing: "a:1", Originator: "agency-a", Action: a})
		if err != nil {
			t.Fatal(err)
		}
		if a == tripline.ActionReport { // acknowledged: never overdue
			if _, err := encs.AcknowledgeEncounter(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Back to the schema before migration 49.
	for _, q := range []string{`DROP INDEX encounters_ack_open`, `ALTER TABLE encounters DROP COLUMN action`,
		`ALTER TABLE encounters DROP COLUMN ack_open`, `DELETE FROM schema_migrations WHERE version = 49`} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	encs = sqlstore.NewEncounterService(Reopen(t, db))
	due := t0.Add(tripline.DefaultEscalation.For(tripline.ActionDetain))
	for _, c := range []struct {
		at   time.Time
		want map[tripline.Action]int
	}{
		{due, map[tripline.Action]int{}},
		{due.Add(time.Nanosecond), map[tripline.Action]int{tripline.ActionDetain: 2}},
		{t0.Add(48 * time.Hour), map[tripline.Action]int{tripline.ActionDetain: 2, "": 1}},
	} {
		got, err := encs.OverdueEncounters(ctx, c.at)
		if err != nil || !maps.Equal(got, c.want) {
			t.Errorf("overdue at %v: %v, %v; want %v", c.at, got, err, c.want)
		}
	}
}
