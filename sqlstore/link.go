package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"

	"tripline"
	"tripline/network"
)

// LinkStore keeps the network links that are not derived from listings
// (PNRGOV, PAXLST, analysts' input), so that a restart loses none. Links
// from listings are rebuilt from the listings themselves. Each write also
// logs the sources it changed, so that a server follows what other
// processes import into the same file (network.LinkLog).
type LinkStore struct {
	db     *DB
	writer string // this store's token in link_changes
}

var _ network.LinkLog = (*LinkStore)(nil)

// NewLinkStore returns a LinkStore on db.
func NewLinkStore(db *DB) *LinkStore {
	var b [8]byte
	rand.Read(b[:])
	return &LinkStore{db: db, writer: hex.EncodeToString(b[:])}
}

// logChange records, inside the write's transaction, that source changed.
func (s *LinkStore) logChange(ctx context.Context, tx *Tx, sources ...string) error {
	st, err := tx.stmt(ctx, `INSERT INTO link_changes (source, writer, at) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, src := range sources {
		if _, err := st.ExecContext(ctx, src, s.writer, formatTime(tx.now)); err != nil {
			return fmt.Errorf("log link change: %w", err)
		}
	}
	return nil
}

// LinkHead returns the sequence number of the newest change, 0 for none.
func (s *LinkStore) LinkHead(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM link_changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("link head: %w", err)
	}
	return seq, nil
}

// LinkChanges returns the sources that other LinkStores changed after
// sequence number after, each once, and the newest sequence number read.
func (s *LinkStore) LinkChanges(ctx context.Context, after int64) ([]string, int64, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT seq, source, writer FROM link_changes WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return nil, after, fmt.Errorf("link changes: %w", err)
	}
	defer rows.Close()
	last, seen := after, map[string]bool{}
	var sources []string
	for rows.Next() {
		var src, writer string
		if err := rows.Scan(&last, &src, &writer); err != nil {
			return nil, after, fmt.Errorf("scan link change: %w", err)
		}
		if writer != s.writer && !seen[src] {
			seen[src] = true
			sources = append(sources, src)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, after, err
	}
	return sources, last, nil
}

// SourceLinks calls fn for every stored link of source.
func (s *LinkStore) SourceLinks(ctx context.Context, source string, fn func(network.Link)) error {
	return s.each(ctx, `WHERE source = ?`, []any{source}, fn)
}

// SaveLinks upserts links in one transaction: a link equal to a stored one
// in its ends, type, source and listing has its time and weight replaced,
// as network.MemStore does. An invalid link fails the whole call with
// EINVALID naming its index; nothing is stored then.
func (s *LinkStore) SaveLinks(ctx context.Context, links []network.Link) error {
	if len(links) == 0 {
		return nil
	}
	for i, l := range links {
		if err := l.Validate(); err != nil {
			return tripline.Errorf(tripline.EINVALID, "links[%d].%s", i, tripline.ErrorMessage(err))
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := saveLinks(ctx, tx, links); err != nil {
		return err
	}
	var sources []string
	for _, l := range links {
		if !slices.Contains(sources, l.Source) {
			sources = append(sources, l.Source)
		}
	}
	if err := s.logChange(ctx, tx, sources...); err != nil {
		return err
	}
	return tx.Commit()
}

// ReplaceLinks makes links the whole of source in one transaction: the
// next PNR push for a flight replaces the last one's links, so that a
// cancelled booking's links go with it. Invalid links fail the call with
// EINVALID and change nothing.
func (s *LinkStore) ReplaceLinks(ctx context.Context, source string, links []network.Link) error {
	for i, l := range links {
		if err := l.Validate(); err != nil {
			return tripline.Errorf(tripline.EINVALID, "links[%d].%s", i, tripline.ErrorMessage(err))
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE source = ?`, source); err != nil {
		return fmt.Errorf("replace links of %q: %w", source, err)
	}
	if err := saveLinks(ctx, tx, links); err != nil {
		return err
	}
	if err := s.logChange(ctx, tx, source); err != nil {
		return err
	}
	return tx.Commit()
}

func saveLinks(ctx context.Context, tx *Tx, links []network.Link) error {
	st, err := tx.stmt(ctx, `INSERT INTO links (from_kind, from_key, to_kind, to_key, type, source, listing, at, weight)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (from_kind, from_key, to_kind, to_key, type, source, listing)
		DO UPDATE SET at = excluded.at, weight = excluded.weight`)
	if err != nil {
		return err
	}
	for _, l := range links {
		at := ""
		if !l.At.IsZero() {
			at = formatTime(l.At)
		}
		if _, err := st.ExecContext(ctx, string(l.From.Kind), l.From.Key, string(l.To.Kind), l.To.Key,
			l.Type, l.Source, l.Listing, at, l.Weight); err != nil {
			return fmt.Errorf("store link %s: %w", l, err)
		}
	}
	return nil
}

// RemoveLinksBySource deletes every link of source and returns how many.
func (s *LinkStore) RemoveLinksBySource(ctx context.Context, source string) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM links WHERE source = ?`, source)
	if err != nil {
		return 0, fmt.Errorf("remove links of %q: %w", source, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if err := s.logChange(ctx, tx, source); err != nil {
		return 0, err
	}
	return int(n), tx.Commit()
}

// Links calls fn for every stored link, in primary-key order. It stops at
// the first read error or when ctx is cancelled.
func (s *LinkStore) Links(ctx context.Context, fn func(network.Link)) error {
	return s.each(ctx, "", nil, fn)
}

func (s *LinkStore) each(ctx context.Context, where string, args []any, fn func(network.Link)) error {
	rows, err := s.db.db.QueryContext(ctx, `SELECT from_kind, from_key, to_kind, to_key, type, source, listing, at, weight
		FROM links `+where+` ORDER BY from_kind, from_key, to_kind, to_key, type, source, listing`, args...)
	if err != nil {
		return fmt.Errorf("query links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l network.Link
		var fk, tk, at string
		if err := rows.Scan(&fk, &l.From.Key, &tk, &l.To.Key, &l.Type, &l.Source, &l.Listing, &at, &l.Weight); err != nil {
			return fmt.Errorf("scan link: %w", err)
		}
		l.From.Kind, l.To.Kind = network.EntityKind(fk), network.EntityKind(tk)
		if at != "" {
			if l.At, err = parseTime(at); err != nil {
				return fmt.Errorf("link time %q: %w", at, err)
			}
		}
		fn(l)
	}
	return rows.Err()
}
