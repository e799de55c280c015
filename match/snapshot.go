package match

import (
	"encoding/json"
	"math"
	"sync"
	"time"

	"tripline"
)

// A snapshot is an index written to a file and mapped back at the next
// start: prepared listings, interned tokens and flat postings, so that a
// node of a million listings is ready in seconds instead of decoding and
// preparing every listing again, and keeps them out of the Go heap. Each
// slot's record holds the prepared listing (what retrieval, the policy
// filter and scoring read), the few fields link analysis needs, and the
// listing's JSON for Listing. Records are decoded when a screening
// reaches their slot. Slots keep their numbers, so a loaded index gives
// the same results as the index that wrote it.

// snapFormat versions the file layout and the key scheme: change it when
// either changes. SnapshotMeta.Build covers the rest of the matcher (its
// tables and code): the caller names its build, and a snapshot of another
// build is refused.
const snapFormat = 12

// SnapshotMeta describes a snapshot file.
type SnapshotMeta struct {
	// Build identifies the program that wrote it (a hash of its
	// executable): the prepared form is whatever that build's matcher made.
	Build string `json:"build"`
	// Origin is the node whose store the snapshot reflects.
	Origin string `json:"origin"`
	// Changes is the store's listing change counter the snapshot reflects
	// at least: later changes are applied on top at load.
	Changes int64 `json:"changes"`
	// ChangeAt is the listing id of change Changes ("" for none): a store
	// restored from an older backup has another change of that number.
	ChangeAt string `json:"change_at,omitempty"`
	// Listings is how many listings it holds.
	Listings int       `json:"listings"`
	Written  time.Time `json:"written"`
}

// snapHandling is one distinct (originator, handling rules) pair: the
// policy filter reads nothing else of a listing.
type snapHandling struct {
	Originator string            `json:"o"`
	Handling   tripline.Handling `json:"h"`
}

// snapshot is a mapped snapshot file backing the slots below n.
type snapshot struct {
	data      []byte
	recOffs   []uint64 // slot's prepared listing: recs[recOffs[slot]-recBase:recOffs[slot+1]-recBase]
	recs      []byte   // the records section: in the mapping, or a copy (snappin.go)
	recBase   uint64   // the section's offset in the file
	lightOffs []uint64 // slot's contact fields, for link analysis
	bodyOffs  []uint64 // slot's listing as JSON
	order     []uint32 // live slots in listing id order, as written
	ids       []uint32 // id table: listing id to slot (snapids.go)
	toks      []token
	hands     []snapHandling
	live      []uint64 // bitmap: the slot's record is still the listing in it
	n         uint32
	nlive     int
	// cache keeps listings decoded for Listing: a screening's match is
	// looked up several times (policy, clearances, routing).
	cacheMu sync.Mutex
	cache   map[uint32]*tripline.Listing
}

// maxCached bounds the decoded listings kept.
const maxCached = 4096

// cachedListing is listing, decoded once while it stays in the cache.
// Callers share the listing and must not change it, as with the index's
// own listings.
func (s *snapshot) cachedListing(slot uint32) *tripline.Listing {
	s.cacheMu.Lock()
	l, ok := s.cache[slot]
	s.cacheMu.Unlock()
	if ok {
		return l
	}
	l = s.listing(slot)
	if l == nil {
		return nil
	}
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if s.cache == nil {
		s.cache = map[uint32]*tripline.Listing{}
	}
	if len(s.cache) >= maxCached {
		for k := range s.cache { // any one: map order is random
			delete(s.cache, k)
			break
		}
	}
	s.cache[slot] = l
	return l
}

// uncache forgets slot's decoded listing; the write lock is held.
func (s *snapshot) uncache(slot uint32) {
	s.cacheMu.Lock()
	delete(s.cache, slot)
	s.cacheMu.Unlock()
}

func (s *snapshot) isLive(slot uint32) bool {
	return slot < s.n && s.live[slot/64]&(1<<(slot%64)) != 0
}

func (s *snapshot) kill(slot uint32) {
	if s.isLive(slot) {
		s.live[slot/64] &^= 1 << (slot % 64)
		s.nlive--
	}
}

func (s *snapshot) record(slot uint32) reader {
	return reader{b: s.recs[s.recOffs[slot]-s.recBase : s.recOffs[slot+1]-s.recBase]}
}

// head reads what the retrieval filter needs: the id, valid-until and
// handling rules.
func (s *snapshot) head(slot uint32) (id string, version, until int64, h *snapHandling) {
	r := s.record(slot)
	id = r.str()
	version = r.varint()
	until = r.varint()
	hi := r.uvarint()
	if hi < uint64(len(s.hands)) {
		h = &s.hands[hi]
	} else {
		h = &snapHandling{} // malformed: screens for the originator only, who is unknown
	}
	return id, version, until, h
}

