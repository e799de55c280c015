// Package sqlite runs Tripline's stores (package sqlstore) on an embedded
// SQLite file, with the pure-Go driver (no cgo), WAL journaling and
// embedded migrations. What is SQLite's own is here: opening the file,
// its pragmas, the busy error, the migrations and the audit log's file.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sqlitedriver "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"tripline/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a store on SQLite.
type DB = sqlstore.DB

// NewDB returns a DB for the file at path. Call Open before use.
func NewDB(path string) *DB { return sqlstore.New(path, Dialect{}) }

// Dialect is SQLite's sqlstore.Dialect.
type Dialect struct{}

var _ sqlstore.Dialect = Dialect{}

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

// secureDelete makes SQLite overwrite what a statement deletes or
// rewrites (an erased traveller, a tip's trimmed events) instead of
// leaving it readable in free space: the retention promise holds for
// whoever reads the file or a backup of it.
const secureDelete = "&_pragma=secure_delete(ON)"

// busyTimeout is db's wait for another writer's lock.
func busyTimeout(db *DB) time.Duration {
	if db.BusyTimeout > 0 {
		return db.BusyTimeout
	}
	return 10 * time.Second
}

// Open opens the file, creating its directory, and applies pending
// migrations.
func (Dialect) Open(ctx context.Context, db *DB) (*sql.DB, error) {
	if db.DSN != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(db.DSN), 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: create data directory: %w", err)
		}
	}
	if err := create(ctx, db.DSN); err != nil {
		return nil, err
	}
	// _txlock=immediate takes the write lock at BEGIN, so two writers wait
	// on busy_timeout instead of failing mid-transaction. synchronous(FULL)
	// makes a committed import survive power loss, not just a killed process.
	dsn := "file:" + db.DSN + "?_txlock=immediate" +
		fmt.Sprintf("&_pragma=busy_timeout(%d)", busyTimeout(db).Milliseconds()) + "&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)" + secureDelete +
		// A bulk import writes a gigabyte in one transaction: a large page
		// cache keeps the B-tree's inner pages in memory instead of re-reading
		// them from the WAL.
		fmt.Sprintf("&_pragma=cache_size(-%d)", cmp.Or(db.CacheBytes, 256<<20)>>10) + "&_pragma=temp_store(MEMORY)"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", db.DSN, err)
	}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", db.DSN, err)
	}
	if err := migrate(ctx, sdb, db.Now); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", db.DSN, err)
	}
	return sdb, nil
}

// Lock does nothing: _txlock=immediate took the file's write lock at
// BEGIN, and the audit log is a file of its own.
func (Dialect) Lock(context.Context, *sql.Tx, sqlstore.LockKey, time.Duration) error { return nil }

// Busy reports whether err is SQLite's SQLITE_BUSY: the lock stayed
// taken for the whole busy timeout.
func (Dialect) Busy(err error) bool {
	var se *sqlitedriver.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Duplicate reports whether err is a unique or primary key's violation.
func (Dialect) Duplicate(err error) bool {
	var se *sqlitedriver.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
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
func create(ctx context.Context, path string) error {
	if path == ":memory:" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	c, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	defer c.Close()
	for _, p := range []string{fmt.Sprintf("PRAGMA page_size = %d", pageSize), "PRAGMA journal_mode = WAL"} {
		if _, err := c.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("sqlite: create %s: %s: %w", path, p, err)
		}
	}
	return nil
}

// migrate applies the SQL files and code migrations not yet recorded, in
// version order, each in its own transaction.
func migrate(ctx context.Context, db *sql.DB, now func() time.Time) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
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
			_, err = tx.ExecContext(ctx, string(buf))
			return err
		}, name
	}
	for v, fn := range sqlstore.CodeMigrations() {
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
		if err := migrateStep(ctx, db, v, steps[v], now); err != nil {
			return fmt.Errorf("migration %s: %w", labels[v], err)
		}
	}
	return nil
}

func migrateStep(ctx context.Context, db *sql.DB, version int, apply func(tx *sql.Tx) error, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	} else if n != 0 {
		return nil
	}
	if err := apply(tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, sqlstore.FormatTime(now())); err != nil {
		return err
	}
	return tx.Commit()
}

// AuditPath returns the path of the audit file of the store at path:
// "tripline.db" keeps its audit log in "tripline-audit.db".
func AuditPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + "-audit.db"
}

const auditSchema = `
CREATE TABLE IF NOT EXISTS audit (
	seq     INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	user_id TEXT NOT NULL,
	agency  TEXT NOT NULL,
	role    TEXT NOT NULL,
	action  TEXT NOT NULL,
	subject TEXT NOT NULL,
	detail  TEXT NOT NULL,
	prev    TEXT NOT NULL,
	hash    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_subject ON audit (subject, seq);
CREATE INDEX IF NOT EXISTS audit_agency_at ON audit (agency, at);
-- How far the audit journal (AuditJournal) is applied, written with each batch.
CREATE TABLE IF NOT EXISTS audit_journal (
	name    TEXT PRIMARY KEY,
	applied INTEGER NOT NULL
);
-- Signed checkpoints: the node's signature on the head (seq, hash) at a time.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
	seq  INTEGER PRIMARY KEY,
	at   TEXT NOT NULL,
	node TEXT NOT NULL,
	hash TEXT NOT NULL,
	key  TEXT NOT NULL,
	sig  BLOB NOT NULL
);`

// AuditJournal returns the directory of the audit log's journal, beside
// its file (sqlstore.AuditOptions.Journal).
func (Dialect) AuditJournal(db *sqlstore.DB) string {
	if db.DSN == ":memory:" {
		return ""
	}
	return filepath.Join(filepath.Dir(db.DSN), "audit-journal")
}

// OpenAudit opens the audit log's file beside the store (AuditPath), so
// that a long import holding the store's write lock never holds up an
// audit entry, and with it the answer that waits for it.
func (Dialect) OpenAudit(ctx context.Context, db *DB) (*sql.DB, bool, error) {
	if db.DSN == ":memory:" {
		return nil, false, fmt.Errorf("needs a database file, not %s", db.DSN)
	}
	path := AuditPath(db.DSN)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create directory: %w", err)
	}
	// As the store: writes take the lock at BEGIN; FULL sync makes a
	// committed entry survive power loss, not only a killed process.
	dsn := "file:" + path + "?_txlock=immediate" + fmt.Sprintf("&_pragma=busy_timeout(%d)", busyTimeout(db).Milliseconds()) +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" + secureDelete
	adb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", path, err)
	}
	adb.SetMaxIdleConns(sqlstore.MaxIdleConns)
	if _, err := adb.ExecContext(ctx, auditSchema); err != nil {
		adb.Close()
		return nil, false, fmt.Errorf("create %s: %w", path, err)
	}
	return adb, true, nil
}
