package match

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"tripline"
)

var now = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func TestIndexUpsertReplacesAndRemove(t *testing.T) {
	ix := NewIndex(Options{})
	l := listed()
	ix.Upsert(l)
	if got := ix.Len(); got != 1 {
		t.Fatalf("Len = %d, want 1", got)
	}
	tr := &tripline.Traveller{Name: "Muhammad Taher Anwari"}
	if ms := ix.Screen(tr, now, nil); len(ms) != 1 {
		t.Fatalf("screen: %d matches, want 1", len(ms))
	}
	// A new version with another name replaces the old one entirely.
	l2 := *l
	l2.Names = []tripline.Name{{Full: "Ivan Petrov", Kind: tripline.NamePrimary}}
	ix.Upsert(&l2)
	if got := ix.Len(); got != 1 {
		t.Errorf("Len after replace = %d, want 1", got)
	}
	if ms := ix.Screen(tr, now, nil); len(ms) != 0 {
		t.Errorf("old name still matches after replace: %+v", ms)
	}
	if ms := ix.Screen(&tripline.Traveller{Name: "IVAN PETROV"}, now, nil); len(ms) != 1 {
		t.Errorf("new name: %d matches, want 1", len(ms))
	}
	if got := ix.Listing(l.ID); got != &l2 {
		t.Errorf("Listing(%q) = %p, want the new version %p", l.ID, got, &l2)
	}
	ix.Remove(l.ID)
	if got := ix.Len(); got != 0 {
		t.Errorf("Len after Remove = %d, want 0", got)
	}
	if ms := ix.Screen(&tripline.Traveller{Name: "IVAN PETROV"}, now, nil); len(ms) != 0 {
		t.Errorf("removed listing still matches: %+v", ms)
	}
	ix.Remove("no:such") // no panic
}

func TestIndexWithdrawnIsRemoved(t *testing.T) {
	ix := NewIndex(Options{})
	l := listed()
	ix.Upsert(l)
	w := *l
	w.Status = tripline.StatusWithdrawn
	ix.Upsert(&w)
	if got := ix.Len(); got != 0 {
		t.Errorf("Len after withdrawn upsert = %d, want 0", got)
	}
}

func TestIndexExpiredDoesNotMatch(t *testing.T) {
	ix := NewIndex(Options{})
	l := listed()
	past := now.Add(-time.Hour)
	l.ValidUntil = &past
	ix.Upsert(l)
	if ms := ix.Screen(&tripline.Traveller{Name: "Muhammad Taher Anwari"}, now, nil); len(ms) != 0 {
		t.Errorf("expired listing matched: %+v", ms)
	}
}

func TestScreenMatchFields(t *testing.T) {
	ix := NewIndex(Options{})
	l := listed()
	l.Contact = "duty desk +1 555 0100"
	ix.Upsert(l)
	ms := ix.Screen(traveller("MUHAMMAD TAHER ANWARI"), now, nil)
	if len(ms) != 1 {
		t.Fatalf("%d matches, want 1", len(ms))
	}
	m := ms[0]
	if m.Decision != tripline.DecisionHit || m.Action != tripline.ActionRefuseEntry || m.Contact != l.Contact || m.Name == "" || len(m.Explain) == 0 {
		t.Errorf("match fields not set: %+v", m)
	}
	if want := tripline.ActionRefuseEntry.Instruction(); m.Instruction != want {
		t.Errorf("Instruction = %q, want the action's default %q", m.Instruction, want)
	}
	if m.Minor {
		t.Errorf("adult flagged as minor")
	}
	l.Instruction = "Call desk 4."
	ix.Upsert(l)
	if ms := ix.Screen(traveller("MUHAMMAD TAHER ANWARI"), now, nil); ms[0].Instruction != "Call desk 4." {
		t.Errorf("Instruction = %q, want the listing's own", ms[0].Instruction)
	}
}

func TestScreenMinor(t *testing.T) {
	ix := NewIndex(Options{})
	l := listed()
	l.BirthDates = []tripline.PartialDate{{Year: 2010}}
	ix.Upsert(l)
	tr := &tripline.Traveller{Name: "Muhammad Taher Anwari", DOB: date(2010, 5, 1)}
	ms := ix.Screen(tr, now, nil)
	if len(ms) != 1 || !ms[0].Minor {
		t.Errorf("matches %+v: want one, flagged minor", ms)
	}
}

func TestScreenAllowFilters(t *testing.T) {
	ix := NewIndex(Options{})
	ix.Upsert(listed())
	deny := func(*tripline.Listing) bool { return false }
	if ms := ix.Screen(traveller("Muhammad Taher Anwari"), now, deny); len(ms) != 0 {
		t.Errorf("allow=false still matched: %+v", ms)
	}
}

