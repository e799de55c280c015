package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/journal"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// TestAuditJournal: a journaled audit log and a direct writer on the same
// file (a serving node and a command beside it) append to one chain; the
// journaled log's readers see every entry recorded before them.
func TestAuditJournal(t *testing.T) {
	db := MustOpenDB(t)
	node, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Journal: true})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	cli, err := sqlstore.NewAuditLog(storetest.Reopen(t, db)) // the journal is the node's: direct
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				node.Record(t.Context(), tripline.AuditEntry{User: "ofc", Agency: "a", Role: tripline.RoleOfficer, Action: "screen", Subject: fmt.Sprint("n", w, "-", i)})
				flush := node.Flush
				if w%2 == 0 { // as the HTTP server waits
					flush = func(ctx context.Context) error { return node.FlushWithin(ctx, time.Minute) }
				}
				if err := flush(t.Context()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range 10 {
		cli.Record(t.Context(), tripline.AuditEntry{User: "adm", Agency: "a", Role: tripline.RoleAdmin, Action: "user.disable", Subject: fmt.Sprint("c", i)})
	}
	wg.Wait()
	if err := cli.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	es, err := node.Entries(t.Context(), tripline.AuditFilter{Limit: 1000})
	if err != nil || len(es) != 50 {
		t.Fatalf("entries = %d, %v; want 50", len(es), err)
	}
	if n, broken, err := node.Verify(t.Context()); err != nil || broken != nil || n != 50 {
		t.Fatalf("verify = %d, %v, %v; want 50 intact", n, broken, err)
	}
}

// TestAuditJournalSurvivesExit: a process that journaled and flushed
// entries and then exited without closing its log (killed) loses none:
// whoever opens the log next applies them, once.
func TestAuditJournalSurvivesExit(t *testing.T) {
	if dir := os.Getenv("TRIPLINE_TEST_AUDIT_CHILD"); dir != "" {
		db := sqlite.NewDB(filepath.Join(dir, "tripline.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		log, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Journal: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			log.Record(t.Context(), tripline.AuditEntry{User: "ofc", Agency: "a", Role: tripline.RoleOfficer, Action: "screen", Subject: fmt.Sprint("r", i)})
		}
		if err := log.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		fmt.Println("flushed")
		os.Exit(0) // no Close: what the journal holds is all there is
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestAuditJournalSurvivesExit$")
	cmd.Env = append(os.Environ(), "TRIPLINE_TEST_AUDIT_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "flushed") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for range 2 { // the second open finds nothing left to apply
		db := sqlite.NewDB(filepath.Join(dir, "tripline.db"))
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		log, err := sqlstore.NewAuditLog(db)
		if err != nil {
			t.Fatal(err)
		}
		es, err := log.Entries(t.Context(), tripline.AuditFilter{Limit: 1000})
		if err != nil || len(es) != 200 {
			t.Fatalf("entries after the exit = %d, %v; want 200", len(es), err)
		}
		if n, broken, err := log.Verify(t.Context()); err != nil || broken != nil || n != 200 {
			t.Fatalf("verify = %d, %v, %v; want 200 intact", n, broken, err)
		}
		log.Close()
		db.Close()
	}
}

// TestAuditJournalOfEarlierBuild: an audit journal an earlier build left
// (entries in JSON, before the binary form) is applied when the log
// opens, in order with the entries journaled after it, on one chain.
func TestAuditJournalOfEarlierBuild(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(filepath.Join(dir, "audit-journal"), 0, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var last uint64
	for i := range 3 {
		b, err := json.Marshal(tripline.AuditEntry{At: time.Date(2026, 12, 3, 8, 0, i, 0, time.UTC), User: "ofc", Agency: "a",
			Role: tripline.RoleOfficer, Action: "screen", Subject: fmt.Sprint("old-", i)})
		if err != nil {
			t.Fatal(err)
		}
		if last, err = j.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Sync(t.Context(), last); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(dir, "tripline.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Journal: true})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	log.Record(t.Context(), tripline.AuditEntry{User: "ofc", Agency: "a", Role: tripline.RoleOfficer, Action: "screen", Subject: "new"})
	es, err := log.Entries(t.Context(), tripline.AuditFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, e := range es {
		subjects = append(subjects, e.Subject)
	}
	slices.Sort(subjects)
	if strings.Join(subjects, " ") != "new old-0 old-1 old-2" {
		t.Errorf("entries: %v, want the three of the earlier build and the new one", subjects)
	}
	if n, broken, err := log.Verify(t.Context()); err != nil || broken != nil || n != 4 {
		t.Fatalf("verify = %d, %v, %v; want 4 intact", n, broken, err)
	}
}
