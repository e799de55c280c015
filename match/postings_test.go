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

// The accumulator sums each slot's support as an array of one float per
// slot would, in both its forms (an array for a small index, a hash table
// for a large one), across resets that shrink and grow it, and skips dead
// postings.
func TestAccumulator(t *testing.T) {
	tests := []struct {
		name  string
		slots int
		lists [][]uint32
	}{
		{"direct", 50, [][]uint32{{1, 2, 3}, {3, 4, deadSlot}, {49, 3, 0}}},
		{"hashed", 1_000_000, [][]uint32{{999_999, 7, 123_456}, {7, deadSlot, 0}, {0, 123_456, 500_000}}},
		// Dense slots in a small table: neighbours probe past each other.
		{"hashed, full", 1_000_000, [][]uint32{seq(0, 16), seq(8, 24), seq(990_000, 990_008)}},
		{"hashed, large", 1_000_000, [][]uint32{seq(0, 9000), seq(4500, 13_500), seq(200_000, 206_000)}},
		// Smaller again: what the large one left is gone.
		{"hashed after large", 1_000_000, [][]uint32{{5, 6}, {6, 300_000}}},
		{"direct after large", 50, [][]uint32{{5, 6}, {6, 49}}},
	}
	var a accumulator
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[uint32]float32{}
			n := 0
			for i, ps := range tt.lists {
				n += len(ps)
				for _, s := range ps {
					if s != deadSlot {
						want[s] += float32(i + 1)
					}
				}
			}
			for range 2 { // the second time on a used table
				a.reset(n, tt.slots)
				for i, ps := range tt.lists {
					a.addAll(ps, float32(i+1))
				}
				got := map[uint32]float32{}
				for _, i := range a.used {
					e := a.tab[i]
					if _, dup := got[e.s-1]; dup {
						t.Fatalf("slot %d twice", e.s-1)
					}
					got[e.s-1] = e.w
				}
				inUse := 0
				for _, e := range a.tab {
					if e.s != 0 {
						inUse++
					}
				}
				if inUse != len(got) {
					t.Fatalf("%d places in use, %d slots listed", inUse, len(got))
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %d slots, want %d: %v", len(got), len(want), got)
				}
			}
		})
	}
}

// seq returns the slots from lo up to hi.
func seq(lo, hi uint32) []uint32 {
	var out []uint32
	for s := lo; s < hi; s++ {
		out = append(out, s)
	}
	return out
}
