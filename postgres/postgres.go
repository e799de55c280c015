// Package postgres runs Tripline's stores (package sqlstore) on
// PostgreSQL, the system of record past one machine (design.md §6): through
// database/sql and the pgx driver, with embedded migrations. What is
// PostgreSQL's own is here: the driver (which rewrites sqlstore's "?"
// placeholders), the migrations, and the write locks, which are advisory
// locks since PostgreSQL, unlike SQLite, lets writers run together.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"tripline/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Advisory lock namespace (the first key of the two-key form), so that
// Tripline's locks cannot collide with another application's on the same
// database; the second key is a sqlstore.LockKey, or lockMigrate.
const lockSpace = 0x7472_6970 // "trip"

const lockMigrate = 0

// DB is a store on PostgreSQL.
type DB = sqlstore.DB

// NewDB returns a DB for the database at dsn, a URL or key=value pairs as
// pgx accepts them (search_path chooses a schema). Call Open before use.
func NewDB(dsn string) *DB { return sqlstore.New(dsn, Dialect{}) }

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://) rather than a file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Dialect is PostgreSQL's sqlstore.Dialect.
type Dialect struct{}

var _ sqlstore.Dialect = Dialect{}

// Name returns "postgres".
func (Dialect) Name() string { return "postgres" }

// Open connects and applies pending migrations. It returns an error when
// the server cannot be reached or a migration fails.
func (Dialect) Open(ctx context.Context, db *DB) (*sql.DB, error) {
	pdb, err := open(db.DSN)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := pdb.PingContext(ctx); err != nil {
		pdb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, pdb, db.Now); err != nil {
		pdb.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return pdb, nil
}

// Lock takes the advisory lock of key until tx ends, waiting at most
// wait (the store's BusyTimeout, default 10 s) for another writer: past it
// the write fails as busy (EUNAVAILABLE), as on SQLite, instead of queueing
// requests without bound behind a long import. Every store write takes
// LockStore first, before any read, which makes the read-then-write of
// sequence numbers, versions and import plans safe under READ COMMITTED
// across connections and processes, as SQLite's single writer makes it
// there.
func (Dialect) Lock(ctx context.Context, tx *sql.Tx, key sqlstore.LockKey, wait time.Duration) error {
	if wait <= 0 {
		wait = 10 * time.Second
	}
	// SET LOCAL takes no parameters: the value is a number we format.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, wait.Milliseconds())); err != nil {
		return fmt.Errorf("lock %d: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, ?)`, lockSpace, int(key)); err != nil {
		return fmt.Errorf("lock %d: %w", key, err)
	}
	return nil
}

// Busy reports whether err is a lock wait that timed out (lock_timeout,
// when the DSN sets one).
func (Dialect) Busy(err error) bool { return sqlState(err) == "55P03" }

// Duplicate reports whether err is a unique violation.
func (Dialect) Duplicate(err error) bool { return sqlState(err) == "23505" }

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// OpenAudit returns the store's own handle: the audit tables are in the
// same database, and their writers take LockAudit, not the store's lock.
func (Dialect) OpenAudit(_ context.Context, db *DB) (*sql.DB, bool, error) {
	return db.SQL(), false, nil
}

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction. An advisory lock serialises processes starting together, so
// two replicas never apply the same migration twice.
func migrate(ctx context.Context, db *sql.DB, now func() time.Time) error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	versions := map[int]string{}
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		versions[v] = name
	}
	order := make([]int, 0, len(versions))
	for v := range versions {
		order = append(order, v)
	}
	sort.Ints(order)
	for _, v := range order {
		if err := migrateStep(ctx, db, v, versions[v], now); err != nil {
			return fmt.Errorf("migration %s: %w", versions[v], err)
		}
	}
	return nil
}

func migrateStep(ctx context.Context, db *sql.DB, version int, name string, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?, ?)`, lockSpace, lockMigrate); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	} else if n != 0 {
		return nil
	}
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	// Without arguments pgx sends the simple protocol, which runs a file
	// of many statements in one round trip.
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, sqlstore.FormatTime(now())); err != nil {
		return err
	}
	return tx.Commit()
}
