package match

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	"tripline"
)

// TestSnapshotIDTable: every listing of a snapshot is found by its id
// through the id table, as the index that wrote it finds it, and so are
// the changes made after the load (removals, new versions, new listings);
// ids it does not hold are not found.
func TestSnapshotIDTable(t *testing.T) {
	ls := snapListings(t, 3000)
	ix := NewIndex(Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	ix.Remove(ls[5].ID) // a free slot in the file
	path := filepath.Join(t.TempDir(), "ix.snap")
	meta := SnapshotMeta{Build: "b1", Origin: "node-a"}
	writeSnap(t, ix, path, meta)
	got, _, err := LoadSnapshot(path, meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	same := func(stage string) {
		t.Helper()
		for _, l := range ls {
			w, g := ix.Listing(l.ID), got.Listing(l.ID)
			if !reflect.DeepEqual(w, g) {
				t.Fatalf("%s: Listing(%q) = %+v, want %+v", stage, l.ID, g, w)
			}
			wv, wok := ix.Version(l.ID)
			gv, gok := got.Version(l.ID)
			if wv != gv || wok != gok {
				t.Fatalf("%s: Version(%q) = %d, %v; want %d, %v", stage, l.ID, gv, gok, wv, wok)
			}
		}
		for _, id := range []string{"", "no-such-listing", ls[0].ID + "x", ls[0].ID[:len(ls[0].ID)-1]} {
			if l := got.Listing(id); l != nil {
				t.Fatalf("%s: Listing(%q) found %q", stage, id, l.ID)
			}
		}
	}
	same("loaded")
	for _, x := range []*Index{ix, got} {
		x.Remove(ls[7].ID)
		c := *ls[9]
		c.Version++
		c.Names = []tripline.Name{{Full: "Another Name Entirely"}}
		x.Upsert(&c)
		x.Upsert(&tripline.Listing{ID: "new-1", Version: 1, Names: []tripline.Name{{Full: "Some New Person"}}, Status: tripline.StatusActive})
	}
	ls = append(ls, &tripline.Listing{ID: "new-1"})
	same("changed")
}

// TestSnapshotIDTableRefused: a table that does not name each listing of
// the file once is refused (the checksum fixed after the change).
func TestSnapshotIDTableRefused(t *testing.T) {
	dir := t.TempDir()
	good, b := goodSnap(t, 50, dir)
	meta := testMeta
	loaded, _, err := LoadSnapshot(good, meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tab := loaded.snap.ids
	off := func(i int) int { // the file offset of cell i: the mapping starts at the file's start
		return int(uintptr(unsafe.Pointer(&tab[i])) - uintptr(unsafe.Pointer(&loaded.snap.data[0])))
	}
	full, empty := -1, -1
	for i, c := range tab {
		if c != 0 && full < 0 {
			full = i
		}
		if c == 0 && empty < 0 {
			empty = i
		}
	}
	for name, change := range map[string]func(c []byte){
		"a listing missing":   func(c []byte) { binary.LittleEndian.PutUint32(c[off(full):], 0) },
		"a listing twice":     func(c []byte) { binary.LittleEndian.PutUint32(c[off(empty):], tab[full]) },
		"a slot out of range": func(c []byte) { binary.LittleEndian.PutUint32(c[off(full):], 1<<30) },
	} {
		t.Run(name, func(t *testing.T) {
			c := append([]byte(nil), b...)
			change(c)
			resum(c)
			p := filepath.Join(dir, "bad.snap")
			if err := os.WriteFile(p, c, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := LoadSnapshot(p, meta, Options{}); !IsSnapshotRefused(err) {
				t.Fatalf("loaded: %v", err)
			}
		})
	}
}
