package sqlstore

import (
	"context"
	"encoding/json"
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
