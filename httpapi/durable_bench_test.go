package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/policy"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// asyncAudit is the audit log with a Flush that does not wait: answers
// leave before their entries are committed (as before durable answers).
type asyncAudit struct{ *sqlstore.AuditLog }

func (asyncAudit) Flush(context.Context) error { return nil }

// BenchmarkScreenDurableAudit: screenings per second over HTTP, 16 at a
// time, when each answer waits for its audit entry to be committed (group
// commit) and when it does not. Run with
//
//	go test ./httpapi -run x -bench ScreenDurableAudit -benchtime 3000x
func BenchmarkScreenDurableAudit(b *testing.B) {
	for _, mode := range []string{"durable", "async"} {
		b.Run("audit="+mode, func(b *testing.B) {
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
			s := httpapi.NewServer()
			s.Screener, s.Identity = screening.NewService(fakeMatcher{}), sqlstore.NewIdentityService(db)
			s.Policy, s.Audit = policy.New(tripline.GroupMap{}, audit), audit
			if mode == "async" {
				s.Audit = asyncAudit{audit}
			}
			s.Lookup = func(string) *tripline.Listing { return nil }
			s.Logger = discardLogger()
			ts := httptest.NewServer(s)
			defer ts.Close()
			ctx := context.Background()
			if err := s.Identity.CreateUser(ctx, &tripline.User{ID: "ofc", Agency: "s", Role: tripline.RoleOfficer}); err != nil {
				b.Fatal(err)
			}
			token, err := s.Identity.IssueToken(ctx, "ofc", "api", "", time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := fmt.Sprintf(`{"ref":"b-%d","name":"Astrid Lindqvist"}`, n.Add(1))
					req, _ := http.NewRequest("POST", ts.URL+"/v1/screen", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("screen = %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "screenings/s")
		})
	}
}
