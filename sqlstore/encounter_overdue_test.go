package sqlstore_test

import (
	"path/filepath"
	"strings"
	"testing"

	"tripline/sqlite"
	"tripline/sqlstore"
)

// The overdue count reads a range of the partial index, never every
// encounter (the /metrics gauge read each one's JSON on every refresh).
func TestOverdueQueryUsesIndex(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "tripline.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := sqlstore.QueryPlan(t, db.SQL(), sqlstore.OverdueQuery, "2026-12-04T00:00:00.000000000Z")
	if !strings.Contains(got, "COVERING INDEX encounters_ack_open") {
		t.Errorf("plan of the overdue count: %s, want a search of the covering index encounters_ack_open", got)
	}
}
