package match

import (
	"path/filepath"
	"testing"
	"unsafe"
)

// TestSnapshotHotPinned: where the kernel offers huge pages, a loaded
// snapshot's postings and records are read from the copy pinHot made,
// not from the file's mapping, and screen as the index that wrote them.
func TestSnapshotHotPinned(t *testing.T) {
	if hugeBlock(1) == nil {
		t.Skip("no transparent huge pages here: the snapshot stays mapped")
	}
	ls := snapListings(t, 2000)
	plain := NewIndex(Options{})
	for _, l := range ls {
		plain.Upsert(l)
	}
	plain.Compact()
	path := filepath.Join(t.TempDir(), "index.snap")
	writeSnap(t, plain, path, testMeta)
	snap, _, err := LoadSnapshot(path, testMeta, Options{})
	if err != nil {
		t.Fatalf("LoadSnapshot: %v", err)
	}
	data := snap.snap.data
	inMapping := func(b []byte) bool {
		p, lo := uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&data[0]))
		return p >= lo && p < lo+uintptr(len(data))
	}
	for name, b := range map[string][]byte{
		"records": snap.snap.recs, "record offsets": bytesOf(snap.snap.recOffs),
		"keys": bytesOf(snap.flat.keys), "posting offsets": bytesOf(snap.flat.offs),
		"postings": bytesOf(snap.flat.ids), "buckets": bytesOf(snap.flat.bucket),
	} {
		if inMapping(b) {
			t.Errorf("%s are read from the mapping", name)
		}
	}
	qs := benchQueries(ls, 600)
	sameResults(t, "pinned", plain, snap, qs)
	for _, l := range ls[:50] { // a removal marks the pinned postings dead
		plain.Remove(l.ID)
		snap.Remove(l.ID)
	}
	sameResults(t, "pinned, after removals", plain, snap, qs)
}
