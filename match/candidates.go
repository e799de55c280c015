package match

import (
	"math"
	"slices"
	"strings"
	"time"

	"tripline"
)

func (ix *Index) getScratch() *scratch {
	ix.spareMu.Lock()
	defer ix.spareMu.Unlock()
	if n := len(ix.spare); n > 0 {
		sc := ix.spare[n-1]
		ix.spare = ix.spare[:n-1]
		return sc
	}
	return &scratch{}
}

func (ix *Index) putScratch(sc *scratch) {
	ix.spareMu.Lock()
	defer ix.spareMu.Unlock()
	ix.spare = append(ix.spare, sc)
}

// cand is a slot with its retrieval support.
type cand struct {
	s uint32
	w float32
}

// candKey orders candidates by support, then by slot (the lower slot
// first on equal support), as one integer: support is never negative, so
// its bits order as the float does. Ties go by slot so that which
// candidates survive never depends on the order their postings were
// visited in.
func candKey(s uint32, w float32) uint64 {
	return uint64(math.Float32bits(w))<<32 | uint64(^s)
}

// candOf is the candidate of a key.
func candOf(k uint64) cand {
	return cand{^uint32(k), math.Float32frombits(uint32(k >> 32))}
}

// siftDown restores the min-heap h below i.
func siftDown(h []uint64, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && h[r] < h[l] {
			l = r
		}
		if h[i] <= h[l] {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// worse reports whether a is a worse candidate than b: less support, or as
// much on a higher slot.
func worse(a, b cand) bool { return a.w < b.w || a.w == b.w && a.s > b.s }

// candidates returns the slots most worth scoring for q; read lock held.
func (ix *Index) candidates(q *query, allow func(*tripline.Listing) bool, now time.Time, sc *scratch) []uint32 {
	keys := queryKeys(q)
	lists := sc.lists[:0]
	for _, k := range keys {
		// A key's postings are in the flat arrays (Compact), in the map
		// (added since), or in both: two lists of one key, weighed by
		// their total length as one list would be.
		flat, added := ix.flat.get(k.h), ix.post[k.h]
		if n := ix.flat.live(k.h, flat) + len(added); n > 0 {
			lists = append(lists, postList{flat, added, k.kind, n})
		}
	}
	slices.SortFunc(lists, func(a, b postList) int { return a.n - b.n })
	all := lists
	// Rare keys first; the rest would only add noise and time.
	visited := 0
	for i, l := range lists {
		if i > 0 && (l.n > maxPosting || visited+l.n > postingBudget) {
			lists = lists[:i]
			break
		}
		visited += l.n
	}
	acc := &sc.acc
	acc.reset(visited, len(ix.slots))
	n := float64(ix.lenLocked() + 1)
	for _, l := range lists {
		w := keyWeight[l.kind] * float32(math.Log(n/float64(l.n)+1))
		acc.addAll(l.flat, w)
		acc.addAll(l.added, w)
	}
	// A listing with a one-word name a letter from a one-word traveller
	// keeps a place among the candidates whatever its support: the
	// traveller's word in every spelling in longer names (a given name
	// shared by hundreds, some born the same year) outweighs one shared
	// key, and filled the candidates before the alias.
	// The rarest keys' listings first, a few times maxLone at most: a
	// short word's deletions can be shared by many one-word names.
	lone := sc.lone[:0]
	for _, l := range lists {
		if l.kind != keyLone {
			continue
		}
		for _, ps := range [2][]uint32{l.flat, l.added} {
			for _, s := range ps {
				if len(lone) < 4*maxLone && s != deadSlot && !slices.ContainsFunc(lone, func(c cand) bool { return c.s == s }) {
					lone = append(lone, cand{s, acc.get(s)})
				}
			}
		}
	}
	clear(all) // the postings are the index's: keep none past the screening
	sc.lists = all[:0]
	slices.SortFunc(lone, func(a, b cand) int {
		if worse(a, b) {
			return 1
		}
		if worse(b, a) {
			return -1
		}
		return 0
	})
	sc.lone = lone[:0]
	// Keep the best-supported slots: a min-heap of the top candidates
	// keys (candKey), the worst on top, then sorted best first.
	const keep = 4 * maxCandidates
	top := sc.top[:0]
	for _, i := range acc.used {
		e := acc.tab[i]
		k := candKey(e.s-1, e.w)
		if len(top) < keep {
			top = append(top, k)
			if len(top) == keep {
				for j := keep/2 - 1; j >= 0; j-- {
					siftDown(top, j)
				}
			}
			continue
		}
		if top[0] < k {
			top[0] = k
			siftDown(top, 0)
		}
	}
	slices.Sort(top)
	sc.top = top[:0]
	cs := sc.ranked[:0]
	for i := len(top) - 1; i >= 0; i-- {
		cs = append(cs, candOf(top[i]))
	}
	sc.ranked = cs[:0]
	// A one-word name is found by one word: how many of its keys a
	// listing shares says little about which listing it is (the same
	// word in every spelling outranks a misspelling and the same birth
	// year), so its candidates are not cut by support.
	_, oneWord := loneWord(q.toks)
	out := sc.cands[:0]
	for _, c := range lone {
		if len(out) == maxLone {
			break
		}
		if ix.eligible(c.s, allow, now, sc) {
			out = append(out, c.s)
		}
	}
	reserved := out[:len(out):len(out)]
	for _, c := range cs {
		if len(out) == maxCandidates || len(out) >= minCandidates && c.w < weakSupport*cs[0].w && !oneWord {
			break // the rest share only weak keys with the traveller
		}
		if slices.Contains(reserved, c.s) || !ix.eligible(c.s, allow, now, sc) {
			continue
		}
		out = append(out, c.s)
	}
	sc.cands = out[:0]
	return out
}

// Screen returns the matches at or above the review threshold, best first,
// at most ten. allow, if non-nil, limits the listings the caller may screen
// against. Each match carries its decision, action, instruction, contact,
// the listed name that matched, the minor flag and its explanation.
func (ix *Index) Screen(t *tripline.Traveller, now time.Time, allow func(*tripline.Listing) bool) []tripline.Match {
	q := newQuery(t)
	defer q.release()
	if len(q.toks) == 0 && q.doc == nil {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q.sc.logN = listLog(ix.lenLocked())
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	sc.dec.reset()
	type scored struct {
		p *prepared
		s float64
	}
	var hits []scored
	for _, slot := range ix.candidates(q, allow, now, sc) {
		p := ix.at(slot, &sc.dec)
		s, _, _ := scorePrepared(q, p, false)
		if s >= ix.th.Review {
			hits = append(hits, scored{p, s})
		}
	}
	slices.SortFunc(hits, func(a, b scored) int {
		if a.s != b.s {
			if a.s > b.s {
				return -1
			}
			return 1
		}
		if a.p.l.ID < b.p.l.ID {
			return -1
		}
		return 1
	})
	if len(hits) > maxMatches {
		hits = hits[:maxMatches]
	}
	out := make([]tripline.Match, 0, len(hits))
	dir := ""
	if t.Travel != nil {
		dir = t.Travel.Direction
	}
	for _, h := range hits {
		s, feats, name := scorePrepared(q, h.p, true)
		l := h.p.l
		act, instr := l.ActionFor(dir) // an exit gate gets the departure instruction, not "refuse entry"
		// Copies: a listing of a snapshot file is read from its mapping.
		out = append(out, tripline.Match{
			Listing: strings.Clone(l.ID), Score: s, Decision: ix.th.Decide(s), Action: tripline.Action(strings.Clone(string(act))),
			Instruction: strings.Clone(instr), Contact: strings.Clone(l.Contact), Name: strings.Clone(name),
			Minor: isMinor(q.dob, now) || listingMinor(l, now), Explain: feats,
		})
	}
	return out
}

// isMinor reports whether a birth date makes the person under 18 at now.
func isMinor(d tripline.PartialDate, now time.Time) bool {
	age, ok := d.AgeAt(now)
	return ok && age < 18
}

// listingMinor reports whether any listed birth date makes the person a minor.
func listingMinor(l *tripline.Listing, now time.Time) bool {
	for _, d := range l.BirthDates {
		if isMinor(d, now) {
			return true
		}
	}
	return false
}
