package sqlstore

import (
	"context"
	"fmt"
	"strings"
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
	// body is Traveller's stored form (encodeSeen) when it came from a
	// binary journal record: stored as it is, not encoded again.
	body []byte
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

// travellerRows is how many travellers one insert statement takes: the
// screening journal's applier stores a few hundred at a time, and the
// driver's cost per statement (binding, stepping, a goroutine watching
// the context) is then paid once per travellerRows.
const travellerRows = 32

var insertTravellerRows = `INSERT INTO travellers (at, body) VALUES ` + strings.TrimSuffix(strings.Repeat(`(?, ?), `, travellerRows), ", ")

func saveTravellers(ctx context.Context, tx *Tx, batch []Seen) error {
	args := make([]any, 0, 2*min(len(batch), travellerRows))
	for len(batch) > 0 {
		query, k := insertTravellerRows, travellerRows
		if len(batch) < travellerRows {
			query, k = `INSERT INTO travellers (at, body) VALUES (?, ?)`, 1
		}
		st, err := tx.stmt(ctx, query)
		if err != nil {
			return err
		}
		args = args[:0]
		for _, x := range batch[:k] {
			body := x.body
			if body == nil {
				body = encodeSeen(x.Traveller)
			}
			args = append(args, x.At.UnixNano(), body)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store traveller: %w", err)
		}
		batch = batch[k:]
	}
	return nil
}

// Purge deletes travellers seen before cut and returns how many.
func (s *TravellerLog) Purge(ctx context.Context, cut time.Time) (int64, error) {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM travellers WHERE at < ?`, cut.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("purge travellers: %w", err)
	}
	return res.RowsAffected()
}

// Each calls fn for every traveller seen at or after since, oldest first.
func (s *TravellerLog) Each(ctx context.Context, since time.Time, fn func(Seen)) error {
	rows, err := s.db.db.QueryContext(ctx, `SELECT at, body FROM travellers WHERE at >= ? ORDER BY at, id`, since.UnixNano())
	if err != nil {
		return fmt.Errorf("query travellers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at int64
		var body []byte
		if err := rows.Scan(&at, &body); err != nil {
			return fmt.Errorf("scan traveller: %w", err)
		}
		t, err := decodeSeen(body)
		if err != nil {
			return fmt.Errorf("traveller seen at %s: %w", seenTime(at).Format(time.RFC3339Nano), err)
		}
		fn(Seen{Traveller: t, At: seenTime(at)})
	}
	return rows.Err()
}
