package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// New encounters' ids sort in the order they were made, so each goes to
// the last page of the id index and of its events' subject index (random
// ids made every batch of the journal's applier rewrite a page of each per
// encounter), and stay unique when made at the same nanosecond.
func TestEncounterIDsSortByTime(t *testing.T) {
	db := MustOpenDB(t)
	encs := sqlstore.NewEncounterService(db)
	t0 := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	prev := ""
	seen := map[string]bool{}
	for i := range 3000 {
		at := t0.Add(time.Duration(i/3) * time.Microsecond) // three at each time
		id := encs.NewEncounter(&tripline.Encounter{Listing: "a:1", Originator: "a"}, at).ID
		if !strings.HasPrefix(id, db.Origin+"-e") || seen[id] {
			t.Fatalf("id %q: want a new one starting %q", id, db.Origin+"-e")
		}
		seen[id] = true
		if i%3 == 0 && id <= prev {
			t.Fatalf("id %q made at %v sorts before %q made earlier", id, at, prev)
		}
		prev = max(prev, id)
	}
}
