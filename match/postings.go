package match

import (
	"math/bits"
	"slices"
)

// deadSlot marks a flat posting whose listing was removed since Compact.
const deadSlot = ^uint32(0)

// flatPostings are postings packed into flat arrays: the slots of keys[i]
// are ids[offs[i]:offs[i+1]]. A map of slices costs about 45 bytes per key
// besides its postings, and the garbage collector scans every slice of it;
// these cost 12 bytes per key and hold no pointers. bucket narrows a
// lookup to a few keys by the key's top bits (keys are FNV hashes, so
// uniform): one or two cache lines instead of a binary search over
// millions.
type flatPostings struct {
	keys   []uint64
	offs   []uint32
	ids    []uint32
	bucket []uint32 // keys with top bits b start at bucket[b]
	shift  uint
	// dead counts each key's postings marked dead since Compact, so that a
	// key's weight and budget count only live postings, as a never
	// compacted index would.
	dead map[uint64]int
}

// live returns how many of ps, key's flat postings, are not dead.
func (f *flatPostings) live(key uint64, ps []uint32) int {
	return len(ps) - f.dead[key]
}

// get returns the flat postings of key (deadSlot where removed).
func (f *flatPostings) get(key uint64) []uint32 {
	if len(f.keys) == 0 {
		return nil
	}
	b := key >> f.shift
	lo, hi := f.bucket[b], f.bucket[b+1]
	for i := lo; i < hi; i++ {
		if f.keys[i] == key {
			return f.ids[f.offs[i]:f.offs[i+1]]
		}
	}
	return nil
}

// remove marks slot dead in key's flat postings.
func (f *flatPostings) remove(key uint64, slot uint32) {
	ps := f.get(key)
	if i := slices.Index(ps, slot); i >= 0 {
		ps[i] = deadSlot
		if f.dead == nil {
			f.dead = map[uint64]int{}
		}
		f.dead[key]++
	}
}

// Compact moves every posting into flat arrays, dropping those of removed
// listings: about half the memory of the postings map, and no pointers
// for the garbage collector to scan. Run it after a bulk load; listings
// put later go to the map until the next Compact. Screening results are
// the same before and after.
func (ix *Index) Compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	old := ix.flat
	keys := make([]uint64, 0, len(old.keys)+len(ix.post))
	for i, k := range old.keys {
		if _, dup := ix.post[k]; !dup && hasLive(old.ids[old.offs[i]:old.offs[i+1]]) {
			keys = append(keys, k)
		}
	}
	for k := range ix.post {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var f flatPostings
	f.keys = keys
	f.offs = make([]uint32, 0, len(keys)+1)
	n := 0
	for _, k := range keys {
		n += len(old.get(k)) + len(ix.post[k])
	}
	f.ids = make([]uint32, 0, n)
	for _, k := range keys {
		f.offs = append(f.offs, uint32(len(f.ids)))
		for _, s := range old.get(k) {
			if s != deadSlot {
				f.ids = append(f.ids, s)
			}
		}
		f.ids = append(f.ids, ix.post[k]...)
	}
	f.offs = append(f.offs, uint32(len(f.ids)))
	b := max(1, bits.Len(uint(len(keys)/4)))
	f.shift = uint(64 - b)
	f.bucket = make([]uint32, 1<<b+1)
	j := 0
	for i := range 1 << b {
		for j < len(keys) && keys[j]>>f.shift < uint64(i) {
			j++
		}
		f.bucket[i] = uint32(j)
	}
	f.bucket[1<<b] = uint32(len(keys))
	ix.flat = f
	ix.post = map[uint64][]uint32{}
}

func hasLive(ps []uint32) bool {
	for _, s := range ps {
		if s != deadSlot {
			return true
		}
	}
	return false
}

// accumulator sums each slot's retrieval support over a screening's
// postings. A screening visits at most a few thousand postings spread over
// every slot of the index: an array of one float per slot (4 MB for a
// million listings) costs a cache miss per posting, while an open
// addressing table sized to the postings about to be visited stays in the
// processor's nearer caches. An index with fewer slots than the table
// would have places gets one place per slot: no probing.
type accumulator struct {
	tab    []accEntry
	used   []uint32 // the places of tab in use, in the order first used
	shift  uint     // of a slot's hash to its place in tab
	direct bool     // tab is indexed by slot
}

// accEntry is a slot's support; s is the slot plus one, 0 when empty.
type accEntry struct {
	s uint32
	w float32
}

// reset empties the table and sizes it for n postings over slots slots.
func (a *accumulator) reset(n, slots int) {
	// Only the places used are emptied: a large table for a screening of
	// many postings costs nothing to the many of few.
	if len(a.used) > len(a.tab)/8 {
		clear(a.tab)
	} else {
		for _, i := range a.used {
			a.tab[i] = accEntry{}
		}
	}
	a.used = a.used[:0]
	size, b := 64, uint(6)
	for size < 2*n && size < slots {
		size, b = size*2, b+1
	}
	// A table at most half full, or one place per slot.
	a.direct = size >= slots
	if a.direct {
		size = slots
	}
	if cap(a.tab) < size {
		a.tab = make([]accEntry, size)
	}
	a.tab = a.tab[:cap(a.tab)][:size]
	a.shift = 64 - b
}

// get returns the support of slot s: 0 when no posting named it.
func (a *accumulator) get(s uint32) float32 {
	if a.direct {
		return a.tab[s].w
	}
	mask := uint64(len(a.tab) - 1)
	k := s + 1
	for i := uint64(k) * 0x9E3779B97F4A7C15 >> a.shift; ; i = (i + 1) & mask {
		switch a.tab[i].s {
		case k:
			return a.tab[i].w
		case 0:
			return 0
		}
	}
}

// addAll adds w to the support of every slot in ps but dead ones.
func (a *accumulator) addAll(ps []uint32, w float32) {
	tab, shift, used := a.tab, a.shift, a.used
	if a.direct {
		for _, s := range ps {
			if s == deadSlot {
				continue // removed since Compact
			}
			if tab[s].s == 0 {
				used = append(used, s)
			}
			tab[s] = accEntry{s + 1, tab[s].w + w}
		}
		a.used = used
		return
	}
	mask := uint64(len(tab) - 1)
	for _, s := range ps {
		if s == deadSlot {
			continue
		}
		k := s + 1
		// Fibonacci hashing: slots are dense, the top bits spread them.
		i := uint64(k) * 0x9E3779B97F4A7C15 >> shift
		for {
			e := &tab[i]
			if e.s == k {
				e.w += w
				break
			}
			if e.s == 0 {
				*e = accEntry{k, w}
				used = append(used, uint32(i))
				break
			}
			i = (i + 1) & mask
		}
	}
	a.used = used
}
