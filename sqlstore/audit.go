package sqlstore

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"tripline"
)

// AuditLog is the append-only, hash-chained audit log. It lives in a file
// of its own beside the store (AuditPath), so that a long import holding
// the store's write lock never holds up an audit entry, and with it the
// answer that waits for it.
//
// Record queues an entry in the order of the calls; a background writer
// stores what is queued, many entries per transaction (group commit), and
// Flush waits until everything recorded before it is committed: the HTTP
// server answers a request only once its entries are durable. Each batch
// is chained onto the stored head inside its write transaction, so a
// command-line action on the same data directory as a serving node
// appends to the same chain instead of forking it.
//
// With a key (NewAuditLogWith), the log signs its head every
// CheckpointEvery and when it closes: checkpoints show a log whose newest
// entries were deleted, or which was rewritten and re-chained, which the
// chain alone cannot.
type AuditLog struct {
	db  *DB     // the store: its clock and logger
	adb *sql.DB // the audit file
	// head and insert are the writer's statements, prepared once: a batch
	// of a few entries otherwise spends most of its time in the parser.
	head, insert *sql.Stmt
	// insertRows inserts auditInsertRows entries at once: a batch of the
	// journal's applier pays the driver's per-statement cost once per
	// that many rows.
	insertRows *sql.Stmt
	ownDB      bool // adb is the audit log's own (closed with it)
	opt        AuditOptions

	mu        sync.Mutex
	pending   []*tripline.AuditEntry
	recorded  int64         // entries recorded since open
	committed int64         // of which committed, in order
	lastErr   error         // why the last write failed; nil after a success
	changed   chan struct{} // closed (and replaced) when committed or lastErr change
	closed    bool

	// journal, with AuditOptions.Journal, takes the entries first
	// (audit_journal.go); journaled is the last sequence this log put in it.
	journal   *auditJournal
	journaled uint64

	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{} // closed when the writer has stopped
	signed chan struct{} // closed when the signer has stopped
}

// AuditOptions configure an audit log's checkpoints.
type AuditOptions struct {
	// Node is the node whose log this is, named in its checkpoints.
	Node string
	// Key signs checkpoints (the node key); nil signs none.
	Key ed25519.PrivateKey
	// CheckpointEvery is how often the head is signed while it moves
	// (default DefaultCheckpointEvery).
	CheckpointEvery time.Duration
	// Journal makes Record write ahead to the audit journal beside the
	// file (a dialect that keeps one: SQLite), so that Flush waits for an
	// fsync of the journal, not for a commit of the audit file
	// (audit_journal.go). Without it a journal left there is applied at
	// open and entries are committed directly.
	Journal bool
	// SyncWritten, with Journal, ends an answer's wait (FlushWithin) once
	// its entries are written to the journal's file, which a killed
	// process leaves to the next open, and has their fsync follow within
	// this long: a power loss can take the entries of the answers of that
	// last span, a process kill none. Zero: an answer waits for the
	// fsync. Flush always waits for it.
	SyncWritten time.Duration
}

// DefaultCheckpointEvery is how often a node signs its audit head: what a
// truncation can remove unseen by the node's own checkpoints.
const DefaultCheckpointEvery = time.Minute

// auditBatch bounds one transaction of the writer, so that a burst does
// not hold the audit file's write lock for long.
const auditBatch = 5000

// auditInsertRows is how many entries one insert statement takes.
const auditInsertRows = 32

// auditAttempt bounds one write of a batch: the writer tries again.
const auditAttempt = 5 * time.Second

// auditCloseWait bounds how long Close keeps trying to write what is left.
const auditCloseWait = 15 * time.Second

// NewAuditLog opens the audit log of db, without checkpoints, and starts
// its writer.
func NewAuditLog(db *DB) (*AuditLog, error) { return NewAuditLogWith(db, AuditOptions{}) }

