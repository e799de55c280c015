package sqlstore

import (
	"context"
	"fmt"
	"iter"
	"time"

	"tripline"
)

var listingKind = &kind[*tripline.Listing]{
	table: "listings", noun: "listing",
	upserted: tripline.EventListingUpserted, withdrawn: tripline.EventListingWithdrawn,
	meta: func(in *tripline.Listing) (*tripline.Listing, *meta) {
		l := *in
		return &l, &meta{source: l.Source, validUntil: l.ValidUntil, reviewBy: l.ReviewBy,
			status: &l.Status, version: &l.Version, updatedAt: &l.UpdatedAt, received: &l.Provenance.Received}
	},
	via:      func(l *tripline.Listing, node string) { l.Provenance.Chain = append(l.Provenance.Chain, node) },
	erasable: (*tripline.Listing).Erasable,
	// A confirmed tip's listing is the supervisor's decision, not the
	// agency's list's: a routine upload of the list, which never holds
	// it, would withdraw it without a word (tripline.Tip.ProvisionalListing
	// names it AGENCY:TIP).
	kept: `SELECT agency || ':' || id FROM tips WHERE agency = ? AND status = 'confirmed'`,
}

// ListingService stores listings and appends their events.
type ListingService struct{ db *DB }

// NewListingService returns a ListingService on db.
func NewListingService(db *DB) *ListingService { return &ListingService{db: db} }

var _ tripline.ListingService = (*ListingService)(nil)

// Listing returns one listing by id; ENOTFOUND when there is none.
func (s *ListingService) Listing(ctx context.Context, id string) (*tripline.Listing, error) {
	return listingKind.get(ctx, s.db.db, id)
}

// Listings returns listings matching f, ordered by id (keyset paging on After).
func (s *ListingService) Listings(ctx context.Context, f tripline.ListingFilter) ([]*tripline.Listing, error) {
	return listingKind.list(ctx, s.db.db, f.Source, f.Status, f.After, f.Limit)
}

// PutListing creates or updates one listing and appends its event. An
// unchanged active listing is returned as stored, with no event.
func (s *ListingService) PutListing(ctx context.Context, l *tripline.Listing) (*tripline.Listing, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return listingKind.put(ctx, s.db, l)
}

// WithdrawListing withdraws an active listing and appends its event;
// ECONFLICT when it is not active.
func (s *ListingService) WithdrawListing(ctx context.Context, id, reason string) (*tripline.Listing, error) {
	return listingKind.withdraw(ctx, s.db, id)
}

// ImportListings makes source hold exactly what ls yields, in one
// transaction. An invalid listing, one of another source, or an error from
// ls rejects the whole import.
func (s *ListingService) ImportListings(ctx context.Context, source string, ls iter.Seq2[*tripline.Listing, error]) (*tripline.ImportSummary, error) {
	return listingKind.importAll(ctx, s.db, source, ls)
}

// ExpireListings expires every active listing past its valid-until date,
// each with its event (so the expiry propagates), and returns their ids.
func (s *ListingService) ExpireListings(ctx context.Context, now time.Time) ([]string, error) {
	return listingKind.expire(ctx, s.db, now)
}

// ReviewDue returns the first limit active listings of originator whose
// review-by date is before before, soonest first: its reminders. The
// originator is inside the payload, not a column, so the due listings are
// read in pages (keyset on review_by, id) and another agency's skipped
// until limit of the originator's are found: none of them counts toward
// the limit.
func (s *ListingService) ReviewDue(ctx context.Context, originator string, before time.Time, limit int) ([]*tripline.Listing, error) {
	const page = 1000
	out := []*tripline.Listing{}
	after, afterID := "", ""
	for len(out) < limit {
		ls, last, lastID, err := s.reviewDuePage(ctx, formatTime(before), after, afterID, page)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			if l.Provenance.Originator == originator && len(out) < limit {
				out = append(out, l)
			}
		}
		if len(ls) < page {
			break
		}
		after, afterID = last, lastID
	}
	return out, nil
}

// reviewDuePage reads up to n due listings after (review_by, id) and
// returns where the page ended.
func (s *ListingService) reviewDuePage(ctx context.Context, before, after, afterID string, n int) ([]*tripline.Listing, string, string, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT r.review_by, r.id, e.payload FROM listings r JOIN events e ON e.origin = r.ev_origin AND e.seq = r.ev_seq
		WHERE r.status = 'active' AND r.review_by != '' AND r.review_by < ? AND (r.review_by > ? OR (r.review_by = ? AND r.id > ?))
		ORDER BY r.review_by, r.id LIMIT `+fmt.Sprint(n), before, after, after, afterID)
	if err != nil {
		return nil, "", "", fmt.Errorf("query review due: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Listing
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&after, &afterID, &body); err != nil {
			return nil, "", "", fmt.Errorf("scan review due: %w", err)
		}
		l, err := listingKind.decode(body)
		if err != nil {
			return nil, "", "", err
		}
		out = append(out, l)
	}
	return out, after, afterID, rows.Err()
}
