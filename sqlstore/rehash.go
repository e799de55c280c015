package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"tripline"
)

// codeMigrations are migrations written in Go, for data that SQL cannot
// recompute. They run in version order among the SQL files.
// SQLite's only: a PostgreSQL database starts at the schema they made.
func CodeMigrations() map[int]func(ctx context.Context, tx *sql.Tx) error {
	return map[int]func(ctx context.Context, tx *sql.Tx) error{
		8:  rehashContent,
		17: compactTravellers,
		49: openAcknowledgements,
	}
}

// rehashContent moves every stored content hash to the definition of
// 2026-11-25 (tripline.Listing.ContentHash, built from the field digests
// instead of a second encoding), and carries clearances over, so that an
// upgrade neither re-imports unchanged listings nor stops a cleared
// traveller again. Partners' records hold payload digests (64 hex digits,
// not 32) and stay as they are.
func rehashContent(ctx context.Context, tx *sql.Tx) error {
	if err := rehashKind(ctx, tx, listingKind); err != nil {
		return err
	}
	if err := rehashKind(ctx, tx, alertKind); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT body FROM clearances`)
	if err != nil {
		return fmt.Errorf("load clearances: %w", err)
	}
	var cs []*tripline.Clearance
	for rows.Next() {
		var body []byte
		c := new(tripline.Clearance)
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal(body, c); err != nil {
			rows.Close()
			return fmt.Errorf("decode clearance: %w", err)
		}
		cs = append(cs, c)
	}
	rows.Close()
	for _, c := range cs {
		l, err := listingKind.get(ctx, tx, c.Listing)
		if tripline.ErrorCode(err) == tripline.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if !tripline.RehashClearance(c, l) {
			continue
		}
		body, _ := json.Marshal(c)
		if _, err := tx.ExecContext(ctx, `UPDATE clearances SET body = ? WHERE id = ?`, body, c.ID); err != nil {
			return fmt.Errorf("rehash clearance %s: %w", c.ID, err)
		}
	}
	return nil
}

func rehashKind[T tripline.Record](ctx context.Context, tx *sql.Tx, k *kind[T]) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, e.payload, e.via FROM `+k.table+` r
		JOIN events e ON e.origin = r.ev_origin AND e.seq = r.ev_seq WHERE length(r.hash) = 32`)
	if err != nil {
		return fmt.Errorf("load %s: %w", k.table, err)
	}
	hashes := map[string]string{}
	for rows.Next() {
		var id, via string
		var body []byte
		if err := rows.Scan(&id, &body, &via); err != nil {
			rows.Close()
			return err
		}
		r, err := k.decodeVia(body, via)
		if err != nil {
			rows.Close()
			return err
		}
		hashes[id] = r.ContentHash()
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, h := range hashes {
		if _, err := tx.ExecContext(ctx, `UPDATE `+k.table+` SET hash = ? WHERE id = ?`, h, id); err != nil {
			return fmt.Errorf("rehash %s %s: %w", k.noun, id, err)
		}
	}
	return nil
}
