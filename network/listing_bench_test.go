package network_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"tripline"
	"tripline/network"
)

// BenchmarkListingLinks1M measures what a node's link graph holds once
// the links of 1,000,000 listings are derived (issue 17 item 4): listings
// shaped like importer.GenerateCSV's (six in ten with a passport, one in
// four with a phone, one in eight with an e-mail), given to the service
// one by one as the node does. It reports the live heap of the service
// after a collection, per link and per listing.
//
//	go test ./network -run x -bench ListingLinks1M -benchtime 1x -benchmem
func BenchmarkListingLinks1M(b *testing.B) { benchListingLinks(b, 1_000_000) }

func benchListingLinks(b *testing.B, n int) {
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		svc := network.NewService(network.NewMemStore())
		rng := rand.New(rand.NewPCG(7, 7))
		ctries := []string{"AFG", "IRN", "IRQ", "SYR", "YEM", "PAK", "RUS", "CHN", "PRK", "SDN", "LBY", "SOM", "NGA", "MLI", "GBR", "FRA"}
		at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		t0 := time.Now()
		last := ""
		for i := range n {
			l := &tripline.Listing{ID: fmt.Sprintf("gen:G%07d", i+1), Status: tripline.StatusActive, UpdatedAt: at}
			if rng.IntN(10) < 6 {
				l.Documents = []tripline.Document{{Type: "P", Country: ctries[rng.IntN(len(ctries))],
					Number: fmt.Sprintf("P%08d", rng.IntN(100_000_000))}}
			}
			if rng.IntN(4) == 0 {
				l.Phones = []string{fmt.Sprintf("+%d %03d %07d", 7+rng.IntN(90), rng.IntN(1000), rng.IntN(10000000))}
			}
			if rng.IntN(8) == 0 {
				l.Emails = []string{fmt.Sprintf("name%d.%d@example.net", rng.IntN(5000), rng.IntN(1000))}
			}
			if len(l.Documents)+len(l.Phones)+len(l.Emails) == 0 {
				continue // the node gives such a listing nothing to derive
			}
			if err := svc.SetListing(ctx, l); err != nil {
				b.Fatal(err)
			}
			last = l.ID
		}
		took := time.Since(t0)
		runtime.GC()
		debug.FreeOSMemory()
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		links := svc.Store.Len()
		b.ReportMetric(heap/(1<<20), "heap-MB")
		b.ReportMetric(heap/float64(links), "B/link")
		b.ReportMetric(heap/float64(n), "B/listing")
		b.ReportMetric(float64(links), "links")
		b.ReportMetric(took.Seconds(), "derive-s")
		// The analytics snapshot of the whole graph an analyst's query
		// builds and the service caches, on top.
		g, err := svc.Store.Graph(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := g.ID(network.ListingEntity(last)); !ok {
			b.Fatal("snapshot without the last listing")
		}
		runtime.GC()
		var snap runtime.MemStats
		runtime.ReadMemStats(&snap)
		b.ReportMetric((float64(snap.HeapAlloc)-float64(after.HeapAlloc))/(1<<20), "snapshot-MB")
		b.ReportMetric(peakMB(), "peak-MB")
		runtime.KeepAlive(svc)
		runtime.KeepAlive(g)
	}
}
