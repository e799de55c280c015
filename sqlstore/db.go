// Package sqlstore holds Tripline's stores written once in SQL, over
// database/sql: package sqlite and package postgres supply the driver, the
// migrations and the write lock (a Dialect), and everything else is here.
//
// Queries are written with "?" placeholders, times as fixed-width UTC text
// (compared as text), and upserts as INSERT ... ON CONFLICT, which both
// engines accept; the postgres driver rewrites the placeholders.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"tripline"
)

// Dialect is what differs between engines.
type Dialect interface {
	// Name is the engine's name, for messages ("sqlite", "postgres").
	Name() string
	// Open connects to db.DSN and applies the engine's migrations.
	Open(ctx context.Context, db *DB) (*sql.DB, error)
	// Lock takes the write lock named by key inside tx, for an engine
	// that does not serialise writers at BEGIN, waiting at most wait: past
	// it the error is one Busy recognises.
	Lock(ctx context.Context, tx *sql.Tx, key LockKey, wait time.Duration) error
	// Busy reports whether err says the write lock stayed taken past the
	// engine's wait.
	Busy(err error) bool
	// Duplicate reports whether err is a unique key's violation.
	Duplicate(err error) bool
	// OpenAudit returns the audit log's handle: a file of its own beside
	// a SQLite store (own true: the audit log closes it), the store's own
	// handle on a server.
	OpenAudit(ctx context.Context, db *DB) (adb *sql.DB, own bool, err error)
}

// LockKey names one of the write locks a Dialect takes.
type LockKey int

// The write locks: writers of the store take LockStore for their whole
// transaction (as SQLite's single writer does), writers of the audit
// chain LockAudit, so that an audit entry never waits for an import.
const (
	LockStore LockKey = iota + 1
	LockAudit
)

// DB is a handle to one Tripline SQLite database.
type DB struct {
	db      *sql.DB
	dialect Dialect
	ctx     context.Context // cancelled by Close
	cancel  func()

	// DSN is what the dialect opens: a file's path, or a server's URL.
	DSN string
	// Origin is this node's id: the origin of every event it appends.
	Origin string
	// Now returns the current time; tests replace it.
	Now func() time.Time

	// Sign, when set, signs each event this node originates (federation:
	// partners verify it with the node's public key).
	Sign func(msg []byte) []byte
	// Logger receives errors of background writers; nil discards them.
	Logger *slog.Logger
	// BusyTimeout is how long a write waits for another's lock before
	// failing with EUNAVAILABLE (default 10 s); set before Open.
	BusyTimeout time.Duration
	// CacheBytes bounds each connection's page cache (default 256 MiB,
	// for bulk imports); a serving node, whose index is in memory, needs
	// far less. Set before Open.
	CacheBytes int64

	mu          sync.RWMutex
	subscribers []func([]*tripline.Event)

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared once: parsing a query costs more than running it
	marks  commitMarks
}

// MaxIdleConns is how many connections a database keeps open between
// uses.
const MaxIdleConns = 8

// prepared returns query prepared on the database, once: hot reads (a
// token on every request) then skip SQLite's parser, which costs more
// than the lookup itself.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if s, ok := db.stmts[query]; ok {
		return s, nil
	}
	s, err := db.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if db.stmts == nil {
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[query] = s
	return s, nil
}

func (db *DB) logError(msg string, err error) {
	if db.Logger != nil {
		db.Logger.Error(msg, "err", err)
	}
}

// New returns a DB for dsn on the engine of dialect. Call Open before use.
func New(dsn string, dialect Dialect) *DB {
	db := &DB{DSN: dsn, dialect: dialect, Origin: "local", Now: time.Now}
	db.ctx, db.cancel = context.WithCancel(context.Background())
	return db
}

// Open connects and applies pending migrations.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return fmt.Errorf("%s: dsn required", db.dialect.Name())
	}
	if db.db, err = db.dialect.Open(db.ctx, db); err != nil {
		return err
	}
	// Keep connections for concurrent requests: a new one costs its
	// set-up and re-preparing every cached statement (database/sql keeps
	// two idle by default, so eight concurrent requests churned them).
	db.db.SetMaxIdleConns(MaxIdleConns)
	return nil
}

// Dialect returns the engine of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Context is cancelled when db closes: migrations and background work
// run under it.
func (db *DB) Context() context.Context { return db.ctx }

// Close closes the database.
func (db *DB) Close() error {
	db.cancel()
	db.marks.close()
	db.stmtMu.Lock()
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	if db.db != nil {
		return db.db.Close()
	}
	return nil
}

// SQL exposes the handle for tests that must tamper with rows directly.
func (db *DB) SQL() *sql.DB { return db.db }

// Subscribe registers fn to receive every batch of events after its
// transaction commits (the outbox, published after commit: no phantom
// events). fn must not block for long.
func (db *DB) Subscribe(fn func([]*tripline.Event)) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.subscribers = append(db.subscribers, fn)
}

func (db *DB) hasSubscribers() bool {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return len(db.subscribers) > 0
}

func (db *DB) publish(evs []*tripline.Event) {
	if len(evs) == 0 {
		return
	}
	db.mu.RLock()
	subs := db.subscribers
	db.mu.RUnlock()
	for _, fn := range subs {
		fn(evs)
	}
}

