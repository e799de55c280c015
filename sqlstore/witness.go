package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// Witnessed returns the checkpoints kept of node (tripline.AuditWitness).
func (s *FederationStore) Witnessed(ctx context.Context, node string, after int64, limit int) ([]*tripline.AuditCheckpoint, error) {
	q := `SELECT ` + witnessedColumns + ` FROM witnessed_checkpoints WHERE node = ? AND seq > ? ORDER BY seq, received, hash`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	out, err := s.witnessed(ctx, q, node, after)
	if err != nil || limit <= 0 || len(out) < limit {
		return out, err
	}
	// The rest of the last entry's: a page ends between entries.
	last := out[len(out)-1]
	rest, err := s.witnessed(ctx, `SELECT `+witnessedColumns+` FROM witnessed_checkpoints WHERE node = ? AND seq = ? ORDER BY received, hash`, node, last.Seq)
	if err != nil {
		return nil, err
	}
	for _, c := range rest {
		dup := false
		for _, o := range out {
			dup = dup || o.Seq == c.Seq && o.Hash == c.Hash
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *FederationStore) witnessed(ctx context.Context, q string, node string, seq int64) ([]*tripline.AuditCheckpoint, error) {
	rows, err := s.db.db.QueryContext(ctx, q, node, seq)
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
