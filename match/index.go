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
	"container/heap"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"tripline"
	"tripline/match/internal/strdist"
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
	acc   accumulator
	lists []postList // the query's keys with postings
	top   candHeap   // the best-supported slots
	cands []uint32   // candidates' result, valid until the scratch is put back
	lone  []cand     // slots found by a one-word name's own keys (keyLone)
	dec   snapDecoder
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
	if p := ix.slots[s]; p != nil {
		return p
	}
	if ix.snap != nil && ix.snap.isLive(s) {
		p := dec.next()
		ix.snap.decode(s, p)
		return p
	}
	return nil
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

// hashKey hashes a key kind and text (FNV-1a, 64 bits); text built in a
// byte buffer hashes as its string does.
func hashKey[S string | []byte](kind byte, s S) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// tokenKeys appends the blocking keys of one token.
func tokenKeys(keys []uint64, t *token) []uint64 {
	if t.kind != kindName {
		return keys
	}
	keys = append(keys, hashKey(keyForm, t.form))
	if t.alt != "" {
		keys = append(keys, hashKey(keyForm, t.alt))
	}
	if t.class != 0 {
		var buf [12]byte
		keys = append(keys, hashKey(keyClass, strconv.AppendInt(buf[:0], int64(t.class), 10)))
	}
	if len(t.skel) >= 2 {
		keys = append(keys, hashKey(keySkel, t.skel))
	}
	if t.phon != "" {
		keys = append(keys, hashKey(keyPhon, t.phon))
	}
	if t.orig != "" {
		keys = append(keys, hashKey(keyOriginal, t.orig))
	}
	return deletionKeys(keys, t)
}

// deletionKeys appends the token's spelling with each letter deleted in
// turn, under the same kind as the spelling itself: two spellings one typo
// apart (substitution, insertion, deletion or transposition) then share a
// key. Short tokens get none: too many names are one letter apart.
func deletionKeys(keys []uint64, t *token) []uint64 {
	return deletionKeysMin(keys, t, 5)
}

// deletionKeysMin is deletionKeys for spellings of at least minLen
// letters; queries use 4 so that a typo that shortened a 5-letter name
// still meets the name's deletions.
func deletionKeysMin(keys []uint64, t *token, minLen int) []uint64 {
	f := rawForm(t)
	if t.arabic || len(f) < minLen || len(f) > 16 || !strdist.IsASCII(f) {
		return keys
	}
	return deletions(keys, keyTypo, f)
}

// deletions appends the keys of kind for f (ASCII, at most 16 letters)
// and for f with each letter deleted in turn.
func deletions(keys []uint64, kind byte, f string) []uint64 {
	keys = append(keys, hashKey(kind, f))
	var buf [16]byte
	for i := 0; i < len(f); i++ {
		if i > 0 && f[i] == f[i-1] {
			continue // same deletion as the previous letter
		}
		n := copy(buf[:], f[:i])
		n += copy(buf[n:], f[i+1:])
		keys = append(keys, hashKey(kind, buf[:n]))
	}
	return keys
}

// pairID is what a pair key is made of: the variant class when known (so
// that variants meet), else the skeleton.
func pairID(t *token) string { return string(appendPairID(nil, t)) }

// appendPairID appends pairID(t) to b: keys hash it without a string.
func appendPairID(b []byte, t *token) []byte {
	if t.class != 0 {
		return strconv.AppendInt(append(b, 'c'), int64(t.class), 10)
	}
	return append(append(b, 's'), t.skel...)
}

// wholeKey is the key of a whole name: its tokens' pair ids, sorted.
func wholeKey(toks []*token) (uint64, bool) {
	ids := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.kind == kindName {
			ids = append(ids, pairID(t))
		}
	}
	if len(ids) == 0 {
		return 0, false
	}
	slices.Sort(ids)
	return hashKey(keyWhole, strings.Join(ids, "|")), true
}

