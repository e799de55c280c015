// Package sqlite implements Tripline's stores on an embedded SQLite file,
// with the pure-Go driver (no cgo), WAL journaling and embedded migrations.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	sqlitedriver "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"tripline"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a handle to one Tripline SQLite database.
type DB struct {
	db     *sql.DB
	ctx    context.Context // cancelled by Close
	cancel func()

	// DSN is the path of the database file.
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
}

// maxIdleConns is how many connections a database keeps open between
// uses.
const maxIdleConns = 8

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

// NewDB returns a DB for the file at dsn. Call Open before use.
func NewDB(dsn string) *DB {
	db := &DB{DSN: dsn, Origin: "local", Now: time.Now}
	db.ctx, db.cancel = context.WithCancel(context.Background())
	return db
}

// Open opens the file, creating its directory, and applies pending migrations.
func (db *DB) Open() (err error) {
	if db.DSN == "" {
		return fmt.Errorf("sqlite: dsn required")
	}
	if db.DSN != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(db.DSN), 0o700); err != nil {
			return fmt.Errorf("sqlite: create data directory: %w", err)
		}
	}
	if err := db.create(); err != nil {
		return err
	}
	// _txlock=immediate takes the write lock at BEGIN, so two writers wait
	// on busy_timeout instead of failing mid-transaction. synchronous(FULL)
	// makes a committed import survive power loss, not just a killed process.
	busy := db.BusyTimeout
	if busy <= 0 {
		busy = 10 * time.Second
	}
	dsn := "file:" + db.DSN + "?_txlock=immediate" +
		fmt.Sprintf("&_pragma=busy_timeout(%d)", busy.Milliseconds()) + "&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)" +
		// A bulk import writes a gigabyte in one transaction: a large page
		// cache keeps the B-tree's inner pages in memory instead of re-reading
		// them from the WAL.
		fmt.Sprintf("&_pragma=cache_size(-%d)", cmp.Or(db.CacheBytes, 256<<20)>>10) + "&_pragma=temp_store(MEMORY)"
	if db.db, err = sql.Open("sqlite", dsn); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.DSN, err)
	}
	// Keep connections for concurrent requests: a new one costs its DSN
	// pragmas and re-preparing every cached statement (database/sql keeps
	// two idle by default, so eight concurrent requests churned them).
	db.db.SetMaxIdleConns(maxIdleConns)
	if err := db.db.PingContext(db.ctx); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", db.DSN, err)
	}
	if err := db.migrate(); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", db.DSN, err)
	}
	return nil
}

// pageSize is the page size of a new database file. An event row (a
// listing's body, about a kilobyte) must fit in a page's local payload, or
// every row spills into an overflow page that is mostly empty: with 4 KiB
// pages a million listings took 2.8 GB, with 32 KiB pages about a third.
const pageSize = 32768

// create gives a new database file its page size. It must run before
// anything else touches the file: the driver applies DSN pragmas in
// alphabetical order, and journal_mode (which writes page 1 and fixes the
// page size) sorts before page_size.
func (db *DB) create() error {
	if db.DSN == ":memory:" {
		return nil
	}
	if st, err := os.Stat(db.DSN); err == nil && st.Size() > 0 {
		return nil
	}
	c, err := sql.Open("sqlite", "file:"+db.DSN)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", db.DSN, err)
	}
	defer c.Close()
	for _, p := range []string{fmt.Sprintf("PRAGMA page_size = %d", pageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := c.ExecContext(db.ctx, p); err != nil {
			return fmt.Errorf("sqlite: create %s: %s: %w", db.DSN, p, err)
		}
	}
	return nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY: the lock stayed
// taken for the whole busy timeout.
func isBusy(err error) bool {
	var se *sqlitedriver.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Close closes the database.
func (db *DB) Close() error {
	db.cancel()
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

// migrate applies the SQL files and code migrations not yet recorded, in
// version order, each in its own transaction.
func (db *DB) migrate() error {
	if _, err := db.db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	steps := map[int]func(tx *sql.Tx) error{}
	labels := map[int]string{}
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		steps[v], labels[v] = func(tx *sql.Tx) error {
			buf, err := fs.ReadFile(migrationFS, name)
			if err != nil {
				return err
			}
			_, err = tx.Exec(string(buf))
			return err
		}, name
	}
	for v, fn := range codeMigrations {
		if _, dup := steps[v]; dup {
			return fmt.Errorf("migration %d: both a file and code", v)
		}
		steps[v], labels[v] = func(tx *sql.Tx) error { return fn(db.ctx, tx) }, fmt.Sprintf("%d (code)", v)
	}
	versions := make([]int, 0, len(steps))
	for v := range steps {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	for _, v := range versions {
		if err := db.migrateStep(v, steps[v]); err != nil {
			return fmt.Errorf("migration %s: %w", labels[v], err)
		}
	}
	return nil
}

func (db *DB) migrateStep(version int, apply func(tx *sql.Tx) error) error {
	tx, err := db.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	} else if n != 0 {
		return nil
	}
	if err := apply(tx); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, formatTime(db.Now())); err != nil {
		return err
	}
	return tx.Commit()
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
	if isBusy(err) {
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
// within the transaction.
func (tx *Tx) nextEvent(ctx context.Context, typ tripline.EventType, subject string, payload []byte, digest string) (*tripline.Event, error) {
	if tx.chain == nil {
		c := &tripline.Chainer{Origin: tx.db.Origin, Sign: tx.db.Sign}
		err := tx.QueryRowContext(ctx, `SELECT seq, chain FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1`, tx.db.Origin).Scan(&c.Seq, &c.Chain)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("last event: %w", err)
		}
		tx.chain = c
	}
	return tx.chain.Next(typ, subject, payload, digest, tx.now)
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
	const cols = 8
	for len(evs) > 0 {
		n := min(len(evs), 64)
		st, err := tx.stmt(ctx, `INSERT INTO events (origin, seq, type, subject, payload, at, sig, chain) VALUES `+placeholders(n, cols))
		if err != nil {
			return err
		}
		args := make([]any, 0, n*cols)
		for _, ev := range evs[:n] {
			args = append(args, ev.Origin, ev.Seq, string(ev.Type), ev.Subject, []byte(ev.Payload), formatTime(ev.At), ev.Sig, ev.Chain)
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

// parseTime reads a stored time; RFC 3339 parsing accepts the fixed-width
// layout as well as any variable-width value.
func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
