package policy_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/match"
	"tripline/policy"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// BenchmarkScreeningPolicyOverhead screens generated travellers against the
// UN list with the policy layer and audit off, then on (handling filter,
// result shaping, one audit entry per screening into the SQLite hash chain).
//
//	go test ./policy -run x -bench PolicyOverhead -benchtime 20000x
func BenchmarkScreeningPolicyOverhead(b *testing.B) {
	f, err := os.Open("../cmd/tripline/sample/un_sc_consolidated_2024-09-26.xml")
	if err != nil {
		b.Skip(err)
	}
	ls, err := importer.ReadUN(f, "un.xml")
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	ix := match.NewIndex(match.Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	travellers := match.GenerateTravellers(10000, 1)
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "t.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	audit, err := sqlstore.NewAuditLog(db)
	if err != nil {
		b.Fatal(err)
	}
	defer audit.Close()
	p := policy.New(tripline.GroupMap{"tr-border": {"partners"}}, audit)
	ctx := tripline.WithIdentity(context.Background(), &tripline.Identity{User: "ofc", Agency: "tr-border", Role: tripline.RoleOfficer})
	for _, mode := range []string{"off", "on"} {
		b.Run("policy="+mode, func(b *testing.B) {
			s := screening.NewService(ix)
			s.Listing = ix.Listing
			s.Now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
			if mode == "on" {
				s.Allow = p.CanScreen
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					t := travellers[i%len(travellers)]
					i++
					r, err := s.Screen(ctx, t)
					if err != nil {
						b.Fatal(err)
					}
					if mode == "on" {
						if _, err := p.Result(ctx, r, ix.Listing); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "screenings/s")
		})
	}
}
