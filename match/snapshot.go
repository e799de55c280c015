package match

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
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
const snapFormat = 11

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

// WriteSnapshot writes the index to w with meta (Listings and Written are
// filled in). It holds the read lock throughout: screenings go on, changes
// wait until it is written.
func (ix *Index) WriteSnapshot(w io.Writer, meta SnapshotMeta) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	meta.Listings = ix.lenLocked()
	meta.Written = time.Now().UTC()
	sw := newSnapWriter(w)
	sw.writeHeader(&meta)
	tokIDs := map[*token]uint32{}
	var toks recBuf
	ntoks := uint64(0)
	handIDs := map[string]uint32{}
	var hands []snapHandling
	var dir snapDir
	sw.pad8()
	dir.Records.Off = sw.n
	n := uint32(len(ix.slots))
	recOffs := make([]uint64, 0, n+1)
	type idSlot struct {
		id   string
		slot uint32
	}
	order := make([]idSlot, 0, ix.lenLocked())
	var buf recBuf
	dec := &snapDecoder{}
	// Three passes over the slots, one section each: the prepared
	// listings (what screenings read), their contact fields (what link
	// analysis reads at start) and their JSON (read for a match).
	for s := range n {
		recOffs = append(recOffs, sw.n)
		dec.reset()
		p := ix.slots[s]
		if p == nil && ix.snap != nil && ix.snap.isLive(s) {
			p = dec.next()
			ix.snap.decode(s, p)
		}
		if p == nil {
			continue // a free slot: an empty record
		}
		l := p.l
		order = append(order, idSlot{l.ID, s})
		hk, _ := json.Marshal(snapHandling{l.Provenance.Originator, l.Handling})
		hi, ok := handIDs[string(hk)]
		if !ok {
			hi = uint32(len(hands))
			handIDs[string(hk)] = hi
			hands = append(hands, snapHandling{l.Provenance.Originator, l.Handling})
		}
		buf = buf[:0].str(l.ID).varint(l.Version).varint(p.until).uvarint(uint64(hi))
		buf = buf.str(string(p.sex)).str(string(l.Action)).str(l.Instruction).str(l.Contact)
		var dirs []byte
		if len(l.Directions) > 0 {
			var err error
			if dirs, err = json.Marshal(l.Directions); err != nil {
				return fmt.Errorf("snapshot listing %s: %w", l.ID, err)
			}
		}
		buf = buf.str(string(dirs))
		buf = buf.uvarint(uint64(len(p.dobs)))
		for _, d := range p.dobs {
			buf = writeDate(buf, d)
		}
		buf = buf.uvarint(uint64(len(p.nats)))
		for _, c := range p.nats {
			buf = buf.str(c)
		}
		buf = buf.uvarint(uint64(len(p.docs)))
		for _, d := range p.docs {
			buf = buf.str(d.exact).str(d.ocr).str(d.typ).str(d.cty)
		}
		buf = buf.uvarint(uint64(len(p.names)))
		for _, nm := range p.names {
			buf = buf.str(nm.full).fixed64(math.Float64bits(nm.factor)).uvarint(uint64(len(nm.toks)))
			for _, t := range nm.toks {
				ti, ok := tokIDs[t]
				if !ok {
					ti = uint32(ntoks)
					tokIDs[t] = ti
					ntoks++
					toks = writeToken(toks, t)
				}
				buf = buf.uvarint(uint64(ti))
			}
		}
		sw.write(buf)
	}
	recOffs = append(recOffs, sw.n)
	dir.Records.Len = sw.n - dir.Records.Off
	lightOffs := make([]uint64, 0, n+1)
	dir.Light.Off = sw.n
	for s := range n {
		lightOffs = append(lightOffs, sw.n)
		if p := ix.slots[s]; p != nil {
			buf = writeLight(buf[:0], p.l)
			sw.write(buf)
		} else if ix.snap != nil && ix.snap.isLive(s) {
			sw.write(ix.snap.data[ix.snap.lightOffs[s]:ix.snap.lightOffs[s+1]])
		}
	}
	lightOffs = append(lightOffs, sw.n)
	dir.Light.Len = sw.n - dir.Light.Off
	bodyOffs := make([]uint64, 0, n+1)
	dir.Bodies.Off = sw.n
	for s := range n {
		bodyOffs = append(bodyOffs, sw.n)
		if p := ix.slots[s]; p != nil {
			body, err := json.Marshal(p.l)
			if err != nil {
				return fmt.Errorf("snapshot listing %s: %w", p.l.ID, err)
			}
			sw.write(body)
		} else if ix.snap != nil && ix.snap.isLive(s) {
			sw.write(ix.snap.body(s))
		}
	}
	bodyOffs = append(bodyOffs, sw.n)
	dir.Bodies.Len = sw.n - dir.Bodies.Off
	dir.Tokens = sw.bytes(toks)
	hj, err := json.Marshal(hands)
	if err != nil {
		return err
	}
	dir.Handling = sw.bytes(hj)
	dir.RecOffs = sw.u64s(recOffs)
	dir.LightOffs = sw.u64s(lightOffs)
	dir.BodyOffs = sw.u64s(bodyOffs)
	slices.SortFunc(order, func(a, b idSlot) int { return cmp.Compare(a.id, b.id) })
	ord := make([]uint32, len(order))
	for i, o := range order {
		ord[i] = o.slot
	}
	dir.Order = sw.u32s(ord)
	ids := make([]string, len(order))
	for i, o := range order {
		ids[i] = o.id
	}
	dir.IDTable = sw.u32s(buildIDTable(ids, ord))
	dir.Free = sw.u32s(ix.free)
	f := mergePostings(&ix.flat, ix.post)
	dir.Keys = sw.u64s(f.keys)
	dir.Offs = sw.u32s(f.offs)
	dir.IDs = sw.u32s(f.ids)
	dir.Buckets = sw.u32s(f.bucket)
	dir.Shift = uint64(f.shift)
	dir.Slots, dir.Live, dir.NTokens, dir.NHandling = uint64(n), uint64(len(order)), ntoks, uint64(len(hands))
	return sw.finish(&dir)
}

