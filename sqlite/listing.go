package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"tripline"
)

// ListingService stores listings and appends their events.
type ListingService struct{ db *DB }

// NewListingService returns a ListingService on db.
func NewListingService(db *DB) *ListingService { return &ListingService{db: db} }

var _ tripline.ListingService = (*ListingService)(nil)

// Listing returns one listing by id; ErrNotFound when there is none.
func (s *ListingService) Listing(ctx context.Context, id string) (*tripline.Listing, error) {
	var body []byte
	err := s.db.db.QueryRowContext(ctx, `SELECT body FROM listings WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "listing %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("load listing %s: %w", id, err)
	}
	return decodeListing(body)
}

// Listings returns listings matching f, ordered by id (keyset paging on After).
func (s *ListingService) Listings(ctx context.Context, f tripline.ListingFilter) ([]*tripline.Listing, error) {
	where, args := []string{"id > ?"}, []any{f.After}
	if f.Source != "" {
		where, args = append(where, "source = ?"), append(args, f.Source)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	q := `SELECT body FROM listings WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query listings: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Listing
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("scan listing: %w", err)
		}
		l, err := decodeListing(body)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// PutListing creates or updates one listing and appends its event. An
// unchanged active listing is returned as stored, with no event.
func (s *ListingService) PutListing(ctx context.Context, l *tripline.Listing) (*tripline.Listing, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	old, err := tx.listingState(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	if old != nil && old.Hash == l.ContentHash() && old.Status == tripline.StatusActive {
		stored, err := tx.listing(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		return stored, tx.Commit()
	}
	out, err := tx.writeListing(ctx, l, old)
	if err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// WithdrawListing withdraws an active listing and appends its event.
func (s *ListingService) WithdrawListing(ctx context.Context, id, reason string) (*tripline.Listing, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := tx.setStatus(ctx, id, tripline.StatusWithdrawn, tripline.EventListingWithdrawn)
	if err != nil {
		return nil, err
	}
	return l, tx.Commit()
}

// ImportListings makes source hold exactly ls, in one transaction, following
// tripline.PlanImport. A crash part-way leaves the previous state.
func (s *ListingService) ImportListings(ctx context.Context, source string, ls []*tripline.Listing) (*tripline.ImportSummary, error) {
	for i, l := range ls {
		if err := l.Validate(); err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "listing %d (%s): %s", i, l.ID, tripline.ErrorMessage(err))
		}
		if l.Source != source {
			return nil, tripline.Errorf(tripline.EINVALID, "listing %d (%s): source %q, want %q", i, l.ID, l.Source, source)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	existing, err := tx.sourceStates(ctx, source)
	if err != nil {
		return nil, err
	}
	plan, err := tripline.PlanImport(existing, ls)
	if err != nil {
		return nil, err
	}
	sum := &tripline.ImportSummary{Source: source, Listings: len(ls), Unchanged: plan.Unchanged}
	for _, l := range plan.Add {
		if _, err := tx.writeListing(ctx, l, nil); err != nil {
			return nil, err
		}
		sum.Added++
	}
	for _, l := range plan.Update {
		st := existing[l.ID]
		if _, err := tx.writeListing(ctx, l, &st); err != nil {
			return nil, err
		}
		sum.Updated++
	}
	for _, id := range plan.Withdraw {
		if _, err := tx.setStatus(ctx, id, tripline.StatusWithdrawn, tripline.EventListingWithdrawn); err != nil {
			return nil, err
		}
		sum.Withdrawn++
	}
	sum.Events = len(tx.events)
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return sum, nil
}

func (tx *Tx) listingState(ctx context.Context, id string) (*tripline.StoredState, error) {
	var st tripline.StoredState
	var status string
	err := tx.QueryRowContext(ctx, `SELECT hash, status FROM listings WHERE id = ?`, id).Scan(&st.Hash, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load listing state %s: %w", id, err)
	}
	st.Status = tripline.Status(status)
	return &st, nil
}

func (tx *Tx) sourceStates(ctx context.Context, source string) (map[string]tripline.StoredState, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, hash, status FROM listings WHERE source = ?`, source)
	if err != nil {
		return nil, fmt.Errorf("load source %s: %w", source, err)
	}
	defer rows.Close()
	out := map[string]tripline.StoredState{}
	for rows.Next() {
		var id, hash, status string
		if err := rows.Scan(&id, &hash, &status); err != nil {
			return nil, fmt.Errorf("scan source %s: %w", source, err)
		}
		out[id] = tripline.StoredState{Hash: hash, Status: tripline.Status(status)}
	}
	return out, rows.Err()
}

func (tx *Tx) listing(ctx context.Context, id string) (*tripline.Listing, error) {
	var body []byte
	err := tx.QueryRowContext(ctx, `SELECT body FROM listings WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "listing %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("load listing %s: %w", id, err)
	}
	return decodeListing(body)
}

// writeListing stores l as a new version (old == nil: first version) and
// appends its upsert event whose payload is the stored body.
func (tx *Tx) writeListing(ctx context.Context, in *tripline.Listing, old *tripline.StoredState) (*tripline.Listing, error) {
	l := *in
	l.Status, l.UpdatedAt, l.Version = tripline.StatusActive, tx.now, 1
	if l.Provenance.Received == nil {
		now := tx.now
		l.Provenance.Received = &now
	}
	if old != nil {
		var v int64
		if err := tx.QueryRowContext(ctx, `SELECT version FROM listings WHERE id = ?`, l.ID).Scan(&v); err != nil {
			return nil, fmt.Errorf("load version %s: %w", l.ID, err)
		}
		l.Version = v + 1
	}
	body, err := json.Marshal(&l)
	if err != nil {
		return nil, fmt.Errorf("encode listing %s: %w", l.ID, err)
	}
	st, err := tx.stmt(ctx, `INSERT INTO listings (id, source, status, version, hash, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, status = excluded.status, version = excluded.version,
		hash = excluded.hash, updated_at = excluded.updated_at, body = excluded.body`)
	if err != nil {
		return nil, err
	}
	if _, err := st.ExecContext(ctx, l.ID, l.Source, string(l.Status), l.Version, l.ContentHash(), formatTime(l.UpdatedAt), body); err != nil {
		return nil, fmt.Errorf("store listing %s: %w", l.ID, err)
	}
	if _, err := tx.appendEvent(ctx, tripline.EventListingUpserted, l.ID, body); err != nil {
		return nil, err
	}
	return &l, nil
}

// setStatus moves an active listing to status (withdrawn or expired) as a
// new version, with its event.
func (tx *Tx) setStatus(ctx context.Context, id string, status tripline.Status, typ tripline.EventType) (*tripline.Listing, error) {
	l, err := tx.listing(ctx, id)
	if err != nil {
		return nil, err
	}
	if l.Status != tripline.StatusActive {
		return nil, tripline.Errorf(tripline.ECONFLICT, "listing %q is %s, not active", id, l.Status)
	}
	l.Status, l.UpdatedAt = status, tx.now
	l.Version++
	body, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode listing %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE listings SET status = ?, version = ?, updated_at = ?, body = ? WHERE id = ?`,
		string(l.Status), l.Version, formatTime(l.UpdatedAt), body, id); err != nil {
		return nil, fmt.Errorf("update listing %s: %w", id, err)
	}
	if _, err := tx.appendEvent(ctx, typ, id, body); err != nil {
		return nil, err
	}
	return l, nil
}

func decodeListing(body []byte) (*tripline.Listing, error) {
	var l tripline.Listing
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, fmt.Errorf("decode listing: %w", err)
	}
	return &l, nil
}
