package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tripline"
)

// A screened traveller is stored compactly: every node keeps the
// travellers of its retention window (30 days by default, millions of
// rows) for retro-screening, so each costs what retro-screening and the
// retro-encounter read and no more. Version 1 holds, after its version
// byte, length-prefixed strings and then the birth date's three numbers:
//
//	ref, name (the full name), sex, nationality, document type, number,
//	country, travel direction, port, flight, date, seat, booking,
//	birth year, month, day, flags (1: crew)
//
// A row is about a third of the traveller's JSON, and its time is an
// integer (Unix nanoseconds) rather than text.
const seenV1 = 1

func encodeSeen(t *tripline.Traveller) []byte {
	b := make([]byte, 1, 96)
	b[0] = seenV1
	var doc tripline.Document
	if t.Document != nil {
		doc = *t.Document
	}
	var tr tripline.Travel
	if t.Travel != nil {
		tr = *t.Travel
	}
	for _, s := range []string{t.Ref, t.FullName(), string(t.Sex), t.Nationality, doc.Type, doc.Number, doc.Country,
		tr.Direction, tr.Port, tr.Flight, tr.Date, t.Seat, t.Booking} {
		b = appendStr(b, s)
	}
	var flags uint64
	if t.Crew {
		flags |= 1
	}
	for _, v := range []uint64{uint64(t.DOB.Year), uint64(t.DOB.Month), uint64(t.DOB.Day), flags} {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

var errSeenBody = errors.New("damaged traveller record")

func decodeSeen(b []byte) (*tripline.Traveller, error) {
	if len(b) == 0 || b[0] != seenV1 {
		return nil, errSeenBody
	}
	b = b[1:]
	var f [13]string
	var ok bool
	for i := range f {
		if f[i], b, ok = cutStr(b); !ok {
			return nil, errSeenBody
		}
	}
	var v [4]uint64
	for i := range v {
		if v[i], b, ok = cutUvarint(b); !ok {
			return nil, errSeenBody
		}
	}
	t := &tripline.Traveller{Ref: f[0], Name: f[1], Sex: tripline.Sex(f[2]), Nationality: f[3], Seat: f[11], Booking: f[12],
		DOB: tripline.PartialDate{Year: int(v[0]), Month: int(v[1]), Day: int(v[2])}, Crew: v[3]&1 != 0}
	if f[4] != "" || f[5] != "" || f[6] != "" {
		t.Document = &tripline.Document{Type: f[4], Number: f[5], Country: f[6]}
	}
	if f[7] != "" || f[8] != "" || f[9] != "" || f[10] != "" {
		t.Travel = &tripline.Travel{Direction: f[7], Port: f[8], Flight: f[9], Date: f[10]}
	}
	return t, nil
}

// compactTravellers is code migration 17: the travellers table moves to
// the compact rows above (integer times, binary bodies), and the table of
// the screening journal's applied position is created.
func compactTravellers(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `
-- How far a node's screening journal (screened travellers and encounters,
-- written to a file first and applied here in batches) has been applied:
-- moved in the same transaction as the rows, so a record is applied once.
CREATE TABLE journal_applied (
	name TEXT PRIMARY KEY,
	seq  INTEGER NOT NULL
);
CREATE TABLE travellers_v2 (
	id   INTEGER PRIMARY KEY,
	at   INTEGER NOT NULL, -- Unix nanoseconds
	body BLOB NOT NULL     -- encodeSeen
);`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT at, body FROM travellers ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO travellers_v2 (at, body) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	var olds []struct {
		at   int64
		body []byte
	}
	for rows.Next() {
		var at string
		var body []byte
		if err := rows.Scan(&at, &body); err != nil {
			return err
		}
		var t tripline.Traveller
		ts, err := parseTime(at)
		if err != nil || json.Unmarshal(body, &t) != nil {
			return fmt.Errorf("traveller stored at %q: undecodable", at)
		}
		olds = append(olds, struct {
			at   int64
			body []byte
		}{ts.UnixNano(), encodeSeen(&t)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, o := range olds {
		if _, err := ins.ExecContext(ctx, o.at, o.body); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE travellers;
ALTER TABLE travellers_v2 RENAME TO travellers;
CREATE INDEX travellers_at ON travellers (at);`)
	return err
}

// seenTime reads a stored traveller time.
func seenTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }
