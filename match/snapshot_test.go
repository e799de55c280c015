package match

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"tripline"
)

// snapListings returns generated listings made varied for the snapshot:
// handling rules of several originators, valid-until dates, contact
// fields, and an impossible birth date kept as given.
func snapListings(t *testing.T, n int) []*tripline.Listing {
	t.Helper()
	ls := GenerateListings(n, 11)
	until := now.Add(-time.Hour) // expired by the screening time: never matches
	later := now.Add(24 * time.Hour)
	var bad tripline.PartialDate
	if err := json.Unmarshal([]byte(`"1975-13-01"`), &bad); err != nil {
		t.Fatal(err)
	}
	for i, l := range ls {
		l.Version = int64(1 + i%3)
		l.UpdatedAt = now.Add(-time.Duration(i) * time.Minute)
		l.Provenance.Originator = []string{"tr-border", "de-bka", "fr-dgsi"}[i%3]
		l.Handling.Screen = []string{"*"}
		switch i % 7 {
		case 1:
			l.Handling.Screen = []string{"de-bka"}
		case 2:
			l.ValidUntil = &until
		case 3:
			l.ValidUntil = &later
			l.Phones = []string{"+90 555 000 " + l.ID}
		case 5:
			l.Directions = map[string]tripline.DirectedAction{tripline.DirectionOut: {Action: tripline.ActionPreventDeparture, Instruction: "Hold at the gate"}}
		case 4:
			l.BirthDates = append(l.BirthDates, bad)
			l.Instruction, l.Contact = "Call the duty officer", "+49 30 000"
		}
	}
	return ls
}

