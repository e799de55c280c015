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

// DiffusionService stores diffusions (issue 19). They travel as signed
// messages between the sender's and the recipients' nodes (federation),
// not as events: a diffusion goes to the recipients the sender chose,
// not to whoever follows the feed.
type DiffusionService struct{ db *DB }

// NewDiffusionService returns a DiffusionService on db.
func NewDiffusionService(db *DB) *DiffusionService { return &DiffusionService{db: db} }

var _ tripline.DiffusionService = (*DiffusionService)(nil)

func (s *DiffusionService) get(ctx context.Context, q queryer, id string) (*tripline.Diffusion, error) {
	return getBody[tripline.Diffusion](ctx, q, "diffusions", "diffusion", id)
}

func (tx *Tx) storeDiffusion(ctx context.Context, d *tripline.Diffusion) error {
	body, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode diffusion: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO diffusions (id, sent, version, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body`,
		d.ID, d.Sent.UTC().Format(time.RFC3339Nano), d.Version, body); err != nil {
		return fmt.Errorf("store diffusion %s: %w", d.ID, err)
	}
	return nil
}

// PutDiffusion stores d unless a version as new or newer is held; the
// acknowledgements already recorded are kept. A version from another
// sender than the one held is EFORBIDDEN; the times the node keeps by its
// own clock are settled (tripline.SettleDiffusion).
func (s *DiffusionService) PutDiffusion(ctx context.Context, d *tripline.Diffusion) (*tripline.Diffusion, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := *d
	out.Erased = nil // only this store's retention erases, never a sender's say-so
	out.Recipients = append([]tripline.DiffusionRecipient(nil), d.Recipients...)
	if held, err := s.get(ctx, tx, d.ID); err == nil {
		if newer, err := tripline.SettleDiffusion(held, &out, tx.now); err != nil {
			return nil, err
		} else if !newer {
			return held, nil
		}
		for i := range out.Recipients {
			for _, h := range held.Recipients {
				if h.Agency == out.Recipients[i].Agency && h.AckedAt != nil && out.Recipients[i].AckedAt == nil {
					out.Recipients[i].AckedAt, out.Recipients[i].AckedBy = h.AckedAt, h.AckedBy
				}
			}
		}
		out.Received = held.Received
	} else if tripline.ErrorCode(err) != tripline.ENOTFOUND {
		return nil, err
	} else if _, err := tripline.SettleDiffusion(nil, &out, tx.now); err != nil {
		return nil, err
	}
	if err := tx.storeDiffusion(ctx, &out); err != nil {
		return nil, err
	}
	return &out, tx.Commit()
}

// Diffusion returns one diffusion; ENOTFOUND when there is none.
func (s *DiffusionService) Diffusion(ctx context.Context, id string) (*tripline.Diffusion, error) {
	return s.get(ctx, s.db.db, id)
}

// Diffusions returns the diffusions agency sent or is a recipient of,
// newest first, at most tripline.MaxDiffusionsListed. The parties are in
// the body only, so the rows are read newest first until that many are
// found: diffusions are few (people decide each), and reading the newest
// 1000 of the node and keeping the agency's let another agency's 1000
// newer ones hide every one of them.
func (s *DiffusionService) Diffusions(ctx context.Context, agency string) ([]*tripline.Diffusion, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT body FROM diffusions ORDER BY sent DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list diffusions: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Diffusion
	for len(out) < tripline.MaxDiffusionsListed && rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("scan diffusion: %w", err)
		}
		var d tripline.Diffusion
		if err := json.Unmarshal(body, &d); err != nil {
			return nil, fmt.Errorf("decode diffusion: %w", err)
		}
		if d.Party(agency) {
			out = append(out, &d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list diffusions: %w", err)
	}
	return out, nil
}

// AckDiffusion records agency's acknowledgement once; ENOTFOUND when the
// diffusion is not held or agency is none of its recipients.
func (s *DiffusionService) AckDiffusion(ctx context.Context, id, agency, by string, at time.Time) (*tripline.Diffusion, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, err := s.get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	found := false
	for i := range d.Recipients {
		r := &d.Recipients[i]
		if r.Agency == agency {
			found = true
			if r.AckedAt == nil {
				at := at.UTC()
				r.AckedAt, r.AckedBy = &at, by
			}
		}
	}
	if !found {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "diffusion %q has no recipient %q", id, agency)
	}
	if err := tx.storeDiffusion(ctx, d); err != nil {
		return nil, err
	}
	return d, tx.Commit()
}

// EraseDiffusions erases every diffusion past r at the store's clock
// (tripline.DiffusionErasable). Diffusions are few (people decide each),
// so the ones not yet erased are read in one transaction.
func (s *DiffusionService) EraseDiffusions(ctx context.Context, r tripline.EncounterRetention) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if tripline.Cutoff(r.Resolved, tx.now).IsZero() {
		return 0, nil
	}
	ds, err := listBodies[tripline.Diffusion](ctx, tx, "diffusion", `SELECT body FROM diffusions WHERE erased = 0`)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if !tripline.DiffusionErasable(d, r, tx.now) {
			continue
		}
		// The listing it made here, if it was received, named the subject
		// too; one still in force (its withdrawal failed) waits for the
		// next pass.
		if done, err := tx.trimDiffusionListings(ctx, d); err != nil {
			return 0, err
		} else if !done {
			continue
		}
		d.Erase(tx.now)
		if err := tx.storeDiffusion(ctx, d); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE diffusions SET erased = 1 WHERE id = ?`, d.ID); err != nil {
			return 0, fmt.Errorf("erase diffusion %s: %w", d.ID, err)
		}
		n++
	}
	return n, tx.Commit()
}

// trimDiffusionListings trims the subject from the events of the listing
// received diffusion d made at whichever of its recipients this node is
// (tripline.Diffusion.ReceivedListing), unless one is still active: then
// it reports false and trims nothing.
func (tx *Tx) trimDiffusionListings(ctx context.Context, d *tripline.Diffusion) (bool, error) {
	var ids []string
	for _, r := range d.Recipients {
		id := d.ReceivedListingID(r.Agency)
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM listings WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("listing of diffusion %s: %w", d.ID, err)
		}
		if status == string(tripline.StatusActive) {
			return false, nil
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		if err := tx.trimEventsWhere(ctx, id, erasableListingEvents, tripline.ErasedListingSubjectFields); err != nil {
			return false, err
		}
	}
	return true, nil
}