// Tx wraps a transaction with the time it started and the events it appends.
type Tx struct {
	*sql.Tx
	db     *DB
	now    time.Time
	events []*tripline.Event
	chain  *tripline.Chainer // this node's new events; nil until the first
	stmts  map[string]*sql.Stmt
}

// BeginTx starts a write transaction.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.db.BeginTx(ctx, opts)
	if err == nil && (opts == nil || !opts.ReadOnly) {
		if err = db.dialect.Lock(ctx, tx, LockStore, db.BusyTimeout); err != nil {
			tx.Rollback()
		}
	}
	if db.dialect.Busy(err) {
		// Another write holds the lock past the busy timeout: most often
		// a long import. Say so, instead of an internal error.
		return nil, tripline.Errorf(tripline.EUNAVAILABLE, "the store is busy with another write (an import?); retry shortly")
	} else if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC()}, nil
}

// Commit signs the transaction's last event, commits, and then publishes
// the transaction's events.
func (tx *Tx) Commit() error {
	if last := tx.chain.SignLast(); last != nil {
		if _, err := tx.Exec(`UPDATE events SET sig = ? WHERE origin = ? AND seq = ?`, last.Sig, last.Origin, last.Seq); err != nil {
			return fmt.Errorf("sign event %d: %w", last.Seq, err)
		}
	}
	if err := tx.Tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	tx.db.publish(tx.events)
	return nil
}

// appendEvent appends an event of this node's origin with the next gap-free
// sequence number. It must run inside the transaction of the change.
func (tx *Tx) appendEvent(ctx context.Context, typ tripline.EventType, subject string, payload []byte) (*tripline.Event, error) {
	return tx.appendEventDigest(ctx, typ, subject, payload, nil, "")
}

// appendEventDigest is appendEvent with the salt key and payload digest
// computed ahead (nil and "": computed here).
func (tx *Tx) appendEventDigest(ctx context.Context, typ tripline.EventType, subject string, payload, key []byte, digest string) (*tripline.Event, error) {
	ev, err := tx.nextEvent(ctx, typ, subject, payload, key, digest)
	if err != nil {
		return nil, err
	}
	if err := tx.insertEvents(ctx, []*tripline.Event{ev}); err != nil {
		return nil, err
	}
	return ev, nil
}

// nextEvent makes the next event of this node's origin (tripline.Chainer)
// without storing it: insertEvents does, and the two must run in order
// within the transaction.
func (tx *Tx) nextEvent(ctx context.Context, typ tripline.EventType, subject string, payload, key []byte, digest string) (*tripline.Event, error) {
	if tx.chain == nil {
		c := &tripline.Chainer{Origin: tx.db.Origin, Sign: tx.db.Sign}
		err := tx.QueryRowContext(ctx, `SELECT seq, chain FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1`, tx.db.Origin).Scan(&c.Seq, &c.Chain)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("last event: %w", err)
		}
		tx.chain = c
	}
	return tx.chain.Next(typ, subject, payload, key, digest, tx.now)
}

// eventCount returns how many events of this node the transaction made.
func (tx *Tx) eventCount() int {
	if tx.chain == nil {
		return 0
	}
	return tx.chain.Count
}

// insertEvents stores events made by nextEvent, many rows to a statement:
// a bulk import pays the driver's per-statement cost once per batch.
func (tx *Tx) insertEvents(ctx context.Context, evs []*tripline.Event) error {
	const cols = 9
	for len(evs) > 0 {
		n := min(len(evs), 64)
		st, err := tx.stmt(ctx, `INSERT INTO events (origin, seq, type, subject, payload, at, sig, chain, salt_key) VALUES `+placeholders(n, cols))
		if err != nil {
			return err
		}
		args := make([]any, 0, n*cols)
		for _, ev := range evs[:n] {
			args = append(args, ev.Origin, ev.Seq, string(ev.Type), ev.Subject, []byte(ev.Payload), formatTime(ev.At), ev.Sig, ev.Chain, hex.EncodeToString(ev.SaltKey))
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("append events %d..%d: %w", evs[0].Seq, evs[n-1].Seq, err)
		}
		// Events are kept for the subscribers; with none (a command-line
		// import), keeping a million payloads until commit would only
		// feed the garbage collector.
		if tx.db.hasSubscribers() {
			tx.events = append(tx.events, evs[:n]...)
		}
		evs = evs[n:]
	}
	return nil
}

// placeholders returns "(?, ?), (?, ?)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// stmt returns a statement prepared once per transaction: bulk imports run
// the same insert a million times.
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := tx.stmts[query]; ok {
		return s, nil
	}
	s, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = s
	return s, nil
}

// timeLayout is fixed-width: times are compared as text in queries
// (ordering, expiry), and RFC 3339's dropped trailing zeros would sort
// "10:00:00.12" after "10:00:00.123".
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// FormatTime is the stored form of t, for migrations.
func FormatTime(t time.Time) string { return formatTime(t) }

// parseTime reads a stored time; RFC 3339 parsing accepts the fixed-width
// layout as well as any variable-width value.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
