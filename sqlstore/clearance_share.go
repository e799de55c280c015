package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"tripline"
)

// StepClearance moves encounter id's clearance share one step
// (tripline.StepClearance), taken by user of agency, in one transaction
// with its event. Granted, the shared clearance for listing l (the
// originator's, at its current version) is stored and appended as an
// event, which the feed serves to the partners that may see l; revoked,
// it is removed and its revocation appended the same way.
func (s *EncounterService) StepClearance(ctx context.Context, id, step, agency, user, reason string, l *tripline.Listing) (*tripline.Encounter, *tripline.Clearance, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	e, err := getEncounter(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := tripline.StepClearance(e, step, agency, user, reason, tx.now); err != nil {
		return nil, nil, err
	}
	if err := tx.updateEncounter(ctx, e); err != nil {
		return nil, nil, err
	}
	var clr *tripline.Clearance
	switch step {
	case "grant":
		if l == nil || l.ID != e.Listing {
			return nil, nil, tripline.Errorf(tripline.ECONFLICT, "encounter %s: listing %s is no longer in force here: nothing to clear against", e.ID, e.Listing)
		}
		if clr = tripline.SharedClearanceFor(e, l, tx.now); clr == nil {
			return nil, nil, tripline.Errorf(tripline.ECONFLICT, "encounter %s: the traveller lacks a document or birth date", e.ID)
		}
		if err := tx.putSharedClearance(ctx, clr); err != nil {
			return nil, nil, err
		}
	case "revoke":
		var body []byte
		err := tx.QueryRowContext(ctx, `SELECT body FROM clearances WHERE id = ?`, tripline.SharedClearancePrefix+e.ID).Scan(&body)
		if errors.Is(err, sql.ErrNoRows) {
			clr = &tripline.Clearance{ID: tripline.SharedClearancePrefix + e.ID, Listing: e.Listing, Shared: true}
		} else if err != nil {
			return nil, nil, fmt.Errorf("load clearance of %s: %w", e.ID, err)
		} else if err := json.Unmarshal(body, &clr); err != nil {
			return nil, nil, fmt.Errorf("clearance of %s: %w", e.ID, err)
		}
		clr.Revoked, clr.At = true, tx.now
		if err := tx.putSharedClearance(ctx, clr); err != nil {
			return nil, nil, err
		}
	}
	return e, clr, tx.Commit()
}

// putSharedClearance stores a shared clearance (removes a revoked one)
// and appends its event.
func (tx *Tx) putSharedClearance(ctx context.Context, c *tripline.Clearance) error {
	if err := tx.storeClearance(ctx, c); err != nil {
		return err
	}
	body, _ := json.Marshal(c)
	_, err := tx.appendEvent(ctx, tripline.EventClearance, c.ID, body)
	return err
}

func (tx *Tx) storeClearance(ctx context.Context, c *tripline.Clearance) error {
	if c.Revoked {
		if _, err := tx.ExecContext(ctx, `DELETE FROM clearances WHERE id = ?`, c.ID); err != nil {
			return fmt.Errorf("remove clearance %s: %w", c.ID, err)
		}
		return nil
	}
	body, _ := json.Marshal(c)
	if _, err := tx.ExecContext(ctx, `INSERT INTO clearances (id, listing, body) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET listing = excluded.listing, body = excluded.body`, c.ID, c.Listing, body); err != nil {
		return fmt.Errorf("store clearance %s: %w", c.ID, err)
	}
	return nil
}

// applySharedClearance stores a partner's shared clearance, or removes it
// when revoked, where the trust rules take it (tripline.CheckForeignClearance:
// only the origin that gave this node the listing shares a clearance for
// it) and its origin has not reached its bound (MaxOriginClearances); the
// error is the rules' refusal.
func (s *FederationStore) applySharedClearance(ctx context.Context, tx *Tx, ev *tripline.Event, records originRecords) error {
	var probe struct {
		Listing string `json:"listing"`
	}
	if err := json.Unmarshal(ev.Payload, &probe); err != nil {
		return tripline.Errorf(tripline.EINVALID, "clearance %s: payload: %v", ev.Subject, err)
	}
	held, err := holding(ctx, tx, tripline.KindListing, probe.Listing)
	if err != nil {
		return err
	}
	var have *tripline.Clearance
	var body []byte
	err = tx.QueryRowContext(ctx, `SELECT body FROM clearances WHERE id = ?`, ev.Subject).Scan(&body)
	if err == nil {
		if err := json.Unmarshal(body, &have); err != nil {
			return fmt.Errorf("clearance %s: %w", ev.Subject, err)
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("load clearance %s: %w", ev.Subject, err)
	}
	c, err := tripline.CheckForeignClearance(ev, held.Origin, have)
	if err != nil {
		return err
	}
	k, change := recordsOf{tripline.KindSharedClearance, ev.Origin}, 0
	switch {
	case have == nil && !c.Revoked:
		max := s.maxOrigin(k.kind)
		n, err := s.heldOf(ctx, tx, records, k, max)
		if err != nil {
			return err
		}
		if err := tripline.CheckOriginRecords(k.kind, ev.Origin, c.ID, n, max); err != nil {
			return err
		}
		change = 1
	case have != nil && c.Revoked:
		change = -1
	}
	if err := tx.storeClearance(ctx, c); err != nil {
		return err
	}
	records.add(k.kind, k.origin, change)
	return nil
}