func writeSnap(t *testing.T, ix *Index, path string, meta SnapshotMeta) {
	t.Helper()
	var buf bytes.Buffer
	if err := ix.WriteSnapshot(&buf, meta); err != nil {
		t.Fatalf("WriteSnapshot: %v", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// testMeta is what the refusal tests' snapshots are written for.
var testMeta = SnapshotMeta{Build: "b1", Origin: "node-a"}

// goodSnap writes a snapshot of n listings to dir (for testMeta) and
// returns its path and bytes, for a refusal test to damage.
func goodSnap(t *testing.T, n int, dir string) (string, []byte) {
	t.Helper()
	ix := NewIndex(Options{})
	for _, l := range snapListings(t, n) {
		ix.Upsert(l)
	}
	good := filepath.Join(dir, "good.snap")
	writeSnap(t, ix, good, testMeta)
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	return good, b
}

// sameResults screens qs against both indexes with and without a policy
// filter and fails on the first difference.
func sameResults(t *testing.T, stage string, want, got *Index, qs []*tripline.Traveller) {
	t.Helper()
	onlyDE := func(l *tripline.Listing) bool { return l.LevelFor("de-bka", nil) >= tripline.LevelScreen }
	for i, allow := range []func(*tripline.Listing) bool{nil, onlyDE, nil} {
		for _, q := range qs {
			if i == 2 { // departing: the actions per direction
				c := *q
				c.Travel = &tripline.Travel{Direction: tripline.DirectionOut}
				q = &c
			}
			w, g := want.Screen(q, now, allow), got.Screen(q, now, allow)
			if !reflect.DeepEqual(w, g) {
				t.Fatalf("%s: %q: got %+v\nwant %+v", stage, q.FullName(), g, w)
			}
		}
	}
	if want.Len() != got.Len() {
		t.Fatalf("%s: Len %d, want %d", stage, got.Len(), want.Len())
	}
}

func TestSnapshotSameResults(t *testing.T) {
	ls := snapListings(t, 3000)
	plain := NewIndex(Options{})
	for _, l := range ls {
		plain.Upsert(l)
	}
	for _, l := range ls[:40] { // free slots in the snapshot
		plain.Remove(l.ID)
	}
	plain.Compact()
	qs := benchQueries(ls, 1500)
	path := filepath.Join(t.TempDir(), "index.snap")
	meta := SnapshotMeta{Build: "b1", Origin: "node-a", Changes: 42}
	writeSnap(t, plain, path, meta)
	snap, got, err := LoadSnapshot(path, meta, Options{})
	if err != nil {
		t.Fatalf("LoadSnapshot: %v", err)
	}
	if got.Changes != 42 || got.Listings != plain.Len() {
		t.Errorf("meta = %+v", got)
	}
	sameResults(t, "loaded", plain, snap, qs)

	// Listing decodes the listing as it was put.
	for _, l := range ls[40:60] {
		w, _ := json.Marshal(l)
		g, _ := json.Marshal(snap.Listing(l.ID))
		if !bytes.Equal(w, g) {
			t.Fatalf("Listing(%s) = %s, want %s", l.ID, g, w)
		}
		if v, ok := snap.Version(l.ID); !ok || v != l.Version {
			t.Errorf("Version(%s) = %d, %v; want %d", l.ID, v, ok, l.Version)
		}
	}
	if snap.Listing(ls[0].ID) != nil {
		t.Errorf("a removed listing is in the snapshot")
	}
	if n := len(snap.Listings()); n != plain.Len() {
		t.Errorf("Listings: %d, want %d", n, plain.Len())
	}
	byDE := func(l *tripline.Listing) bool {
		return l.Provenance.Originator == "de-bka" && len(l.Handling.Screen) == 1
	}
	ids := func(ls []*tripline.Listing) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		slices.Sort(out)
		return out
	}
	if w, g := ids(plain.ListingsWhere(byDE)), ids(snap.ListingsWhere(byDE)); len(w) == 0 || !slices.Equal(w, g) {
		t.Errorf("ListingsWhere: %d listings, want %d", len(g), len(w))
	}
	light, phones := 0, 0
	for from := uint32(0); ; {
		var ls []*tripline.Listing
		var slots []uint32
		ls, slots, from = snap.Light(from, 100)
		for i, l := range ls {
			if !snap.Unchanged(slots[i], l) {
				t.Fatalf("Unchanged(%d, %s) = false", slots[i], l.ID)
			}
			light++
			if len(l.Phones) > 0 {
				phones++
				if w := plain.Listing(l.ID); !slices.Equal(w.Phones, l.Phones) || w.Version != l.Version || !w.UpdatedAt.Equal(l.UpdatedAt) {
					t.Fatalf("Light: %+v, want %+v", l, w)
				}
			}
		}
		if from == 0 {
			break
		}
	}
	if light != plain.Len() || phones == 0 {
		t.Errorf("Light: %d listings (%d with phones), want %d", light, phones, plain.Len())
	}

	// The same changes on both: removals, new versions (one with another
	// name), new listings (into freed slots and new ones).
	change := func(ix *Index) {
		for _, l := range ls[100:130] {
			ix.Remove(l.ID)
		}
		for _, l := range ls[200:230] {
			c := *l
			c.Version++
			c.Names = append([]tripline.Name{{Full: "Ivan Sergeyevich Petrov", Kind: tripline.NamePrimary}}, c.Names...)
			ix.Upsert(&c)
		}
		for _, l := range ls[300:310] {
			c := *l
			c.Status = tripline.StatusWithdrawn
			ix.Upsert(&c)
		}
		for _, l := range snapListings(t, 120)[60:] {
			c := *l
			c.ID = "new:" + l.ID
			ix.Upsert(&c)
		}
		ix.Upsert(ls[5]) // removed before the snapshot, back
	}
	change(plain)
	change(snap)
	more := append(slices.Clone(qs[:500]), &tripline.Traveller{Name: "Ivan Sergeyevich Petrov"})
	sameResults(t, "after changes", plain, snap, more)

	// A snapshot of a snapshot-backed index, changed since, loads the same.
	meta.Changes = 43
	writeSnap(t, snap, path, meta)
	again, _, err := LoadSnapshot(path, meta, Options{})
	if err != nil {
		t.Fatalf("LoadSnapshot again: %v", err)
	}
	sameResults(t, "rewritten", plain, again, more)
}

func TestSnapshotRefused(t *testing.T) {
	dir := t.TempDir()
	good, b := goodSnap(t, 200, dir)
	meta := testMeta
	if _, _, err := LoadSnapshot(good, meta, Options{}); err != nil {
		t.Fatalf("the good file: %v", err)
	}
	flip := func(i int) []byte {
		c := slices.Clone(b)
		c[i] ^= 0x20
		return c
	}
	cases := map[string][]byte{
		"empty":         {},
		"garbage":       bytes.Repeat([]byte("not a snapshot "), 100),
		"header only":   b[:64],
		"cut in half":   b[:len(b)/2],
		"cut by one":    b[:len(b)-1],
		"one more byte": append(slices.Clone(b), 0),
		"flipped head":  flip(10),
		"flipped mid":   flip(len(b) / 2),
		"flipped late":  flip(len(b) - 40),
		"flipped crc":   flip(len(b) - 16),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.snap")
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			got, _, err := LoadSnapshot(p, meta, Options{})
			if err == nil || got != nil || !IsSnapshotRefused(err) {
				t.Fatalf("LoadSnapshot = %v, %v; want refused", got, err)
			}
		})
	}
	for name, want := range map[string]SnapshotMeta{
		"another build": {Build: "b2", Origin: "node-a"},
		"another node":  {Build: "b1", Origin: "node-b"},
	} {
		t.Run(name, func(t *testing.T) {
			if got, _, err := LoadSnapshot(good, want, Options{}); err == nil || got != nil || !IsSnapshotRefused(err) {
				t.Fatalf("LoadSnapshot = %v, %v; want refused", got, err)
			}
		})
	}
	if _, _, err := LoadSnapshot(filepath.Join(dir, "none.snap"), meta, Options{}); !IsSnapshotRefused(err) {
		t.Errorf("a missing file: %v, want refused", err)
	}
}

