package match

import (
	"math"
	"strconv"

	"tripline"
)

// List-informed rarity. The name tables say how common a name is among
// people at large; the list says how common it is among the people it
// lists and their regions. A family, tribe or town name borne by many
// listed people (Tikriti, Haqqani, Qadhafi) is rare in the tables but
// common among the innocents of the same regions, so matching it proves
// less than its rarity in the tables suggests.

// listCount is how many indexed listings bear a name (its variant class,
// or its spelling when it has none). Interned tokens of that name share
// one; it changes under the index's write lock and is read under its read
// lock.
type listCount struct {
	n    int32
	logn float32 // log(n), kept with n so that scoring takes no logarithm
}

// Bounds of list-informed rarity: a list smaller than minListRarity says
// nothing about names, and a name borne by fewer than minListBearers
// listed people may be one person's.
const (
	minListRarity  = 200
	minListBearers = 3
)

// listKey is what listCount counts a token under.
func listKey(t *token) uint64 {
	if t.class != 0 {
		return hashKey('L', strconv.Itoa(int(t.class)))
	}
	return hashKey('L', t.form)
}

// countNames adds d (1 or -1) to the count of each name a listing bears,
// once per listing however many of its names repeat it, and points the
// listing's (interned) tokens at their counts. Write lock held.
func (ix *Index) countNames(p *prepared, d int32) {
	seen := make(map[*listCount]bool, 8)
	for _, n := range p.names {
		for _, t := range n.toks {
			if t.kind != kindName {
				continue
			}
			if t.list == nil {
				k := listKey(t)
				c := ix.freq[k]
				if c == nil {
					c = &listCount{}
					ix.freq[k] = c
				}
				t.list = c
			}
			if !seen[t.list] {
				seen[t.list] = true
				t.list.n += d
				t.list.logn = float32(math.Log(float64(max(1, t.list.n))))
			}
		}
	}
}

// listLog is log(N) for an index of N listings, 0 (no list-informed
// rarity) when the list is too small to tell.
func listLog(n int) float64 {
	if n < minListRarity {
		return 0
	}
	return math.Log(float64(n))
}

// weightOf is a token's rarity weight, lowered to how common the name is
// among the listed people when the index is large enough to tell:
// log(N/n)/log(N) for a name borne by n of N listings; logN is listLog(N).
// Without an index (logN 0) it is the tables' weight.
func weightOf(t *token, logN float64) float64 {
	w := float64(t.weight)
	if t.list == nil || logN == 0 || t.list.n < minListBearers {
		return w
	}
	lw := 1 - float64(t.list.logn)/logN
	return max(0.3, min(w, lw))
}

// Score compares one traveller and one listing as Screen does, with the
// index's list-informed rarity (the package's Score knows no list), and
// explains the score. l need not be indexed.
func (ix *Index) Score(t *tripline.Traveller, l *tripline.Listing) (float64, []tripline.Feature) {
	q := newQuery(t)
	defer q.release()
	p := prepareListing(l, noIntern)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q.sc.logN = listLog(ix.lenLocked())
	for _, n := range p.names {
		for _, tk := range n.toks {
			if tk.kind == kindName {
				tk.list = ix.freq[listKey(tk)]
			}
		}
	}
	s, f, _ := scorePrepared(q, p, true)
	return s, f
}

// countSnapshot restores the list counts of a snapshot's tokens: listed[i]
// is how many listings bore token i's name when the snapshot was written.
func (ix *Index) countSnapshot(listed []int32) {
	for i := range ix.snap.toks {
		t := &ix.snap.toks[i]
		if t.kind != kindName || i >= len(listed) || listed[i] <= 0 {
			continue
		}
		k := listKey(t)
		c := ix.freq[k]
		if c == nil {
			c = &listCount{n: listed[i], logn: float32(math.Log(float64(listed[i])))}
			ix.freq[k] = c
		}
		t.list = c
	}
}
