package sqlstore_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"tripline"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// A store of an older version, its travellers as JSON with text times,
// moves them to the compact rows when it opens, none lost.
func TestTravellersMigratedToCompactRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tripline.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before migration 17.
	if _, err := db.SQL().Exec(`DROP TABLE travellers; DROP TABLE journal_applied; DELETE FROM schema_migrations WHERE version = 17;
		CREATE TABLE travellers (id INTEGER PRIMARY KEY, at TEXT NOT NULL, body BLOB NOT NULL);
		CREATE INDEX travellers_at ON travellers (at);`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 8, 30, 0, 500, time.UTC)
	for i := range 3 {
		body, _ := json.Marshal(tripline.Traveller{Ref: fmt.Sprint("old-", i), Name: "Astrid Lindqvist", Nationality: "SWE"})
		if _, err := db.SQL().Exec(`INSERT INTO travellers (at, body) VALUES (?, ?)`, at.Add(time.Duration(i)*time.Hour).Format("2006-01-02T15:04:05.000000000Z07:00"), body); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []string
	if err := sqlstore.NewTravellerLog(db).Each(t.Context(), at.Add(time.Hour), func(s sqlstore.Seen) {
		got = append(got, s.Traveller.Ref+"@"+s.At.Format(time.RFC3339Nano)+"/"+s.Traveller.Nationality)
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[old-1@2026-11-20T09:30:00.0000005Z/SWE old-2@2026-11-20T10:30:00.0000005Z/SWE]" {
		t.Fatalf("after the migration: %v", got)
	}
}