func (ix *Index) lenLocked() int {
	n := len(ix.byID)
	if ix.snap != nil {
		n += ix.snap.nlive
	}
	return n
}

func writeToken(b recBuf, t *token) recBuf {
	b = b.str(t.form).str(t.alt).str(t.skel).str(t.orig).str(t.raw).str(t.phon)
	var flags uint64
	if t.arabic {
		flags |= 1
	}
	if t.known {
		flags |= 2
	}
	if t.cut {
		flags |= 4
	}
	var listed uint64 // listings bearing the name (listrarity.go)
	if t.list != nil && t.list.n > 0 {
		listed = uint64(t.list.n)
	}
	return b.uvarint(uint64(t.kind)).uvarint(flags).varint(int64(t.class)).uvarint(uint64(math.Float32bits(t.weight))).uvarint(listed)
}

// readTokens decodes the token table; its strings are one copy on the
// heap, so that explanations and the memo never reach into the mapping.
// listed[i] is how many listings bore token i's name when it was written.
func readTokens(b []byte, n uint64) (toks []token, listed []int32, err error) {
	if n > uint64(len(b)) {
		return nil, nil, snapErrorf("token count %d for %d bytes", n, len(b))
	}
	heap := string(b)
	r := reader{b: []byte(heap)} // strings alias heap's copy
	out := make([]token, 0, n)
	for range n {
		t := token{form: r.str(), alt: r.str(), skel: r.str(), orig: r.str(), raw: r.str(), phon: r.str()}
		t.kind = tokKind(r.uvarint())
		flags := r.uvarint()
		t.arabic, t.known, t.cut = flags&1 != 0, flags&2 != 0, flags&4 != 0
		t.class = int32(r.varint())
		t.weight = math.Float32frombits(uint32(r.uvarint()))
		c := r.uvarint()
		if r.bad || c > math.MaxInt32 {
			return nil, nil, snapErrorf("token table malformed")
		}
		t.derive()
		out = append(out, t)
		listed = append(listed, int32(c))
	}
	return out, listed, nil
}

// LoadSnapshot maps the snapshot at path and returns an index backed by
// it, with the metadata it was written with. A file that is truncated,
// corrupt, of another format or byte order, of another build (want.Build)
// or of another node (want.Origin) is refused (IsSnapshotRefused); it is
// never partly used.
func LoadSnapshot(path string, want SnapshotMeta, opts Options) (*Index, SnapshotMeta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, SnapshotMeta{}, err
	}
	defer f.Close() // the mapping outlives the descriptor
	st, err := f.Stat()
	if err != nil {
		return nil, SnapshotMeta{}, err
	}
	payload, dirOff, err := checkFile(f, st.Size())
	if err != nil {
		return nil, SnapshotMeta{}, err
	}
	if payload > math.MaxInt {
		return nil, SnapshotMeta{}, snapErrorf("too large")
	}
	data, err := mapFile(f, int(payload))
	if err != nil {
		return nil, SnapshotMeta{}, fmt.Errorf("map snapshot: %w", err)
	}
	// A refused file is unmapped again; an accepted one stays mapped for
	// the life of the process (the index's strings point into it).
	meta, ix, err := openMapped(data, dirOff, want, opts)
	if err != nil {
		unmapFile(data)
		return nil, meta, err
	}
	if b := ix.snap.bodyOffs; len(b) > 0 {
		adviseRare(f, data, b[0], b[len(b)-1]-b[0])
	}
	ix.pinHot(data)
	return ix, meta, nil
}

