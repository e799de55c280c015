// Command blindeval measures blind screening (package blind, issue 20) next
// to clear screening on the matcher's own evaluation sets: the UN list's
// listed people under the perturbations of bench/falsealerts, recall by
// perturbation, and blind alerts per 1,000 generated innocent travellers.
// With -build N it instead builds the blind table of N generated listings
// and prints the time and size.
//
//	go run ./bench/blindeval [-n 10000] [-seed 1]
//	go run ./bench/blindeval -build 1000000
package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"time"

	"tripline"
	"tripline/blind"
	"tripline/country"
	"tripline/importer"
	"tripline/match"
)

func main() {
	unPath := flag.String("un", "../shared/data/names/un_sc_consolidated_2024-09-26.xml", "UN SC consolidated list XML")
	n := flag.Int("n", 10000, "innocent travellers to generate")
	seed := flag.Int64("seed", 1, "generator seed")
	build := flag.Int("build", 0, "instead: build the blind table of this many generated listings")
	flag.Parse()
	ctx := context.Background()
	if *build > 0 {
		buildTable(ctx, *build, *seed)
		return
	}
	f, err := os.Open(*unPath)
	if err != nil {
		log.Fatal(err)
	}
	ls, err := importer.ReadUN(f, *unPath)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	o, c := pair(ls)
	start := time.Now()
	if _, err := o.Table(ctx, "B", "agency-b"); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("UN list: %d listings; blind table built in %v\n\n", len(ls), time.Since(start).Round(time.Millisecond))
	ix := match.NewIndex(match.Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	th := ix.Thresholds()
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

	fmt.Printf("recall of listed people by perturbation (clear: the matcher at review or hit; blind: any blind match on the listing)\n")
	fmt.Printf("  %-16s %6s %16s %16s %16s\n", "perturbation", "n", "clear", "blind", "blind at hit")
	var tc, tb, tbh, tt int
	for k, kind := range match.Perturbations {
		var ts []*tripline.Traveller
		var want []string
		clear := 0
		for i, l := range ls {
			t, ok := match.PerturbListing(l, kind, int64(i*100+k))
			if !ok {
				continue
			}
			ts = append(ts, t)
			want = append(want, l.ID)
			for _, m := range ix.Screen(t, now, nil) {
				if m.Listing == l.ID && m.Score >= th.Review {
					clear++
				}
			}
		}
		found, hit := 0, 0
		for i, f := range c.Screen(ctx, ts) {
			best := tripline.Decision("")
			for _, m := range f.Matches {
				_, ref, _ := tripline.ParseBlindMatchID(m.Listing)
				if id, _ := o.Resolve(ref); id == want[i] && (best == "" || m.Decision == tripline.DecisionHit) {
					best = m.Decision
				}
			}
			if best != "" {
				found++
			}
			if best == tripline.DecisionHit {
				hit++
			}
		}
		tc, tb, tbh, tt = tc+clear, tb+found, tbh+hit, tt+len(ts)
		fmt.Printf("  %-16s %6d %16s %16s %16s\n", kind, len(ts), frac(clear, len(ts)), frac(found, len(ts)), frac(hit, len(ts)))
	}
	fmt.Printf("  %-16s %6d %16s %16s %16s\n\n", "all", tt, frac(tc, tt), frac(tb, tt), frac(tbh, tt))

	innocent := match.GenerateTravellers(*n, *seed)
	hits, reviews, clearAlerts := 0, 0, 0
	for i, f := range c.Screen(ctx, innocent) {
		ms := ix.Screen(innocent[i], now, nil)
		if len(ms) > 0 && ms[0].Score >= th.Review {
			clearAlerts++
		}
		dec := tripline.DecisionClear
		for _, m := range f.Matches {
			if m.Decision == tripline.DecisionHit || dec == tripline.DecisionClear {
				dec = m.Decision
			}
		}
		switch dec {
		case tripline.DecisionHit:
			hits++
		case tripline.DecisionReview:
			reviews++
		}
	}
	per := func(k int) float64 { return 1000 * float64(k) / float64(*n) }
	fmt.Printf("innocent travellers: %d (seed %d)\n", *n, *seed)
	fmt.Printf("  clear screening alerts (review or hit): %.2f per 1,000\n", per(clearAlerts))
	fmt.Printf("  blind alerts at hit: %.2f per 1,000; at review or hit: %.2f per 1,000\n", per(hits), per(hits+reviews))
}

func frac(a, b int) string { return fmt.Sprintf("%d = %.3f", a, float64(a)/float64(max(1, b))) }

// pair returns an originator holding ls as blind lists for agency-b and a
// partner client screening against it in-process.
func pair(ls []*tripline.Listing) (*blind.Originator, *blind.Client) {
	_, priv, _ := ed25519.GenerateKey(nil)
	sec, err := blind.NewSecrets(priv.Seed())
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range ls {
		l.Handling, l.Provenance.Originator = tripline.Handling{Blind: []string{"agency-b"}}, "agency-a"
		if l.Action == "" {
			l.Action = tripline.ActionReport
		}
	}
	ct := country.New()
	alpha3 := func(s string) string { a, _ := ct.Alpha3(s); return a }
	o := &blind.Originator{Node: "A", Agency: "agency-a", Priv: priv, Secret: sec, Alpha3: alpha3,
		Listings: func() []*tripline.Listing { return ls }}
	c := &blind.Client{Alpha3: alpha3, CacheSize: 1 << 22}
	c.SetRemotes([]*blind.Remote{{Origin: "A", Agency: "agency-a", Key: priv.Public().(ed25519.PublicKey), T: &blind.Local{Origin: o, Node: "B", Agency: "agency-b"}}})
	return o, c
}

// buildTable builds the table of n generated listings on every core and
// prints the time, the entries and the size.
func buildTable(ctx context.Context, n int, seed int64) {
	start := time.Now()
	ls := match.GenerateListings(n, seed)
	fmt.Printf("%d listings generated in %v\n", n, time.Since(start).Round(time.Millisecond))
	o, _ := pair(ls)
	keys := 0
	for _, l := range ls {
		keys += len(blind.ListingKeys(l, nil))
	}
	runtime.GC()
	start = time.Now()
	t, err := o.Table(ctx, "B", "agency-b")
	if err != nil {
		log.Fatal(err)
	}
	el := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("table of %d listings: %d keys, %d entries with padding, %.1f MiB, built in %v on %d cores (%.0f keys/s); heap %.0f MiB\n",
		n, keys, t.Len(), float64(t.Size())/(1<<20), el.Round(time.Millisecond), runtime.GOMAXPROCS(0), float64(keys)/el.Seconds(),
		float64(ms.HeapAlloc)/(1<<20))
}
