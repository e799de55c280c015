package match

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"os"
	"slices"
)

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
		t.arabic, t.known, t.cut, t.cutAfter = flags&1 != 0, flags&2 != 0, flags&4 != 0, flags&8 != 0
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
