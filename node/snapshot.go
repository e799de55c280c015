package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"tripline"
	"tripline/match"
	"tripline/sqlstore"
)

// The index snapshot (issue 17): the prepared listings and postings of
// the index, written to the data directory after a full load and mapped
// back at the next start, then brought up to date with the listings
// changed since (sqlstore.ListingChanges). A million listings are ready in
// seconds and stay out of the Go heap.
const (
	// SnapshotFile is the snapshot's name in the data directory.
	SnapshotFile = "index.snap"
	// catchUpMax is how many changed listings are re-read on top of a
	// snapshot; past it a full load is quicker.
	catchUpMax = 100_000
	// rewriteAfter changed listings re-read at start, a new snapshot is
	// written, so that the next start has less to catch up.
	rewriteAfter = 10_000
)

// loadIndex fills the index: from the snapshot when one of this build and
// node can be brought up to date, else from the store (n.load), writing a
// snapshot for the next start behind the ready node. What screening needs
// besides the listings (loadRest: the alerts, clearances and refusals)
// needs nothing of the index, and loads beside it.
func (n *Node) loadIndex(ctx context.Context, dir, build string) error {
	rest := make(chan error, 1)
	go func() { rest <- n.loadRest(ctx) }()
	err := n.loadListingIndex(ctx, dir, build)
	if rerr := <-rest; err == nil {
		err = rerr
	}
	return err
}

// loadListingIndex is loadIndex's part for the listings.
func (n *Node) loadListingIndex(ctx context.Context, dir, build string) error {
	if build == "" {
		// No build identity (tests): the store alone.
		return n.loadFull(ctx)
	}
	changes := sqlstore.NewListingChanges(n.DB)
	// Everything up to head is committed before the index is read: the
	// loaded index reflects at least that, whatever comes after.
	head, err := changes.Head(ctx)
	if err != nil {
		return err
	}
	n.snapDir, n.snapHead = dir, head
	t0 := time.Now()
	path := filepath.Join(dir, SnapshotFile)
	ix, meta, err := match.LoadSnapshot(path, match.SnapshotMeta{Build: build, Origin: n.StoreID}, match.Options{})
	var ids []string
	if err == nil {
		err = changes.Check(ctx, meta.Changes, meta.ChangeAt)
	}
	if err == nil {
		ids, err = changes.Since(ctx, meta.Changes, catchUpMax)
		if err == nil && len(ids) > catchUpMax {
			err = fmt.Errorf("more than %d listings changed since", catchUpMax)
		}
	}
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			n.Logger.Warn("index snapshot not used: loading the listings from the store", "file", path, "reason", err)
		}
		if err := n.loadFull(ctx); err != nil {
			return err
		}
		n.writeSnapshotLater(dir, build, head, false, true)
		return nil
	}
	n.Index.Replace(ix)
	for _, id := range ids {
		l, err := n.Listings.Listing(ctx, id)
		switch {
		case errors.Is(err, tripline.ErrNotFound) || tripline.ErrorCode(err) == tripline.ENOTFOUND:
			n.mu.Lock()
			n.Index.Remove(id)
			n.mu.Unlock()
			n.onListing(&tripline.Listing{ID: id, Status: tripline.StatusWithdrawn})
		case err != nil:
			return fmt.Errorf("catch up listing %s: %w", id, err)
		default:
			loadedListing(l)
			n.put(l, match.Prepare(l))
		}
	}
	n.Logger.Info("index loaded from its snapshot", "listings", n.Index.Len(), "changed_since", len(ids),
		"snapshot_written", meta.Written, "took", time.Since(t0).Round(time.Millisecond))
	if n.OnListing != nil {
		var linksCtx context.Context
		linksCtx, n.snapCancel = context.WithCancel(context.Background())
		n.snapWG.Add(1)
		go func() {
			defer n.snapWG.Done()
			n.snapshotLinks(linksCtx)
		}()
	}
	if len(ids) > rewriteAfter {
		n.writeSnapshotLater(dir, build, head, false, false)
	}
	return nil
}

// snapshotLinks gives link analysis the links of the listings mapped from
// the snapshot (their phones, emails, addresses and documents), behind
// the ready node: half a million listings with a passport take half a
// minute, which a start should not wait for. A listing changed meanwhile
// was given its links by the change, and is left alone here.
func (n *Node) snapshotLinks(ctx context.Context) {
	t0, count := time.Now(), 0
	for from := uint32(0); ctx.Err() == nil; {
		ls, slots, next := n.Index.Light(from, 1000)
		for i, l := range ls {
			if len(l.Phones)+len(l.Emails)+len(l.Addresses)+len(l.Documents) == 0 {
				continue
			}
			n.mu.Lock() // as put: a change of l waits, or went first
			if n.Index.Unchanged(slots[i], l) {
				n.onListing(l)
				count++
			}
			n.mu.Unlock()
		}
		if next == 0 {
			n.Logger.Info("links of the snapshot's listings loaded", "listings", count, "took", time.Since(t0).Round(time.Millisecond))
			// The derivation's garbage is about the links' own size.
			debug.FreeOSMemory()
			return
		}
		from = next
	}
}

// loadFull loads the index from the store and packs its postings.
func (n *Node) loadFull(ctx context.Context) error {
	if err := n.loadListings(ctx); err != nil {
		return err
	}
	// Postings into flat arrays (half their memory, nothing for the GC to
	// scan).
	n.Index.Compact()
	return nil
}

