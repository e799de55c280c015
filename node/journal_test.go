package node

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"tripline/postgres"
	"tripline/sqlite"

	"tripline"
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
