package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"tripline"
)

// TravellerLog keeps screened travellers for the retention window.
type TravellerLog struct{ db *DB }

// NewTravellerLog returns a TravellerLog on db.
func NewTravellerLog(db *DB) *TravellerLog { return &TravellerLog{db: db} }

// Seen is one screened traveller and when.
type Seen struct {
	Traveller *tripline.Traveller `json:"t"`
	At        time.Time           `json:"at"`
}

// Save stores a batch of screened travellers in one transaction: screening
// hands them over in batches so that a busy border does not pay one commit
// per traveller.
func (s *TravellerLog) Save(ctx context.Context, batch []Seen) error {
	if len(batch) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := saveTravellers(ctx, tx, batch); err != nil {
		return err
	}
	return tx.Commit()
}

func saveTravellers(ctx context.Context, tx *Tx, batch []Seen) error {
	if len(batch) == 0 {
		return nil
	}
	st, err := tx.stmt(ctx, `INSERT INTO travellers (at, body) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	for _, x := range batch {
		body, err := json.Marshal(x.Traveller)
		if err != nil {
			return fmt.Errorf("encode traveller: %w", err)
		}
		if _, err := st.ExecContext(ctx, formatTime(x.At), body); err != nil {
			return fmt.Errorf("store traveller: %w", err)
		}
	}
	return nil
}

// Purge deletes travellers seen before cut and returns how many.
func (s *TravellerLog) Purge(ctx context.Context, cut time.Time) (int64, error) {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM travellers WHERE at < ?`, formatTime(cut))
	if err != nil {
		return 0, fmt.Errorf("purge travellers: %w", err)
	}
	return res.RowsAffected()
}

// Each calls fn for every traveller seen at or after since, oldest first.
func (s *TravellerLog) Each(ctx context.Context, since time.Time, fn func(Seen)) error {
	rows, err := s.db.db.QueryContext(ctx, `SELECT at, body FROM travellers WHERE at >= ? ORDER BY at, id`, formatTime(since))
	if err != nil {
		return fmt.Errorf("query travellers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at string
		var body []byte
		if err := rows.Scan(&at, &body); err != nil {
			return fmt.Errorf("scan traveller: %w", err)
		}
		var t tripline.Traveller
		if err := json.Unmarshal(body, &t); err != nil {
			return fmt.Errorf("decode traveller: %w", err)
		}
		ts, err := parseTime(at)
		if err != nil {
			return fmt.Errorf("traveller time %q: %w", at, err)
		}
		fn(Seen{Traveller: &t, At: ts})
	}
	return rows.Err()
}
