package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// BenchmarkEraseEncounters: a retention pass over n false positives past
// their 90 days (each with its reported, updated and clearance events) on
// a store that also holds recent ones. It reports the pass's time per
// erased encounter and per batch (the write lock is held one batch at a
// time).
//
//	go test ./sqlstore -run '^$' -bench EraseEncounters -benchtime 1x
func BenchmarkEraseEncounters(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := MustOpenDB(b)
				t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				at := t0
				db.Now = func() time.Time { return at }
				enc := sqlstore.NewEncounterService(db)
				for i := range 2 * n {
					if i == n {
						at = t0.AddDate(0, 3, 0) // the second half stays within its retention
					}
					e, err := enc.CreateEncounter(b.Context(), &tripline.Encounter{Listing: "x:1", Originator: "x", Decision: tripline.DecisionReview,
						Traveller: tripline.Traveller{Name: "Ali Hassan", DOB: tripline.PartialDate{Year: 1980, Month: 1, Day: 2},
							Document: &tripline.Document{Number: fmt.Sprint("P", i), Country: "IRQ"}}})
					if err != nil {
						b.Fatal(err)
					}
					if _, _, err := enc.ResolveEncounter(b.Context(), e.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive, Note: "a namesake"}, "h"); err != nil {
						b.Fatal(err)
					}
				}
				at = t0.AddDate(0, 3, 5)
				b.StartTimer()
				start := time.Now()
				x, err := enc.EraseEncounters(b.Context(), tripline.DefaultEncounterRetention)
				if err != nil || x.Encounters != n {
					b.Fatalf("erased %+v, %v; want %d", x, err, n)
				}
				el := time.Since(start)
				b.ReportMetric(float64(el.Microseconds())/float64(n), "µs/encounter")
				b.ReportMetric(float64(el.Milliseconds())/float64((n+31)/32), "ms/batch")
			}
		})
	}
}
