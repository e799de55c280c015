package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make and drop the schema
)

// PostgresDSN returns base (a PostgreSQL URL or key=value DSN, from the
// caller's $TRIPLINE_TEST_POSTGRES) on a fresh schema of its own, dropped
// when tb ends, so tests run in parallel and leave nothing behind. It
// skips tb when base is empty: the test needs a server.
func PostgresDSN(tb testing.TB, base string) string {
	tb.Helper()
	if base == "" {
		tb.Skip("TRIPLINE_TEST_POSTGRES not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "tripline_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	if !strings.Contains(base, "://") {
		return base + " search_path=" + schema
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("TRIPLINE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
