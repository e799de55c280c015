package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"tripline"
)

// AuditLog is the append-only, hash-chained audit log. Record queues an
// entry in the order of the calls; a background writer stores entries in
// batches, so that auditing every screening costs a fraction of a commit
// each. Each batch is chained onto the stored head inside its write
// transaction, which holds the store's write lock: a command-line action
// on the same data directory as a serving node appends to the same chain
// instead of forking it. Close (or Flush) writes what is pending.
type AuditLog struct {
	db *DB

	mu      sync.Mutex
	pending []*tripline.AuditEntry
	wake    chan struct{}
	done    chan struct{}
	closed  bool
}

// NewAuditLog opens the audit log of db and starts its writer.
func NewAuditLog(db *DB) (*AuditLog, error) {
	a := &AuditLog{db: db, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go a.writer()
	return a, nil
}

var _ tripline.Auditor = (*AuditLog)(nil)

// Record appends e to the chain. It never blocks on the disk.
func (a *AuditLog) Record(_ context.Context, e tripline.AuditEntry) {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	if e.At.IsZero() {
		e.At = a.db.Now().UTC()
	}
	e.At = e.At.UTC()
	a.pending = append(a.pending, &e)
	n := len(a.pending)
	a.mu.Unlock()
	if n == 1 || n >= 1000 {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
}

// auditAttempt bounds one write of a batch: a store busy with a long
// import makes it fail, and the writer tries again.
const auditAttempt = 2 * time.Second

func (a *AuditLog) writer() {
	defer close(a.done)
	for range a.wake {
		// Let a burst gather into one transaction.
		time.Sleep(20 * time.Millisecond)
		// A batch that could not be written stays queued, in order: retry
		// it until it is written, not at the next burst of accesses, which
		// may never come.
		for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
			ctx, cancel := context.WithTimeout(context.Background(), auditAttempt)
			err := a.Flush(ctx)
			cancel()
			if err == nil || a.isClosed() {
				break
			}
			a.db.logError("audit flush", err)
			time.Sleep(wait)
		}
		if a.isClosed() {
			return
		}
	}
}

func (a *AuditLog) isClosed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closed
}

// Flush writes the pending entries in one transaction.
func (a *AuditLog) Flush(ctx context.Context) error {
	a.mu.Lock()
	batch := a.pending
	a.pending = nil
	a.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		a.requeue(batch)
		return err
	}
	defer tx.Rollback()
	var seq int64
	var prev string
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		a.requeue(batch)
		return fmt.Errorf("audit chain head: %w", err)
	}
	for _, e := range batch {
		seq++
		e.Seq, e.Prev = seq, prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
	}
	st, err := tx.stmt(ctx, `INSERT INTO audit (seq, at, user_id, agency, role, action, subject, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		a.requeue(batch)
		return err
	}
	for _, e := range batch {
		if _, err := st.ExecContext(ctx, e.Seq, formatTime(e.At), e.User, e.Agency, string(e.Role), e.Action, e.Subject, e.Detail, e.Prev, e.Hash); err != nil {
			a.requeue(batch)
			return fmt.Errorf("append audit %d: %w", e.Seq, err)
		}
	}
	if err := tx.Commit(); err != nil {
		a.requeue(batch)
		return err
	}
	return nil
}

// requeue puts a batch that failed to write back in front of the pending
// entries, keeping the chain order.
func (a *AuditLog) requeue(batch []*tripline.AuditEntry) {
	a.mu.Lock()
	a.pending = append(batch, a.pending...)
	a.mu.Unlock()
}

// Close writes what is pending and stops the writer.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	close(a.wake)
	<-a.done
	return a.Flush(context.Background())
}

const auditColumns = `seq, at, user_id, agency, role, action, subject, detail, prev, hash`

func scanAudit(rows interface{ Scan(...any) error }) (*tripline.AuditEntry, error) {
	var e tripline.AuditEntry
	var at, role string
	if err := rows.Scan(&e.Seq, &at, &e.User, &e.Agency, &role, &e.Action, &e.Subject, &e.Detail, &e.Prev, &e.Hash); err != nil {
		return nil, fmt.Errorf("scan audit: %w", err)
	}
	e.Role = tripline.Role(role)
	t, err := parseTime(at)
	if err != nil {
		// A mangled time is tampering too: keep the text so the hash fails.
		t = time.Time{}
	}
	e.At = t
	return &e, nil
}

// Verify checks the whole stored chain and returns the first broken entry,
// nil when the log is intact, and how many entries it checked.
func (a *AuditLog) Verify(ctx context.Context) (int64, *tripline.ChainError, error) {
	if err := a.Flush(ctx); err != nil {
		return 0, nil, err
	}
	rows, err := a.db.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY rowid`)
	if err != nil {
		return 0, nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	var v tripline.ChainVerifier
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return v.Count(), nil, err
		}
		if cerr := v.Next(e); cerr != nil {
			return v.Count(), cerr, nil
		}
	}
	return v.Count(), nil, rows.Err()
}

// Entries answers auditors' questions: who saw listing X (Subject), what
// agency Y saw in a period (Agency, From, To). Oldest first, keyset on After.
func (a *AuditLog) Entries(ctx context.Context, f tripline.AuditFilter) ([]*tripline.AuditEntry, error) {
	if err := a.Flush(ctx); err != nil {
		return nil, err
	}
	where, args := []string{"seq > ?"}, []any{f.After}
	for _, c := range []struct{ col, v string }{{"subject", f.Subject}, {"agency", f.Agency}, {"user_id", f.User}, {"action", f.Action}} {
		if c.v != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, formatTime(f.To))
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	rows, err := a.db.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY seq LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("query audit: %w", err)
	}
	defer rows.Close()
	var out []*tripline.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
