package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tripline"
)

// kind describes one kind of versioned record (listings, document alerts):
// a table of JSON bodies with the columns queries filter on, and the events
// that its changes append. The write paths are shared so that every kind
// gets the same import, version and event semantics.
type kind[T tripline.Record] struct {
	table     string
	noun      string // for messages: "listing"
	upserted  tripline.EventType
	withdrawn tripline.EventType
	// meta returns a copy of r and pointers to its store-maintained fields.
	meta func(r T) (T, *meta)
	// via records on r the node it was received from (the provenance
	// chain "A via B"), outside the signed payload; nil ignores it.
	via func(r T, node string)
	// erasable reports whether r's events are to be found again to trim
	// (tripline.Listing.Erasable): they are marked, for an index that
	// holds only them. nil marks none.
	erasable func(r T) bool
	// kept, if set, selects (one ? for the source) the ids of a source's
	// records the node made besides the erasable ones, which an import
	// of the source leaves alone as it does those.
	kept string
}

type meta struct {
	source     string
	validUntil *time.Time // nil: never expires
	reviewBy   *time.Time
	status     *tripline.Status
	version    *int64
	updatedAt  *time.Time
	received   **time.Time
}

func (k *kind[T]) get(ctx context.Context, q querier, id string) (T, error) {
	var zero T
	var body []byte
	var via string
	err := q.QueryRowContext(ctx, `SELECT e.payload, e.via FROM `+k.table+` r JOIN events e ON e.origin = r.ev_origin AND e.seq = r.ev_seq
		WHERE r.id = ?`, id).Scan(&body, &via)
	if errors.Is(err, sql.ErrNoRows) {
		return zero, tripline.Errorf(tripline.ENOTFOUND, "%s %q not found", k.noun, id)
	} else if err != nil {
		return zero, fmt.Errorf("load %s %s: %w", k.noun, id, err)
	}
	return k.decodeVia(body, via)
}

func (k *kind[T]) decode(body []byte) (T, error) { return k.decodeVia(body, "") }

func (k *kind[T]) decodeVia(body []byte, via string) (T, error) {
	var r T
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("decode %s: %w", k.noun, err)
	}
	if via != "" && k.via != nil {
		k.via(r, via)
	}
	return r, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// list returns records matching the filter, ordered by id.
