package sqlstore_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// BenchmarkScreeningLogApply: the screening journal's applier on a batch
// of 1,000 journaled screenings holding 550 encounters (a 1M-listing
// node's mix: 0.55 per screening, reviews of near-namesakes with their
// explanations), from the records' bytes (decoded as the node's applier
// does) to the committed transaction, on a store already holding 22,000
// encounters. It reports the time and the process's CPU per screening;
// the store grows from batch to batch as a node's does.
//
//	go test ./sqlstore -run '^$' -bench ScreeningLogApply -benchtime 20x
func BenchmarkScreeningLogApply(b *testing.B) {
	db := MustOpenDB(b)
	at := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return at }
	db.Sign = func(msg []byte) []byte { return make([]byte, 64) }
	encs := sqlstore.NewEncounterService(db)
	log := sqlstore.NewScreeningLog(db)
	const screenings, encounters = 1000, 550 // 50 screenings of 11 encounters each
	var seq uint64
	var cpu time.Duration // the process's, applying only: the machine may be busy
	batch := func() [][]byte {
		recs, n := make([][]byte, screenings), 0
		for i := range recs {
			at = at.Add(time.Millisecond)
			t := &tripline.Traveller{Ref: fmt.Sprint("load-", i), Name: "Noor Qasim", Sex: "F", Nationality: "IRQ",
				DOB: tripline.PartialDate{Year: 1974, Month: 2, Day: 16}, Document: &tripline.Document{Type: "P", Number: fmt.Sprint("RJ", i), Country: "IRQ"},
				Travel: &tripline.Travel{Agency: "local"}}
			w := &sqlstore.ScreeningWrites{Seen: &sqlstore.Seen{Traveller: t, At: at}}
			for k := range 11 {
				if i%20 != 0 {
					break
				}
				w.Encounters = append(w.Encounters, encs.NewEncounter(&tripline.Encounter{
					Listing: fmt.Sprint("gen:G", i*11+k), Originator: "gen", Agency: "local", Decision: tripline.DecisionReview, Score: 0.69,
					Action: tripline.ActionInfo, Traveller: *t, Officer: "load-1796351288514308112", Explain: []tripline.Feature{
						{Feature: "name", Score: 0.839, Weight: 1, Detail: `"NOOR QASIM" ~ listed "Nour Qasim" (tokens: qasim=exact 1.00, noor/nour=variant 0.95); common names, evidence 0.86`},
						{Feature: "dob", Score: 0.7, Weight: 0.24, Detail: `"1974-02-16" ~ listed "1974-07" (month differs by one)`},
						{Feature: "nationality", Score: 0, Weight: -0.1, Detail: "IRQ not among listed JOR"},
						{Feature: "sex", Score: 1, Weight: 0.05, Detail: "F = listed F"}},
				}, at))
			}
			n += len(w.Encounters)
			var err error
			if recs[i], err = w.AppendBinary(nil); err != nil {
				b.Fatal(err)
			}
		}
		if n != encounters {
			b.Fatalf("%d encounters in a batch, want %d", n, encounters)
		}
		return recs
	}
	apply := func(recs [][]byte) {
		ws := make([]*sqlstore.ScreeningWrites, len(recs))
		for i, r := range recs {
			ws[i] = new(sqlstore.ScreeningWrites)
			if err := ws[i].UnmarshalBinary(r); err != nil {
				b.Fatal(err)
			}
		}
		seq += screenings
		if err := log.Apply(b.Context(), "bench", seq, ws); err != nil {
			b.Fatal(err)
		}
	}
	for range 40 {
		apply(batch())
	}
	for b.Loop() {
		b.StopTimer()
		recs := batch()
		b.StartTimer()
		c0 := processCPU(b)
		apply(recs)
		cpu += processCPU(b) - c0
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*screenings), "ns/screening")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*screenings), "cpu-ns/screening")
}

// processCPU returns the CPU time the process used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