func openMapped(data []byte, dirOff uint64, want SnapshotMeta, opts Options) (SnapshotMeta, *Index, error) {
	meta, err := readHeader(data)
	if err != nil {
		return meta, nil, err
	}
	if meta.Build != want.Build {
		return meta, nil, snapErrorf("written by build %.12s, this is %.12s", meta.Build, want.Build)
	}
	if meta.Origin != want.Origin {
		return meta, nil, snapErrorf("of node %q, this is %q", meta.Origin, want.Origin)
	}
	ix, err := snapIndex(data, dirOff, opts)
	if err != nil {
		return meta, nil, err
	}
	if ix.Len() != meta.Listings {
		return meta, nil, snapErrorf("holds %d listings, its metadata says %d", ix.Len(), meta.Listings)
	}
	return meta, ix, nil
}

// snapIndex builds the index over a checked mapping, validating every
// offset it will follow.
func snapIndex(data []byte, dirOff uint64, opts Options) (*Index, error) {
	var dir snapDir
	dr, err := rawSection(data, section{dirOff, uint64(len(data)) - dirOff}, "directory")
	if err != nil {
		return nil, err
	}
	if err := decodeDir(dr, &dir); err != nil {
		return nil, err
	}
	s := &snapshot{data: data}
	if dir.Slots >= math.MaxUint32 {
		return nil, snapErrorf("%d slots", dir.Slots)
	}
	s.n = uint32(dir.Slots)
	if s.recOffs, err = mapped[uint64](data, dir.RecOffs, "record offsets"); err != nil {
		return nil, err
	}
	if s.lightOffs, err = mapped[uint64](data, dir.LightOffs, "light offsets"); err != nil {
		return nil, err
	}
	if s.bodyOffs, err = mapped[uint64](data, dir.BodyOffs, "body offsets"); err != nil {
		return nil, err
	}
	s.live = make([]uint64, (s.n+63)/64)
	for _, c := range []struct {
		sec  section
		offs []uint64
		name string
	}{{dir.Records, s.recOffs, "record"}, {dir.Light, s.lightOffs, "contact fields"}, {dir.Bodies, s.bodyOffs, "listing"}} {
		if _, err := rawSection(data, c.sec, c.name+"s"); err != nil {
			return nil, err
		}
		if uint64(len(c.offs)) != dir.Slots+1 {
			return nil, snapErrorf("%d %s offsets for %d slots", len(c.offs), c.name, dir.Slots)
		}
		prev, end := c.sec.Off, c.sec.Off+c.sec.Len
		for i := range s.n {
			a, b := c.offs[i], c.offs[i+1]
			if a != prev || b < a || b > end {
				return nil, snapErrorf("%s %d out of order", c.name, i)
			}
			prev = b
			if c.name == "record" && b > a {
				s.live[i/64] |= 1 << (i % 64)
				s.nlive++
			} else if c.name != "record" && (b > a) != s.isLive(i) {
				return nil, snapErrorf("%s %d does not match its record", c.name, i)
			}
		}
	}
	if s.recs, err = rawSection(data, dir.Records, "records"); err != nil {
		return nil, err
	}
	s.recBase = dir.Records.Off
	if s.order, err = mapped[uint32](data, dir.Order, "order"); err != nil {
		return nil, err
	}
	if len(s.order) != s.nlive || uint64(s.nlive) != dir.Live {
		return nil, snapErrorf("%d listings in id order, %d records", len(s.order), s.nlive)
	}
	for _, slot := range s.order {
		if !s.isLive(slot) {
			return nil, snapErrorf("id order names slot %d, which holds nothing", slot)
		}
	}
	if s.ids, err = mapped[uint32](data, dir.IDTable, "id table"); err != nil {
		return nil, err
	}
	if err := checkIDTable(s.ids, s); err != nil {
		return nil, err
	}
	tb, err := rawSection(data, dir.Tokens, "tokens")
	if err != nil {
		return nil, err
	}
	var listed []int32
	if s.toks, listed, err = readTokens(tb, dir.NTokens); err != nil {
		return nil, err
	}
	hb, err := rawSection(data, dir.Handling, "handling")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(hb, &s.hands); err != nil || uint64(len(s.hands)) != dir.NHandling {
		return nil, snapErrorf("handling table malformed")
	}
	ix := NewIndex(opts)
	ix.snap = s
	ix.countSnapshot(listed)
	ix.slots = make([]*prepared, s.n)
	free, err := mapped[uint32](data, dir.Free, "free slots")
	if err != nil {
		return nil, err
	}
	for _, slot := range free {
		if slot >= s.n || s.isLive(slot) {
			return nil, snapErrorf("free slot %d holds a listing", slot)
		}
	}
	ix.free = slices.Clone(free)
	f := &ix.flat
	if f.keys, err = mapped[uint64](data, dir.Keys, "keys"); err != nil {
		return nil, err
	}
	if f.offs, err = mapped[uint32](data, dir.Offs, "offsets"); err != nil {
		return nil, err
	}
	if f.ids, err = mapped[uint32](data, dir.IDs, "postings"); err != nil {
		return nil, err
	}
	if f.bucket, err = mapped[uint32](data, dir.Buckets, "buckets"); err != nil {
		return nil, err
	}
	f.shift = uint(dir.Shift)
	return ix, checkPostings(f, s)
}

