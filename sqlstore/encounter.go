package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tripline"
)

// EncounterService stores encounters, clearances and refusals.
type EncounterService struct {
	db *DB
	// Escalation gives a new encounter its acknowledgement due time, by
	// action (nil: tripline.DefaultEscalation).
	Escalation tripline.Escalation
}

// NewEncounterService returns an EncounterService on db.
func NewEncounterService(db *DB) *EncounterService { return &EncounterService{db: db} }

var _ tripline.EncounterService = (*EncounterService)(nil)

func newID(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return prefix + hex.EncodeToString(b)
}

// newTimeID returns prefix, then now's Unix nanoseconds and 6 random bytes
// in hex: ids made later sort later, so that a new encounter's id and its
// events' subject go to the last page of their indexes. Random ids went to
// a random page of each: a batch of the journal's applier dirtied, and its
// commit wrote, nearly every page of both (32 KiB each), more of them as
// the encounters grew.
func newTimeID(prefix string, now time.Time) string {
	b := make([]byte, 14)
	binary.BigEndian.PutUint64(b, uint64(now.UnixNano()))
	rand.Read(b[8:]) // never fails (crypto/rand panics rather than return short)
	return prefix + hex.EncodeToString(b)
}

// CreateEncounter stores a new encounter and appends its event; the
// encounter is then in its originator's queue.
func (s *EncounterService) CreateEncounter(ctx context.Context, e *tripline.Encounter) (*tripline.Encounter, error) {
	if e.Originator == "" {
		return nil, tripline.Errorf(tripline.EINVALID, "originator: required")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := insertEncounter(ctx, tx, s.NewEncounter(e, tx.now)) // with this service's escalation
	if err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// NewEncounter fills in what CreateEncounter would (id, pending outcome,
// times) in a copy of e, for a writer that stores it later.
func (s *EncounterService) NewEncounter(e *tripline.Encounter, now time.Time) *tripline.Encounter {
	c := *e
	c.Erased = nil // only this store's retention erases, never a sender's say-so
	if c.ID == "" {
		c.ID = newTimeID(s.db.Origin+"-e", now)
	}
	if c.Outcome == "" {
		c.Outcome = tripline.OutcomePending
	}
	if c.At.IsZero() {
		c.At = now.UTC()
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = now.UTC()
	}
	if c.Node == "" {
		c.Node = s.db.Origin // the reporting node: acknowledgements come back here
	}
	if c.AckDue == nil {
		due := now.UTC().Add(s.Escalation.For(c.Action)) // from now: a retro-encounter's crossing is past already
		c.AckDue = &due
	}
	return &c
}

// insertEncounter stores e (completed by NewEncounter) and appends its
// event in tx.
func insertEncounter(ctx context.Context, tx *Tx, e *tripline.Encounter) (*tripline.Encounter, error) {
	c := (&EncounterService{db: tx.db}).NewEncounter(e, tx.now)
	r, err := newEncounterRow(c)
	if err != nil {
		return nil, err
	}
	if err := insertEncounterRows(ctx, tx, []encounterRow{r}); err != nil {
		return nil, err
	}
	return c, nil
}

// encounterRow is an encounters row: its columns and the encounter's JSON,
// which its event carries too.
type encounterRow struct {
	id, originator, listing, outcome, at, action, ackOpen string
	body                                                  []byte
}

// newEncounterRow returns the row of e, completed by NewEncounter.
func newEncounterRow(e *tripline.Encounter) (encounterRow, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return encounterRow{}, fmt.Errorf("encode encounter: %w", err)
	}
	return encounterRow{id: e.ID, originator: e.Originator, listing: e.Listing, outcome: string(e.Outcome),
		at: formatTime(e.At), action: string(e.Action), ackOpen: ackOpen(e), body: body}, nil
}

// insertEncounterRows stores rows and appends their events in tx, a row
// to a statement: SQLite keeps a statement journal for a statement of
// many rows that may fail part way, a copy of every existing page it
// changes (32 KiB each; an encounter's random id changes a page of the id
// index of its own), which cost a 1M-listing node more than the
// statements it saved.
func insertEncounterRows(ctx context.Context, tx *Tx, rows []encounterRow) error {
	st, err := tx.stmt(ctx, `INSERT INTO encounters (id, originator, listing, outcome, at, action, ack_open, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r.id, r.originator, r.listing, r.outcome, r.at, r.action, r.ackOpen, r.body); err != nil {
			return fmt.Errorf("store encounter: %w", err)
		}
		if _, err := tx.appendEvent(ctx, tripline.EventEncounter, r.id, r.body); err != nil {
			return err
		}
	}
	return nil
}

// Encounter returns one encounter; ENOTFOUND when there is none.
func (s *EncounterService) Encounter(ctx context.Context, id string) (*tripline.Encounter, error) {
	return getEncounter(ctx, s.db.db, id)
}

func getEncounter(ctx context.Context, q querier, id string) (*tripline.Encounter, error) {
	var body []byte
	err := q.QueryRowContext(ctx, `SELECT body FROM encounters WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "encounter %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("load encounter %s: %w", id, err)
	}
	var e tripline.Encounter
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("decode encounter %s: %w", id, err)
	}
	return &e, nil
}