func TestScreenAtMostTenSorted(t *testing.T) {
	ix := NewIndex(Options{})
	for i := 0; i < 30; i++ {
		l := listed()
		l.ID = fmt.Sprintf("test:%d", i)
		l.BirthDates = []tripline.PartialDate{{Year: 1961}}
		if i == 11 {
			l.BirthDates[0] = date(1961, 3, 14)
		}
		l.Documents = nil
		ix.Upsert(l)
	}
	ms := ix.Screen(&tripline.Traveller{Name: "Muhammad Taher Anwari", DOB: date(1961, 3, 14)}, now, nil)
	if len(ms) != 10 {
		t.Fatalf("%d matches, want 10", len(ms))
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Score > ms[i-1].Score {
			t.Errorf("matches not sorted by score: %v before %v", ms[i-1].Score, ms[i].Score)
		}
	}
	if ms[0].Listing != "test:11" {
		t.Errorf("best match %s, want test:11 (the matching birth date)", ms[0].Listing)
	}
}

func TestDocumentNumberFinds(t *testing.T) {
	ix := unIndex(t)
	// un-sc:TAi.011 holds passport SE-011697: found by number, OCR-confused.
	tr := &tripline.Traveller{Name: "Akhtar Mansoor", Document: &tripline.Document{Type: "P", Number: "5E0II697"}}
	if ok, s := screenFinds(ix, tr, "un-sc:TAi.011"); !ok || s < DefaultThresholds.Hit {
		t.Errorf("same passport up to OCR confusions and a similar name: found %v score %.3f, want a hit", ok, s)
	}
}

// TestConcurrentScreenAndUpsert runs screenings while listings change;
// run with -race.
func TestConcurrentScreenAndUpsert(t *testing.T) {
	ix := NewIndex(Options{})
	ls := GenerateListings(2000, 3)
	for _, l := range ls[:1000] {
		ix.Upsert(l)
	}
	qs := GenerateTravellers(200, 5)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, q := range qs {
				ix.Screen(q, now, nil)
			}
		}()
	}
	for _, l := range ls[1000:] {
		ix.Upsert(l)
	}
	for _, l := range ls[:500] {
		ix.Remove(l.ID)
	}
	wg.Wait()
	if got := ix.Len(); got != 1500 {
		t.Errorf("Len = %d, want 1500", got)
	}
}

// TestScreenAgreesWithScore checks that the index's prepared, interned
// listings score exactly as the index's Score does on the listing itself
// (the same list context: list-informed rarity).
func TestScreenAgreesWithScore(t *testing.T) {
	ix := unIndex(t)
	byID := map[string]*tripline.Listing{}
	for _, l := range loadUN(t) {
		byID[l.ID] = l
	}
	n := 0
	for k, kind := range Perturbations {
		for i, l := range loadUN(t) {
			if i%7 != k%7 {
				continue
			}
			tr, ok := PerturbListing(l, kind, int64(i))
			if !ok {
				continue
			}
			for _, m := range ix.Screen(tr, now, nil) {
				n++
				if s, _ := ix.Score(tr, byID[m.Listing]); s != m.Score {
					t.Errorf("%q against %s: Screen %v, Score %v", tr.Name, m.Listing, m.Score, s)
				}
			}
		}
	}
	if n < 500 {
		t.Errorf("compared %d matches, want many", n)
	}
}

// TestOneWordAliasKeepsCandidate: a one-word traveller a letter from a
// listed one-word alias is scored against that listing even when many
// listings bear the traveller's word in longer names and the same birth
// date (they outweigh the alias's few shared keys, and filled the
// candidates),
// and when the alias is three letters long (no typo keys at all).
func TestOneWordAliasKeepsCandidate(t *testing.T) {
	// Other listings make the crowd's keys rare enough to count.
	others := GenerateListings(5000, 1)
	for _, c := range []struct{ alias, traveller string }{
		{"Arita", "Arisa"},
		{"Nek", "Vek"},
		{"Bayaoui", "Baydoui"}, // a skeleton of one letter: no other one-word keys
	} {
		ix := NewIndex(Options{})
		born, full := tripline.PartialDate{Year: 1954}, tripline.PartialDate{Year: 1954, Month: 5, Day: 9}
		for _, l := range others {
			ix.Upsert(l)
		}
		for i := range 3 * maxCandidates {
			ix.Upsert(&tripline.Listing{ID: fmt.Sprintf("crowd-%d", i), Status: tripline.StatusActive, BirthDates: []tripline.PartialDate{full},
				Names: []tripline.Name{{Full: fmt.Sprintf("%s Surname%c%c", c.traveller, 'a'+i%26, 'a'+i/26), Kind: tripline.NamePrimary}}})
		}
		ix.Upsert(&tripline.Listing{ID: "alias", Status: tripline.StatusActive, BirthDates: []tripline.PartialDate{born},
			Names: []tripline.Name{{Full: "Jibril Abdulkarim Mayu", Kind: tripline.NamePrimary}, {Full: c.alias, Kind: tripline.NameWeakAlias}}})
		q := newQuery(&tripline.Traveller{Name: c.traveller, DOB: full})
		sc := ix.getScratch()
		found := slices.Contains(ix.candidates(q, nil, now, sc), ix.byID["alias"])
		ix.putScratch(sc)
		q.release()
		if !found {
			t.Errorf("%s: the listing with the one-word alias %s is not among the candidates", c.traveller, c.alias)
		}
	}
}
