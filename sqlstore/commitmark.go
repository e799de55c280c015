package sqlstore

import (
	"context"
	"sync"
)

// CommitMarker is implemented by a Dialect that can read, cheaply and
// without a query, a mark of the store's committed state that every
// commit of any process changes. Hot reads of rarely changing rows (a
// token on every request) then query again only when the mark moved.
type CommitMarker interface {
	// OpenCommitMark returns mark, which appends the current mark to dst
	// (ok false when it cannot tell: the caller queries), and release,
	// which frees what it holds. It returns a nil mark when the store
	// cannot be watched.
	OpenCommitMark(ctx context.Context, db *DB) (mark func(dst []byte) ([]byte, bool), release func() error, err error)
}

// commitMarks is a DB's CommitMarker, opened at first use. mu keeps a
// mark from being read while, or after, the DB closes and releases it:
// the SQLite mark reads a mapping, and reading it unmapped crashes the
// process (a request authenticated after a shutdown's grace period).
type commitMarks struct {
	once    sync.Once
	mu      sync.RWMutex
	closed  bool
	mark    func(dst []byte) ([]byte, bool)
	release func() error
}

// close releases the mark; from then on the DB has none.
func (m *commitMarks) close() {
	m.once.Do(func() {}) // none opened from now on
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed && m.release != nil {
		m.release()
	}
	m.closed = true
}

// commitMark appends the store's commit mark to dst; ok is false when the
// engine has none (the caller queries every time).
func (db *DB) commitMark(dst []byte) ([]byte, bool) {
	db.marks.once.Do(func() {
		cm, ok := db.dialect.(CommitMarker)
		if !ok {
			return
		}
		mark, release, err := cm.OpenCommitMark(db.ctx, db)
		if err != nil {
			db.logError("commit mark: tokens are read on every request", err)
			return
		}
		db.marks.mark, db.marks.release = mark, release
	})
	db.marks.mu.RLock()
	defer db.marks.mu.RUnlock()
	if db.marks.mark == nil || db.marks.closed {
		return dst, false
	}
	return db.marks.mark(dst)
}
