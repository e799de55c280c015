package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"tripline"
)

// ConsentService stores consent requests and decisions, each with its event.
type ConsentService struct {
	db *DB
	// MaxPending bounds the requests pending on one listing (0:
	// tripline.DefaultMaxPendingConsents).
	MaxPending int
}

// NewConsentService returns a ConsentService on db.
func NewConsentService(db *DB) *ConsentService { return &ConsentService{db: db} }

var _ tripline.ConsentService = (*ConsentService)(nil)

// putConsent stores c with its event of type typ.
func (tx *Tx) putConsent(ctx context.Context, c *tripline.Consent, typ tripline.EventType) error {
	body, err := tx.storeConsent(ctx, c)
	if err != nil {
		return err
	}
	_, err = tx.appendEvent(ctx, typ, c.ID, body)
	return err
}

// storeConsent stores c, with no event, and returns its encoding.
func (tx *Tx) storeConsent(ctx context.Context, c *tripline.Consent) ([]byte, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode consent: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consents (id, listing, status, requester, body) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body`, c.ID, c.Listing, string(c.Status), c.Requester, body); err != nil {
		return nil, fmt.Errorf("store consent %s: %w", c.ID, err)
	}
	return body, nil
}

// RequestConsent stores a pending request to the originator.
func (s *ConsentService) RequestConsent(ctx context.Context, c *tripline.Consent) (*tripline.Consent, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.checkPendingConsents(ctx, c.Listing, c.Requester, s.MaxPending); err != nil {
		return nil, err
	}
	out := *c
	out.ID, out.Status, out.At, out.DecidedAt, out.DecidedBy = newID("consent-"), tripline.ConsentPending, tx.now, nil, ""
	if err := tx.putConsent(ctx, &out, tripline.EventConsentRequested); err != nil {
		return nil, err
	}
	return &out, tx.Commit()
}

// checkPendingConsents refuses requester's new request on listing past
// max (0: the default) of its pending ones, counted on the (listing,
// status, requester) index up to the bound only.
func (tx *Tx) checkPendingConsents(ctx context.Context, listing, requester string, max int) error {
	max = cmp.Or(max, tripline.DefaultMaxPendingConsents)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM consents WHERE listing = ? AND status = ? AND requester = ? LIMIT ?) AS pending`,
		listing, string(tripline.ConsentPending), requester, max).Scan(&n); err != nil {
		return fmt.Errorf("count pending consents on %s: %w", listing, err)
	}
	return tripline.CheckPendingConsents(listing, requester, n, max)
}

// DecideConsent records the originator's answer, once. On the node that
// holds the listing as its own, the listing is stored again as a new
// version in the same transaction: the decision then travels ahead of it
// in the feed, and a relay passes the listing on (or withholds it) at
// once, not on the listing's next change.
func (s *ConsentService) DecideConsent(ctx context.Context, id string, grant bool, by string) (*tripline.Consent, error) {
	status := tripline.ConsentRefused
	if grant {
		status = tripline.ConsentGranted
	}
	return s.decide(ctx, id, tripline.ConsentPending, status, by)
}

// WithdrawConsent takes a granted consent back, with its event, and stores
// the listing again as DecideConsent does: downstream, the recipient's
// node then drops it. ECONFLICT when the consent is not granted.
func (s *ConsentService) WithdrawConsent(ctx context.Context, id, by string) (*tripline.Consent, error) {
	return s.decide(ctx, id, tripline.ConsentGranted, tripline.ConsentWithdrawn, by)
}

// decide moves consent id from status from to status to.
func (s *ConsentService) decide(ctx context.Context, id string, from, to tripline.ConsentStatus, by string) (*tripline.Consent, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.consent(ctx, id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "consent request %q not found", id)
	}
	if c.Status != from {
		return nil, tripline.Errorf(tripline.ECONFLICT, "consent request %q is %s, not %s", id, c.Status, from)
	}
	c.Status, c.DecidedBy = to, by
	now := tx.now
	c.DecidedAt = &now
	if err := tx.putConsent(ctx, c, tripline.EventConsent); err != nil {
		return nil, err
	}
	if err := tx.restateListing(ctx, c.Listing); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// consent returns the consent id as stored, nil when there is none.
func (tx *Tx) consent(ctx context.Context, id string) (*tripline.Consent, error) {
	return loadConsent(ctx, tx, id)
}

// Consent returns consent request id; ENOTFOUND when there is none.
func (s *ConsentService) Consent(ctx context.Context, id string) (*tripline.Consent, error) {
	c, err := loadConsent(ctx, s.db.db, id)
	if err == nil && c == nil {
		err = tripline.Errorf(tripline.ENOTFOUND, "consent request %q not found", id)
	}
	return c, err
}

// loadConsent reads consent id through q, nil when there is none.
func loadConsent(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (*tripline.Consent, error) {
	var body []byte
	err := q.QueryRowContext(ctx, `SELECT body FROM consents WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load consent %s: %w", id, err)
	}
	var c tripline.Consent
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("decode consent %s: %w", id, err)
	}
	return &c, nil
}

// restateListing stores this node's own active listing id again, as a new
// version of the same content: partners re-judge who may receive it. A
// listing this node does not originate, or not active, is left alone.
func (tx *Tx) restateListing(ctx context.Context, id string) error {
	var origin, status string
	err := tx.QueryRowContext(ctx, `SELECT ev_origin, status FROM listings WHERE id = ?`, id).Scan(&origin, &status)
	if errors.Is(err, sql.ErrNoRows) || origin != tx.db.Origin || status != string(tripline.StatusActive) {
		return nil
	} else if err != nil {
		return fmt.Errorf("load listing %s: %w", id, err)
	}
	l, err := listingKind.get(ctx, tx, id)
	if err != nil {
		return err
	}
	_, err = listingKind.write(ctx, tx, l, true)
	return err
}

// Consents returns the requests f selects, by id.
func (s *ConsentService) Consents(ctx context.Context, f tripline.ConsentFilter) ([]*tripline.Consent, error) {
	q, args := `SELECT body FROM consents WHERE id > ?`, []any{f.After}
	if f.Listing != "" {
		q, args = q+` AND listing = ?`, append(args, f.Listing)
	}
	if f.Status != "" {
		q, args = q+` AND status = ?`, append(args, string(f.Status))
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
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
