package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// Both files are opened with secure_delete: what a statement deletes or
// rewrites (an erased traveller, a trimmed tip) is overwritten, not left
// readable in free space (2 is FAST, 1 ON).
func TestSecureDelete(t *testing.T) {
	ctx := t.Context()
	db := NewDB(filepath.Join(t.TempDir(), "tripline.db"))
	store, err := Dialect{}.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	audit, _, err := Dialect{}.OpenAudit(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer audit.Close()
	for _, c := range []struct {
		name string
		db   *sql.DB
	}{{"store", store}, {"audit", audit}} {
		var got int
		if err := c.db.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != 1 {
			t.Errorf("%s: secure_delete = %d, want 1 (ON)", c.name, got)
		}
	}
}
