package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tripline"
)

// ScreeningLog applies the writes of screenings, taken from a node's
// screening journal, to the store: many screenings per transaction, with
// the journal position they reach, so that each is applied exactly once
// even when the node was killed between the journal and the store.
type ScreeningLog struct{ db *DB }

// NewScreeningLog returns a ScreeningLog on db.
func NewScreeningLog(db *DB) *ScreeningLog { return &ScreeningLog{db: db} }

// ScreeningWrites are the writes of one screening: the screened traveller
// (for retro-screening, nil for none) and the encounters of its hits and
// reviews, completed by EncounterService.NewEncounter.
type ScreeningWrites struct {
	Seen       *Seen                 `json:"seen,omitempty"`
	Encounters []*tripline.Encounter `json:"encounters,omitempty"`
}

// Applied returns the last journal position applied for journal name (0
// for none).
func (s *ScreeningLog) Applied(ctx context.Context, name string) (uint64, error) {
	var seq int64
	err := s.db.db.QueryRowContext(ctx, `SELECT seq FROM journal_applied WHERE name = ?`, name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("journal position: %w", err)
	}
	return uint64(seq), nil
}

// Apply stores ws in one transaction (travellers, encounters and their
// events) and moves journal name's applied position to upTo.
func (s *ScreeningLog) Apply(ctx context.Context, name string, upTo uint64, ws []*ScreeningWrites) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var seen []Seen
	for _, w := range ws {
		if w.Seen != nil {
			seen = append(seen, *w.Seen)
		}
		for _, e := range w.Encounters {
			if _, err := insertEncounter(ctx, tx, e); err != nil {
				return err
			}
		}
	}
	if err := saveTravellers(ctx, tx, seen); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO journal_applied (name, seq) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET seq = excluded.seq`, name, int64(upTo)); err != nil {
		return fmt.Errorf("journal position: %w", err)
	}
	return tx.Commit()
}
