package network_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/match"
	"tripline/network"
	"tripline/policy"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// Benchmarks of the node's link service as the product runs it: the
// policy layer's filters on a generated graph, the analytics snapshot an
// analyst's query builds, the screening flag per traveller, PNR imports
// and loading stored links.
//
//	go test ./network -run x -bench Service1M -benchtime 1x
//	go test ./network -run x -bench 'ImportPNR|LinkStoreLoad' -benchtime 1x
func BenchmarkService1M(b *testing.B)   { benchService(b, 1_000_000, 5_000_000) }
func BenchmarkService100k(b *testing.B) { benchService(b, 100_000, 1_000_000) }

const benchListings = 200

// benchService loads m generated links among n entities, a tenth of them
// governed by one of benchListings listings (half of which grant the
// analyst's agency details), plus each listing's phone and passport.
func benchService(b *testing.B, n, m int) {
	src, dst := synthLinks(n, m, 1)
	svc := network.NewService(network.NewMemStore())
	listings := map[string]*tripline.Listing{}
	for i := range benchListings {
		id := fmt.Sprintf("x:%d", i)
		l := &tripline.Listing{ID: id, Status: tripline.StatusActive, Provenance: tripline.Provenance{Originator: "orig"},
			Handling:  tripline.Handling{Screen: []string{"*"}, Action: []string{"*"}},
			Phones:    []string{synthEntity(int32(i*97%n/10*10 + 4)).Key}, // a phone node of the graph
			Documents: []tripline.Document{{Country: "GBR", Number: fmt.Sprintf("%09d", i*131%n/10*10+9)}}}
		if i%2 == 0 {
			l.Handling.Details = []string{"*"}
		}
		listings[id] = l
		if err := svc.SetListing(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
	types := []string{network.LinkHasPhone, network.LinkSameBooking, network.LinkAssociate, network.LinkCoTravel}
	const batch = 100_000
	links := make([]network.Link, 0, batch)
	for i := range src {
		l := network.Link{From: synthEntity(src[i]), To: synthEntity(dst[i]), Type: types[i%len(types)], Source: network.SourcePNRGOV}
		if i%10 == 0 {
			l.Listing, l.Source = fmt.Sprintf("x:%d", i/10%benchListings), "case"
		}
		if links = append(links, l); len(links) == batch || i == len(src)-1 {
			if _, err := svc.Store.AddLinks(ctx, links); err != nil {
				b.Fatal(err)
			}
			links = links[:0]
		}
	}
	src, dst = nil, nil
	runtime.GC()
	p := policy.New(tripline.GroupMap{}, nil)
	lookup := func(id string) *tripline.Listing { return listings[id] }
	analyst := tripline.WithIdentity(ctx, &tripline.Identity{User: "a", Agency: "s", Role: tripline.RoleAnalyst})
	officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: "s", Role: tripline.RoleOfficer})

	var sn *network.Snapshot
	b.Run("FilteredSnapshot", func(b *testing.B) {
		t0 := time.Now()
		for i := range b.N {
			allow, err := p.LinkFilter(analyst, "bench", lookup)
			if err != nil {
				b.Fatal(err)
			}
			if sn, err = svc.Snapshot(analyst, fmt.Sprint("k", i), allow); err != nil {
				b.Fatal(err)
			}
		}
		seconds(b, t0)
		b.ReportMetric(float64(sn.Graph.Edges()), "edges")
	})
	b.Run("PageRank", func(b *testing.B) {
		t0 := time.Now()
		for range b.N {
			sn2, _ := svc.Snapshot(analyst, "pr", nil) // a fresh snapshot: nothing cached
			if _, err := sn2.Facilitators("pagerank", nil, 20); err != nil {
				b.Fatal(err)
			}
			svc.AddLinks(ctx, []network.Link{{From: synthEntity(0), To: synthEntity(1), Type: "analyst", Source: "bench"}})
		}
		seconds(b, t0)
	})
	b.Run("Communities", func(b *testing.B) {
		t0 := time.Now()
		var c network.CommunitySummary
		for range b.N {
			sn2, _ := svc.Snapshot(analyst, "lv", nil)
			c = sn2.Communities(20)
			svc.AddLinks(ctx, []network.Link{{From: synthEntity(0), To: synthEntity(1), Type: "analyst", Source: "bench"}})
		}
		seconds(b, t0)
		b.ReportMetric(float64(c.Count), "communities")
	})
	b.Run("ScreenFlag", func(b *testing.B) {
		// Travellers known by a document node of the graph, screened by an
		// officer: the policy filters per screening, then the flag.
		rng := rand.New(rand.NewPCG(5, 5))
		canScreen := p.CanScreen(officer)
		active := func(id string) bool { l := listings[id]; return l != nil && canScreen(l) }
		var lat []time.Duration
		flagged := 0
		for range b.N {
			lat = lat[:0]
			for range 2000 {
				num := fmt.Sprintf("%09d", rng.IntN(n/10)*10+9)
				t := &tripline.Traveller{Ref: "t", Name: "A B", Document: &tripline.Document{Country: "GBR", Number: num}}
				t0 := time.Now()
				traverse, show := p.ScreenLinks(officer, lookup)
				m, err := svc.Flag(officer, t, 0, traverse, show, active)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if m != nil {
					flagged++
				}
			}
		}
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
		b.ReportMetric(100*float64(flagged)/float64(2000*b.N), "flagged-%")
		b.ReportMetric(peakMB(), "peak-MB")
	})
}