// checkPostings refuses postings a lookup could not follow safely.
func checkPostings(f *flatPostings, s *snapshot) error {
	if len(f.keys) == 0 {
		if len(f.ids) != 0 {
			return snapErrorf("postings without keys")
		}
		*f = flatPostings{}
		return nil
	}
	if len(f.offs) != len(f.keys)+1 || f.offs[0] != 0 || f.offs[len(f.keys)] != uint32(len(f.ids)) {
		return snapErrorf("posting offsets do not fit %d keys", len(f.keys))
	}
	for i := 1; i < len(f.offs); i++ {
		if f.offs[i] < f.offs[i-1] {
			return snapErrorf("posting offsets out of order")
		}
	}
	for _, id := range f.ids {
		if !s.isLive(id) {
			return snapErrorf("a posting names slot %d, which holds nothing", id)
		}
	}
	b := 64 - f.shift
	if f.shift == 0 || f.shift > 63 || len(f.bucket) != 1<<b+1 || f.bucket[1<<b] != uint32(len(f.keys)) {
		return snapErrorf("posting buckets malformed")
	}
	for i := 1; i < len(f.bucket); i++ {
		if f.bucket[i] < f.bucket[i-1] {
			return snapErrorf("posting buckets out of order")
		}
	}
	return nil
}

func decodeDir(b []byte, d *snapDir) error {
	var fields []*uint64
	for _, sec := range []*section{&d.Records, &d.Light, &d.Bodies, &d.Tokens, &d.Handling, &d.RecOffs, &d.LightOffs, &d.BodyOffs, &d.Order, &d.Free, &d.Keys, &d.Offs, &d.IDs, &d.Buckets, &d.IDTable} {
		fields = append(fields, &sec.Off, &sec.Len)
	}
	fields = append(fields, &d.Slots, &d.Live, &d.Shift, &d.NTokens, &d.NHandling, &d.Reserved1)
	if len(b) < 8*len(fields) {
		return snapErrorf("directory truncated")
	}
	r := reader{b: b}
	for _, f := range fields {
		*f = r.fixed64()
	}
	return nil
}

// mergePostings returns f's live postings and post's as one flat table,
// as Compact makes it: keys sorted, a key's flat postings before its
// added ones.
func mergePostings(old *flatPostings, post map[uint64][]uint32) flatPostings {
	keys := make([]uint64, 0, len(old.keys)+len(post))
	for i, k := range old.keys {
		if _, dup := post[k]; !dup && hasLive(old.ids[old.offs[i]:old.offs[i+1]]) {
			keys = append(keys, k)
		}
	}
	for k := range post {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var f flatPostings
	f.keys = keys
	f.offs = make([]uint32, 0, len(keys)+1)
	n := 0
	for _, k := range keys {
		n += len(old.get(k)) + len(post[k])
	}
	f.ids = make([]uint32, 0, n)
	for _, k := range keys {
		f.offs = append(f.offs, uint32(len(f.ids)))
		for _, s := range old.get(k) {
			if s != deadSlot {
				f.ids = append(f.ids, s)
			}
		}
		f.ids = append(f.ids, post[k]...)
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
	return f
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
	if p := ix.slots[slot]; p != nil {
		return p.activeAt(now) && (allow == nil || allow(p.l))
	}
	if ix.snap == nil || !ix.snap.isLive(slot) {
		return false
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
