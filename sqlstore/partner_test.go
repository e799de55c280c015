package sqlstore_test

import (
	"path/filepath"
	"testing"

	"tripline/sqlite"
	"tripline/sqlstore"
)

// Partners stored before migration 14 keep their plain http:// address
// working: the upgrade marks them insecure_http rather than stop a node
// from federating; https partners are not marked.
func TestPartnerTLSUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER TABLE partners DROP COLUMN tls_pins`, `ALTER TABLE partners DROP COLUMN tls_ca`,
		`ALTER TABLE partners DROP COLUMN insecure_http`, `DELETE FROM schema_migrations WHERE version = 14`,
		`INSERT INTO partners (id, agency, public_key, url) VALUES ('B', 'b', 'k', 'http://b.example:8080'), ('C', 'c', 'k', 'https://c.example')`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db = sqlite.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ps, err := sqlstore.NewFederationStore(db).Partners(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || !ps[0].InsecureHTTP || ps[1].InsecureHTTP {
		t.Fatalf("after the upgrade: B insecure %v, C insecure %v; want true, false", ps[0].InsecureHTTP, ps[1].InsecureHTTP)
	}
	for _, p := range ps {
		if err := p.CheckTransport(); err != nil {
			t.Errorf("after the upgrade: %v", err)
		}
	}
}
