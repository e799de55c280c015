// Package match is Tripline's matching engine: it normalises names across
// scripts and transliterations (ICAO 9303 and common practice), knows name
// variants learned from data, scores a traveller against a listing with an
// explanation, and finds the candidates for a screening through blocking
// keys instead of scanning every listing (design.md §4).
//
// Screen a traveller with an Index; compare one traveller and one listing
// with Score; compare bare names with CompareNames.
package match

import (
	"slices"
	"strconv"
	"sync"

	"tripline"
)

// DefaultThresholds turn scores into decisions. Chosen by measurement on
// the name benchmark and the false-alert generator (bench/nameeval,
// bench/falsealerts): see the README of bench/.
var DefaultThresholds = tripline.Thresholds{Hit: 0.8, Review: 0.62}

// Options configure an Index.
type Options struct {
	// Thresholds decide hit and review; zero means DefaultThresholds.
	Thresholds tripline.Thresholds
}

// Retrieval limits. Keys borne by more listings than maxPosting are
// skipped when rarer keys exist (a common given name proves little and
// would make every screening scan a large share of the list); name-pair
// keys then still find a listing whose tokens are all common.
const (
	maxPosting    = 6000
	postingBudget = 12000 // postings visited per screening at most
	maxCandidates = 32    // scored fully per screening, at most
	maxLone       = 8     // of them kept for one-word names a letter from a one-word traveller
	minCandidates = 6     // scored fully per screening, at least (when found)
	weakSupport   = 0.45  // candidates with less support than this share of the best are not scored
	maxMatches    = 10    // returned per screening
	maxKeyYears   = 16    // distinct birth years keyed per listing (the UN list gives at most 10)
)

// Key kinds, weighted by how much a shared key suggests the same person.
const (
	keyForm     = 'F' // exact spelling
	keyClass    = 'C' // variant class
	keySkel     = 'S' // consonant skeleton
	keyTypo     = 'T' // spelling and its one-letter deletions: survives a typo
	keyPair     = 'Q' // two tokens of one name: common names together are rarer
	keyDoc      = 'D' // document number
	keyDocOCR   = 'O' // document number with OCR-confusable letters as digits
	keyOriginal = 'A' // original-script spelling
	keyYear     = 'Y' // a name token with a birth year: tells namesakes apart
	keyWhole    = 'N' // the whole name, order-free: ranks a full match first
	keyPhon     = 'P' // phonetic form: spellings of one sound (Obaidah/Obaydah)
	keyDate     = 'B' // a full birth date: one person in twenty thousand shares it
	keyLone     = 'L' // a name of one word alone, a letter apart: an alias a traveller gives as their name
)

var keyWeight = [256]float32{
	keyForm: 1, keyClass: 0.9, keySkel: 0.6, keyTypo: 0.45, keyPhon: 0.8, keyDate: 1,
	keyPair: 1.2, keyDoc: 4, keyDocOCR: 3, keyOriginal: 1, keyYear: 1.5, keyWhole: 2, keyLone: 1.5,
}

// Index holds prepared listings and the blocking keys that find candidates
// for a screening without scanning every listing. It is safe for
// concurrent use: screenings share a read lock, updates take the write lock.
type Index struct {
	th tripline.Thresholds

	mu     sync.RWMutex
	byID   map[string]uint32
	slots  []*prepared // nil when free
	free   []uint32
	post   map[uint64][]uint32   // postings added since the last Compact
	flat   flatPostings          // postings moved by Compact
	tokens map[string]*token     // interned tokens: many listings share names
	freq   map[uint64]*listCount // listings per name (listrarity.go)
	// snap, when the index was loaded from a snapshot file, holds the
	// listings of the slots below snap.n that were not replaced since
	// (ix.slots[s] is nil for them).
	snap *snapshot

	// Retrieval scratch, kept across garbage collections (a sync.Pool
	// would drop the large accumulator arrays at every GC).
	spareMu sync.Mutex
	spare   []*scratch
}

// scratch is per-screening working memory, reused across screenings.
type scratch struct {
	acc    accumulator
	lists  []postList // the query's keys with postings
	top    []uint64   // the best-supported slots' keys (candKey), a min-heap
	ranked []cand     // the same, best first
	cands  []uint32   // candidates' result, valid until the scratch is put back
	lone   []cand     // slots found by a one-word name's own keys (keyLone)
	dec    snapDecoder
}

// postList is one query key's postings: in the flat arrays (Compact), in
// the map (added since), or in both.
type postList struct {
	flat, added []uint32
	kind        byte
	n           int
}

// NewIndex returns an empty index.
func NewIndex(opts Options) *Index {
	th := opts.Thresholds
	if th == (tripline.Thresholds{}) {
		th = DefaultThresholds
	}
	return &Index{th: th, byID: map[string]uint32{}, post: map[uint64][]uint32{}, tokens: map[string]*token{}, freq: map[uint64]*listCount{}}
}

// Thresholds returns the thresholds the index decides with.
func (ix *Index) Thresholds() tripline.Thresholds { return ix.th }

// Len returns the number of listings in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.lenLocked()
}

// Mapped reports whether the index's listings are read from a snapshot
// file rather than held on the heap.
func (ix *Index) Mapped() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.snap != nil
}