// NewAuditLogWith opens the audit log of db (creating its file, and moving
// there the entries an older version kept in the store) and starts its
// writer.
func NewAuditLogWith(db *DB, opt AuditOptions) (*AuditLog, error) {
	if opt.CheckpointEvery <= 0 {
		opt.CheckpointEvery = DefaultCheckpointEvery
	}
	a := &AuditLog{db: db, opt: opt, changed: make(chan struct{}),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), signed: make(chan struct{})}
	if err := a.open(); err != nil {
		return nil, err
	}
	if err := a.moveLegacy(db.ctx); err != nil {
		a.closeDB()
		return nil, err
	}
	if err := a.openJournal(db.ctx); err != nil {
		a.closeDB()
		return nil, err
	}
	go a.writer()
	go a.signer()
	return a, nil
}

func (a *AuditLog) open() (err error) {
	adb, own, err := a.db.dialect.OpenAudit(a.db.ctx, a.db)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	a.adb, a.ownDB = adb, own
	if a.head, err = adb.PrepareContext(a.db.ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`); err == nil {
		a.insert, err = adb.PrepareContext(a.db.ctx, `INSERT INTO audit (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	if err == nil {
		rows := strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?), `, auditInsertRows), ", ")
		a.insertRows, err = adb.PrepareContext(a.db.ctx, `INSERT INTO audit (`+auditColumns+`) VALUES `+rows)
	}
	if err != nil {
		a.closeDB()
		return fmt.Errorf("audit log: prepare: %w", err)
	}
	return nil
}

// closeDB closes the audit log's statements, and its handle when it is
// its own.
func (a *AuditLog) closeDB() error {
	for _, st := range []*sql.Stmt{a.head, a.insert, a.insertRows} {
		if st != nil {
			st.Close()
		}
	}
	if a.ownDB {
		return a.adb.Close()
	}
	return nil
}

// beginWrite starts a write transaction on the audit log, holding its
// write lock.
func (a *AuditLog) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := a.adb.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := a.db.dialect.Lock(ctx, tx, LockAudit, a.db.BusyTimeout); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// moveLegacy moves the entries an older version kept in the store's own
// audit table into the audit file, seq and hash unchanged: copied first,
// then deleted, so that a crash in between loses nothing (the copy is
// idempotent).
func (a *AuditLog) moveLegacy(ctx context.Context) error {
	if !a.ownDB {
		return nil // one database: the entries are where they belong
	}
	var n int64
	if err := a.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`).Scan(&n); err != nil || n == 0 {
		return nil // no legacy table, or nothing in it
	}
	rows, err := a.db.db.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("audit log: read the store's entries: %w", err)
	}
	defer rows.Close()
	tx, err := a.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("audit log: move the store's entries: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO audit (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	for rows.Next() {
		// As stored, text for text: a tampered row moves tampered.
		var seq int64
		var f [9]string
		if err := rows.Scan(&seq, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8]); err != nil {
			return fmt.Errorf("audit log: read the store's entries: %w", err)
		}
		if _, err := st.ExecContext(ctx, seq, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]); err != nil {
			return fmt.Errorf("audit log: move the store's entries: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit log: move the store's entries: %w", err)
	}
	if _, err := a.db.db.ExecContext(ctx, `DELETE FROM audit`); err != nil {
		// Copied already: the next open tries the delete again.
		a.db.logError("audit log: clear the store's moved entries", err)
	}
	return nil
}

var _ tripline.Auditor = (*AuditLog)(nil)

// Record appends e to the chain, its text fields bounded
// (tripline.AuditEntry.Bound). It never blocks on the disk; Flush waits
// for it to be committed.
func (a *AuditLog) Record(_ context.Context, e tripline.AuditEntry) {
	e.Bound()
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		a.db.logError("audit log closed: entry dropped", fmt.Errorf("%s %s by %s", e.Action, e.Subject, e.User))
		return
	}
	if e.At.IsZero() {
		e.At = a.db.Now().UTC()
	}
	e.At = e.At.UTC()
	if a.journal != nil {
		a.mu.Unlock()
		if a.recordJournal(&e) {
			return
		}
		// The journal is full or closed: commit it directly.
		a.mu.Lock()
		if a.closed {
			a.mu.Unlock()
			a.db.logError("audit log closed: entry dropped", fmt.Errorf("%s %s by %s", e.Action, e.Subject, e.User))
			return
		}
	}
	// A copy for the queue: e itself stays on the stack on the journal's
	// path, which every answer takes.
	q := new(tripline.AuditEntry)
	*q = e
	a.pending = append(a.pending, q)
	a.recorded++
	a.mu.Unlock()
	a.poke()
}

