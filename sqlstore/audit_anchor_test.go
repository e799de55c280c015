package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"tripline"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestAuditFlushWaitsForTheWriter: Flush means everything recorded so far
// is committed, also while the writer holds the batch (here: waiting for
// a lock another process holds). It used to return at once, which made
// TestAuditTwoWriters fail at random on a busy machine.
func TestAuditFlushWaitsForTheWriter(t *testing.T) {
	db := MustOpenDB(t)
	log, err := sqlstore.NewAuditLog(db)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	other, err := sql.Open("sqlite", "file:"+sqlite.AuditPath(db.DSN))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	log.Record(t.Context(), tripline.AuditEntry{User: "u", Agency: "a", Role: tripline.RoleOfficer, Action: "screen", Subject: "t1"})
	// Let the writer take the entry and wait on the lock (the test holds
	// either way; this makes the old failure show).
	time.Sleep(200 * time.Millisecond)
	released := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		conn.ExecContext(context.Background(), `ROLLBACK`)
		close(released)
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := log.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := other.QueryRow(`SELECT COUNT(*) FROM audit`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after Flush: %d entries stored (%v), want 1", n, err)
	}
	<-released
}

// TestAuditFlushReportsAnUnwritableLog: Flush with a deadline reports the
// entries it could not commit instead of claiming success.
func TestAuditFlushReportsAnUnwritableLog(t *testing.T) {
	db := MustOpenDB(t)
	log, err := sqlstore.NewAuditLog(db)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	mustExec(t, log.SQL(), `CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
	log.Record(t.Context(), tripline.AuditEntry{User: "u", Action: "screen", Subject: "t1"})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := log.Flush(ctx); tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
		t.Fatalf("flush of an unwritable log = %v, want unavailable", err)
	}
	mustExec(t, log.SQL(), `DROP TRIGGER refuse`)
	if err := log.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestAuditMovedOutOfTheStore: entries an older version kept in the
// store's own table move to the audit file, chain intact, and the chain
// continues from them.
func TestAuditMovedOutOfTheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tripline.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	prev := ""
	for seq := int64(1); seq <= 3; seq++ {
		e := tripline.AuditEntry{Seq: seq, At: time.Date(2026, 1, 1, 0, 0, int(seq), 0, time.UTC), User: "u", Agency: "a",
			Role: tripline.RoleAnalyst, Action: "listing.read", Subject: fmt.Sprint("s:", seq), Prev: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		if _, err := db.SQL().Exec(`INSERT INTO audit (seq, at, user_id, agency, role, action, subject, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.At.Format("2006-01-02T15:04:05.000000000Z07:00"), e.User, e.Agency, string(e.Role), e.Action, e.Subject, e.Detail, e.Prev, e.Hash); err != nil {
			t.Fatal(err)
		}
	}
	log, err := sqlstore.NewAuditLog(db)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if got := sqlite.AuditPath(db.DSN); got != filepath.Join(filepath.Dir(path), "tripline-audit.db") {
		t.Fatalf("audit file = %s", got)
	}
	log.Record(t.Context(), tripline.AuditEntry{User: "u", Action: "login"})
	n, broken, err := log.Verify(t.Context())
	if err != nil || broken != nil || n != 4 {
		t.Fatalf("after the move: %d entries, %v, %v; want 4 intact", n, broken, err)
	}
	var left int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("the store still holds %d entries (%v)", left, err)
	}
}

func mustExec(t *testing.T, db *sql.DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
