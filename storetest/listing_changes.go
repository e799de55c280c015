package storetest

import (
	"errors"
	"slices"
	"testing"

	"tripline/sqlstore"
)

// testListingChanges: the listing change log an index snapshot is brought
// up to date from (issue 17; on PostgreSQL, the replicas' too): every
// change counted once in order, pruned changes never silently skipped,
// the head kept whatever is pruned.
func testListingChanges(t *testing.T, e Engine) {
	ctx := t.Context()
	db := e.Open(t)
	ls, ch := sqlstore.NewListingService(db), sqlstore.NewListingChanges(db)
	since := func(after int64) []string {
		t.Helper()
		ids, err := ch.Since(ctx, after, 100)
		if err != nil {
			t.Fatalf("Since(%d): %v", after, err)
		}
		slices.Sort(ids)
		return ids
	}
	if h, err := ch.Head(ctx); err != nil || h != 0 {
		t.Fatalf("Head of a new store = %d, %v; want 0", h, err)
	}
	for _, id := range []string{"1", "2", "3"} {
		if _, err := ls.PutListing(ctx, Listing("s", id, "Ali Hassan "+id)); err != nil {
			t.Fatal(err)
		}
	}
	h1, err := ch.Head(ctx)
	if err != nil || h1 < 3 {
		t.Fatalf("Head after three puts = %d, %v", h1, err)
	}
	if got := since(0); !slices.Equal(got, []string{"s:1", "s:2", "s:3"}) {
		t.Errorf("Since(0) = %v", got)
	}
	if _, err := ls.WithdrawListing(ctx, "s:2", "delisted"); err != nil {
		t.Fatal(err)
	}
	if got := since(h1); !slices.Equal(got, []string{"s:2"}) {
		t.Errorf("after a withdrawal: %v, want [s:2]", got)
	}
	if ids, err := ch.Since(ctx, 0, 1); err != nil || len(ids) != 2 {
		t.Errorf("Since with limit 1 = %v, %v; want two ids (more than the limit)", ids, err)
	}
	at, err := ch.At(ctx, h1)
	if err != nil || at != "s:3" {
		t.Errorf("At(%d) = %q, %v; want s:3", h1, at, err)
	}
	if err := ch.Check(ctx, h1, "s:3"); err != nil {
		t.Errorf("Check of this store's change: %v", err)
	}
	for _, c := range []struct {
		seq int64
		id  string
	}{{h1, "s:1"}, {h1 + 100, ""}} {
		if err := ch.Check(ctx, c.seq, c.id); !errors.Is(err, sqlstore.ErrChangesPruned) {
			t.Errorf("Check(%d, %q) of another store: %v, want ErrChangesPruned", c.seq, c.id, err)
		}
	}
	// Pruned changes are never silently skipped.
	if err := ch.Prune(ctx, h1); err != nil {
		t.Fatal(err)
	}
	if err := ch.Check(ctx, h1, "s:3"); err != nil {
		t.Errorf("Check of the change pruned through: %v", err)
	}
	if got := since(h1); !slices.Equal(got, []string{"s:2"}) {
		t.Errorf("after pruning: %v, want [s:2]", got)
	}
	if _, err := ch.Since(ctx, h1-1, 100); !errors.Is(err, sqlstore.ErrChangesPruned) {
		t.Errorf("Since before the pruned point: %v, want ErrChangesPruned", err)
	}
	if err := ch.Prune(ctx, 1); err != nil { // an older point does not move it back
		t.Fatal(err)
	}
	if _, err := ch.Since(ctx, h1-1, 100); !errors.Is(err, sqlstore.ErrChangesPruned) {
		t.Errorf("after pruning an older point: %v, want ErrChangesPruned", err)
	}
	if err := ch.Prune(ctx, 1<<40); err != nil { // everything: the head stays
		t.Fatal(err)
	}
	if h, err := ch.Head(ctx); err != nil || h < h1 {
		t.Errorf("Head after pruning everything = %d, %v; want at least %d", h, err, h1)
	}
}
