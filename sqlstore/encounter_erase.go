package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"tripline"
)

// eraseBatch bounds one erasure transaction, so the write lock is held
// briefly even when a first run after an upgrade has years to erase.
const eraseBatch = 100

// EraseEncounters erases the traveller's identity from every resolved
// encounter past r (tripline.EncounterRetention), at the store's clock: in
// the encounter, and in each of its events, trimmed to digests so the
// chain and the signatures still verify.
func (s *EncounterService) EraseEncounters(ctx context.Context, r tripline.EncounterRetention) (int, error) {
	total := 0
	for {
		n, err := s.eraseBatch(ctx, r)
		total += n
		if err != nil || n < eraseBatch {
			return total, err
		}
	}
}

func (s *EncounterService) eraseBatch(ctx context.Context, r tripline.EncounterRetention) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	fp, resolved := r.Cutoffs(tx.now)
	if fp.IsZero() && resolved.IsZero() {
		return 0, nil
	}
	// A zero cutoff selects nothing: no encounter is before the empty time.
	rows, err := tx.QueryContext(ctx, `SELECT body FROM encounters WHERE erased = 0 AND (
		(outcome = ? AND at < ?) OR (outcome <> ? AND outcome <> ? AND at < ?)) ORDER BY at, id LIMIT ?`,
		string(tripline.OutcomeFalsePositive), formatCutoff(fp),
		string(tripline.OutcomeFalsePositive), string(tripline.OutcomePending), formatCutoff(resolved), eraseBatch)
	if err != nil {
		return 0, fmt.Errorf("encounters past retention: %w", err)
	}
	var due []*tripline.Encounter
	for rows.Next() {
		var body []byte
		e := new(tripline.Encounter)
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return 0, fmt.Errorf("scan encounter: %w", err)
		}
		if err := json.Unmarshal(body, e); err != nil {
			rows.Close()
			return 0, fmt.Errorf("decode encounter: %w", err)
		}
		due = append(due, e)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	for _, e := range due {
		e.Erase(tx.now)
		body, err := json.Marshal(e)
		if err != nil {
			return 0, fmt.Errorf("encode encounter %s: %w", e.ID, err)
		}
		// No event of its own: an erasure changes nothing a reader of the
		// log acts on, and its record would name the encounter again.
		if _, err := tx.ExecContext(ctx, `UPDATE encounters SET body = ?, erased = 1 WHERE id = ?`, body, e.ID); err != nil {
			return 0, fmt.Errorf("erase encounter %s: %w", e.ID, err)
		}
		if err := tx.trimEncounterEvents(ctx, e.ID); err != nil {
			return 0, err
		}
	}
	return len(due), tx.Commit()
}

// formatCutoff formats a retention cutoff; the zero time (kept for good)
// is "", before every stored time, so it selects nothing.
func formatCutoff(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// trimEncounterEvents trims the traveller's identity from every event of
// encounter id, whatever its origin (ErasedEncounterFields, to digests).
// The types are literal so the partial index on encounter events serves.
func (tx *Tx) trimEncounterEvents(ctx context.Context, id string) error {
	rows, err := tx.QueryContext(ctx, `SELECT origin, seq, type, payload, omitted FROM events
		WHERE subject = ? AND type IN ('encounter.reported', 'encounter.updated') AND redacted = 0`, id)
	if err != nil {
		return fmt.Errorf("events of encounter %s: %w", id, err)
	}
	var evs []*tripline.Event
	for rows.Next() {
		var typ, omitted string
		var payload []byte
		ev := &tripline.Event{Subject: id}
		if err := rows.Scan(&ev.Origin, &ev.Seq, &typ, &payload, &omitted); err != nil {
			rows.Close()
			return fmt.Errorf("scan event of encounter %s: %w", id, err)
		}
		ev.Type, ev.Payload = tripline.EventType(typ), payload
		if omitted != "" {
			if err := json.Unmarshal([]byte(omitted), &ev.Omitted); err != nil {
				rows.Close()
				return fmt.Errorf("event %s/%d: bad omitted digests: %w", ev.Origin, ev.Seq, err)
			}
		}
		evs = append(evs, ev)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, ev := range evs {
		t, err := ev.Trim(tripline.ErasedEncounterFields)
		if err != nil {
			return fmt.Errorf("trim event %s/%d: %w", ev.Origin, ev.Seq, err)
		}
		if t == ev || len(t.Omitted) == len(ev.Omitted) {
			continue // nothing of the traveller's left in it
		}
		omitted, err := json.Marshal(t.Omitted)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET payload = ?, omitted = ? WHERE origin = ? AND seq = ?`,
			[]byte(t.Payload), string(omitted), ev.Origin, ev.Seq); err != nil {
			return fmt.Errorf("trim event %s/%d: %w", ev.Origin, ev.Seq, err)
		}
	}
	return nil
}
