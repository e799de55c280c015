package node

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/journal"
	"tripline/postgres"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// A hit's encounter, journaled and applied behind the answer, is there for
// the officer who reads it right after; and the screened traveller is in
// the store once the node stops (for retro-screening after a restart).
func TestJournaledHitReadAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n := startTestNode(t, dir, 0)
	if !n.Journaled() {
		t.Fatal("the node has no screening journal")
	}
	if _, err := n.Listings.ImportListings(ctx, "local", tripline.Records([]*tripline.Listing{storetest.Listing("local", "z", "Zebulon Quartermaine")})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing("local:z") != nil })
	officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: n.Agency, Role: tripline.RoleOfficer})
	r, err := n.Screener.Screen(officer, &tripline.Traveller{Ref: "t1", Name: "Zebulon Quartermaine"})
	if err != nil || r.Decision != tripline.DecisionHit || len(r.Encounters) != 1 {
		t.Fatalf("screen = %+v, %v; want a hit with its encounter", r, err)
	}
	e, err := n.EncounterReads().Encounter(ctx, r.Encounters[0])
	if err != nil || e.Listing != "local:z" || e.Traveller.Ref != "t1" {
		t.Fatalf("the hit's encounter read at once = %+v, %v", e, err)
	}
	n.Close()
	n = startTestNode(t, dir, 0)
	defer n.Close()
	var refs []string
	if err := n.Travellers.Each(ctx, n.Now().AddDate(0, 0, -1), func(s sqlstore.Seen) { refs = append(refs, s.Traveller.Ref) }); err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0] != "t1" {
		t.Fatalf("travellers stored after the stop: %v, want [t1]", refs)
	}
}

// On a store several data directories share (a writer and its replicas on
// PostgreSQL), each journal keeps its position under a name of its own,
// stable across restarts; on SQLite the one directory's is "screenings".
func TestJournalPositionPerDirectory(t *testing.T) {
	lite := sqlite.NewDB(filepath.Join(t.TempDir(), "t.db"))
	if got, err := journalPosition(lite, t.TempDir()); err != nil || got != journalName {
		t.Fatalf("on SQLite: %q, %v; want %q", got, err, journalName)
	}
	pg := postgres.NewDB("postgres://unused")
	a, b := t.TempDir(), t.TempDir()
	na, err := journalPosition(pg, a)
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := journalPosition(pg, b)
	again, _ := journalPosition(pg, a)
	if na == nb || na != again || !strings.HasPrefix(na, journalName+"/") {
		t.Fatalf("positions: a %q, b %q, a again %q; want a's own, stable", na, nb, again)
	}
}

// A journal an earlier build left (records in JSON, before the binary
// form) is applied at the next start like one of this build: its
// travellers and encounters reach the store, with the binary records
// journaled after them.
func TestJournalOfEarlierBuildApplied(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	at := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	tr := tripline.Traveller{Ref: "t-old", Name: "Zebulon Quartermaine", DOB: tripline.PartialDate{Year: 1970}}
	old := []sqlstore.ScreeningWrites{
		{Seen: &sqlstore.Seen{Traveller: &tripline.Traveller{Ref: "t-clear", Name: "Ayse Kaya"}, At: at}},
		{Seen: &sqlstore.Seen{Traveller: &tr, At: at}, Encounters: []*tripline.Encounter{{ID: "enc-old", Listing: "local:z",
			Originator: "agency-test", Decision: tripline.DecisionHit, Score: 0.99, Traveller: tr, Officer: "o", At: at, UpdatedAt: at}}},
	}
	j, err := journal.Open(filepath.Join(dir, "journal"), 0, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for _, w := range old {
		b, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := (&sqlstore.ScreeningWrites{Seen: &sqlstore.Seen{Traveller: &tripline.Traveller{Ref: "t-new", Name: "Anna Eriksson"}, At: at}}).AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if last, err = j.Append(bin); err != nil {
		t.Fatal(err)
	}
	if err := j.Sync(ctx, last); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	n := startTestNode(t, dir, 0)
	defer n.Close()
	var refs []string
	if err := n.Travellers.Each(ctx, at.Add(-time.Hour), func(s sqlstore.Seen) { refs = append(refs, s.Traveller.Ref) }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(refs, " ") != "t-clear t-old t-new" {
		t.Errorf("travellers applied: %v, want [t-clear t-old t-new]", refs)
	}
	e, err := n.EncounterReads().Encounter(ctx, "enc-old")
	if err != nil || e.Listing != "local:z" || e.Traveller.Ref != "t-old" {
		t.Errorf("the earlier build's encounter = %+v, %v", e, err)
	}
}

// A hit or a review screened with its durability wait deferred (as the
// HTTP server screens) leaves a wait, and once that wait returned the
// record is in the journal's file: what a SIGKILL then leaves is applied
// at the next start. A review's wait (ReviewFsync set) ends at the write,
// a hit's at the fsync.
func TestDeferredEncounterOnDiskAfterWait(t *testing.T) {
	for _, tc := range []struct {
		name, traveller string
		want            tripline.Decision
	}{
		{"hit", "Zebulon Quartermaine", tripline.DecisionHit},
		{"review", "Zebulon", tripline.DecisionReview},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			n := startTestNodeWith(t, dir, func(n *Node) { n.ReviewFsync = 10 * time.Millisecond })
			defer n.Close()
			if _, err := n.Listings.ImportListings(ctx, "local", tripline.Records([]*tripline.Listing{storetest.Listing("local", "z", "Zebulon Quartermaine")})); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return n.Index.Listing("local:z") != nil })
			officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: n.Agency, Role: tripline.RoleOfficer})
			d := screening.WithDeferredWrites(officer)
			r, err := n.Screener.Screen(d, &tripline.Traveller{Ref: "t1", Name: tc.traveller})
			if err != nil || r.Decision != tc.want || len(r.Encounters) != 1 || !d.Pending() {
				t.Fatalf("screen = %+v, %v, pending %v; want a %s with its encounter and a wait", r, err, d.Pending(), tc.want)
			}
			if err := d.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			segs, err := filepath.Glob(filepath.Join(dir, "journal", "*.journal"))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, seg := range segs {
				b, err := os.ReadFile(seg)
				if err != nil {
					t.Fatal(err)
				}
				found = found || strings.Contains(string(b), r.Encounters[0])
			}
			if !found {
				t.Fatalf("encounter %s not in the journal's files %v after the wait", r.Encounters[0], segs)
			}
		})
	}
}
