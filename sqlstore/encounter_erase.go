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
const eraseBatch = 32

// EraseEncounters erases the traveller's identity from every resolved
// encounter past r (tripline.EncounterRetention), at the store's clock: in
// the encounter, and in each of its events, trimmed to digests so the
// chain and the signatures still verify. It removes the refusals past
// theirs the same way.
func (s *EncounterService) EraseEncounters(ctx context.Context, r tripline.EncounterRetention) (tripline.Erasure, error) {
	var out tripline.Erasure
	for {
		n, err := s.eraseBatch(ctx, r, &out)
		out.Encounters += n
		if err != nil || n < eraseBatch {
			if err != nil {
				return out, err
			}
			break
		}
	}
	refs, err := s.eraseRefusals(ctx, r)
	out.Refusals = refs
	if err != nil {
		return out, err
	}
	n, err := s.expireStaleReports(ctx, r)
	out.Reports += n
	return out, err
}

func (s *EncounterService) eraseBatch(ctx context.Context, r tripline.EncounterRetention, out *tripline.Erasure) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	fp, resolved := tripline.Cutoff(r.FalsePositive, tx.now), tripline.Cutoff(r.Resolved, tx.now)
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
	reports := 0
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
		if err := tx.trimEvents(ctx, e.ID, tripline.ErasedEncounterFields); err != nil {
			return 0, err
		}
		// Its report and updates still on their way would outlive it: the
		// originator never heard, and now never will from this node.
		// Updates are keyed by the encounter's id, then '#' (Key); ids
		// compare bytewise in both engines.
		k, err := tx.expireReports(ctx, `(id = ? OR (id >= ? AND id < ?))`, e.ID, e.ID+"#", e.ID+"$")
		if err != nil {
			return 0, err
		}
		reports += k
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	out.Reports += reports
	return len(due), nil
}

// expireStaleReports expires every undelivered report whose deadline is
// older than a resolved encounter's retention, whatever it carries (a
// relayed report, a diffusion, a pending encounter's report): its
// alert was raised long ago, and its body must not outlive what it
// reports.
func (s *EncounterService) expireStaleReports(ctx context.Context, r tripline.EncounterRetention) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	cut := tripline.Cutoff(r.Resolved, tx.now)
	if cut.IsZero() {
		return 0, nil
	}
	n, err := tx.expireReports(ctx, `deadline < ?`, formatTime(cut))
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// expireReports marks the open reports that where selects (with args)
// expired, cutting each body to its residue (tripline.ReportResidue),
// and returns how many.
func (tx *Tx) expireReports(ctx context.Context, where string, args ...any) (int, error) {
	open := []any{tripline.ReportPending, tripline.ReportSent, tripline.ReportOverdue}
	rows, err := tx.QueryContext(ctx, `SELECT id, body FROM reports WHERE status IN (?, ?, ?) AND `+where, append(open, args...)...)
	if err != nil {
		return 0, fmt.Errorf("reports to expire: %w", err)
	}
	type due struct {
		id   string
		body []byte
	}
	var ds []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.body); err != nil {
			rows.Close()
			return 0, fmt.Errorf("scan report: %w", err)
		}
		ds = append(ds, d)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	for _, d := range ds {
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = ?, body = ? WHERE id = ?`,
			tripline.ReportExpired, tripline.ReportResidue(d.body), d.id); err != nil {
			return 0, fmt.Errorf("expire report %s: %w", d.id, err)
		}
	}
	return len(ds), nil
}

// eraseRefusals removes the refusals past r.Refusal, with their events'
// identity. Refusals are few (the screener holds them all in memory), so
// they are read whole.
func (s *EncounterService) eraseRefusals(ctx context.Context, r tripline.EncounterRetention) ([]string, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cut := tripline.Cutoff(r.Refusal, tx.now)
	if cut.IsZero() {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT body FROM refusals`)
	if err != nil {
		return nil, fmt.Errorf("refusals: %w", err)
	}
	var due []string
	for rows.Next() {
		var body []byte
		var f tripline.Refusal
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan refusal: %w", err)
		}
		if err := json.Unmarshal(body, &f); err != nil {
			rows.Close()
			return nil, fmt.Errorf("decode refusal: %w", err)
		}
		if f.At.Before(cut) {
			due = append(due, f.ID)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for _, id := range due {
		if _, err := tx.ExecContext(ctx, `DELETE FROM refusals WHERE id = ?`, id); err != nil {
			return nil, fmt.Errorf("remove refusal %s: %w", id, err)
		}
		if err := tx.trimEvents(ctx, id, tripline.ErasedRefusalFields); err != nil {
			return nil, err
		}
	}
	return due, tx.Commit()
}