// loadedListing makes a stored listing as the index holds it.
func loadedListing(l *tripline.Listing) {
	if l.Action == "" {
		l.Action = tripline.ActionReport // a partner's screen-only listing
	}
}

// writeSnapshotLater writes the index snapshot in the background, as of
// listing change head, then drops the changes it makes unneeded. When
// erased is set the old snapshot holds what a retention pass erased: if no
// new one can be written, the old one is removed (the next start loads the
// store). When swap is set the index, loaded in full on the Go heap, is
// then replaced by the snapshot just written (swapToSnapshot).
func (n *Node) writeSnapshotLater(dir, build string, head int64, erased, swap bool) {
	n.snapWG.Add(1)
	go func() {
		defer n.snapWG.Done()
		t0 := time.Now()
		path := filepath.Join(dir, SnapshotFile)
		failed := func(err error) {
			n.Logger.Error("write index snapshot", "err", err)
			if erased {
				if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
					n.Logger.Error("remove the index snapshot holding erased listings", "file", path, "err", err)
				}
			}
		}
		changes := sqlstore.NewListingChanges(n.DB)
		at, err := changes.At(context.Background(), head)
		if err != nil {
			failed(err)
			return
		}
		meta := match.SnapshotMeta{Build: build, Origin: n.StoreID, Changes: head, ChangeAt: at}
		if err := writeSnapshot(n.Index, path, meta); err != nil {
			failed(err)
			return
		}
		n.Logger.Info("index snapshot written", "listings", n.Index.Len(), "took", time.Since(t0).Round(time.Millisecond))
		if swap {
			// Before the prune below: the swap catches up from head.
			if err := n.swapToSnapshot(context.Background(), path, build, head); err != nil {
				n.Logger.Warn("index kept on the heap: its snapshot not mapped", "file", path, "reason", err)
			}
		}
		through := head
		if n.DB.Dialect().Name() != "sqlite" {
			// A server's store is shared by the writer and its replicas,
			// each with a snapshot of its own: keep the changes the others'
			// older snapshots may still catch up from (past catchUpMax a
			// full load is quicker anyway).
			through = head - catchUpMax
		}
		if err := changes.Prune(context.Background(), through); err != nil {
			n.Logger.Warn("prune listing changes", "err", err)
		}
	}()
}

// rewriteSnapshot rewrites the index snapshot from the index, after a
// retention pass trimmed listings (a rejected tip's, an erased
// diffusion's): the index no longer holds them, the old snapshot still
// did. It is written as of the change the index was loaded at, a change it
// reflects at least; the next start re-reads what changed since, as it
// would from the old one. The pass's own changes were applied as they
// committed (the store publishes to the node in-process). It costs a
// snapshot's write (every listing encoded and written), at most once per
// retention pass that erased a tip or a diffusion.
func (n *Node) rewriteSnapshot() {
	if n.Build == "" || n.snapDir == "" {
		return // no snapshot kept (tests)
	}
	n.writeSnapshotLater(n.snapDir, n.Build, n.snapHead, true, false)
}

// swapToSnapshot puts the snapshot at path, written as of listing change
// head, in the place of an index loaded in full: on the heap a million
// listings hold 3 GB until the next start, mapped from their snapshot a
// fifth of that. The changes since head, applied to the old index as they
// came, are re-read from the store onto the new one under n.mu, so that no
// put interleaves; a put still waiting for n.mu then finds the store's
// version in the new index, and applies only if it is not older.
func (n *Node) swapToSnapshot(ctx context.Context, path, build string, head int64) error {
	t0 := time.Now()
	ix, _, err := match.LoadSnapshot(path, match.SnapshotMeta{Build: build, Origin: n.StoreID}, match.Options{})
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	ids, err := sqlstore.NewListingChanges(n.DB).Since(ctx, head, catchUpMax)
	if err != nil {
		return err
	}
	if len(ids) > catchUpMax {
		return fmt.Errorf("more than %d listings changed since it was begun", catchUpMax)
	}
	for _, id := range ids {
		l, err := n.Listings.Listing(ctx, id)
		switch {
		case errors.Is(err, tripline.ErrNotFound) || tripline.ErrorCode(err) == tripline.ENOTFOUND:
			ix.Remove(id)
		case err != nil:
			return fmt.Errorf("catch up listing %s: %w", id, err)
		default:
			loadedListing(l)
			if l.Status != "" && l.Status != tripline.StatusActive {
				n.versions[l.ID] = l.Version // as put keeps it
			}
			ix.Put(match.Prepare(l)) // drops a listing no longer active
		}
	}
	n.Index.Replace(ix)
	n.Logger.Info("index swapped to its snapshot", "listings", n.Index.Len(), "changed_since", len(ids), "took", time.Since(t0).Round(time.Millisecond))
	// The heap index is garbage now: give its memory back at once rather
	// than when the runtime's scavenger gets to it.
	debug.FreeOSMemory()
	return nil
}

// writeSnapshot writes ix to path durably: a temporary file, synced, then
// renamed over the old one, so that a crash leaves the old or the new.
func writeSnapshot(ix *match.Index, path string, meta match.SnapshotMeta) error {
	f, err := os.CreateTemp(filepath.Dir(path), SnapshotFile+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // gone after the rename
	if err := ix.WriteSnapshot(f, meta); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