// nameKeys appends the keys of one name: its tokens, its token pairs and
// the whole name.
func nameKeys(keys []uint64, toks []*token) []uint64 {
	for _, t := range toks {
		keys = tokenKeys(keys, t)
	}
	if t, ok := onlyWord(toks); ok {
		// A one-word name (an alias: "Yahya") has nothing else to be
		// found by: a typo in a word of four letters too.
		keys = deletionKeysMin(keys, t, 4)
	} else if j, ok := oneWordAbd(toks); ok {
		// So has an Abd compound written as one word (Abdelrazaq, split
		// into abd + razaq): a typo in its Abd ("Abvelrazaq") leaves the
		// traveller's word unsplit, one typo from the word as written.
		keys = deletionKeysMin(keys, &token{form: j}, 5)
	}
	if k, ok := wholeKey(toks); ok {
		keys = append(keys, k)
	}
	return pairKeys(keys, toks)
}

// onlyWord returns the one name token of a name that has no other.
func onlyWord(toks []*token) (*token, bool) {
	var only *token
	for _, t := range toks {
		if t.kind != kindName {
			continue
		}
		if only != nil {
			return nil, false
		}
		only = t
	}
	return only, only != nil
}

// oneWordAbd returns, for a name whose only words are an Abd compound
// written as one word, that word as written.
func oneWordAbd(toks []*token) (string, bool) {
	var ns [2]*token
	n := 0
	for _, t := range toks {
		if t.kind != kindName {
			continue
		}
		if n == 2 {
			return "", false
		}
		ns[n] = t
		n++
	}
	if n != 2 || ns[0].form != "abd" || ns[0].raw == "" || ns[0].arabic || ns[1].arabic || ns[1].raw != "" {
		return "", false
	}
	return ns[0].raw + ns[1].form, true
}

// pairKeys appends a key per pair of name tokens. Names reach it with at
// most maxTokens tokens (matchTokens), so the pairs are bounded too: a name
// of thousands of words once made millions of keys.
func pairKeys(keys []uint64, toks []*token) []uint64 {
	// The ids written one after another in one buffer, on the stack
	// unless the names are unusually long.
	var buf [512]byte
	var ends [maxTokens + 1]int
	b, n := buf[:0], 0
	for _, t := range toks {
		if t.kind != kindName || len(t.skel) < 2 && t.class == 0 {
			continue
		}
		if n == maxTokens {
			break
		}
		b = appendPairID(b, t)
		n++
		ends[n] = len(b)
	}
	for i := 0; i < n; i++ {
		x := b[ends[i]:ends[i+1]]
		for j := i + 1; j < n; j++ {
			y := b[ends[j]:ends[j+1]]
			if string(x) > string(y) {
				keys = append(keys, hashPair(keyPair, y, x))
			} else {
				keys = append(keys, hashPair(keyPair, x, y))
			}
		}
	}
	return keys
}

// hashPair is hashKey(kind, x+"|"+y) without building the string.
func hashPair(kind byte, x, y []byte) uint64 {
	h := uint64(14695981039346656037)
	h ^= uint64(kind)
	h *= 1099511628211
	for i := 0; i < len(x); i++ {
		h ^= uint64(x[i])
		h *= 1099511628211
	}
	h ^= '|'
	h *= 1099511628211
	for i := 0; i < len(y); i++ {
		h ^= uint64(y[i])
		h *= 1099511628211
	}
	return h
}

// yearKeys appends a key per name token and birth year.
func yearKeys(keys []uint64, toks []*token, year int) []uint64 {
	var buf [64]byte
	for _, t := range toks {
		if t.kind == kindName && (len(t.skel) >= 2 || t.class != 0) {
			b := strconv.AppendInt(append(appendPairID(buf[:0], t), '|'), int64(year), 10)
			keys = append(keys, hashKey(keyYear, b))
		}
	}
	return keys
}

// oneWordYearKey is the key of a one-word name's skeleton with a birth
// year. Year keys are by variant class when the word has one (yearKeys),
// so a misspelling outside the class ("Hausan" for the alias Hassan)
// never meets them, and a one-word traveller has little else to be found
// by. Only names of one word and nothing else (loneWord) bear these
// keys, listed and screened: among longer names a skeleton and a year
// are shared by chance (Anil Das and Anali Das).
func oneWordYearKey(t *token, year int) uint64 {
	var buf [64]byte
	b := strconv.AppendInt(append(append(append(buf[:0], 'o'), t.skel...), '|'), int64(year), 10)
	return hashKey(keyYear, b)
}

