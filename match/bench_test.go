package match

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/match/internal/strdist"
)

// Benchmarks: per-screening latency (mean, p50, p99) and throughput on
// every core (b.RunParallel), on the UN list and on a generated
// 1,000,000-listing watchlist, with a sampled brute-force Jaro-Winkler scan
// of the same list as the baseline (bruteforce-µs, speedup-x).
//
//	go test ./match/ -run '^$' -bench . -benchtime 20000x -benchmem

var benchNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// benchQueries mixes innocent travellers with listed people under
// perturbation, as a border sees them: mostly the former.
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

// warmUp screens every query once: measurements then see the steady state,
// not first-touch page faults.
func warmUp(ix *Index, qs []*tripline.Traveller) {
	for _, q := range qs {
		ix.Screen(q, benchNow, nil)
	}
}

// screenLatency measures Screen one screening at a time: mean, p50 and
// p99 per screening. It then times a few brute-force Jaro-Winkler scans of
// the same list and reports how many times slower they are.
func screenLatency(b *testing.B, ix *Index, ls []*tripline.Listing, qs []*tripline.Traveller) {
	b.Helper()
	warmUp(ix, qs)
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
	mean := float64(sum.Microseconds()) / float64(len(lat))
	b.ReportMetric(mean, "mean-µs")
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)].Microseconds())
	}
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
	// The baseline, sampled: a brute-force scan of a million names takes
	// most of a second, so three of them are enough.
	const samples = 3
	t0 := time.Now()
	for i := 0; i < samples; i++ {
		bruteForceJW(qs[i].FullName(), ls)
	}
	brute := float64(time.Since(t0).Microseconds()) / samples
	b.ReportMetric(brute, "bruteforce-µs")
	b.ReportMetric(brute/mean, "speedup-x")
}

// screenParallel measures throughput on every core (GOMAXPROCS).
func screenParallel(b *testing.B, ix *Index, qs []*tripline.Traveller) {
	b.Helper()
	warmUp(ix, qs)
	var next atomic.Int64
	b.ResetTimer()
	t0 := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ix.Screen(qs[int(next.Add(1))%len(qs)], benchNow, nil)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "screenings/s")
}

// bruteForceJW is the baseline: the best Jaro-Winkler of the name against
// every listed name, no index.
func bruteForceJW(name string, ls []*tripline.Listing) float64 {
	best := 0.0
	for _, l := range ls {
		for _, n := range l.Names {
			best = max(best, strdist.JaroWinkler(name, n.Full))
		}
	}
	return best
}

func BenchmarkScreenUN(b *testing.B) {
	ls := loadUN(b)
	ix := NewIndex(Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	qs := benchQueries(ls, 2000)
	b.Run("latency", func(b *testing.B) { screenLatency(b, ix, ls, qs) })
	b.Run("parallel", func(b *testing.B) { screenParallel(b, ix, qs) })
}

var (
	bigOnce sync.Once
	bigIx   *Index
	bigLs   []*tripline.Listing
	bigMem  uint64 // the index's own heap, listings excluded
	// the same after Compact, and how long Compact took
	bigMemCompact uint64
	bigCompact    time.Duration
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
		t0 := time.Now()
		bigIx.Compact() // as a node does after its load
		bigCompact = time.Since(t0)
		runtime.GC()
		var m3 runtime.MemStats
		runtime.ReadMemStats(&m3)
		bigMemCompact = m3.HeapAlloc - m1.HeapAlloc
	})
	return bigIx, bigLs
}

func BenchmarkScreen1M(b *testing.B) {
	ix, ls := bigIndex(b)
	qs := benchQueries(ls, 5000)
	b.Run("latency", func(b *testing.B) {
		screenLatency(b, ix, ls, qs)
		b.ReportMetric(float64(bigMem)/(1<<20), "index-MiB")
		b.ReportMetric(float64(bigMemCompact)/(1<<20), "compacted-MiB")
		b.ReportMetric(bigCompact.Seconds(), "compact-s")
		b.ReportMetric(float64(bigListMem)/(1<<20), "listings-MiB")
		b.ReportMetric(benchRecall(ix, ls, 5000), "recall")
	})
	b.Run("parallel", func(b *testing.B) { screenParallel(b, ix, qs) })
	// The same index written to a snapshot file and mapped back, as a
	// node starts: load time, the Go heap it takes, latency and recall.
	snap := bigSnapshot(b, ix)
	b.Run("snapshot", func(b *testing.B) {
		screenLatency(b, snap, ls, qs)
		b.ReportMetric(bigSnapLoad.Seconds(), "load-s")
		b.ReportMetric(float64(bigSnapHeap)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(bigSnapFile)/(1<<20), "file-MiB")
		b.ReportMetric(benchRecall(snap, ls, 5000), "recall")
	})
	b.Run("snapshot-parallel", func(b *testing.B) { screenParallel(b, snap, qs) })
}

var (
	bigSnapOnce sync.Once
	bigSnap     *Index
	bigSnapLoad time.Duration
	bigSnapHeap uint64
	bigSnapFile int64
)

// bigSnapshot writes ix to a snapshot file once per run and loads it.
func bigSnapshot(b *testing.B, ix *Index) *Index {
	bigSnapOnce.Do(func() {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("tripline-bench-%d.snap", os.Getpid()))
		defer os.Remove(path) // the mapping stays
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		meta := SnapshotMeta{Build: "bench", Origin: "bench"}
		if err := ix.WriteSnapshot(f, meta); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(path)
		bigSnapFile = st.Size()
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		t0 := time.Now()
		bigSnap, _, err = LoadSnapshot(path, meta, Options{})
		bigSnapLoad = time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		bigSnapHeap = m1.HeapAlloc - m0.HeapAlloc
	})
	return bigSnap
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
