package match

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

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
	if t.cutAfter {
		flags |= 8
	}
	var listed uint64 // listings bearing the name (listrarity.go)
	if t.list != nil && t.list.n > 0 {
		listed = uint64(t.list.n)
	}
	return b.uvarint(uint64(t.kind)).uvarint(flags).varint(int64(t.class)).uvarint(uint64(math.Float32bits(t.weight))).uvarint(listed)
}
