package sqlstore

import (
	"database/sql"
	"strings"
	"testing"
)

// OverdueQuery is overdueQuery, for the query plan's test.
const OverdueQuery = overdueQuery

// QueryPlan returns SQLite's plan of query on db (EXPLAIN QUERY PLAN), its
// steps joined by "; ".
func QueryPlan(tb testing.TB, db *sql.DB, query string, args ...any) string {
	tb.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			tb.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(plan, "; ")
}
