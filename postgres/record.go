package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"tripline"
)

// kind describes one kind of versioned record (listings, document alerts):
// a table of the columns queries filter on, pointing at the event whose
// payload is the current version's body, and the events its changes
// append. The write paths are shared so that every kind gets the same
// import, version and event semantics (and the same as package sqlite).
type kind[T tripline.Record] struct {
	table     string
	noun      string // for messages: "listing"
	upserted  tripline.EventType
	withdrawn tripline.EventType
	// expired is the event of an expiry: listings have their own, other
	// kinds reuse withdrawn.
	expired tripline.EventType
	// meta returns a copy of r and pointers to its store-maintained fields.
	meta func(r T) (T, *meta)
	// via records on r the node it was received from (the provenance
	// chain "A via B"), outside the signed payload; nil ignores it.
	via func(r T, node string)
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

// querier is what reads need: the pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (k *kind[T]) get(ctx context.Context, q querier, id string) (T, error) {
	var zero T
	var body []byte
	var via string
	err := q.QueryRowContext(ctx, `SELECT e.payload, e.via FROM `+k.table+` r JOIN events e ON e.origin = r.ev_origin AND e.seq = r.ev_seq
		WHERE r.id = $1`, id).Scan(&body, &via)
	if errors.Is(err, sql.ErrNoRows) {
		return zero, tripline.Errorf(tripline.ENOTFOUND, "%s %q not found", k.noun, id)
	} else if err != nil {
		return zero, fmt.Errorf("load %s %s: %w", k.noun, id, err)
	}
	return k.decodeVia(body, via)
}

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

