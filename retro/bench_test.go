package retro_test

import (
	"fmt"
	"math/rand"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"tripline"
	"tripline/retro"
)

var (
	given   = []string{"Mohammed", "Ahmed", "Ali", "Omar", "Fatima", "Aisha", "Ivan", "Olga", "John", "Maria", "Mehmet", "Ayse", "Wei", "Li", "Amina", "Yusuf", "Hassan", "Sergei", "Anna", "Jose", "Priya", "Ibrahim", "Khalid", "Elena", "Kwame", "Chinedu", "Nguyen", "Hiroshi", "Pierre", "Sofia"}
	surname = []string{"Hassan", "Khan", "Ivanov", "Smith", "Garcia", "Yilmaz", "Wang", "Okafor", "Mensah", "Rahman", "Haddad", "Petrov", "Kowalski", "Nguyen", "Tanaka", "Dubois", "Rossi", "Silva", "Ahmadi", "Hussein"}
)

// fill adds n generated travellers over the last 29 days, in parallel.
func fill(s *retro.Store, n int, now time.Time) {
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(w)))
			for i := w; i < n; i += workers {
				// A family-name suffix makes most names distinct, as among
				// millions of real travellers.
				name := fmt.Sprintf("%s %s %s%d", given[r.Intn(len(given))], given[r.Intn(len(given))], surname[r.Intn(len(surname))], r.Intn(5000))
				t := &tripline.Traveller{Ref: fmt.Sprint(i), Name: name,
					DOB:         tripline.PartialDate{Year: 1940 + r.Intn(66), Month: 1 + r.Intn(12), Day: 1 + r.Intn(28)},
					Nationality: "TUR", Document: &tripline.Document{Type: "P", Number: fmt.Sprintf("U%08d", i), Country: "TUR"}}
				s.Add(t, now.Add(-time.Duration(r.Int63n(int64(29*24*time.Hour)))))
			}
		}(w)
	}
	wg.Wait()
}

// BenchmarkRetroScreen measures one new listing against n stored travellers.
//
//	go test ./retro -run x -bench RetroScreen -benchtime 20x
func BenchmarkRetroScreen(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("travellers=%d", n), func(b *testing.B) {
			now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s := newStore()
			start := time.Now()
			fill(s, n, now)
			b.Logf("filled %d travellers in %s", n, time.Since(start).Round(time.Millisecond))
			target := traveller("target", "MOHAMED TAHIR ANWARI", "1961-05-02")
			s.Add(target, now.Add(-3*24*time.Hour))
			var after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&after)
			l := listing("Muhammad Taher Anwari", "1961")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				hits := s.Screen(l, now)
				if len(hits) == 0 || hits[0].Traveller.Ref != "target" {
					b.Fatalf("target not found: %d hits", len(hits))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heap-B/traveller")
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-MB")
			}
			runtime.KeepAlive(s)
		})
	}
}