// formatCutoff formats a retention cutoff; the zero time (kept for good)
// is "", before every stored time, so it selects nothing.
func formatCutoff(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// Which events of a subject the retention trims, each written as its
// partial index's predicate so that the index serves.
const (
	// retentionEvents are an encounter's, refusal's or clearance's.
	retentionEvents = `type IN ('encounter.reported', 'encounter.updated', 'refusal.recorded', 'clearance.made')`
	// tipListingEvents are a tip's provisional listing's (id AGENCY:tip-...).
	tipListingEvents = `type IN ('listing.upserted', 'listing.withdrawn', 'listing.expired') AND subject LIKE '%:tip-%'`
	// erasableListingEvents are those of a listing the node made from a
	// tip or a diffusion (tripline.Listing.Erasable).
	erasableListingEvents = `erasable = 1`
)

// trimEvents trims fields from every event of an encounter, refusal or
// clearance id, whatever its origin, to their digests.
func (tx *Tx) trimEvents(ctx context.Context, id string, fields []string) error {
	return tx.trimEventsWhere(ctx, id, retentionEvents, fields)
}

// trimEventsWhere trims fields from every event of subject id that which
// (one of the constants above) selects.
func (tx *Tx) trimEventsWhere(ctx context.Context, id, which string, fields []string) error {
	rows, err := tx.QueryContext(ctx, `SELECT origin, seq, type, payload, omitted, salt_key, salts FROM events
		WHERE subject = ? AND `+which+` AND redacted = 0`, id)
	if err != nil {
		return fmt.Errorf("events of %s: %w", id, err)
	}
	var evs []*tripline.Event
	for rows.Next() {
		var typ, omitted, key, salts string
		var payload []byte
		ev := &tripline.Event{Subject: id}
		if err := rows.Scan(&ev.Origin, &ev.Seq, &typ, &payload, &omitted, &key, &salts); err != nil {
			rows.Close()
			return fmt.Errorf("scan event of %s: %w", id, err)
		}
		if err := decodeSalts(key, salts, ev); err != nil {
			rows.Close()
			return err
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
		t, err := ev.Trim(fields)
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
		// The trimmed event keeps the salts of what it still shows, not
		// the key: a field erased to its digest cannot be found again by
		// trying values, even by whoever reads the store.
		key, salts := encodeSalts(t)
		if _, err := tx.ExecContext(ctx, `UPDATE events SET payload = ?, omitted = ?, salt_key = ?, salts = ? WHERE origin = ? AND seq = ?`,
			[]byte(t.Payload), string(omitted), key, salts, ev.Origin, ev.Seq); err != nil {
			return fmt.Errorf("trim event %s/%d: %w", ev.Origin, ev.Seq, err)
		}
	}
	return nil
}

// RemoveClearances removes the clearances of ids, and trims the
// traveller from their events (tripline.ErasedClearanceFields); an id
// already gone is skipped.
func (s *EncounterService) RemoveClearances(ctx context.Context, ids []string) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n := 0
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `DELETE FROM clearances WHERE id = ?`, id)
		if err != nil {
			return 0, fmt.Errorf("remove clearance %s: %w", id, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue
		}
		n++
		if err := tx.trimEvents(ctx, id, tripline.ErasedClearanceFields); err != nil {
			return 0, err
		}
	}
	return n, tx.Commit()
}
