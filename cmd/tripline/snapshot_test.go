package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/match"
	"tripline/network"
	nodert "tripline/node"
	"tripline/storetest"
)

// TestIndexSnapshot: a node writes its index snapshot after a full load,
// maps it at the next start and re-reads only the listings changed since
// (new, changed, withdrawn), and screens exactly as a node that loaded
// every listing from the store. A truncated, corrupt or foreign snapshot
// is refused, the node loads from the store, and writes a good one again.
func TestIndexSnapshot(t *testing.T) {
	t.Parallel() // processes of its own, no PostgreSQL: runs beside the other such tests
	testIndexSnapshot(t, func() string { return "" })
}

// TestIndexSnapshotPostgres: the same on PostgreSQL, where the writer and
// its replicas share the store's listing change log (issue 18, item 4: a
// replica builds its index from a snapshot plus the log).
func TestIndexSnapshotPostgres(t *testing.T) {
	testIndexSnapshot(t, func() string { return pgSchemaURL(t) })
}

// testIndexSnapshot runs TestIndexSnapshot on the stores store returns
// (a fresh one at each call; "" for SQLite in the data directory).
func testIndexSnapshot(t *testing.T, store func() string) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, nodert.SnapshotFile)
	url := store()
	getenv := func(k string) string {
		if k == "TRIPLINE_STORE" {
			return url
		}
		return ""
	}
	withSnap := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: getenv, Build: func() string { return "build-1" }}
	storeOnly := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: getenv}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(env *Env) *Node {
		t.Helper()
		n, err := openNodeConfig(ctx, env, dir, nodeConfig{Index: true}, logger)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	f, err := os.Open(unFile2024)
	if err != nil {
		t.Fatal(err)
	}
	un, err := importer.ReadUN(f, unFile2024)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var qs []*tripline.Traveller
	for i, l := range un {
		if p, ok := match.PerturbListing(l, match.Perturbations[i%len(match.Perturbations)], int64(i)); ok {
			qs = append(qs, p)
		}
	}
	qs = append(qs, match.GenerateTravellers(300, 5)...)
	qs = append(qs, &tripline.Traveller{Name: "Zebulon Quartermaine"}, &tripline.Traveller{Name: "Person Number7"})
	now := time.Now()
	// screenAll screens every query on a node opened with env (with the
	// store as it is), and reports whether the snapshot was used.
	screenAll := func(env *Env) [][]tripline.Match {
		t.Helper()
		n := open(env)
		defer n.Close()
		out := make([][]tripline.Match, len(qs))
		for i, q := range qs {
			out[i] = n.Index.Screen(q, now, nil)
		}
		return out
	}
	same := func(stage string) {
		t.Helper()
		want, got := screenAll(storeOnly), screenAll(withSnap)
		for i := range want {
			if !reflect.DeepEqual(want[i], got[i]) {
				t.Fatalf("%s: %q: from the snapshot %+v\nfrom the store %+v", stage, qs[i].FullName(), got[i], want[i])
			}
		}
	}

	n := open(storeOnly)
	if _, err := n.Listings.ImportListings(ctx, "un-sc", tripline.Records(un)); err != nil {
		t.Fatal(err)
	}
	n.Close()
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a node without a build identity wrote a snapshot")
	}
	n = open(withSnap) // a full load, then the snapshot
	n.Close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no snapshot after a full load: %v", err)
	}
	same("loaded")

	// Changes since: new listings, a new version, a withdrawal.
	n = open(storeOnly)
	for _, l := range []*tripline.Listing{storetest.Listing("local", "z", "Zebulon Quartermaine"), storetest.Listing("local", "7", "Person Number7")} {
		if _, err := n.Listings.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	c := *un[3]
	c.Names = append([]tripline.Name{{Full: "Person Number7", Kind: tripline.NameAlias}}, c.Names...)
	if _, err := n.Listings.PutListing(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listings.WithdrawListing(ctx, un[10].ID, "delisted"); err != nil {
		t.Fatal(err)
	}
	n.Close()
	same("changed since the snapshot")
	// Link analysis gets the snapshot's listings' documents (behind the
	// ready node) and the changed ones'.
	n = open(withSnap)
	docs := map[string]network.Entity{"local:z": network.DocumentEntity("IRQ", "Az"), "local:7": network.DocumentEntity("IRQ", "A7")}
	for _, l := range un[20:] {
		if len(l.Documents) > 0 {
			docs[l.ID] = network.DocumentEntity(l.Documents[0].Country, l.Documents[0].Number)
			break
		}
	}
	if len(docs) != 3 {
		t.Fatal("no UN listing with a document")
	}
	for id, doc := range docs {
		waitFor(t, func() bool { return slices.Contains(n.Network.ListedBy(doc.Canonical()), id) })
	}
	n.Close()
	if st2, err := os.Stat(path); err != nil || !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("a few changes rewrote the snapshot (%v)", err)
	}

	// Refused files: the node loads from the store and writes a good one.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"truncated": b[:len(b)/3],
		"corrupt":   append(append([]byte{}, b[:len(b)/2]...), append([]byte{b[len(b)/2] ^ 1}, b[len(b)/2+1:]...)...),
		"empty":     {},
	} {
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		same(name)
		if _, _, err := match.LoadSnapshot(path, match.SnapshotMeta{Build: "build-1", Origin: n.StoreID}, match.Options{}); err != nil {
			t.Fatalf("%s: no good snapshot written again: %v", name, err)
		}
	}
	// Another node's snapshot (another data directory and store) is not
	// used.
	other, otherURL := t.TempDir(), store()
	otherEnv := &Env{Stdout: io.Discard, Stderr: io.Discard, Build: withSnap.Build, Getenv: func(k string) string {
		if k == "TRIPLINE_STORE" {
			return otherURL
		}
		return ""
	}}
	o, err := openNodeConfig(ctx, otherEnv, other, nodeConfig{Index: true}, logger)
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	ob, err := os.ReadFile(filepath.Join(other, nodert.SnapshotFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, ob, 0o600); err != nil {
		t.Fatal(err)
	}
	same("foreign")
	// Another build's snapshot is not used either.
	withSnap.Build = func() string { return "build-2" }
	same("another build")
}