// TestSnapshotCrafted feeds files with a valid checksum but malformed
// contents: refused or, for a malformed record, decoded without a panic.
func TestSnapshotCrafted(t *testing.T) {
	ix := NewIndex(Options{})
	ls := snapListings(t, 100)
	for _, l := range ls {
		ix.Upsert(l)
	}
	var buf bytes.Buffer
	meta := SnapshotMeta{Build: "b1", Origin: "node-a"}
	if err := ix.WriteSnapshot(&buf, meta); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	path := filepath.Join(t.TempDir(), "x.snap")
	qs := benchQueries(ls, 50)
	// Change each byte of the payload in turn (a sample), fix the CRC,
	// and load: never a panic; what loads screens without one.
	step := max(1, (len(b)-snapTrailer)/400)
	for i := 24; i < len(b)-snapTrailer; i += step {
		c := slices.Clone(b)
		c[i] ^= 0xff
		resum(c)
		if err := os.WriteFile(path, c, 0o600); err != nil {
			t.Fatal(err)
		}
		got, _, err := LoadSnapshot(path, meta, Options{})
		if err != nil {
			continue
		}
		for _, q := range qs[:2] {
			got.Screen(q, now, nil)
		}
		got.Listing(ls[3].ID)
	}
}

// TestSnapshotKnowsEveryField fails when a field is added to what a
// snapshot record holds without being written: the snapshot would then
// silently differ from a rebuilt index.
func TestSnapshotKnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		v    any
		want []string
	}{
		{token{}, []string{"form", "alt", "skel", "orig", "kind", "arabic", "known", "cut", "cutAfter", "class", "weight", "raw", "phon", "list", "fast"}}, // fast is derived on load
		{prepared{}, []string{"l", "names", "nats", "docs", "dobs", "dobArr", "sex", "until"}},
		{preparedName{}, []string{"toks", "full", "factor"}},
		{docKey{}, []string{"exact", "ocr", "typ", "cty"}},
		{tripline.PartialDate{}, []string{"Year", "Month", "Day", "bad"}},
	} {
		ty := reflect.TypeOf(c.v)
		var got []string
		for i := range ty.NumField() {
			got = append(got, ty.Field(i).Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s has fields %v; the snapshot writes %v: update snapshot.go (and snapFormat)", ty, got, c.want)
		}
	}
}

// resum rewrites the checksum of snapshot file b after a change.
func resum(b []byte) {
	p := len(b) - snapTrailer
	binary.LittleEndian.PutUint32(b[p+16:], crc32.Checksum(b[:p], castagnoli))
}