// BenchmarkImportPNR imports the 127-booking GTAS sample push into a
// service persisted in SQLite; each op replaces the push's links.
func BenchmarkImportPNR(b *testing.B) {
	data, err := os.ReadFile("testdata/pnrgov/gtas_pnrWithBags.txt")
	if err != nil {
		b.Fatal(err)
	}
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "t.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := network.NewService(network.NewMemStore())
	svc.Persist = sqlstore.NewLinkStore(db)
	var imp *network.Import
	b.ResetTimer()
	for range b.N {
		if imp, err = svc.ImportPNR(ctx, "", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(imp.Links), "links")
}

// BenchmarkLinkStoreLoad saves 1,000,000 links to SQLite, then measures a
// node's start: loading them into a service.
func BenchmarkLinkStoreLoad(b *testing.B) {
	const n, m = 200_000, 1_000_000
	src, dst := synthLinks(n, m, 1)
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "t.db"))
	if err := db.Open(); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	store := sqlstore.NewLinkStore(db)
	links := make([]network.Link, 0, m)
	for i := range src {
		links = append(links, network.Link{From: synthEntity(src[i]), To: synthEntity(dst[i]), Type: network.LinkSameBooking, Source: network.SourcePNRGOV})
	}
	t0 := time.Now()
	if err := store.SaveLinks(ctx, links); err != nil {
		b.Fatal(err)
	}
	save := time.Since(t0)
	links, src, dst = nil, nil, nil
	runtime.GC()
	b.ResetTimer()
	t0 = time.Now()
	var svc *network.Service
	for range b.N {
		svc = network.NewService(network.NewMemStore())
		if err := svc.Load(ctx, store.Links); err != nil {
			b.Fatal(err)
		}
	}
	seconds(b, t0)
	b.ReportMetric(save.Seconds(), "save-s")
	b.ReportMetric(float64(svc.Store.Len()), "links")
}

// BenchmarkScreeningFlagOverhead screens generated travellers against the
// UN list without and with the network flag hook (policy filters and the
// flag search per traveller) over the 127-booking PNR sample, each
// traveller carrying a booking locator: the flag's cost at the border.
//
//	go test ./network -run x -bench FlagOverhead -benchtime 20000x
func BenchmarkScreeningFlagOverhead(b *testing.B) {
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
	svc := network.NewService(network.NewMemStore())
	for _, l := range ls {
		ix.Upsert(l)
		if err := svc.SetListing(ctx, l); err != nil {
			b.Fatal(err)
		}
	}
	data, err := os.ReadFile("testdata/pnrgov/gtas_pnrWithBags.txt")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ImportPNR(ctx, "", bytes.NewReader(data)); err != nil {
		b.Fatal(err)
	}
	travellers := match.GenerateTravellers(10000, 1)
	for i, t := range travellers {
		t.Booking = fmt.Sprintf("B%05d", i)
	}
	p := policy.New(tripline.GroupMap{}, nil)
	officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: "tr-border", Role: tripline.RoleOfficer})
	for _, mode := range []string{"off", "on"} {
		b.Run("flag="+mode, func(b *testing.B) {
			s := screening.NewService(ix)
			s.Listing = ix.Listing
			s.Allow = p.CanScreen
			s.Now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
			if mode == "on" {
				s.Linked = func(ctx context.Context, t *tripline.Traveller) *tripline.Match {
					traverse, show := p.ScreenLinks(ctx, ix.Listing)
					canScreen := p.CanScreen(ctx)
					m, _ := svc.Flag(ctx, t, 0, traverse, show, func(id string) bool { l := ix.Listing(id); return l != nil && canScreen(l) })
					return m
				}
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := s.Screen(officer, travellers[i%len(travellers)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "screenings/s")
		})
	}
}
