package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
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

// screeningRecordV1 starts a screening journal record in the binary form
// of AppendBinary; earlier builds wrote ScreeningWrites' JSON, which
// starts with '{' and is still read.
const screeningRecordV1 = 1

// AppendBinary appends w's screening journal record to b: the version
// byte; the traveller's stored form (encodeSeen, length-prefixed, empty
// for none) and the time it was seen; the number of encounters and each
// one's JSON, length-prefixed. Encounters, a few in a hundred screenings,
// keep their JSON; the traveller, in every screening, does not.
func (w *ScreeningWrites) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, screeningRecordV1)
	if w.Seen != nil && w.Seen.Traveller != nil {
		b = appendStr(b, encodeSeen(w.Seen.Traveller))
		b = appendTime(b, w.Seen.At)
	} else {
		b = appendStr(b, "")
	}
	b = binary.AppendUvarint(b, uint64(len(w.Encounters)))
	for _, e := range w.Encounters {
		j, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode encounter: %w", err)
		}
		b = appendStr(b, j)
	}
	return b, nil
}

var errScreeningRecord = errors.New("damaged screening journal record")

// UnmarshalBinary reads a record AppendBinary wrote, or the JSON of a
// record an earlier build wrote, into w.
func (w *ScreeningWrites) UnmarshalBinary(b []byte) error {
	*w = ScreeningWrites{}
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, w)
	}
	if len(b) == 0 || b[0] != screeningRecordV1 {
		return errScreeningRecord
	}
	body, b, ok := cutBytes(b[1:])
	if !ok {
		return errScreeningRecord
	}
	if len(body) > 0 {
		t, err := decodeSeen(body)
		if err != nil {
			return err
		}
		w.Seen = &Seen{Traveller: t, body: body}
		if w.Seen.At, b, ok = cutTime(b); !ok {
			return errScreeningRecord
		}
	}
	n, b, ok := cutUvarint(b)
	if !ok || n > uint64(len(b)) {
		return errScreeningRecord
	}
	w.Encounters = make([]*tripline.Encounter, n)
	for i := range w.Encounters {
		var j []byte
		if j, b, ok = cutBytes(b); !ok {
			return errScreeningRecord
		}
		w.Encounters[i] = new(tripline.Encounter)
		if err := json.Unmarshal(j, w.Encounters[i]); err != nil {
			return fmt.Errorf("encounter: %w", err)
		}
	}
	if len(b) > 0 {
		return errScreeningRecord
	}
	return nil
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
