package postgres_test

import (
	"context"
	"testing"

	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestBundleNumbers: a bundle's number goes up per partner and direction,
// and the last imported never goes back, on both engines.
func TestBundleNumbers(t *testing.T) {
	pg := sqlstore.NewFederationStore(MustOpenDB(t))
	lite := sqlite.NewDB(t.TempDir() + "/t.db")
	if err := lite.Open(); err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	ctx := context.Background()
	for name, s := range map[string]*sqlstore.FederationStore{"postgres": pg, "sqlite": sqlstore.NewFederationStore(lite)} {
		for want := int64(1); want <= 3; want++ {
			if got, err := s.NextBundle(ctx, "B"); err != nil || got != want {
				t.Fatalf("%s: bundle for B = %d, %v; want %d", name, got, err, want)
			}
		}
		if got, _ := s.NextBundle(ctx, "C"); got != 1 {
			t.Fatalf("%s: first bundle for C = %d", name, got)
		}
		for _, seq := range []int64{4, 2} {
			if err := s.BundleImported(ctx, "B", seq); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.LastBundle(ctx, "B"); err != nil || got != 4 {
			t.Fatalf("%s: last from B = %d, %v; want 4", name, got, err)
		}
		if got, err := s.LastBundle(ctx, "C"); err != nil || got != 0 {
			t.Fatalf("%s: last from C = %d, %v; want 0", name, got, err)
		}
	}
}