// snapDecoder holds the listings decoded for one screening; reused.
type snapDecoder struct {
	ps   []*prepared
	n    int
	stub tripline.Listing // the policy filter's view of a candidate
}

func (d *snapDecoder) reset() { d.n = 0 }

func (d *snapDecoder) next() *prepared {
	if d.n == len(d.ps) {
		d.ps = append(d.ps, &prepared{l: &tripline.Listing{}})
	}
	p := d.ps[d.n]
	d.n++
	return p
}

// decode reads slot's record into p, reusing p's buffers; p.l gets the
// listing's id, version, sex, birth dates, actions (per direction too),
// instruction, contact, originator and handling rules.
func (s *snapshot) decode(slot uint32, p *prepared) {
	r := s.record(slot)
	l := p.l
	*l = tripline.Listing{ID: r.str(), Version: r.varint()}
	p.until = r.varint()
	if hi := r.uvarint(); hi < uint64(len(s.hands)) {
		l.Handling, l.Provenance.Originator = s.hands[hi].Handling, s.hands[hi].Originator
	}
	p.sex = tripline.Sex(r.str())
	l.Sex = p.sex
	l.Action, l.Instruction, l.Contact = tripline.Action(r.str()), r.str(), r.str()
	if d := r.bytes(); len(d) > 0 {
		_ = json.Unmarshal(d, &l.Directions) // written by Marshal: a malformed one stays empty
	}
	p.dobs = p.dobArr[:0]
	for range r.count() {
		p.dobs = append(p.dobs, readDate(&r))
	}
	l.BirthDates = p.dobs
	p.nats = p.nats[:0]
	for range r.count() {
		p.nats = append(p.nats, r.str())
	}
	p.docs = p.docs[:0]
	for range r.count() {
		p.docs = append(p.docs, docKey{exact: r.str(), ocr: r.str(), typ: r.str(), cty: r.str()})
	}
	names := p.names[:0]
	for range r.count() {
		var toks []*token
		if len(names) < cap(names) {
			toks = names[:len(names)+1][len(names)].toks[:0]
		}
		full, factor := r.str(), math.Float64frombits(r.fixed64())
		for range r.count() {
			if i := r.uvarint(); i < uint64(len(s.toks)) {
				toks = append(toks, &s.toks[i])
			}
		}
		names = append(names, preparedName{toks: toks, full: full, factor: factor})
	}
	p.names = names
}

// light decodes slot's contact fields: a listing with its id, version,
// status, update time, phones, emails, addresses and documents.
func (s *snapshot) light(slot uint32) *tripline.Listing {
	r := reader{b: s.data[s.lightOffs[slot]:s.lightOffs[slot+1]]}
	l := &tripline.Listing{ID: r.str(), Version: r.varint()}
	if t := r.varint(); t != 0 {
		l.UpdatedAt = time.Unix(0, t).UTC()
	}
	l.Status = tripline.Status(r.str())
	l.Phones, l.Emails, l.Addresses = readStrs(&r), readStrs(&r), readStrs(&r)
	for range r.count() {
		l.Documents = append(l.Documents, tripline.Document{Type: r.str(), Number: r.str(), Country: r.str(), Expiry: r.str(), Note: r.str()})
	}
	return l
}

// writeLight encodes l's contact fields.
func writeLight(b recBuf, l *tripline.Listing) recBuf {
	var updated int64
	if !l.UpdatedAt.IsZero() {
		updated = l.UpdatedAt.UnixNano()
	}
	b = b.str(l.ID).varint(l.Version).varint(updated).str(string(l.Status))
	for _, ss := range [][]string{l.Phones, l.Emails, l.Addresses} {
		b = b.uvarint(uint64(len(ss)))
		for _, x := range ss {
			b = b.str(x)
		}
	}
	b = b.uvarint(uint64(len(l.Documents)))
	for _, d := range l.Documents {
		b = b.str(d.Type).str(d.Number).str(d.Country).str(d.Expiry).str(d.Note)
	}
	return b
}

// body returns the listing's JSON.
func (s *snapshot) body(slot uint32) []byte {
	return s.data[s.bodyOffs[slot]:s.bodyOffs[slot+1]]
}

func readStrs(r *reader) []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for range n {
		out = append(out, r.str())
	}
	return out
}

// readDate reads a birth date: year, month, day, or the text of a date
// that was given but impossible (kept as JSON keeps it).
func readDate(r *reader) tripline.PartialDate {
	var d tripline.PartialDate
	if r.uvarint() == 1 {
		b := r.bytes()
		_ = json.Unmarshal(b, &d) // written by MarshalJSON: a malformed one stays zero
		return d
	}
	d.Year, d.Month, d.Day = int(r.uvarint()), int(r.uvarint()), int(r.uvarint())
	return d
}

