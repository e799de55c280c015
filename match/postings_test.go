package match

import (
	"fmt"
	"reflect"
	"testing"

	"tripline"
)

// screenAll screens every query and returns the results, for comparison.
func screenAll(ix *Index, qs []*tripline.Traveller) [][]tripline.Match {
	out := make([][]tripline.Match, len(qs))
	for i, q := range qs {
		out[i] = ix.Screen(q, now, nil)
	}
	return out
}

// compactQueries are generated listings' people under every perturbation,
// and innocent travellers.
func compactQueries(ls []*tripline.Listing) []*tripline.Traveller {
	qs := GenerateTravellers(300, 3)
	for i, l := range ls[:300] {
		if t, ok := PerturbListing(l, Perturbations[i%len(Perturbations)], int64(i)); ok {
			qs = append(qs, t)
		}
	}
	return qs
}

// Compact moves the postings into flat arrays: every screening finds the
// same matches, scores and explanations before and after, and listings
// put, changed and removed after it behave as in an index never compacted.
func TestCompactSameResults(t *testing.T) {
	ls := GenerateListings(20_000, 11)
	plain, compact := NewIndex(Options{}), NewIndex(Options{})
	for _, l := range ls {
		plain.Upsert(l)
		compact.Upsert(l)
	}
	compact.Compact()
	qs := compactQueries(ls)
	want := screenAll(plain, qs)
	if got := screenAll(compact, qs); !reflect.DeepEqual(got, want) {
		t.Fatal("results differ after Compact")
	}
	hits := 0
	for _, ms := range want {
		hits += len(ms)
	}
	if hits < 200 {
		t.Fatalf("only %d matches over %d queries: the comparison proves little", hits, len(qs))
	}

	// Changes after Compact: removals, new versions, new listings; then
	// Compact again.
	for i, l := range ls[:3000] {
		switch i % 3 {
		case 0:
			plain.Remove(l.ID)
			compact.Remove(l.ID)
		case 1:
			c := *l
			c.Names = []tripline.Name{{Full: fmt.Sprintf("Renamed Person%d Quartermaine", i), Kind: tripline.NamePrimary}}
			plain.Upsert(&c)
			compact.Upsert(&c)
		}
	}
	extra := GenerateListings(2_000, 12)
	for i, l := range extra {
		l.ID = fmt.Sprint("extra:", i)
		plain.Upsert(l)
		compact.Upsert(l)
	}
	qs = append(qs, compactQueries(extra)...)
	want = screenAll(plain, qs)
	if got := screenAll(compact, qs); !reflect.DeepEqual(got, want) {
		t.Fatal("results differ after changes made since Compact")
	}
	compact.Compact()
	if got := screenAll(compact, qs); !reflect.DeepEqual(got, want) {
		t.Fatal("results differ after a second Compact")
	}
	if plain.Listing(ls[0].ID) != nil || compact.Listing(ls[0].ID) != nil {
		t.Fatal("a removed listing is still indexed")
	}
}
