package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"tripline"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// MustOpenDB opens a real SQLite database in a temporary directory.
func MustOpenDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "tripline.db"))
	db.Origin = "node-test"
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db := MustOpenDB(t)
		return storetest.Store{
			Listings:   sqlstore.NewListingService(db),
			Events:     sqlstore.NewEventService(db),
			Encounters: sqlstore.NewEncounterService(db),
			Alerts:     sqlstore.NewDocumentAlertService(db),
			Tips:       sqlstore.NewTipService(db),
			Diffusions: sqlstore.NewDiffusionService(db),
			Origin:     db.Origin,
			SetNow:     func(now time.Time) { db.Now = func() time.Time { return now } },
		}
	})
}

// TestContractStores runs the contract of every other store on SQLite.
func TestContractStores(t *testing.T) {
	storetest.RunDB(t, storetest.Engine{Open: func(t *testing.T) *sqlstore.DB { return MustOpenDB(t) }})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewListingService(db).PutListing(t.Context(), storetest.Listing("s", "1", "Ali Hassan")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatalf("reopen (migrations must be idempotent): %v", err)
	}
	defer db.Close()
	if _, err := sqlstore.NewListingService(db).Listing(t.Context(), "s:1"); err != nil {
		t.Fatal(err)
	}
}

// TestTimesSortAsText: stored times compare correctly as text, whatever
// their fractional seconds (encounter order and paging rely on it).
func TestTimesSortAsText(t *testing.T) {
	db := MustOpenDB(t)
	es := sqlstore.NewEncounterService(db)
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	// .12 s is earlier than .123 s, though "…00.12Z" > "…00.123Z" in RFC 3339 text.
	for i, at := range []time.Time{base.Add(120 * time.Millisecond), base.Add(123 * time.Millisecond), base.Add(100 * time.Millisecond)} {
		if _, err := es.CreateEncounter(t.Context(), &tripline.Encounter{ID: fmt.Sprint("e", i), Listing: "x:1", Originator: "a", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := es.Encounters(t.Context(), tripline.EncounterFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	if fmt.Sprint(ids) != "[e1 e0 e2]" {
		t.Fatalf("newest first = %v, want [e1 e0 e2]", ids)
	}
}

// A new file gets large pages: with the default 4 KiB a listing's event
// row overflows its page and the file triples (the driver sorts DSN
// pragmas, so page_size must be set apart, before journal_mode).
func TestNewFileHasLargePages(t *testing.T) {
	db := MustOpenDB(t)
	var size int
	if err := db.SQL().QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if size != 32768 || mode != "wal" {
		t.Fatalf("page_size %d, journal_mode %s; want 32768, wal", size, mode)
	}
}

func TestRehashUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	open := func() (*sqlite.DB, storetest.Store) {
		db := sqlite.NewDB(path)
		db.Origin = "node-test"
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, storetest.Store{Listings: sqlstore.NewListingService(db), Encounters: sqlstore.NewEncounterService(db), Origin: db.Origin}
	}
	db, s := open()
	storetest.TestRehashUpgrade(t, storetest.Upgrade{
		Store:   s,
		Exec:    func(q string) error { _, err := db.SQL().Exec(q); return err },
		Reopen:  func() storetest.Store { db.Close(); _, s := open(); return s },
		Version: 8,
	})
}

// Cancelling an import midway returns the cancellation, stores nothing,
// and leaves no pipeline goroutine behind.
func TestImportCancelled(t *testing.T) {
	db := MustOpenDB(t)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	endless := func(yield func(*tripline.Listing, error) bool) {
		for i := 0; ; i++ {
			if i == 3000 {
				cancel()
			}
			if !yield(storetest.Listing("src", fmt.Sprint(i), "Person Name"), nil) {
				return
			}
		}
	}
	_, err := sqlstore.NewListingService(db).ImportListings(ctx, "src", endless)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if last, _ := sqlstore.NewEventService(db).LastSeq(t.Context(), db.Origin); last != 0 {
		t.Fatalf("a cancelled import stored %d events", last)
	}
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after the import, %d before", n, before)
	}
}

// A write that cannot get the lock within the busy timeout (another
// process is importing) fails with EUNAVAILABLE, which asks the caller to
// retry, not with an internal error.
func TestBusyStoreIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	db := sqlite.NewDB(path)
	db.BusyTimeout = 100 * time.Millisecond
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.SQL().Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	_, err = sqlstore.NewListingService(db).PutListing(t.Context(), storetest.Listing("s", "1", "Ali Hassan"))
	if tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
		t.Fatalf("err = %v, want unavailable", err)
	}
	conn.ExecContext(t.Context(), `ROLLBACK`)
	if _, err := sqlstore.NewListingService(db).PutListing(t.Context(), storetest.Listing("s", "1", "Ali Hassan")); err != nil {
		t.Fatalf("after the lock is gone: %v", err)
	}
}
