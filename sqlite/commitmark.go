package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"tripline/sqlstore"
)

// walIndexHeader is the length of the first copy of the WAL index header
// at the start of the -shm file (https://sqlite.org/walformat.html, 2.2):
// its change counter, last valid frame and salts move with every commit
// of any process, and it is written last, so a reader that sees it moved
// sees the commit.
const walIndexHeader = 48

var _ sqlstore.CommitMarker = Dialect{}

// OpenCommitMark reads the WAL index header of the store's -shm file
// instead of a query, for Authenticate on every request: from a shared
// read-only mapping of the file's first bytes (as SQLite itself maps it),
// so a request pays no system call, or with a pread where it cannot be
// mapped. A connection stays open meanwhile, so that no other process,
// closing the last other connection, removes the file and makes a new one
// that this handle would not see, or truncates it under the mapping (SQLite
// truncates the -shm only when it opens the store with no connection
// left). A store not in WAL mode has no mark.
func (Dialect) OpenCommitMark(ctx context.Context, db *sqlstore.DB) (func([]byte) ([]byte, bool), func() error, error) {
	if db.DSN == ":memory:" {
		return nil, nil, nil
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("commit mark: %w", err)
	}
	// A read maps the WAL index (creating the -shm file if need be).
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		conn.Close()
		return nil, nil, err
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("commit mark: %w", err)
	}
	f, err := os.Open(db.DSN + "-shm")
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("commit mark: %w", err)
	}
	if fi, err := f.Stat(); err == nil && fi.Size() >= walIndexHeader {
		if m, err := syscall.Mmap(int(f.Fd()), 0, walIndexHeader, syscall.PROT_READ, syscall.MAP_SHARED); err == nil {
			f.Close()
			mark := func(dst []byte) ([]byte, bool) { return append(dst, m[:walIndexHeader]...), true }
			release := func() error {
				return errors.Join(syscall.Munmap(m), conn.Close())
			}
			return mark, release, nil
		}
	}
	mark := func(dst []byte) ([]byte, bool) {
		var h [walIndexHeader]byte
		if n, err := f.ReadAt(h[:], 0); n < len(h) || err != nil {
			return dst, false
		}
		return append(dst, h[:]...), true
	}
	release := func() error {
		f.Close()
		return conn.Close()
	}
	return mark, release, nil
}