func writeDate(b recBuf, d tripline.PartialDate) recBuf {
	if d != (tripline.PartialDate{Year: d.Year, Month: d.Month, Day: d.Day}) || d.Year < 0 || d.Month < 0 || d.Day < 0 {
		j, _ := d.MarshalJSON()
		return b.uvarint(1).str(string(j))
	}
	return b.uvarint(0).uvarint(uint64(d.Year)).uvarint(uint64(d.Month)).uvarint(uint64(d.Day))
}

// listing decodes the listing in slot from its JSON; nil if malformed.
func (s *snapshot) listing(slot uint32) *tripline.Listing {
	var l tripline.Listing
	if err := json.Unmarshal(s.body(slot), &l); err != nil {
		return nil
	}
	return &l
}

// eligible reports whether the listing in slot may match at now for a
// caller allowed what allow allows; a listing of the snapshot file is
// judged on its head alone (allow sees its id, originator and handling
// rules, and must not keep the listing it is given). Read lock held.
func (ix *Index) eligible(slot uint32, allow func(*tripline.Listing) bool, now time.Time, sc *scratch) bool {
	if ix.snap == nil || !ix.snap.isLive(slot) { // as at: the bit first
		p := ix.slots[slot]
		return p != nil && p.activeAt(now) && (allow == nil || allow(p.l))
	}
	id, _, until, h := ix.snap.head(slot)
	if until != 0 && now.Unix() >= until {
		return false
	}
	if allow == nil {
		return true
	}
	st := &sc.dec.stub
	*st = tripline.Listing{ID: id, Handling: h.Handling, Provenance: tripline.Provenance{Originator: h.Originator}, Status: tripline.StatusActive}
	return allow(st)
}

// Light returns up to max listings with their id, version, status,
// update time and contact fields (phones, emails, addresses, documents):
// what link analysis derives links from, without decoding each listing;
// and the slot of each. It starts at slot from and returns the slot to go
// on from, 0 at the end; between calls the index may change (Unchanged).
func (ix *Index) Light(from uint32, max int) ([]*tripline.Listing, []uint32, uint32) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []*tripline.Listing
	var slots []uint32
	s := from
	for ; s < uint32(len(ix.slots)) && len(out) < max; s++ {
		if p := ix.slots[s]; p != nil {
			out, slots = append(out, p.l), append(slots, s)
		} else if ix.snap != nil && ix.snap.isLive(s) {
			out, slots = append(out, ix.snap.light(s)), append(slots, s)
		}
	}
	if s >= uint32(len(ix.slots)) {
		s = 0
	}
	return out, slots, s
}

// Unchanged reports whether slot still holds the version of listing l
// that Light returned.
func (ix *Index) Unchanged(slot uint32, l *tripline.Listing) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if int(slot) >= len(ix.slots) {
		return false
	}
	if p := ix.slots[slot]; p != nil {
		return p.l.ID == l.ID && p.l.Version == l.Version
	}
	// A mapped listing is never changed in place: a change removes it.
	return ix.snap != nil && ix.snap.isLive(slot)
}

// Replace makes ix hold what from holds (a loaded snapshot); from must not
// be used after.
func (ix *Index) Replace(from *Index) {
	from.mu.Lock()
	defer from.mu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.byID, ix.slots, ix.free, ix.post, ix.flat, ix.tokens, ix.snap, ix.freq = from.byID, from.slots, from.free, from.post, from.flat, from.tokens, from.snap, from.freq
}

// ListingsWhere returns the indexed listings for which keep is true. keep
// sees a listing's id, status, valid-until, originator and handling rules
// only (and must not keep it); only the listings it keeps are decoded in
// full, so that a filter on handling rules is cheap on a large snapshot.
func (ix *Index) ListingsWhere(keep func(*tripline.Listing) bool) []*tripline.Listing {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []*tripline.Listing
	for _, slot := range ix.byID {
		if l := ix.slots[slot].l; keep(l) {
			out = append(out, l)
		}
	}
	if ix.snap == nil {
		return out
	}
	var stub tripline.Listing
	for slot := range ix.snap.n {
		if !ix.snap.isLive(slot) {
			continue
		}
		id, _, until, h := ix.snap.head(slot)
		stub = tripline.Listing{ID: id, Status: tripline.StatusActive, Handling: h.Handling, Provenance: tripline.Provenance{Originator: h.Originator}}
		if until != 0 {
			t := time.Unix(until, 0).UTC()
			stub.ValidUntil = &t
		}
		if keep(&stub) {
			if l := ix.snap.listing(slot); l != nil {
				out = append(out, l)
			}
		}
	}
	return out
}