func (k *kind[T]) list(ctx context.Context, q querier, source string, status tripline.Status, after string, limit int) ([]T, error) {
	where, args := []string{"r.id > ?"}, []any{after}
	if source != "" {
		where, args = append(where, "r.source = ?"), append(args, source)
	}
	if status != "" {
		where, args = append(where, "r.status = ?"), append(args, string(status))
	}
	query := `SELECT e.payload, e.via FROM ` + k.table + ` r JOIN events e ON e.origin = r.ev_origin AND e.seq = r.ev_seq WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY r.id`
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", k.table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var body []byte
		var via string
		if err := rows.Scan(&body, &via); err != nil {
			return nil, fmt.Errorf("scan %s: %w", k.noun, err)
		}
		r, err := k.decodeVia(body, via)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (k *kind[T]) state(ctx context.Context, tx *Tx, id string) (*tripline.StoredState, error) {
	var st tripline.StoredState
	var status string
	err := tx.QueryRowContext(ctx, `SELECT hash, status FROM `+k.table+` WHERE id = ?`, id).Scan(&st.Hash, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load %s state %s: %w", k.noun, id, err)
	}
	st.Status = tripline.Status(status)
	return &st, nil
}

func (k *kind[T]) sourceStates(ctx context.Context, tx *Tx, source string) (map[string]tripline.StoredState, map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, hash, status, version FROM `+k.table+` WHERE source = ?`, source)
	if err != nil {
		return nil, nil, fmt.Errorf("load source %s: %w", source, err)
	}
	defer rows.Close()
	out, versions := map[string]tripline.StoredState{}, map[string]int64{}
	for rows.Next() {
		var id, hash, status string
		var v int64
		if err := rows.Scan(&id, &hash, &status, &v); err != nil {
			return nil, nil, fmt.Errorf("scan source %s: %w", source, err)
		}
		out[id] = tripline.StoredState{Hash: hash, Status: tripline.Status(status)}
		versions[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if k.erasable == nil {
		return out, versions, nil
	}
	// Those whose current version the node made (kind.erasable), found
	// from the few marked events, not from every row of the source.
	if err := markKept(ctx, tx, out, source, `SELECT e.subject FROM events e WHERE e.erasable = 1 AND EXISTS
		(SELECT 1 FROM `+k.table+` r WHERE r.id = e.subject AND r.ev_origin = e.origin AND r.ev_seq = e.seq AND r.source = ?)`); err != nil {
		return nil, nil, err
	}
	if k.kept != "" {
		if err := markKept(ctx, tx, out, source, k.kept); err != nil {
			return nil, nil, err
		}
	}
	return out, versions, nil
}

// markKept sets Kept on the states of the ids query selects for source.
func markKept(ctx context.Context, tx *Tx, states map[string]tripline.StoredState, source, query string) error {
	rows, err := tx.QueryContext(ctx, query, source)
	if err != nil {
		return fmt.Errorf("load kept of source %s: %w", source, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("scan kept of source %s: %w", source, err)
		}
		if st, ok := states[id]; ok {
			st.Kept = true
			states[id] = st
		}
	}
	return rows.Err()
}

// put creates or updates one record in its own transaction; identical
// content on an active record changes nothing.
func (k *kind[T]) put(ctx context.Context, db *DB, r T) (T, error) {
	var zero T
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return zero, err
	}
	defer tx.Rollback()
	out, err := k.putIn(ctx, tx, r)
	if err != nil {
		return zero, err
	}
	return out, tx.Commit()
}

// putIn is put inside the caller's transaction, for a write that stores
// a record together with something else (a tip and its listing).
func (k *kind[T]) putIn(ctx context.Context, tx *Tx, r T) (T, error) {
	old, err := k.state(ctx, tx, r.RecordID())
	if err != nil {
		var zero T
		return zero, err
	}
	if old != nil && old.Hash == r.ContentHash() && old.Status == tripline.StatusActive {
		return k.get(ctx, tx, r.RecordID())
	}
	return k.write(ctx, tx, r, old != nil)
}

// prepared is a record ready to store: its new version set, its body and
// content hash computed, and once sealed its event's salt key and digest
// (the costly part, done in parallel for imports).
type prepared[T tripline.Record] struct {
	r      T
	m      *meta
	body   []byte
	hash   string
	key    []byte // the salt key of its event
	digest string // of body, salted with key, for the event chain
}

// prepare makes the next version of in, numbered version, stamped now.
// A version sure to be written (write) is sealed in the same pass
// (sealed); an import's version of a record it holds waits for the
// decision, as most such are unchanged.
func (k *kind[T]) prepare(in T, version int64, now time.Time, sealed bool) (prepared[T], error) {
	r, m := k.meta(in)
	*m.status, *m.updatedAt, *m.version = tripline.StatusActive, now, version
	if *m.received == nil {
		*m.received = &now
	}
	body, err := json.Marshal(r)
	if err != nil {
		return prepared[T]{}, fmt.Errorf("encode %s %s: %w", k.noun, r.RecordID(), err)
	}
	p := prepared[T]{r: r, m: m, body: body}
	if sealed {
		p.key = tripline.NewSaltKey()
		p.digest, p.hash, err = tripline.EncodedSaltedDigests(body, p.key)
	} else {
		_, p.hash, err = tripline.EncodedDigests(body)
	}
	if err != nil {
		return prepared[T]{}, fmt.Errorf("digest %s %s: %w", k.noun, r.RecordID(), err)
	}
	return p, nil
}

// seal draws the salt key of the prepared version's event and digests its
// body with it: only for a version to be written (an unchanged record in
// an import is not), on the worker that prepared it.
func (p *prepared[T]) seal() error {
	if p.key != nil {
		return nil // sealed when prepared
	}
	p.key = tripline.NewSaltKey()
	d, err := tripline.SaltedDigest(p.body, p.key)
	if err != nil {
		return fmt.Errorf("digest %s: %w", p.r.RecordID(), err)
	}
	p.digest = d
	return nil
}

// store writes a prepared version and appends its upsert event, whose
// payload is the stored body.
func (k *kind[T]) store(ctx context.Context, tx *Tx, p prepared[T]) error {
	id := p.r.RecordID()
	ev, err := tx.appendEventDigest(ctx, k.upserted, id, p.body, p.key, p.digest)
	if err != nil {
		return err
	}
	if err := k.markErasable(ctx, tx, p.r, ev); err != nil {
		return err
	}
	st, err := tx.stmt(ctx, `INSERT INTO `+k.table+` (id, source, status, version, hash, updated_at, valid_until, review_by, ev_origin, ev_seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, status = excluded.status, version = excluded.version,
		hash = excluded.hash, updated_at = excluded.updated_at, valid_until = excluded.valid_until, review_by = excluded.review_by,
		ev_origin = excluded.ev_origin, ev_seq = excluded.ev_seq`)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, id, p.m.source, string(*p.m.status), *p.m.version, p.hash, formatTime(*p.m.updatedAt),
		optTime(p.m.validUntil), optTime(p.m.reviewBy), ev.Origin, ev.Seq); err != nil {
		return fmt.Errorf("store %s %s: %w", k.noun, id, err)
	}
	return nil
}

// write stores in as a new version (the first when !exists).
func (k *kind[T]) write(ctx context.Context, tx *Tx, in T, exists bool) (T, error) {
	var zero T
	version := int64(1)
	if exists {
		if err := tx.QueryRowContext(ctx, `SELECT version FROM `+k.table+` WHERE id = ?`, in.RecordID()).Scan(&version); err != nil {
			return zero, fmt.Errorf("load version %s: %w", in.RecordID(), err)
		}
		version++
	}
	p, err := k.prepare(in, version, tx.now, true)
	if err != nil {
		return zero, err
	}
	if err := k.store(ctx, tx, p); err != nil {
		return zero, err
	}
	return p.r, nil
}

// setStatus moves an active record to status as a new version, with the
// given event type.
func (k *kind[T]) setStatus(ctx context.Context, tx *Tx, id string, status tripline.Status, typ tripline.EventType) (T, error) {
	var zero T
	cur, err := k.get(ctx, tx, id)
	if err != nil {
		return zero, err
	}
	r, m := k.meta(cur)
	if *m.status != tripline.StatusActive {
		return zero, tripline.Errorf(tripline.ECONFLICT, "%s %q is %s, not active", k.noun, id, *m.status)
	}
	*m.status, *m.updatedAt = status, tx.now
	*m.version++
	body, err := json.Marshal(r)
	if err != nil {
		return zero, fmt.Errorf("encode %s %s: %w", k.noun, id, err)
	}
	ev, err := tx.appendEvent(ctx, typ, id, body)
	if err != nil {
		return zero, err
	}
	if err := k.markErasable(ctx, tx, r, ev); err != nil {
		return zero, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE `+k.table+` SET status = ?, version = ?, updated_at = ?, ev_origin = ?, ev_seq = ? WHERE id = ?`,
		string(status), *m.version, formatTime(tx.now), ev.Origin, ev.Seq, id); err != nil {
		return zero, fmt.Errorf("update %s %s: %w", k.noun, id, err)
	}
	return r, nil
}

// markErasable marks ev, an event of r, as one to trim when what made r
// is erased (kind.erasable).
func (k *kind[T]) markErasable(ctx context.Context, tx *Tx, r T, ev *tripline.Event) error {
	if k.erasable == nil || !k.erasable(r) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE events SET erasable = 1 WHERE origin = ? AND seq = ?`, ev.Origin, ev.Seq); err != nil {
		return fmt.Errorf("mark event %s/%d erasable: %w", ev.Origin, ev.Seq, err)
	}
	return nil
}

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}

// expire moves every active record past its valid-until date to expired,
// each with its event, in one transaction, and returns their ids.
func (k *kind[T]) expire(ctx context.Context, db *DB, now time.Time) ([]string, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, expiredQuery(k.table), formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("query expired %s: %w", k.table, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	slices.Sort(ids) // byte order, as ORDER BY id on both engines
	for _, id := range ids {
		if _, err := k.setStatus(ctx, tx, id, tripline.StatusExpired, expiredEvent(k.withdrawn)); err != nil {
			return nil, err
		}
	}
	return ids, tx.Commit()
}

// expiredQuery selects the ids of table's active records past their
// valid-until date (the one parameter), through the partial index on
// valid_until. It has no ORDER BY: ordered by id, SQLite walked the whole
// table in id order instead (a million listings read every 30 s to find
// none, and the connection's page cache filled with them).
func expiredQuery(table string) string {
	return `SELECT id FROM ` + table + ` WHERE status = 'active' AND valid_until != '' AND valid_until <= ?`
}

// expiredEvent is the event type of an expiry for a kind whose withdrawal
// event is withdrawn: listings have their own; other kinds reuse withdrawal.
func expiredEvent(withdrawn tripline.EventType) tripline.EventType {
	if withdrawn == tripline.EventListingWithdrawn {
		return tripline.EventListingExpired
	}
	return withdrawn
}

// withdraw withdraws one active record in its own transaction.
func (k *kind[T]) withdraw(ctx context.Context, db *DB, id string) (T, error) {
	var zero T
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return zero, err
	}
	defer tx.Rollback()
	r, err := k.setStatus(ctx, tx, id, tripline.StatusWithdrawn, k.withdrawn)
	if err != nil {
		return zero, err
	}
	return r, tx.Commit()
}
