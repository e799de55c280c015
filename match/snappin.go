package match

import (
	"unsafe"
)

// What every screening reads of a snapshot (the postings of its keys, and
// the records of its candidates, at random over hundreds of megabytes on
// a large index) is copied out of the file's mapping into memory the
// kernel backs with huge pages where it can (pinHot). With the mapping's
// small pages nearly every read of a posting or a record missed the
// processor's address cache: on 1,000,000 listings the same screenings
// took two to three times the CPU. The rest of the file (the listings'
// JSON, their contact fields) stays mapped: it is read for a match or at
// start only.

// pinHot moves the snapshot's records, record offsets and flat postings
// into one block from hugeBlock, and lets the kernel drop their pages of
// the mapping data. Without such a block (another system, huge pages
// switched off) they stay mapped. Called once, on a loaded index no one
// else holds yet; like the mapping, the block lives as long as the
// process (decoded strings point into it).
func (ix *Index) pinHot(data []byte) {
	s, f := ix.snap, &ix.flat
	n := len(s.recs) + 8*len(s.recOffs) + 8*len(f.keys) + 4*len(f.offs) + 4*len(f.ids) + 4*len(f.bucket)
	b := hugeBlock(n + 6*8) // each slice aligned to 8 bytes
	if b == nil {
		return
	}
	p := pinner{b: b}
	recs, recOffs := s.recs, s.recOffs
	keys, offs, ids, bucket := f.keys, f.offs, f.ids, f.bucket
	s.recs, s.recOffs = pin(&p, recs), pin(&p, recOffs)
	f.keys, f.offs, f.ids, f.bucket = pin(&p, keys), pin(&p, offs), pin(&p, ids), pin(&p, bucket)
	for _, r := range [][]byte{bytesOf(recs), bytesOf(recOffs), bytesOf(keys), bytesOf(offs), bytesOf(ids), bytesOf(bucket)} {
		dropMapped(data, r)
	}
}

// pinner hands out consecutive pieces of a block.
type pinner struct {
	b   []byte
	off int
}

// pin returns a copy of src in p's block.
func pin[T byte | uint32 | uint64](p *pinner, src []T) []T {
	if len(src) == 0 {
		return src
	}
	p.off = (p.off + 7) &^ 7
	n := len(src) * int(unsafe.Sizeof(src[0]))
	dst := unsafe.Slice((*T)(unsafe.Pointer(&p.b[p.off])), len(src))
	copy(dst, src)
	p.off += n
	return dst
}

// bytesOf is the memory of s.
func bytesOf[T byte | uint32 | uint64](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}
