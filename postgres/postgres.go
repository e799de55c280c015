// Package postgres implements Tripline's stores on PostgreSQL, the system of
// record past one machine (design.md §6): the same interfaces and the same
// contract suite as package sqlite, through database/sql and the pgx driver,
// with embedded migrations.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"tripline"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Advisory lock namespaces (the first key of the two-key form), so that
// Tripline's locks cannot collide with another application's on the same
// database.
const (
	lockMigrate = 0x7472_6970 // "trip"
	lockOrigin  = 0x6c69_6e65 // "line"
)

// DB is a handle to one Tripline PostgreSQL database (or one schema of it,
// chosen with search_path in the DSN).
type DB struct {
	db     *sql.DB
	ctx    context.Context // cancelled by Close
	cancel func()

	// DSN is the connection string, a URL or key=value pairs as pgx
	// accepts them. It is a parameter: this package reads no environment.
	DSN string
	// Origin is this node's id: the origin of every event it appends.
	Origin string
	// Now returns the current time; tests replace it.
	Now func() time.Time

	// Sign, when set, signs each event this node originates (federation:
	// partners verify it with the node's public key).
	Sign func(msg []byte) []byte
	// Logger receives errors of background work; nil discards them.
	Logger *slog.Logger

	mu          sync.RWMutex
	subscribers []func([]*tripline.Event)
}

// NewDB returns a DB for the database at dsn. Call Open before use.
func NewDB(dsn string) *DB {
	db := &DB{DSN: dsn, Origin: "local", Now: time.Now}
	db.ctx, db.cancel = context.WithCancel(context.Background())
	return db
}

// Open connects and applies pending migrations. It returns an error when
// the DSN is empty, the server cannot be reached, or a migration fails.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return fmt.Errorf("postgres: dsn required")
	}
	if db.db, err = sql.Open("pgx", db.DSN); err != nil {
		return fmt.Errorf("postgres: open: %w", err)
	}
	if err := db.db.PingContext(db.ctx); err != nil {
		db.db.Close()
		return fmt.Errorf("postgres: connect: %w", err)
	}
	if err := db.migrate(db.ctx); err != nil {
		db.db.Close()
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	db.cancel()
	if db.db != nil {
		return db.db.Close()
	}
	return nil
}

// SQL exposes the handle for tests that must inspect or tamper with rows.
func (db *DB) SQL() *sql.DB { return db.db }

// Subscribe registers fn to receive every batch of events after its
// transaction commits (the outbox, published after commit: no phantom
// events). fn must not block for long.
func (db *DB) Subscribe(fn func([]*tripline.Event)) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.subscribers = append(db.subscribers, fn)
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

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction. An advisory lock serialises processes starting together, so
// two replicas never apply the same migration twice.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	steps := map[int]func(tx *sql.Tx) error{}
	labels := map[int]string{}
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		steps[v], labels[v] = func(tx *sql.Tx) error {
			buf, err := fs.ReadFile(migrationFS, name)
			if err != nil {
				return err
			}
			// Without arguments pgx sends the simple protocol, which runs
			// a file of many statements in one round trip.
			_, err = tx.ExecContext(ctx, string(buf))
			return err
		}, name
	}
	for v, fn := range codeMigrations {
		if _, dup := steps[v]; dup {
			return fmt.Errorf("migration %d: both a file and code", v)
		}
		steps[v], labels[v] = func(tx *sql.Tx) error { return fn(ctx, tx) }, fmt.Sprintf("%d (code)", v)
	}
	versions := make([]int, 0, len(steps))
	for v := range steps {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	for _, v := range versions {
		if err := db.migrateStep(ctx, v, steps[v]); err != nil {
			return fmt.Errorf("migration %s: %w", labels[v], err)
		}
	}
	return nil
}

func (db *DB) migrateStep(ctx context.Context, version int, apply func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, lockMigrate); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
		return err
	} else if n != 0 {
		return nil
	}
	if err := apply(tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, db.Now().UTC()); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx wraps a write transaction with the time it started and the events it
// appends.
type Tx struct {
	*sql.Tx
	db     *DB
	now    time.Time
	events []*tripline.Event
	chain  *tripline.Chainer // this node's new events; nil until the first
}

// BeginTx starts a write transaction holding this node's origin lock until
// it ends. Every write appends to the origin's log, so writers of one origin
// are serialised anyway; taking the lock first, before any read, also makes
// the read-then-write of versions and import plans safe under READ
// COMMITTED, across connections and processes. It returns an error when the
// transaction cannot start or the lock cannot be taken (ctx cancelled).
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockOrigin, db.Origin); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("lock origin %s: %w", db.Origin, err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC()}, nil
}

// Commit signs the transaction's last event, commits, and then publishes
// the transaction's events.
func (tx *Tx) Commit() error {
	if last := tx.chain.SignLast(); last != nil {
		if _, err := tx.Exec(`UPDATE events SET sig = $1 WHERE origin = $2 AND seq = $3`, last.Sig, last.Origin, last.Seq); err != nil {
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
	return tx.appendEventDigest(ctx, typ, subject, payload, "")
}

// appendEventDigest is appendEvent with the payload digest computed ahead
// ("" computes it here).
func (tx *Tx) appendEventDigest(ctx context.Context, typ tripline.EventType, subject string, payload []byte, digest string) (*tripline.Event, error) {
	ev, err := tx.nextEvent(ctx, typ, subject, payload, digest)
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
// within the transaction. The head is read once, under the origin lock
// taken by BeginTx, so no other writer can move it.
func (tx *Tx) nextEvent(ctx context.Context, typ tripline.EventType, subject string, payload []byte, digest string) (*tripline.Event, error) {
	if tx.chain == nil {
		c := &tripline.Chainer{Origin: tx.db.Origin, Sign: tx.db.Sign}
		err := tx.QueryRowContext(ctx, `SELECT seq, chain FROM events WHERE origin = $1 ORDER BY seq DESC LIMIT 1`, tx.db.Origin).Scan(&c.Seq, &c.Chain)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("last event: %w", err)
		}
		tx.chain = c
	}
	return tx.chain.Next(typ, subject, payload, digest, tx.now)
}

// insertEvents stores events made by nextEvent, many rows to a statement:
// a bulk import pays a round trip per batch, not per event.
func (tx *Tx) insertEvents(ctx context.Context, evs []*tripline.Event) error {
	const cols = 8
	for len(evs) > 0 {
		n := min(len(evs), batchRows)
		args := make([]any, 0, n*cols)
		for _, ev := range evs[:n] {
			args = append(args, ev.Origin, ev.Seq, string(ev.Type), ev.Subject, []byte(ev.Payload), formatTime(ev.At), ev.Sig, ev.Chain)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (origin, seq, type, subject, payload, at, sig, chain) VALUES `+
			placeholders(n, cols), args...); err != nil {
			return fmt.Errorf("append events %d..%d: %w", evs[0].Seq, evs[n-1].Seq, err)
		}
		tx.events = append(tx.events, evs[:n]...)
		evs = evs[n:]
	}
	return nil
}

// batchRows is how many rows one multi-row INSERT carries: well under
// PostgreSQL's 65535 bind parameters for every table here.
const batchRows = 256

// placeholders returns "($1, $2), ($3, $4)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	var b strings.Builder
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(r*cols + c + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// timeLayout is the events' time format: the one the chain hashes.
const timeLayout = time.RFC3339Nano

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// optTime returns t for a nullable TIMESTAMPTZ column: NULL when nil.
func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}
