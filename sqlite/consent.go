package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"tripline"
)

// ConsentService stores consent requests and decisions, each with its event.
type ConsentService struct{ db *DB }

// NewConsentService returns a ConsentService on db.
func NewConsentService(db *DB) *ConsentService { return &ConsentService{db: db} }

var _ tripline.ConsentService = (*ConsentService)(nil)

func (tx *Tx) putConsent(ctx context.Context, c *tripline.Consent, typ tripline.EventType) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode consent: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consents (id, listing, status, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body`, c.ID, c.Listing, string(c.Status), body); err != nil {
		return fmt.Errorf("store consent %s: %w", c.ID, err)
	}
	_, err = tx.appendEvent(ctx, typ, c.ID, body)
	return err
}

// RequestConsent stores a pending request to the originator.
func (s *ConsentService) RequestConsent(ctx context.Context, c *tripline.Consent) (*tripline.Consent, error) {
	if c.Listing == "" || c.Recipient == "" || c.Requester == "" || c.Originator == "" {
		return nil, tripline.Errorf(tripline.EINVALID, "consent: listing, originator, requester and recipient are required")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := *c
	out.ID, out.Status, out.At, out.DecidedAt, out.DecidedBy = newID("consent-"), tripline.ConsentPending, tx.now, nil, ""
	if err := tx.putConsent(ctx, &out, tripline.EventConsentRequested); err != nil {
		return nil, err
	}
	return &out, tx.Commit()
}

// DecideConsent records the originator's answer, once.
func (s *ConsentService) DecideConsent(ctx context.Context, id string, grant bool, by string) (*tripline.Consent, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var body []byte
	if err := tx.QueryRowContext(ctx, `SELECT body FROM consents WHERE id = ?`, id).Scan(&body); err != nil {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "consent request %q not found", id)
	}
	var c tripline.Consent
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("decode consent %s: %w", id, err)
	}
	if c.Status != tripline.ConsentPending {
		return nil, tripline.Errorf(tripline.ECONFLICT, "consent request %q was already %s", id, c.Status)
	}
	c.Status, c.DecidedBy = tripline.ConsentRefused, by
	if grant {
		c.Status = tripline.ConsentGranted
	}
	now := tx.now
	c.DecidedAt = &now
	if err := tx.putConsent(ctx, &c, tripline.EventConsent); err != nil {
		return nil, err
	}
	return &c, tx.Commit()
}

// Consents returns the requests on listing ("" = all), oldest first.
func (s *ConsentService) Consents(ctx context.Context, listing string) ([]*tripline.Consent, error) {
	q, args := `SELECT body FROM consents ORDER BY id`, []any{}
	if listing != "" {
		q, args = `SELECT body FROM consents WHERE listing = ? ORDER BY id`, []any{listing}
	}
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query consents: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Consent
	for rows.Next() {
		var body []byte
		var c tripline.Consent
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("scan consent: %w", err)
		}
		if err := json.Unmarshal(body, &c); err != nil {
			return nil, fmt.Errorf("decode consent: %w", err)
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}
