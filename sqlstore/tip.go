package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tripline"
)

// TipService stores tips (issue 19) with their provisional listings. A
// tip has no event of its own: its reporter never leaves the node, and
// what partners may learn travels as its listing's events.
type TipService struct{ db *DB }

// NewTipService returns a TipService on db.
func NewTipService(db *DB) *TipService { return &TipService{db: db} }

var _ tripline.TipService = (*TipService)(nil)

func (tx *Tx) storeTip(ctx context.Context, t *tripline.Tip) error {
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode tip: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tips (id, agency, status, received, body) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body`,
		t.ID, t.Agency, string(t.Status), t.Received.UTC().Format(time.RFC3339Nano), body); err != nil {
		return fmt.Errorf("store tip %s: %w", t.ID, err)
	}
	return nil
}

// CreateTip stores t (its status, listing and times filled in) and its
// provisional listing l in one transaction. t needs its id (tripline.NewTipID) and
// l the id t.ProvisionalListing gives it: "<agency>:<tip id>".
func (s *TipService) CreateTip(ctx context.Context, t *tripline.Tip, l *tripline.Listing) (*tripline.Tip, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.ID == "" || l == nil || l.ID != t.Agency+":"+t.ID || !l.Provisional {
		return nil, tripline.Errorf(tripline.EINVALID, "tip: its id and provisional listing %s:<id> are required", t.Agency)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := s.tip(ctx, tx, t.ID); err == nil {
		return nil, tripline.Errorf(tripline.ECONFLICT, "tip %q exists", t.ID)
	}
	out := *t
	out.Erased = nil // only this store's retention erases: a body saying "erased" must not escape it
	out.Status, out.Listing = tripline.TipProvisional, l.ID
	if out.Received.IsZero() {
		out.Received = tx.now.UTC()
	}
	if l.ValidUntil != nil {
		out.Expires = *l.ValidUntil
	}
	if _, err := listingKind.putIn(ctx, tx, l); err != nil {
		return nil, err
	}
	if err := tx.storeTip(ctx, &out); err != nil {
		return nil, err
	}
	return &out, tx.Commit()
}

func (s *TipService) tip(ctx context.Context, q queryer, id string) (*tripline.Tip, error) {
	return getBody[tripline.Tip](ctx, q, "tips", "tip", id)
}

// Tip returns one tip; ENOTFOUND when there is none.
func (s *TipService) Tip(ctx context.Context, id string) (*tripline.Tip, error) {
	return s.tip(ctx, s.db.db, id)
}

// Tips returns the tips of f.Agency (every agency's when empty) with
// status f.Status (stored status; StatusAt tells expiry), newest first,
// at most 1000.
func (s *TipService) Tips(ctx context.Context, f tripline.TipFilter) ([]*tripline.Tip, error) {
	return listBodies[tripline.Tip](ctx, s.db.db, "tip", `SELECT body FROM tips WHERE (? = '' OR agency = ?) AND (? = '' OR status = ?)
		ORDER BY received DESC, id DESC LIMIT 1000`, f.Agency, f.Agency, string(f.Status), string(f.Status))
}

// DecideTip confirms (storing l as the listing's new version) or rejects
// (withdrawing the listing) a provisional tip, in one transaction.
// ECONFLICT when the tip was decided already or has expired.
func (s *TipService) DecideTip(ctx context.Context, id string, status tripline.TipStatus, by, note string, l *tripline.Listing) (*tripline.Tip, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := s.tip(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if st := t.StatusAt(tx.now); st != tripline.TipProvisional {
		return nil, tripline.Errorf(tripline.ECONFLICT, "tip %q is %s, not provisional", id, st)
	}
	switch status {
	case tripline.TipConfirmed:
		if l == nil || l.ID != t.Listing || l.Provisional {
			return nil, tripline.Errorf(tripline.EINVALID, "tip %q: confirming needs its full listing %s", id, t.Listing)
		}
		if err := l.Validate(); err != nil {
			return nil, err
		}
		if _, err := listingKind.putIn(ctx, tx, l); err != nil {
			return nil, err
		}
	case tripline.TipRejected:
		if _, err := listingKind.setStatus(ctx, tx, t.Listing, tripline.StatusWithdrawn, listingKind.withdrawn); err != nil && tripline.ErrorCode(err) != tripline.ECONFLICT {
			return nil, err
		}
	default:
		return nil, tripline.Errorf(tripline.EINVALID, "decision: %.40q is not confirmed or rejected", status)
	}
	now := tx.now.UTC()
	t.Status, t.DecidedBy, t.DecidedAt, t.Note = status, by, &now, note
	if err := tx.storeTip(ctx, t); err != nil {
		return nil, err
	}
	return t, tx.Commit()
}

// EraseTips erases every tip past r at the store's clock
// (tripline.TipErasable), a page of tips to a transaction.
func (s *TipService) EraseTips(ctx context.Context, r tripline.EncounterRetention) (int, error) {
	shortest := min(r.FalsePositive, r.Resolved)
	if shortest <= 0 {
		shortest = max(r.FalsePositive, r.Resolved)
	}
	if shortest <= 0 {
		return 0, nil
	}
	n := 0
	for after := ""; ; {
		last, k, err := s.eraseTipPage(ctx, r, shortest, after)
		n += k
		if err != nil || last == "" {
			return n, err
		}
		after = last
	}
}

// eraseTipPage erases the erasable tips among the next page of candidates
// after id after, returning the page's last id ("" at the end).
func (s *TipService) eraseTipPage(ctx context.Context, r tripline.EncounterRetention, shortest time.Duration, after string) (string, int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", 0, err
	}
	defer tx.Rollback()
	// received is stored in RFC 3339 with trimmed fractions, which sort as
	// text only to the second: a second's margin here, the exact test in
	// TipErasable.
	before := tx.now.Add(-shortest).Add(time.Second).UTC().Format(time.RFC3339Nano)
	const page = 100
	ts, err := listBodies[tripline.Tip](ctx, tx, "tip", `SELECT body FROM tips WHERE erased = 0 AND received < ? AND id > ? ORDER BY id LIMIT ?`,
		before, after, page)
	if err != nil {
		return "", 0, err
	}
	n := 0
	for _, t := range ts {
		if !tripline.TipErasable(t, r, tx.now) {
			continue
		}
		if t.Listing != "" && t.Status != tripline.TipConfirmed {
			// The provisional listing named the subject too: its events
			// are what the listing reads, so trimming them erases it. One
			// still in force waits until it expires (the next pass).
			var status string
			err := tx.QueryRowContext(ctx, `SELECT status FROM listings WHERE id = ?`, t.Listing).Scan(&status)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return "", 0, fmt.Errorf("listing of tip %s: %w", t.ID, err)
			}
			if status == string(tripline.StatusActive) {
				continue
			}
			if err := tx.trimEventsWhere(ctx, t.Listing, tipListingEvents, tripline.ErasedListingSubjectFields); err != nil {
				return "", 0, err
			}
		}
		t.Erase(tx.now)
		if err := tx.storeTip(ctx, t); err != nil {
			return "", 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tips SET erased = 1 WHERE id = ?`, t.ID); err != nil {
			return "", 0, fmt.Errorf("erase tip %s: %w", t.ID, err)
		}
		n++
	}
	last := ""
	if len(ts) == page {
		last = ts[len(ts)-1].ID
	}
	return last, n, tx.Commit()
}
