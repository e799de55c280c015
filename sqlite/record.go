package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
}

type meta struct {
	source    string
	status    *tripline.Status
	version   *int64
	updatedAt *time.Time
	received  **time.Time
}

func (k *kind[T]) get(ctx context.Context, q querier, id string) (T, error) {
	var zero T
	var body []byte
	err := q.QueryRowContext(ctx, `SELECT body FROM `+k.table+` WHERE id = ?`, id).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return zero, tripline.Errorf(tripline.ENOTFOUND, "%s %q not found", k.noun, id)
	} else if err != nil {
		return zero, fmt.Errorf("load %s %s: %w", k.noun, id, err)
	}
	return k.decode(body)
}

func (k *kind[T]) decode(body []byte) (T, error) {
	var r T
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("decode %s: %w", k.noun, err)
	}
	return r, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// list returns records matching the filter, ordered by id.
func (k *kind[T]) list(ctx context.Context, q querier, source string, status tripline.Status, after string, limit int) ([]T, error) {
	where, args := []string{"id > ?"}, []any{after}
	if source != "" {
		where, args = append(where, "source = ?"), append(args, source)
	}
	if status != "" {
		where, args = append(where, "status = ?"), append(args, string(status))
	}
	query := `SELECT body FROM ` + k.table + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
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
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("scan %s: %w", k.noun, err)
		}
		r, err := k.decode(body)
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

func (k *kind[T]) sourceStates(ctx context.Context, tx *Tx, source string) (map[string]tripline.StoredState, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, hash, status FROM `+k.table+` WHERE source = ?`, source)
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

// put creates or updates one record in its own transaction; identical
// content on an active record changes nothing.
func (k *kind[T]) put(ctx context.Context, db *DB, r T) (T, error) {
	var zero T
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return zero, err
	}
	defer tx.Rollback()
	old, err := k.state(ctx, tx, r.RecordID())
	if err != nil {
		return zero, err
	}
	var out T
	if old != nil && old.Hash == r.ContentHash() && old.Status == tripline.StatusActive {
		out, err = k.get(ctx, tx, r.RecordID())
	} else {
		out, err = k.write(ctx, tx, r, old != nil)
	}
	if err != nil {
		return zero, err
	}
	return out, tx.Commit()
}

// write stores r as a new version (the first when !exists) and appends its
// upsert event, whose payload is the stored body.
func (k *kind[T]) write(ctx context.Context, tx *Tx, in T, exists bool) (T, error) {
	var zero T
	r, m := k.meta(in)
	*m.status, *m.updatedAt, *m.version = tripline.StatusActive, tx.now, 1
	if *m.received == nil {
		now := tx.now
		*m.received = &now
	}
	if exists {
		var v int64
		if err := tx.QueryRowContext(ctx, `SELECT version FROM `+k.table+` WHERE id = ?`, r.RecordID()).Scan(&v); err != nil {
			return zero, fmt.Errorf("load version %s: %w", r.RecordID(), err)
		}
		*m.version = v + 1
	}
	body, err := json.Marshal(r)
	if err != nil {
		return zero, fmt.Errorf("encode %s %s: %w", k.noun, r.RecordID(), err)
	}
	st, err := tx.stmt(ctx, `INSERT INTO `+k.table+` (id, source, status, version, hash, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, status = excluded.status, version = excluded.version,
		hash = excluded.hash, updated_at = excluded.updated_at, body = excluded.body`)
	if err != nil {
		return zero, err
	}
	if _, err := st.ExecContext(ctx, r.RecordID(), m.source, string(*m.status), *m.version, r.ContentHash(), formatTime(tx.now), body); err != nil {
		return zero, fmt.Errorf("store %s %s: %w", k.noun, r.RecordID(), err)
	}
	if _, err := tx.appendEvent(ctx, k.upserted, r.RecordID(), body); err != nil {
		return zero, err
	}
	return r, nil
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
	if _, err := tx.ExecContext(ctx, `UPDATE `+k.table+` SET status = ?, version = ?, updated_at = ?, body = ? WHERE id = ?`,
		string(status), *m.version, formatTime(tx.now), body, id); err != nil {
		return zero, fmt.Errorf("update %s %s: %w", k.noun, id, err)
	}
	if _, err := tx.appendEvent(ctx, typ, id, body); err != nil {
		return zero, err
	}
	return r, nil
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

// importAll makes source hold exactly rs, in one transaction, following
// tripline.PlanImport. A crash part-way leaves the previous state.
func (k *kind[T]) importAll(ctx context.Context, db *DB, source string, rs []T) (*tripline.ImportSummary, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	existing, err := k.sourceStates(ctx, tx, source)
	if err != nil {
		return nil, err
	}
	plan, err := tripline.PlanImport(existing, rs)
	if err != nil {
		return nil, err
	}
	sum := &tripline.ImportSummary{Source: source, Listings: len(rs), Unchanged: plan.Unchanged}
	for _, r := range plan.Add {
		if _, err := k.write(ctx, tx, r, false); err != nil {
			return nil, err
		}
		sum.Added++
	}
	for _, r := range plan.Update {
		if _, err := k.write(ctx, tx, r, true); err != nil {
			return nil, err
		}
		sum.Updated++
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