// Listings returns every indexed listing, in no order: a snapshot taken
// under the lock, read after it. Listings of a snapshot file are decoded
// for the call: a costly call on a large index.
func (ix *Index) Listings() []*tripline.Listing {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]*tripline.Listing, 0, ix.lenLocked())
	for _, slot := range ix.byID {
		out = append(out, ix.slots[slot].l)
	}
	if ix.snap != nil {
		for _, slot := range ix.snap.order {
			if ix.snap.isLive(slot) {
				if l := ix.snap.listing(slot); l != nil {
					out = append(out, l)
				}
			}
		}
	}
	return out
}

// Listing returns the indexed listing with id, or nil. A listing of a
// snapshot file is decoded for the call: the caller has its own copy.
func (ix *Index) Listing(id string) *tripline.Listing {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if s, ok := ix.byID[id]; ok {
		return ix.slots[s].l
	}
	if ix.snap != nil {
		if s, ok := ix.snap.find(id); ok {
			return ix.snap.cachedListing(s)
		}
	}
	return nil
}

// Version returns the version of the indexed listing with id, and whether
// the index holds it; cheaper than Listing.
func (ix *Index) Version(id string) (int64, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if s, ok := ix.byID[id]; ok {
		return ix.slots[s].l.Version, true
	}
	if ix.snap != nil {
		if s, ok := ix.snap.find(id); ok {
			_, v, _, _ := ix.snap.head(s)
			return v, true
		}
	}
	return 0, false
}

// lookup returns the slot of listing id; read lock held.
func (ix *Index) lookup(id string) (uint32, bool) {
	if s, ok := ix.byID[id]; ok {
		return s, true
	}
	if ix.snap != nil {
		return ix.snap.find(id)
	}
	return 0, false
}

// at returns the listing in slot s, nil for a free slot; a listing of the
// snapshot file is decoded into dec. Read lock held.
func (ix *Index) at(s uint32, dec *snapDecoder) *prepared {
	// A live slot of the snapshot file has no listing in ix.slots: looking
	// at its bit first spares a cache miss in the slots' pointers (8 MB
	// for a million listings) per candidate.
	if ix.snap != nil && ix.snap.isLive(s) {
		p := dec.next()
		ix.snap.decode(s, p)
		return p
	}
	return ix.slots[s]
}

// Upsert adds l or replaces its previous version. A listing that is not
// active is removed instead: only active listings match.
func (ix *Index) Upsert(l *tripline.Listing) {
	if l != nil {
		ix.Put(Prepare(l))
	}
}

// Prepared is a listing made ready for an index: tokenised, enriched and
// keyed, the costly part of Upsert. It needs no lock, so a bulk load
// prepares on every core and Puts one by one.
type Prepared struct {
	id   string
	p    *prepared // nil: the listing is not active, Put removes it
	keys []uint64
}

// Prepare readies l for Put.
func Prepare(l *tripline.Listing) Prepared {
	if l.Status != "" && l.Status != tripline.StatusActive {
		return Prepared{id: l.ID}
	}
	p := prepareListing(l, noIntern)
	return Prepared{id: l.ID, p: p, keys: listingKeys(p)}
}

// Put adds a prepared listing, replacing the one with its id; a listing
// that is not active is removed instead.
func (ix *Index) Put(pp Prepared) {
	if pp.p == nil {
		ix.Remove(pp.id)
		return
	}
	p := pp.p
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(pp.id)
	for i := range p.names {
		p.names[i].toks = ix.intern(p.names[i].toks)
	}
	ix.countNames(p, 1)
	var slot uint32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
		ix.slots[slot] = p
	} else {
		slot = uint32(len(ix.slots))
		ix.slots = append(ix.slots, p)
	}
	ix.byID[pp.id] = slot
	for _, key := range pp.keys {
		ix.post[key] = append(ix.post[key], slot)
	}
}

// intern returns shared copies of tokens; called with the write lock held.
func (ix *Index) intern(ts []*token) []*token {
	out := ts
	for i, t := range ts {
		k := t.form + "\x00" + t.alt + "\x00" + t.orig + "\x00" + t.raw + "\x00" + strconv.Itoa(int(t.kind))
		if s, ok := ix.tokens[k]; ok {
			out[i] = s
			continue
		}
		ix.tokens[k] = t
	}
	return out
}

// Remove drops the listing with id; unknown ids are ignored.
func (ix *Index) Remove(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(id)
}

func (ix *Index) removeLocked(id string) {
	slot, ok := ix.lookup(id)
	if !ok {
		return
	}
	p := ix.at(slot, &snapDecoder{})
	for _, key := range listingKeys(p) {
		ix.flat.remove(key, slot)
		ps := ix.post[key]
		if i := slices.Index(ps, slot); i >= 0 {
			ps[i] = ps[len(ps)-1]
			ps = ps[:len(ps)-1]
		}
		if len(ps) == 0 {
			delete(ix.post, key)
		} else {
			ix.post[key] = ps
		}
	}
	ix.countNames(p, -1)
	if ix.slots[slot] != nil {
		delete(ix.byID, id)
	} else {
		ix.snap.kill(slot)
		ix.snap.uncache(slot)
	}
	ix.slots[slot] = nil
	ix.free = append(ix.free, slot)
}
