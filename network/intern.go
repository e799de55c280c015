package network

import (
	"hash/maphash"
	"unsafe"
)

// strTable interns strings into append-only byte chunks. A string costs
// its bytes, 8 bytes of location and a hash slot of 4 — instead of a
// string header, an allocation of its own and a map entry — and nothing
// in it holds a pointer for the collector to scan. The strings it returns
// point into the chunks, whose bytes are never written again once a
// string is placed, so they stay valid (and keep their chunk alive) as
// long as they are referenced. Not safe for concurrent writes: MemStore's
// lock guards it. String id 0 is "".
type strTable struct {
	strView
	seed maphash.Seed
	cur  int // the chunk being filled; -1 none
	fill int // bytes used in it
	ix   idIndex
}

// strView reads a strTable's strings. Neither the locations nor the chunk
// headers are written again once appended, so a copy of the two slices
// (view) reads the strings of its time without a lock while the table
// goes on growing.
type strView struct {
	locs   []uint64 // id → chunk<<40 | offset<<20 | length (lenBig: the whole chunk); 0 for ""
	chunks [][]byte
}

const (
	maxChunks = 1 << 20 // so that a location leaves 4 bits free (see ent)
	chunkSize = 1 << 20
	locMask   = 1<<20 - 1
	lenBig    = locMask // the string fills a chunk of its own
)

func newStrTable() strTable {
	t := strTable{seed: maphash.MakeSeed(), cur: -1}
	t.locs = append(t.locs, 0) // id 0: ""
	return t
}

// len returns the number of interned strings.
func (t *strTable) len() int { return len(t.locs) }

// view returns a lock-free reader of the strings interned so far.
func (t *strTable) view() strView {
	return strView{locs: t.locs[:len(t.locs):len(t.locs)], chunks: t.chunks[:len(t.chunks):len(t.chunks)]}
}

// get returns string id.
func (t *strView) get(id uint32) string { return t.at(t.locs[id]) }

// at returns the string at location loc (locs[id]): a caller that keeps
// locations reads a string with one memory access fewer.
func (t *strView) at(loc uint64) string {
	n := int(loc & locMask)
	if n == 0 {
		return ""
	}
	c := t.chunks[loc>>40&(maxChunks-1)]
	if n == lenBig {
		return unsafe.String(unsafe.SliceData(c), len(c))
	}
	return unsafe.String(&c[loc>>20&locMask], n)
}

func (t *strTable) hash(x string) uint64 { return maphash.String(t.seed, x) }

// lookup returns the id of x, and false when x was never interned.
func (t *strTable) lookup(x string) (uint32, bool) {
	if x == "" {
		return 0, true
	}
	id, _, ok := t.ix.find(t.hash(x), func(id uint32) bool { return t.get(id) == x })
	return id, ok
}

// intern returns the id of x, adding it if new.
func (t *strTable) intern(x string) uint32 {
	if x == "" {
		return 0
	}
	h := t.hash(x)
	id, slot, ok := t.ix.find(h, func(id uint32) bool { return t.get(id) == x })
	if ok {
		return id
	}
	id = uint32(len(t.locs))
	t.locs = append(t.locs, t.place(x))
	if t.ix.add(slot, id) {
		t.ix.rehash(len(t.locs), func(id uint32) uint64 {
			if id == 0 {
				return 0 // "" has no slot
			}
			return t.hash(t.get(id))
		}, 1)
	}
	return id
}

// place copies x into the chunks and returns its location.
func (t *strTable) place(x string) uint64 {
	if len(t.chunks) >= maxChunks-1 {
		panic("network: more than a TiB of interned strings")
	}
	if len(x) >= lenBig {
		t.chunks = append(t.chunks, []byte(x))
		return uint64(len(t.chunks)-1)<<40 | lenBig
	}
	if t.cur < 0 || t.fill+len(x) > chunkSize {
		t.chunks = append(t.chunks, make([]byte, chunkSize))
		t.cur, t.fill = len(t.chunks)-1, 0
	}
	off := t.fill
	copy(t.chunks[t.cur][off:], x)
	t.fill += len(x)
	return uint64(t.cur)<<40 | uint64(off)<<20 | uint64(len(x))
}

// idIndex is an open-addressing hash index of dense uint32 ids whose keys
// live elsewhere (the caller hashes and compares): 4 bytes a slot, kept
// at most 5/8 full.
type idIndex struct {
	slots []uint32 // id+1; 0 is empty
	n     int
}

// find looks for the id with hash h for which eq holds, returning it, or
// the empty slot where it belongs.
func (x *idIndex) find(h uint64, eq func(id uint32) bool) (id uint32, slot int, ok bool) {
	if len(x.slots) == 0 {
		x.slots = make([]uint32, 64)
	}
	mask := uint64(len(x.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0, int(i), false
		}
		if eq(s - 1) {
			return s - 1, int(i), true
		}
	}
}

// add puts id into the empty slot find returned, and reports whether the
// index is now too full (the caller then rehashes).
func (x *idIndex) add(slot int, id uint32) bool {
	x.slots[slot] = id + 1
	x.n++
	return x.n*8 > len(x.slots)*5
}

// rehash rebuilds the index at double size for ids [from, n), hashed by h.
func (x *idIndex) rehash(n int, h func(id uint32) uint64, from int) {
	x.fill(len(x.slots)*2, n, h, from)
}

// fill makes the index size slots (a power of two) holding ids [from, n).
func (x *idIndex) fill(size, n int, h func(id uint32) uint64, from int) {
	x.slots = make([]uint32, size)
	x.n = n - from
	mask := uint64(size - 1)
	for id := from; id < n; id++ {
		i := h(uint32(id)) & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = uint32(id) + 1
	}
}

// mix64 scrambles a key made of small integers into a hash (the
// finaliser of SplitMix64).
func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	return z ^ z>>31
}
