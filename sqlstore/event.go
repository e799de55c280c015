package sqlstore

import (
	"context"
	"database/sql"
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
		range_from, range_chain, drops, ignored FROM events WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?`, origin, after, limit)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Event
	for rows.Next() {
		var ev tripline.Event
		var typ, at, omitted, drops string
		var payload, sig []byte
		if err := rows.Scan(&ev.Origin, &ev.Seq, &typ, &ev.Subject, &payload, &at, &sig, &omitted, &ev.Via, &ev.Chain, &ev.Digest, &ev.Redacted,
			&ev.RangeFrom, &ev.RangeChain, &drops, &ev.Ignored); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		if drops != "" {
			if err := json.Unmarshal([]byte(drops), &ev.Drops); err != nil {
				return nil, fmt.Errorf("event %s/%d: bad range drops: %w", ev.Origin, ev.Seq, err)
			}
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