// query returns the decoded records a query of (payload, via) rows selects.
func (k *kind[T]) query(ctx context.Context, q querier, query string, args ...any) ([]T, error) {
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

// list returns records matching the filter, ordered by id (keyset paging
// on after: stable pages however rows are stored).
func (k *kind[T]) list(ctx context.Context, q querier, source string, status tripline.Status, after string, limit int) ([]T, error) {
	where, args := []string{"r.id > $1"}, []any{after}
	if source != "" {
		args = append(args, source)
		where = append(where, fmt.Sprintf("r.source = $%d", len(args)))
	}
	if status != "" {
		args = append(args, string(status))
		where = append(where, fmt.Sprintf("r.status = $%d", len(args)))
	}
	query := `SELECT e.payload, e.via FROM ` + k.table + ` r JOIN events e ON e.origin = r.ev_origin AND e.seq = r.ev_seq WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY r.id`
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	return k.query(ctx, q, query, args...)
}

func (k *kind[T]) state(ctx context.Context, tx *Tx, id string) (*tripline.StoredState, int64, error) {
	var st tripline.StoredState
	var status string
	var version int64
	err := tx.QueryRowContext(ctx, `SELECT hash, status, version FROM `+k.table+` WHERE id = $1`, id).Scan(&st.Hash, &status, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	} else if err != nil {
		return nil, 0, fmt.Errorf("load %s state %s: %w", k.noun, id, err)
	}
	st.Status = tripline.Status(status)
	return &st, version, nil
}

func (k *kind[T]) sourceStates(ctx context.Context, tx *Tx, source string) (map[string]tripline.StoredState, map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, hash, status, version FROM `+k.table+` WHERE source = $1`, source)
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
	return out, versions, rows.Err()
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
	old, version, err := k.state(ctx, tx, r.RecordID())
	if err != nil {
		return zero, err
	}
	if old != nil && old.Hash == r.ContentHash() && old.Status == tripline.StatusActive {
		out, err := k.get(ctx, tx, r.RecordID())
		if err != nil {
			return zero, err
		}
		return out, tx.Commit()
	}
	p, err := k.prepare(r, version+1, tx.now)
	if err != nil {
		return zero, err
	}
	if err := k.storeBatch(ctx, tx, []prepared[T]{p}); err != nil {
		return zero, err
	}
	return p.r, tx.Commit()
}

// prepared is a record ready to store: its new version set, its body and
// content hash computed.
type prepared[T tripline.Record] struct {
	r      T
	m      *meta
	body   []byte
	hash   string
	digest string // of body, for the event chain
}

// prepare makes the next version of in, numbered version, stamped now.
func (k *kind[T]) prepare(in T, version int64, now time.Time) (prepared[T], error) {
	r, m := k.meta(in)
	*m.status, *m.updatedAt, *m.version = tripline.StatusActive, now, version
	if *m.received == nil {
		*m.received = &now
	}
	body, err := json.Marshal(r)
	if err != nil {
		return prepared[T]{}, fmt.Errorf("encode %s %s: %w", k.noun, r.RecordID(), err)
	}
	digest, hash, err := tripline.EncodedDigests(body)
	if err != nil {
		return prepared[T]{}, err
	}
	return prepared[T]{r: r, m: m, body: body, hash: hash, digest: digest}, nil
}

// storeAll prepares and stores rs in order, batchRows at a time.
func (k *kind[T]) storeAll(ctx context.Context, tx *Tx, rs []T, versions func(T) int64) error {
	for start := 0; start < len(rs); start += batchRows {
		part := rs[start:min(len(rs), start+batchRows)]
		ps := make([]prepared[T], len(part))
		for i, r := range part {
			var err error
			if ps[i], err = k.prepare(r, versions(r), tx.now); err != nil {
				return err
			}
		}
		if err := k.storeBatch(ctx, tx, ps); err != nil {
			return err
		}
	}
	return nil
}

// storeBatch stores prepared versions: their upsert events (whose payloads
// are the bodies), then their rows pointing at them, each many to a
// statement.
func (k *kind[T]) storeBatch(ctx context.Context, tx *Tx, ps []prepared[T]) error {
	evs := make([]*tripline.Event, len(ps))
	for i, p := range ps {
		ev, err := tx.nextEvent(ctx, k.upserted, p.r.RecordID(), p.body, p.digest)
		if err != nil {
			return err
		}
		evs[i] = ev
	}
	if err := tx.insertEvents(ctx, evs); err != nil {
		return err
	}
	const cols = 10
	for start := 0; start < len(ps); start += batchRows {
		part := ps[start:min(len(ps), start+batchRows)]
		args := make([]any, 0, len(part)*cols)
		for i, p := range part {
			ev := evs[start+i]
			args = append(args, p.r.RecordID(), p.m.source, string(*p.m.status), *p.m.version, p.hash, p.m.updatedAt.UTC(),
				optTime(p.m.validUntil), optTime(p.m.reviewBy), ev.Origin, ev.Seq)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+k.table+` (id, source, status, version, hash, updated_at, valid_until, review_by, ev_origin, ev_seq)
			VALUES `+placeholders(len(part), cols)+`
			ON CONFLICT (id) DO UPDATE SET source = excluded.source, status = excluded.status, version = excluded.version,
			hash = excluded.hash, updated_at = excluded.updated_at, valid_until = excluded.valid_until, review_by = excluded.review_by,
			ev_origin = excluded.ev_origin, ev_seq = excluded.ev_seq`, args...); err != nil {
			return fmt.Errorf("store %s rows: %w", k.noun, err)
		}
	}
	return nil
}

// setStatus moves an active record to status as a new version, with the
// given event type; ECONFLICT when it is not active.
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
	if _, err := tx.ExecContext(ctx, `UPDATE `+k.table+` SET status = $1, version = $2, updated_at = $3, ev_origin = $4, ev_seq = $5 WHERE id = $6`,
		string(status), *m.version, tx.now, ev.Origin, ev.Seq, id); err != nil {
		return zero, fmt.Errorf("update %s %s: %w", k.noun, id, err)
	}
	return r, nil
}

// expire moves every active record past its valid-until date to expired,
// each with its event, in one transaction, and returns their ids.
func (k *kind[T]) expire(ctx context.Context, db *DB, now time.Time) ([]string, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM `+k.table+` WHERE status = 'active' AND valid_until IS NOT NULL AND valid_until <= $1 ORDER BY id`, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("query expired %s: %w", k.table, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan expired %s: %w", k.noun, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query expired %s: %w", k.table, err)
	}
	for _, id := range ids {
		if _, err := k.setStatus(ctx, tx, id, tripline.StatusExpired, k.expired); err != nil {
			return nil, err
		}
	}
	return ids, tx.Commit()
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

// importAll makes source hold exactly what rs yields, in one transaction,
// following tripline.PlanImport. A failure part-way leaves the previous
// state. Changed records are written in input order, as the SQLite store
// does: the same import yields the same event sequence (and chain) on both.
func (k *kind[T]) importAll(ctx context.Context, db *DB, source string, rs iter.Seq2[T, error]) (*tripline.ImportSummary, error) {
	var all []T
	for r, err := range rs {
		if err != nil {
			return nil, err
		}
		all = append(all, r)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	existing, versions, err := k.sourceStates(ctx, tx, source)
	if err != nil {
		return nil, err
	}
	plan, err := tripline.PlanImport(k.noun, source, existing, all)
	if err != nil {
		return nil, err
	}
	sum := &tripline.ImportSummary{Source: source, Listings: len(all), Unchanged: plan.Unchanged,
		Added: plan.Added, Updated: plan.Updated}
	if err := k.storeAll(ctx, tx, plan.Changed, func(r T) int64 { return versions[r.RecordID()] + 1 }); err != nil {
		return nil, err
	}
	for _, id := range plan.Withdraw {
		if _, err := k.setStatus(ctx, tx, id, tripline.StatusWithdrawn, k.withdrawn); err != nil {
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
