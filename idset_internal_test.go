package tripline

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// IDSet behaves as a map from id to first-insertion index, whatever the
// hashes do: with real hashes, and with every id colliding in one chain.
func TestIDSet(t *testing.T) {
	for _, collide := range []bool{false, true} {
		t.Run(fmt.Sprintf("collide=%v", collide), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				s := NewIDSet()
				if collide {
					s.hash = func(string) uint64 { return 7 }
				}
				want := map[string]int{}
				ids := rapid.SliceOf(rapid.StringMatching(`[a-c]{0,3}`)).Draw(t, "ids")
				for _, id := range ids {
					i, added := s.Add(id)
					if w, ok := want[id]; ok {
						if added || i != w {
							t.Fatalf("Add(%q) again = %d, %v; want %d, false", id, i, added, w)
						}
						continue
					}
					if !added || i != len(want) {
						t.Fatalf("Add(%q) = %d, %v; want %d, true", id, i, added, len(want))
					}
					want[id] = i
				}
				for _, id := range []string{"", "a", "abc", "cccc", "d"} {
					if _, ok := want[id]; s.Has(id) != ok {
						t.Fatalf("Has(%q) = %v, want %v", id, !ok, ok)
					}
				}
				if s.Len() != len(want) {
					t.Fatalf("Len = %d, want %d", s.Len(), len(want))
				}
			})
		})
	}
}