// loneWord returns the token of a name that is one name word and
// nothing else (no particle, no initial: not "Abu Hamza", nor "J. Smith").
func loneWord(toks []*token) (*token, bool) {
	if len(toks) != 1 || toks[0].kind != kindName || len(toks[0].skel) < 2 {
		return nil, false
	}
	return toks[0], true
}

// loneKeys appends the keys of a name that is one word alone (as
// loneWord, whatever its skeleton): its spelling and the spelling with
// each letter deleted, from three letters. They are the typo keys of a one-word alias in a key space of
// their own: among all names a word's typo keys are shared by every
// bearer of the word and its neighbours (a one-word traveller "Arisa" for
// the alias Arita met hundreds of Arisas and Arinas in longer names, who
// filled its candidates), among names of one word alone they are rare, so
// the alias ranks first. Short words get them too: a name of three or
// four letters has nothing else to be found by when misspelt ("Vek" for
// the alias Nek).
func loneKeys(keys []uint64, t *token) []uint64 {
	f := rawForm(t)
	if t.arabic || len(f) < 3 || len(f) > 16 || !strdist.IsASCII(f) {
		return keys
	}
	return deletions(keys, keyLone, f)
}

// joinedKeys appends the spelling keys of every two or three adjacent
// Latin words written together: a word split at its apostrophe or hyphen
// ("MO ALIN" for Mo'alin, "Ch un" for Ch'un) meets the listed word, as
// two words written as one meet the listed two ("AlisherUsmanov").
func joinedKeys(keys []uint64, toks []*token) []uint64 {
	var buf [64]byte
	for i := range toks {
		b := buf[:0]
		for j := i; j < len(toks) && j < i+3; j++ {
			if toks[j].arabic || len(b)+len(toks[j].form) > len(buf) {
				break
			}
			b = append(b, toks[j].form...)
			if j > i {
				keys = append(keys, hashKey(keyForm, b))
			}
		}
	}
	return keys
}

// dateKey is the key of a full birth date.
func dateKey(d tripline.PartialDate) uint64 {
	return hashKey(keyDate, strconv.Itoa(d.Year*10000+d.Month*100+d.Day))
}

// docKeys appends the keys of a document number.
func docKeys(keys []uint64, d docKey) []uint64 {
	return append(keys, hashKey(keyDoc, d.exact), hashKey(keyDocOCR, d.ocr))
}

