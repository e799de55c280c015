package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"tripline"
)

// ImportPublished is ImportListings for a published list (UN, OFAC) of
// publication time version (zero: unknown): in the same transaction the
// version is judged against the copy held (tripline.CheckListImport; an
// older copy is ECONFLICT unless force) and recorded. Another source is
// imported as ImportListings would.
func (s *ListingService) ImportPublished(ctx context.Context, source string, version time.Time, force bool,
	ls iter.Seq2[*tripline.Listing, error]) (*tripline.ImportSummary, error) {
	if !tripline.IsPublishedSource(source) {
		return s.ImportListings(ctx, source, ls)
	}
	return listingKind.importAll(ctx, s.db, source, ls, func(ctx context.Context, tx *Tx) error {
		held, err := listVersion(ctx, tx.Tx, source)
		if err != nil {
			return err
		}
		if err := tripline.CheckListImport(source, version, held, force); err != nil {
			return err
		}
		forced := held != nil && version.Before(held.Version)
		_, err = tx.ExecContext(ctx, `INSERT INTO list_versions (source, version, imported_at, forced) VALUES (?, ?, ?, ?)
			ON CONFLICT (source) DO UPDATE SET version = excluded.version, imported_at = excluded.imported_at, forced = excluded.forced`,
			source, formatTime(version), formatTime(tx.now), forced)
		if err != nil {
			return fmt.Errorf("record list version %s: %w", source, err)
		}
		return nil
	})
}

// ListVersion returns the version of published list source held, nil when
// none is recorded.
func (s *ListingService) ListVersion(ctx context.Context, source string) (*tripline.ListVersion, error) {
	return listVersion(ctx, s.db.db, source)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func listVersion(ctx context.Context, q queryRower, source string) (*tripline.ListVersion, error) {
	v := &tripline.ListVersion{Source: source}
	var version, at string
	err := q.QueryRowContext(ctx, `SELECT version, imported_at, forced FROM list_versions WHERE source = ?`, source).Scan(&version, &at, &v.Forced)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load list version %s: %w", source, err)
	}
	v.Version, _ = parseTime(version)
	v.ImportedAt, _ = parseTime(at)
	return v, nil
}