// Encounters returns encounters matching f, newest first (keyset on Before).
func (s *EncounterService) Encounters(ctx context.Context, f tripline.EncounterFilter) ([]*tripline.Encounter, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Originator != "" {
		where, args = append(where, "originator = ?"), append(args, f.Originator)
	}
	if f.Outcome != "" {
		where, args = append(where, "outcome = ?"), append(args, string(f.Outcome))
	}
	if f.Listing != "" {
		where, args = append(where, "listing = ?"), append(args, f.Listing)
	}
	if f.Before != "" {
		before, err := getEncounter(ctx, s.db.db, f.Before)
		if err != nil {
			return nil, err
		}
		where = append(where, "(at < ? OR (at = ? AND id < ?))")
		args = append(args, formatTime(before.At), formatTime(before.At), before.ID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT body FROM encounters WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY at DESC, id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query encounters: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Encounter
	for rows.Next() {
		var body []byte
		var e tripline.Encounter
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("scan encounter: %w", err)
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("decode encounter: %w", err)
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

func (tx *Tx) updateEncounter(ctx context.Context, e *tripline.Encounter) error {
	e.UpdatedAt = tx.now
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode encounter: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE encounters SET outcome = ?, action = ?, ack_open = ?, body = ? WHERE id = ?`,
		string(e.Outcome), string(e.Action), ackOpen(e), body, e.ID); err != nil {
		return fmt.Errorf("update encounter %s: %w", e.ID, err)
	}
	_, err = tx.appendEvent(ctx, tripline.EventEncounterUpdated, e.ID, body)
	return err
}

// ResolveEncounter records an outcome with its event. A false positive
// creates its clearance and a refusal keeps the identity, in the same
// transaction.
func (s *EncounterService) ResolveEncounter(ctx context.Context, id string, r tripline.Resolution, listingHash string) (*tripline.Encounter, *tripline.Clearance, error) {
	if err := r.Validate(); err != nil {
		return nil, nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	e, err := getEncounter(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	if e.Erased != nil {
		// Nothing left to clear or refuse: the traveller is no longer known.
		return nil, nil, tripline.Errorf(tripline.ECONFLICT, "encounter %s: the traveller's identity was erased past its retention; its outcome stays %s", id, e.Outcome)
	}
	e.Outcome, e.Note = r.Outcome, r.Note
	if r.By != "" {
		e.Officer = r.By
	}
	if err := tx.updateEncounter(ctx, e); err != nil {
		return nil, nil, err
	}
	var clr *tripline.Clearance
	switch {
	case r.Outcome == tripline.OutcomeFalsePositive:
		if clr = tripline.ClearanceFor(e, listingHash, r.By, r.Note, tx.now); clr != nil {
			body, _ := json.Marshal(clr)
			if _, err := tx.ExecContext(ctx, `INSERT INTO clearances (id, listing, body) VALUES (?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET body = excluded.body`, clr.ID, clr.Listing, body); err != nil {
				return nil, nil, fmt.Errorf("store clearance: %w", err)
			}
			if _, err := tx.appendEvent(ctx, tripline.EventClearance, clr.ID, body); err != nil {
				return nil, nil, err
			}
		}
	case r.Outcome.RefusesIdentity():
		if ref := tripline.RefusalFor(e, tx.now); ref != nil {
			body, _ := json.Marshal(ref)
			if _, err := tx.ExecContext(ctx, `INSERT INTO refusals (id, body) VALUES (?, ?)
				ON CONFLICT (id) DO UPDATE SET body = excluded.body`, ref.ID, body); err != nil {
				return nil, nil, fmt.Errorf("store refusal: %w", err)
			}
			if _, err := tx.appendEvent(ctx, tripline.EventRefusal, ref.ID, body); err != nil {
				return nil, nil, err
			}
		}
	}
	return e, clr, tx.Commit()
}

// AcknowledgeEncounter records the originator's acknowledgement, once.
func (s *EncounterService) AcknowledgeEncounter(ctx context.Context, id string) (*tripline.Encounter, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	e, err := getEncounter(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if e.Acknowledged != nil {
		return e, tx.Commit()
	}
	now := tx.now
	e.Acknowledged = &now
	if err := tx.updateEncounter(ctx, e); err != nil {
		return nil, err
	}
	return e, tx.Commit()
}

// Clearances returns every clearance.
func (s *EncounterService) Clearances(ctx context.Context) ([]*tripline.Clearance, error) {
	return loadAll[tripline.Clearance](ctx, s.db, `SELECT body FROM clearances ORDER BY id`)
}

// Refusals returns every stored refusal.
func (s *EncounterService) Refusals(ctx context.Context) ([]*tripline.Refusal, error) {
	return loadAll[tripline.Refusal](ctx, s.db, `SELECT body FROM refusals ORDER BY id`)
}

func loadAll[T any](ctx context.Context, db *DB, query string) ([]*T, error) {
	rows, err := db.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		v := new(T)
		if err := json.Unmarshal(body, v); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
