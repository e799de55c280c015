package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"tripline/sqlite"
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
			Listings:   sqlite.NewListingService(db),
			Events:     sqlite.NewEventService(db),
			Encounters: sqlite.NewEncounterService(db),
			Alerts:     sqlite.NewDocumentAlertService(db),
			Origin:     db.Origin,
			SetNow:     func(now time.Time) { db.Now = func() time.Time { return now } },
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.NewListingService(db).PutListing(t.Context(), storetest.Listing("s", "1", "Ali Hassan")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatalf("reopen (migrations must be idempotent): %v", err)
	}
	defer db.Close()
	if _, err := sqlite.NewListingService(db).Listing(t.Context(), "s:1"); err != nil {
		t.Fatal(err)
	}
}
