package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// BenchmarkOverdueGauge: one refresh of the /metrics overdue gauge on a
// store of 20,000 encounters, half of them overdue: counted from the
// index (OverdueEncounters) against reading every encounter a page at a
// time and marking each, as the gauge did before.
//
//	go test ./sqlstore -run '^$' -bench OverdueGauge
func BenchmarkOverdueGauge(b *testing.B) {
	db := MustOpenDB(b)
	at := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return at }
	encs := sqlstore.NewEncounterService(db)
	log := sqlstore.NewScreeningLog(db)
	for k := range 20 {
		var ws []*sqlstore.ScreeningWrites
		for i := range 1000 {
			a := tripline.ActionInfo
			if i%2 == 0 {
				a = tripline.ActionDetain
			}
			ws = append(ws, &sqlstore.ScreeningWrites{Encounters: []*tripline.Encounter{encs.NewEncounter(&tripline.Encounter{
				Listing: fmt.Sprint("gen:G", i), Originator: "gen", Decision: tripline.DecisionReview, Action: a,
				Traveller: tripline.Traveller{Name: "Noor Qasim", DOB: tripline.PartialDate{Year: 1974}}}, at)}})
		}
		if err := log.Apply(b.Context(), "bench", uint64(k+1), ws); err != nil {
			b.Fatal(err)
		}
	}
	now := at.Add(time.Hour)
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			if c, err := encs.OverdueEncounters(b.Context(), now); err != nil || c[tripline.ActionDetain] != 10000 {
				b.Fatal(c, err)
			}
		}
	})
	b.Run("read every encounter", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for f := (tripline.EncounterFilter{Limit: 1000}); ; {
				es, err := encs.Encounters(b.Context(), f)
				if err != nil {
					b.Fatal(err)
				}
				if len(es) == 0 {
					break
				}
				for _, e := range es {
					if e.MarkOverdue(now); e.Overdue {
						n++
					}
				}
				f.Before = es[len(es)-1].ID
			}
			if n != 10000 {
				b.Fatal(n)
			}
		}
	})
}
