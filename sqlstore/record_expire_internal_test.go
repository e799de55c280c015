package sqlstore

import (
	"database/sql"
	"os"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestExpiredQueryUsesIndex: the expiry pass (every 30 s on a node) finds
// expired listings through the partial index on valid_until, not by a
// walk of the whole listings table (a million rows on a large node).
func TestExpiredQueryUsesIndex(t *testing.T) {
	schema, err := os.ReadFile("../sqlite/migrations/0001_listings.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatal(err)
	}
	got := QueryPlan(t, db, expiredQuery("listings"), "2026-12-03T00:00:00Z")
	if !strings.Contains(got, "INDEX listings_valid_until") || strings.Contains(got, "SCAN listings") {
		t.Errorf("plan of the expiry query: %s, want a search of listings_valid_until", got)
	}
}
