package sqlstore

import (
	"context"
	"errors"
	"fmt"
)

// ErrChangesPruned says the changes asked for were pruned: whatever was
// to be brought up to date with them is rebuilt instead.
var ErrChangesPruned = errors.New("listing changes pruned")

// ListingChanges reads the ids of changed listings (migration 0030 of
// each engine): every insert, update or delete of a listing row adds one,
// in commit order (writers hold the store's write lock), so that an index
// snapshot of change c is brought up to date by re-reading the listings
// changed after c. On PostgreSQL, the writer and its replicas share it.
type ListingChanges struct {
	db *DB
}

// NewListingChanges returns the listing change log of db.
func NewListingChanges(db *DB) *ListingChanges { return &ListingChanges{db: db} }

// Head returns the number of the last committed change (0 for none):
// everything up to it is committed. The last change is never pruned, so
// the highest number left is the head (a sequence's counter would count a
// writer's change not yet committed).
func (c *ListingChanges) Head(ctx context.Context) (int64, error) {
	var head int64
	err := c.db.SQL().QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM listing_changes`).Scan(&head)
	if err != nil {
		return 0, fmt.Errorf("listing change head: %w", err)
	}
	return head, nil
}

// Since returns the distinct ids of the listings changed after change
// after, up to limit+1 of them (more than limit means: too many to catch
// up one by one); ErrChangesPruned when some of those changes are gone.
func (c *ListingChanges) Since(ctx context.Context, after int64, limit int) ([]string, error) {
	var pruned int64
	if err := c.db.SQL().QueryRowContext(ctx, `SELECT pruned_through FROM listing_changes_pruned`).Scan(&pruned); err != nil {
		return nil, fmt.Errorf("listing changes pruned: %w", err)
	}
	if after < pruned {
		return nil, fmt.Errorf("listing changes after %d: pruned through %d: %w", after, pruned, ErrChangesPruned)
	}
	rows, err := c.db.SQL().QueryContext(ctx, `SELECT DISTINCT id FROM listing_changes WHERE seq > ? LIMIT ?`, after, limit+1)
	if err != nil {
		return nil, fmt.Errorf("listing changes after %d: %w", after, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// At returns the listing id of change seq ("" for change 0).
func (c *ListingChanges) At(ctx context.Context, seq int64) (string, error) {
	if seq == 0 {
		return "", nil
	}
	var id string
	if err := c.db.SQL().QueryRowContext(ctx, `SELECT id FROM listing_changes WHERE seq = ?`, seq).Scan(&id); err != nil {
		return "", fmt.Errorf("listing change %d: %w", seq, err)
	}
	return id, nil
}

// Check returns an error unless this store's change seq is of listing id:
// a snapshot of change seq of another store, or of this store before it
// was restored from an older backup, is not brought up to date from here.
func (c *ListingChanges) Check(ctx context.Context, seq int64, id string) error {
	head, err := c.Head(ctx)
	if err != nil {
		return err
	}
	if seq > head {
		return fmt.Errorf("snapshot of listing change %d, the store is at %d: %w", seq, head, ErrChangesPruned)
	}
	got, err := c.At(ctx, seq)
	if err != nil || got != id {
		return fmt.Errorf("snapshot of listing change %d (%q), the store's is %q: %w", seq, id, got, ErrChangesPruned)
	}
	return nil
}

// Prune drops the changes before through: a snapshot of change through
// (or later) was written and no older one is needed. Change through
// itself stays, for Check, and so does the head however far through is.
func (c *ListingChanges) Prune(ctx context.Context, through int64) error {
	tx, err := c.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var head int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM listing_changes`).Scan(&head); err != nil {
		return fmt.Errorf("prune listing changes: %w", err)
	}
	through = min(through, head)
	if _, err := tx.ExecContext(ctx, `DELETE FROM listing_changes WHERE seq < ?`, through); err != nil {
		return fmt.Errorf("prune listing changes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE listing_changes_pruned SET pruned_through = ? WHERE pruned_through < ?`, through, through); err != nil {
		return fmt.Errorf("prune listing changes: %w", err)
	}
	return tx.Commit()
}