// listingKeys returns the distinct keys of a prepared listing.
func listingKeys(p *prepared) []uint64 {
	var keys []uint64
	for _, n := range p.names {
		keys = nameKeys(keys, n.toks)
		if len(n.toks) == 1 && n.toks[0].kind == kindName {
			keys = loneKeys(keys, n.toks[0])
		}
	}
	for _, d := range p.docs {
		keys = docKeys(keys, d)
	}
	var years []int
	for i, d := range p.dobs {
		if d.Day != 0 && i < maxKeyYears {
			keys = append(keys, dateKey(d))
		}
		if d.Year == 0 || slices.Contains(years, d.Year) {
			continue
		}
		if len(years) == maxKeyYears {
			break // each year multiplies the name keys: a few tell namesakes apart
		}
		years = append(years, d.Year)
		for _, n := range p.names {
			keys = yearKeys(keys, n.toks, d.Year)
			if t, ok := loneWord(n.toks); ok {
				keys = append(keys, oneWordYearKey(t, d.Year))
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// queryKey is a key with its weight kind.
type queryKey struct {
	h    uint64
	kind byte
}

// queryKeys returns the keys of a traveller with their kinds.
func queryKeys(q *query) []queryKey {
	out, tmp := q.sc.keys[:0], q.sc.tmp[:0]
	defer func() { q.sc.keys, q.sc.tmp = out[:0], tmp[:0] }() // reused by the next query
	add := func(kind byte, ks []uint64) {
		for _, k := range ks {
			out = append(out, queryKey{k, kind})
		}
	}
	for _, t := range q.toks {
		if t.kind != kindName {
			continue
		}
		add(keyForm, []uint64{hashKey(keyForm, t.form)})
		if t.alt != "" {
			add(keyForm, []uint64{hashKey(keyForm, t.alt)})
		}
		if t.class != 0 {
			var buf [12]byte
			add(keyClass, []uint64{hashKey(keyClass, strconv.AppendInt(buf[:0], int64(t.class), 10))})
		}
		if len(t.skel) >= 2 {
			add(keySkel, []uint64{hashKey(keySkel, t.skel)})
		}
		if t.phon != "" {
			add(keyPhon, []uint64{hashKey(keyPhon, t.phon)})
		}
		if t.orig != "" {
			add(keyOriginal, []uint64{hashKey(keyOriginal, t.orig)})
		}
		tmp = deletionKeysMin(tmp[:0], t, 4)
		add(keyTypo, tmp)
	}
	tmp = joinedKeys(tmp[:0], q.toks)
	add(keyForm, tmp)
	if len(q.toks) == 1 && q.toks[0].kind == kindName {
		tmp = loneKeys(tmp[:0], q.toks[0])
		add(keyLone, tmp)
	}
	tmp = pairKeys(tmp[:0], q.toks)
	add(keyPair, tmp)
	if k, ok := wholeKey(q.toks); ok {
		out = append(out, queryKey{k, keyWhole})
	}
	if q.doc != nil {
		out = append(out, queryKey{hashKey(keyDoc, q.doc.exact), keyDoc}, queryKey{hashKey(keyDocOCR, q.doc.ocr), keyDocOCR})
	}
	if q.dob.Day != 0 {
		// A name misspelt beyond its keys is still found by its date.
		out = append(out, queryKey{dateKey(q.dob), keyDate})
	}
	if y := q.dob.Year; y != 0 {
		// Lists give approximate years: look one either side too.
		for _, yy := range []int{y - 1, y, y + 1} {
			tmp = yearKeys(tmp[:0], q.toks, yy)
			if t, ok := loneWord(q.toks); ok {
				tmp = append(tmp, oneWordYearKey(t, yy))
			}
			add(keyYear, tmp)
		}
	}
	slices.SortFunc(out, func(a, b queryKey) int {
		if a.h < b.h {
			return -1
		}
		if a.h > b.h {
			return 1
		}
		return int(b.kind) - int(a.kind)
	})
	return slices.CompactFunc(out, func(a, b queryKey) bool { return a.h == b.h })
}

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

// candHeap is a min-heap of candidates by support, the worst on top. Ties
// go by slot (the higher slot is worse), so that which candidates survive
// never depends on the order their postings were visited in.
type candHeap []cand

// Len, Less, Swap, Push and Pop implement heap.Interface.
func (h candHeap) Len() int           { return len(h) }
func (h candHeap) Less(i, j int) bool { return worse(h[i], h[j]) }
func (h candHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)        { *h = append(*h, x.(cand)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
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
	// Keep the best-supported slots: a min-heap of the top candidates, in
	// the scratch (heap.Init and Fix take a pointer: a local would escape).
	const keep = 4 * maxCandidates
	sc.top = sc.top[:0]
	for _, i := range acc.used {
		e := acc.tab[i]
		c := cand{e.s - 1, e.w}
		if len(sc.top) < keep {
			sc.top = append(sc.top, c)
			if len(sc.top) == keep {
				heap.Init(&sc.top)
			}
			continue
		}
		if worse(sc.top[0], c) {
			sc.top[0] = c
			heap.Fix(&sc.top, 0)
		}
	}
	cs := []cand(sc.top)
	slices.SortFunc(cs, func(a, b cand) int {
		if a.w != b.w {
			if a.w > b.w {
				return -1
			}
			return 1
		}
		return int(a.s) - int(b.s)
	})
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