func (a *AuditLog) poke() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// broadcast wakes the Flush callers; a.mu must be held.
func (a *AuditLog) broadcast() {
	close(a.changed)
	a.changed = make(chan struct{})
}

func (a *AuditLog) writer() {
	defer close(a.done)
	for {
		select {
		case <-a.wake:
			a.drain(time.Time{})
		case <-a.stop:
			a.drain(time.Now().Add(auditCloseWait))
			return
		}
	}
}

// signer signs the head every CheckpointEvery while it moves. It runs
// beside the writer: checking the entries since the last checkpoint
// reads a snapshot and never holds up a commit that answers wait for.
func (a *AuditLog) signer() {
	defer close(a.signed)
	if a.opt.Key == nil {
		return
	}
	t := time.NewTicker(a.opt.CheckpointEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), auditAttempt)
			if _, err := a.checkpoint(ctx); err != nil {
				a.db.logError("audit checkpoint", err)
			}
			cancel()
		case <-a.stop:
			return
		}
	}
}

// drain writes what is pending, batch after batch, until nothing is. A
// batch that could not be written is kept, in order, and tried again
// with backoff, not at the next burst of accesses, which may never come;
// after deadline (when closing) it gives up.
func (a *AuditLog) drain(deadline time.Time) {
	var batch []*tripline.AuditEntry
	wait := 100 * time.Millisecond
	for {
		a.mu.Lock()
		if k := min(len(a.pending), auditBatch-len(batch)); k > 0 {
			batch = append(batch, a.pending[:k]...)
			a.pending = a.pending[k:]
		}
		a.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), auditAttempt)
		err := a.write(ctx, batch, 0)
		cancel()
		a.mu.Lock()
		if err == nil {
			a.committed += int64(len(batch))
		}
		a.lastErr = err
		a.broadcast()
		a.mu.Unlock()
		if err == nil {
			batch, wait = nil, 100*time.Millisecond
			continue
		}
		a.db.logError("audit write", err)
		if !deadline.IsZero() && time.Now().Add(wait).After(deadline) {
			// Closing: give up, the batch back in front of the rest, for
			// Close to report.
			a.mu.Lock()
			a.pending = append(batch, a.pending...)
			a.mu.Unlock()
			return
		}
		select {
		case <-time.After(wait):
		case <-a.stopIfOpen(deadline):
			deadline = time.Now().Add(auditCloseWait)
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// stopIfOpen returns the stop channel while the log is not closing yet
// (deadline zero): a retry wait ends early when Close starts its own.
func (a *AuditLog) stopIfOpen(deadline time.Time) <-chan struct{} {
	if deadline.IsZero() {
		return a.stop
	}
	return nil
}

func (a *AuditLog) pendingSnapshot() []*tripline.AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pending
}

