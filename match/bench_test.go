package match

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"tripline"
)

// Benchmarks: per-screening latency (p50, p99) and throughput on the UN
// list and on a generated 1,000,000-listing watchlist, with a brute-force
// Jaro-Winkler scan of the same list as the baseline.
//
//	go test ./match/ -run '^$' -bench . -benchtime 20000x

var benchNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// queries mixes innocent travellers with listed people under perturbation,
// as a border sees them: mostly the former.
func benchQueries(ls []*tripline.Listing, n int) []*tripline.Traveller {
	ts := GenerateTravellers(n, 42)
	for i := 0; i < n/10; i++ {
		l := ls[(i*7919)%len(ls)]
		kind := Perturbations[i%len(Perturbations)]
		if t, ok := PerturbListing(l, kind, int64(i)); ok {
			ts[i*10] = t
		}
	}
	return ts
}

// runScreenBench measures Screen sequentially for latency quantiles and in
// parallel for throughput.
func runScreenBench(b *testing.B, ix *Index, qs []*tripline.Traveller) {
	b.Helper()
	for _, q := range qs { // warm up: steady state, not first-touch page faults
		ix.Screen(q, benchNow, nil)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		ix.Screen(qs[i%len(qs)], benchNow, nil)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	b.ReportMetric(float64(sum.Microseconds())/float64(len(lat)), "mean-µs")
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)].Microseconds())
	}
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
	// Throughput on every core (GOMAXPROCS), a fixed batch per worker.
	var wg sync.WaitGroup
	procs := runtime.GOMAXPROCS(0)
	per := max(1, b.N/procs)
	t0 := time.Now()
	for w := 0; w < procs; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				ix.Screen(qs[(w*per+i)%len(qs)], benchNow, nil)
			}
		}(w)
	}
	wg.Wait()
	b.ReportMetric(float64(per*procs)/time.Since(t0).Seconds(), "screenings/s")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkScreenUN(b *testing.B) {
	ls := loadUN(b)
	ix := NewIndex(Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	runScreenBench(b, ix, benchQueries(ls, 2000))
}

var (
	bigOnce sync.Once
	bigIx   *Index
	bigLs   []*tripline.Listing
	bigMem  uint64 // the index's own heap, listings excluded
	// the listings themselves (the index keeps pointers to them)
	bigListMem uint64
)

// bigIndex builds the 1,000,000-listing index once per run and records the
// heap it takes.
func bigIndex(b testing.TB) (*Index, []*tripline.Listing) {
	bigOnce.Do(func() {
		var m0, m1, m2 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		bigLs = GenerateListings(1_000_000, 7)
		runtime.GC()
		runtime.ReadMemStats(&m1)
		bigIx = NewIndex(Options{})
		for _, l := range bigLs {
			bigIx.Upsert(l)
		}
		runtime.GC()
		runtime.ReadMemStats(&m2)
		bigListMem = m1.HeapAlloc - m0.HeapAlloc
		bigMem = m2.HeapAlloc - m1.HeapAlloc
	})
	return bigIx, bigLs
}

func BenchmarkScreen1M(b *testing.B) {
	ix, ls := bigIndex(b)
	qs := benchQueries(ls, 5000)
	runScreenBench(b, ix, qs)
	b.ReportMetric(float64(bigMem)/(1<<20), "index-MiB")
	b.ReportMetric(float64(bigListMem)/(1<<20), "listings-MiB")
	b.ReportMetric(benchRecall(ix, ls, 5000), "recall")
}

// benchRecall is the share of the perturbed listed people in
// benchQueries(ls, n) that Screen finds at review or above.
func benchRecall(ix *Index, ls []*tripline.Listing, n int) float64 {
	found, total := 0, 0
	for i := 0; i < n/10; i++ {
		l := ls[(i*7919)%len(ls)]
		t, ok := PerturbListing(l, Perturbations[i%len(Perturbations)], int64(i))
		if !ok {
			continue
		}
		total++
		for _, m := range ix.Screen(t, benchNow, nil) {
			if m.Listing == l.ID {
				found++
				break
			}
		}
	}
	return float64(found) / float64(max(1, total))
}

// BenchmarkBruteForceJW1M is the baseline: Jaro-Winkler of the traveller's
// name against every listed name, no index. It is slow; run it with a
// small -benchtime (e.g. 3x).
func BenchmarkBruteForceJW1M(b *testing.B) {
	_, ls := bigIndex(b)
	qs := benchQueries(ls, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := qs[i%len(qs)].FullName()
		best := 0.0
		for _, l := range ls {
			for _, n := range l.Names {
				best = max(best, jaroWinkler(q, n.Full))
			}
		}
		_ = best
	}
}

func BenchmarkBruteForceJWUN(b *testing.B) {
	ls := loadUN(b)
	qs := benchQueries(ls, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := qs[i%len(qs)].FullName()
		best := 0.0
		for _, l := range ls {
			for _, n := range l.Names {
				best = max(best, jaroWinkler(q, n.Full))
			}
		}
		_ = best
	}
}
