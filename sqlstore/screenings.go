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
	// rows are encounters read from a record as rows ready to store
	// (complete ones: see AppendBinary), besides Encounters.
	rows []encounterRow
}

// The screening journal's record forms: the binary form of AppendBinary
// (V2 since 2026-12-04; V1 kept each encounter's JSON alone), and
// ScreeningWrites' JSON, which earlier builds wrote and which starts with
// '{'. All three are read.
const (
	screeningRecordV1 = 1
	screeningRecordV2 = 2
)

// An encounter in a V2 record is either its JSON alone, completed and
// encoded again when applied, or, when it is complete already
// (encounterComplete), its row's columns and its JSON, stored as they are.
const (
	encounterJSON = 0
	encounterRowV = 1
)

// encounterComplete reports whether NewEncounter would leave e as it is:
// its JSON is then what the store keeps, byte for byte.
func encounterComplete(e *tripline.Encounter) bool {
	return e.ID != "" && e.Outcome != "" && !e.At.IsZero() && !e.UpdatedAt.IsZero() && e.Node != "" && e.AckDue != nil && e.Erased == nil
}

// AppendBinary appends w's screening journal record to b: the version
// byte; the traveller's stored form (encodeSeen, length-prefixed, empty
// for none) and the time it was seen; the number of encounters and each
// one: a form byte, then its row's columns when it is complete (the
// node's, completed when journaled), and its JSON, length-prefixed.
// Encounters, a few in a hundred screenings, keep their JSON; the
// traveller, in every screening, does not. The applier stores a complete
// encounter's row without decoding its JSON or encoding it again.
func (w *ScreeningWrites) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, screeningRecordV2)
	if w.Seen != nil && w.Seen.Traveller != nil {
		b = appendStr(b, encodeSeen(w.Seen.Traveller))
		b = appendTime(b, w.Seen.At)
	} else {
		b = appendStr(b, "")
	}
	b = binary.AppendUvarint(b, uint64(len(w.Encounters)+len(w.rows)))
	for _, e := range w.Encounters {
		if !encounterComplete(e) {
			j, err := json.Marshal(e)
			if err != nil {
				return nil, fmt.Errorf("encode encounter: %w", err)
			}
			b = appendStr(append(b, encounterJSON), j)
			continue
		}
		r, err := newEncounterRow(e)
		if err != nil {
			return nil, err
		}
		b = appendRow(b, r)
	}
	for _, r := range w.rows {
		b = appendRow(b, r)
	}
	return b, nil
}

func appendRow(b []byte, r encounterRow) []byte {
	b = append(b, encounterRowV)
	for _, c := range [...]string{r.id, r.originator, r.listing, r.outcome, r.at, r.action, r.ackOpen} {
		b = appendStr(b, c)
	}
	return appendStr(b, r.body)
}

func cutRow(b []byte) (r encounterRow, rest []byte, ok bool) {
	for _, c := range [...]*string{&r.id, &r.originator, &r.listing, &r.outcome, &r.at, &r.action, &r.ackOpen} {
		if *c, b, ok = cutStr(b); !ok {
			return r, nil, false
		}
	}
	r.body, b, ok = cutBytes(b)
	return r, b, ok
}

var errScreeningRecord = errors.New("damaged screening journal record")

// UnmarshalBinary reads a record AppendBinary wrote, or the JSON of a
// record an earlier build wrote, into w.
func (w *ScreeningWrites) UnmarshalBinary(b []byte) error {
	*w = ScreeningWrites{}
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, w)
	}
	if len(b) == 0 || b[0] != screeningRecordV1 && b[0] != screeningRecordV2 {
		return errScreeningRecord
	}
	v2 := b[0] == screeningRecordV2
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
	for range n {
		if v2 {
			if len(b) == 0 || b[0] != encounterJSON && b[0] != encounterRowV {
				return errScreeningRecord
			}
			if b[0] == encounterRowV {
				var r encounterRow
				if r, b, ok = cutRow(b[1:]); !ok {
					return errScreeningRecord
				}
				w.rows = append(w.rows, r)
				continue
			}
			b = b[1:]
		}
		var j []byte
		if j, b, ok = cutBytes(b); !ok {
			return errScreeningRecord
		}
		e := new(tripline.Encounter)
		if err := json.Unmarshal(j, e); err != nil {
			return fmt.Errorf("encounter: %w", err)
		}
		w.Encounters = append(w.Encounters, e)
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
	var rows []encounterRow
	for _, w := range ws {
		if w.Seen != nil {
			seen = append(seen, *w.Seen)
		}
		for _, e := range w.Encounters {
			r, err := newEncounterRow((&EncounterService{db: s.db}).NewEncounter(e, tx.now))
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		rows = append(rows, w.rows...)
	}
	if err := insertEncounterRows(ctx, tx, rows); err != nil {
		return err
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