// write stores batch in one transaction, chained onto the stored head;
// with applied > 0, it records the audit journal applied up to there.
func (a *AuditLog) write(ctx context.Context, batch []*tripline.AuditEntry, applied int64) error {
	tx, err := a.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("audit: begin: %w", err)
	}
	defer tx.Rollback()
	var seq int64
	var prev string
	if err := tx.StmtContext(ctx, a.head).QueryRowContext(ctx).Scan(&seq, &prev); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit chain head: %w", err)
	}
	// Chain copies: a failed attempt leaves the entries as recorded, to be
	// chained again onto whatever head the next attempt finds.
	args := make([]any, 0, 10*len(batch))
	for _, e := range batch {
		c := *e
		seq++
		c.Seq, c.Prev = seq, prev
		c.Hash = c.ComputeHash()
		prev = c.Hash
		args = append(args, c.Seq, formatTime(c.At), c.User, c.Agency, string(c.Role), c.Action, c.Subject, c.Detail, c.Prev, c.Hash)
	}
	rows := tx.StmtContext(ctx, a.insertRows)
	defer rows.Close()
	for len(args) >= 10*auditInsertRows {
		if _, err := rows.ExecContext(ctx, args[:10*auditInsertRows]...); err != nil {
			return fmt.Errorf("append audit %d: %w", args[0], err)
		}
		args = args[10*auditInsertRows:]
	}
	st := tx.StmtContext(ctx, a.insert)
	defer st.Close()
	for ; len(args) > 0; args = args[10:] {
		if _, err := st.ExecContext(ctx, args[:10]...); err != nil {
			return fmt.Errorf("append audit %d: %w", args[0], err)
		}
	}
	if applied > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_journal (name, applied) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET applied = excluded.applied`, auditJournalName, applied); err != nil {
			return fmt.Errorf("audit journal position: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit: commit: %w", err)
	}
	return nil
}

// Flush returns once every entry recorded before the call is committed:
// written by the writer, or by a retry of it, or (with a journal) fsynced
// in the audit journal, from which it reaches the file whatever happens. It returns an EUNAVAILABLE
// error when ctx ends first (the audit file cannot be written: the reason
// is logged), or when the log closed without writing them.
func (a *AuditLog) Flush(ctx context.Context) error {
	if err := a.syncJournal(ctx, 0, false); err != nil {
		return err
	}
	return a.waitCommitted(ctx)
}

// FlushWithin is Flush bounded by d as well as ctx. With the journal (a
// node's) the wait for its fsync allocates no context: every answer makes
// one.
func (a *AuditLog) FlushWithin(ctx context.Context, d time.Duration) error {
	if err := a.syncJournal(ctx, d, a.opt.SyncWritten > 0); err != nil {
		return err
	}
	a.mu.Lock()
	done := a.committed >= a.recorded
	a.mu.Unlock()
	if done {
		return nil // nothing went to the direct commit
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return a.waitCommitted(ctx)
}

// waitCommitted returns once the entries recorded for a direct commit
// before the call are committed.
func (a *AuditLog) waitCommitted(ctx context.Context) error {
	a.mu.Lock()
	target := a.recorded
	for a.committed < target {
		ch, left := a.changed, target-a.committed
		a.mu.Unlock()
		a.poke()
		select {
		case <-ch:
		case <-a.done:
			a.mu.Lock()
			if a.committed < target {
				left := target - a.committed
				a.mu.Unlock()
				return tripline.Errorf(tripline.EUNAVAILABLE, "the audit log closed with %d entries not written", left)
			}
			a.mu.Unlock()
			return nil
		case <-ctx.Done():
			return tripline.Errorf(tripline.EUNAVAILABLE, "the audit log cannot be written yet (%d entries waiting); retry shortly", left)
		}
		a.mu.Lock()
	}
	a.mu.Unlock()
	return nil
}

// Close writes what is pending, signs the head (with a key) and stops the
// writer. It returns an error when entries could not be written.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	a.mu.Unlock()
	a.closeJournal()
	close(a.stop)
	<-a.done
	<-a.signed
	var errs []error
	if left := len(a.pendingSnapshot()); left > 0 {
		a.mu.Lock()
		err := a.lastErr
		a.mu.Unlock()
		errs = append(errs, fmt.Errorf("audit log: %d entries not written: %w", left, err))
	} else if a.opt.Key != nil {
		ctx, cancel := context.WithTimeout(context.Background(), auditAttempt)
		if _, err := a.checkpoint(ctx); err != nil {
			errs = append(errs, err)
		}
		cancel()
	}
	if err := a.closeDB(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SQL exposes the audit file for tests that tamper with it.
func (a *AuditLog) SQL() *sql.DB { return a.adb }

// PublicKey returns the key that signs the checkpoints, nil without one.
func (a *AuditLog) PublicKey() ed25519.PublicKey {
	if a.opt.Key == nil {
		return nil
	}
	return a.opt.Key.Public().(ed25519.PublicKey)
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

// Entries answers auditors' questions: who saw listing X (Subject), what
// agency Y saw in a period (Agency, From, To). Oldest first, keyset on After.
func (a *AuditLog) Entries(ctx context.Context, f tripline.AuditFilter) ([]*tripline.AuditEntry, error) {
	if err := a.settle(ctx); err != nil {
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
	rows, err := a.adb.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE `+strings.Join(where, " AND ")+
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
