package sqlite

import (
	"context"
	"fmt"

	"tripline"
	"tripline/network"
)

// LinkStore keeps the network links that are not derived from listings
// (PNRGOV, PAXLST, analysts' input), so that a restart loses none. Links
// from listings are rebuilt from the listings themselves.
type LinkStore struct{ db *DB }

// NewLinkStore returns a LinkStore on db.
func NewLinkStore(db *DB) *LinkStore { return &LinkStore{db: db} }

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
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM links WHERE source = ?`, source)
	if err != nil {
		return 0, fmt.Errorf("remove links of %q: %w", source, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Links calls fn for every stored link, in primary-key order. It stops at
// the first read error or when ctx is cancelled.
func (s *LinkStore) Links(ctx context.Context, fn func(network.Link)) error {
	rows, err := s.db.db.QueryContext(ctx, `SELECT from_kind, from_key, to_kind, to_key, type, source, listing, at, weight
		FROM links ORDER BY from_kind, from_key, to_kind, to_key, type, source, listing`)
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
