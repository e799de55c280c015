package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"tripline"
)

// EventService reads the event log.
type EventService struct{ db *DB }

// NewEventService returns an EventService on db.
func NewEventService(db *DB) *EventService { return &EventService{db: db} }

var _ tripline.EventService = (*EventService)(nil)

// Events returns up to limit events of origin after seq, in order.
func (s *EventService) Events(ctx context.Context, origin string, after int64, limit int) ([]*tripline.Event, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT origin, seq, type, subject, payload, at, sig, omitted, via, chain, digest, redacted,
		range_from, range_chain, drops, ignored, salt_key, salts FROM events WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?`, origin, after, limit)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Event
	for rows.Next() {
		var ev tripline.Event
		var typ, at, omitted, drops, key, salts string
		var payload, sig []byte
		if err := rows.Scan(&ev.Origin, &ev.Seq, &typ, &ev.Subject, &payload, &at, &sig, &omitted, &ev.Via, &ev.Chain, &ev.Digest, &ev.Redacted,
			&ev.RangeFrom, &ev.RangeChain, &drops, &ev.Ignored, &key, &salts); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		if err := decodeDrops(drops, &ev); err != nil {
			return nil, err
		}
		if err := decodeSalts(key, salts, &ev); err != nil {
			return nil, err
		}
		ev.Type, ev.Payload, ev.Sig = tripline.EventType(typ), payload, sig
		if omitted != "" {
			if err := json.Unmarshal([]byte(omitted), &ev.Omitted); err != nil {
				return nil, fmt.Errorf("event %s/%d: bad omitted digests: %w", ev.Origin, ev.Seq, err)
			}
		}
		if ev.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("event %s/%d: bad time %q", ev.Origin, ev.Seq, at)
		}
		out = append(out, &ev)
	}
	return out, rows.Err()
}

// LastSeq returns the highest sequence number of origin, 0 when none.
func (s *EventService) LastSeq(ctx context.Context, origin string) (int64, error) {
	var n int64
	if err := s.db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE origin = ?`, origin).Scan(&n); err != nil {
		return 0, fmt.Errorf("last seq %s: %w", origin, err)
	}
	return n, nil
}

// ChainHead returns the sequence number and chain value of origin's last
// event held here (0 and "" when none).
func (s *EventService) ChainHead(ctx context.Context, origin string) (int64, string, error) {
	var seq int64
	var chain string
	err := s.db.db.QueryRowContext(ctx, `SELECT seq, chain FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1`, origin).Scan(&seq, &chain)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	} else if err != nil {
		return 0, "", fmt.Errorf("chain head %s: %w", origin, err)
	}
	return seq, chain, nil
}

// signedDrops is how the drops column holds a range's drops with its
// origin's signature of them; drops without one are a plain JSON array.
type signedDrops struct {
	Refs []tripline.EventRef `json:"refs"`
	Sig  []byte              `json:"sig"`
}

// encodeDrops returns the drops column of ev ("" for none).
func encodeDrops(ev *tripline.Event) string {
	var b []byte
	switch {
	case len(ev.Drops) == 0:
		return ""
	case len(ev.DropsSig) > 0:
		b, _ = json.Marshal(signedDrops{Refs: ev.Drops, Sig: ev.DropsSig})
	default:
		b, _ = json.Marshal(ev.Drops)
	}
	return string(b)
}

// decodeDrops reads the drops column into ev.
func decodeDrops(col string, ev *tripline.Event) error {
	var err error
	switch {
	case col == "":
	case col[0] == '{':
		var sd signedDrops
		if err = json.Unmarshal([]byte(col), &sd); err == nil {
			ev.Drops, ev.DropsSig = sd.Refs, sd.Sig
		}
	default:
		err = json.Unmarshal([]byte(col), &ev.Drops)
	}
	if err != nil {
		return fmt.Errorf("event %s/%d: bad range drops: %w", ev.Origin, ev.Seq, err)
	}
	return nil
}

// encodeSalts returns the salt_key and salts columns of ev ("" for none):
// the key of this node's own event, the salts a partner's event carries.
func encodeSalts(ev *tripline.Event) (key, salts string) {
	if len(ev.Salts) > 0 {
		b, _ := json.Marshal(ev.Salts)
		salts = string(b)
	}
	return hex.EncodeToString(ev.SaltKey), salts
}

// decodeSalts reads the salt_key and salts columns into ev.
func decodeSalts(key, salts string, ev *tripline.Event) error {
	var err error
	if key != "" {
		ev.SaltKey, err = hex.DecodeString(key)
	}
	if err == nil && salts != "" {
		err = json.Unmarshal([]byte(salts), &ev.Salts)
	}
	if err != nil {
		return fmt.Errorf("event %s/%d: bad salts: %w", ev.Origin, ev.Seq, err)
	}
	return nil
}
