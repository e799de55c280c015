package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"tripline"
)

// Witness keeps a partner's audit checkpoint (tripline.AuditWitness): once
// per entry and hash, a contradicting one too, as the evidence the
// ECONFLICT it returns describes.
func (s *FederationStore) Witness(ctx context.Context, c *tripline.AuditCheckpoint) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var seen int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM witnessed_checkpoints WHERE node = ? AND seq = ? AND hash = ?`,
		c.Node, c.Seq, c.Hash).Scan(&seen); err != nil {
		return false, fmt.Errorf("witnessed checkpoint of %s: %w", c.Node, err)
	}
	if seen > 0 {
		return false, nil
	}
	// The kept checkpoint c is checked against: the one of the same
	// entry, else the newest.
	kept, err := scanWitnessed(tx.QueryRowContext(ctx, `SELECT `+witnessedColumns+` FROM witnessed_checkpoints
		WHERE node = ? ORDER BY seq = ? DESC, seq DESC LIMIT 1`, c.Node, c.Seq))
	if errors.Is(err, sql.ErrNoRows) {
		kept, err = nil, nil
	}
	if err != nil {
		return false, fmt.Errorf("witnessed checkpoint of %s: %w", c.Node, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO witnessed_checkpoints (node, seq, hash, at, sig, received) VALUES (?, ?, ?, ?, ?, ?)`,
		c.Node, c.Seq, c.Hash, formatTime(c.At), c.Sig, formatTime(tx.now)); err != nil {
		return false, fmt.Errorf("keep checkpoint %d of %s: %w", c.Seq, c.Node, err)
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, tripline.WitnessConflict(kept, c)
}

// Witnessed returns the checkpoints kept of node (tripline.AuditWitness):
// a page runs to the entry of its limit-th checkpoint, and takes all of
// that entry's.
func (s *FederationStore) Witnessed(ctx context.Context, node string, after int64, limit int) ([]*tripline.AuditCheckpoint, error) {
	q, args := `SELECT `+witnessedColumns+` FROM witnessed_checkpoints WHERE node = ? AND seq > ?`, []any{node, after}
	if limit > 0 {
		q += ` AND seq <= COALESCE((SELECT seq FROM witnessed_checkpoints WHERE node = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?), ?)`
		args = append(args, node, after, limit-1, int64(math.MaxInt64))
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY seq, received, hash`, args...)
	if err != nil {
		return nil, fmt.Errorf("witnessed checkpoints of %s: %w", node, err)
	}
	defer rows.Close()
	var out []*tripline.AuditCheckpoint
	for rows.Next() {
		c, err := scanWitnessed(rows)
		if err != nil {
			return nil, fmt.Errorf("witnessed checkpoints of %s: %w", node, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const witnessedColumns = `node, seq, hash, at, sig`

func scanWitnessed(row interface{ Scan(...any) error }) (*tripline.AuditCheckpoint, error) {
	var c tripline.AuditCheckpoint
	var at string
	if err := row.Scan(&c.Node, &c.Seq, &c.Hash, &at, &c.Sig); err != nil {
		return nil, err
	}
	t, err := parseTime(at)
	if err != nil {
		t = time.Time{} // fails its signature
	}
	c.At = t
	return &c, nil
}
