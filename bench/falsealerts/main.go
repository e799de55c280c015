// Command falsealerts screens generated innocent travellers against the UN
// Security Council list and prints alerts per 1,000 travellers at hit and at
// review-or-above; then it screens the listed people themselves under
// perturbed spellings, dates and documents and prints the recall.
//
//	go run ./bench/falsealerts [-n 10000] [-seed 1] [-show 10]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"time"

	"tripline"
	"tripline/importer"
	"tripline/match"
)

func main() {
	unPath := flag.String("un", "../shared/data/names/un_sc_consolidated_2024-09-26.xml", "UN SC consolidated list XML")
	n := flag.Int("n", 10000, "innocent travellers to generate")
	seed := flag.Int64("seed", 1, "generator seed")
	dumpPath := flag.String("dump", "", "write each perturbed listed person's score to this file (to diff two builds)")
	show := flag.Int("show", 10, "false alerts and misses to print")
	flag.Parse()

	f, err := os.Open(*unPath)
	if err != nil {
		log.Fatal(err)
	}
	ls, err := importer.ReadUN(f, *unPath)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	// Screen with a low review threshold so that scores below the real one
	// can be swept; decisions are then taken at the default thresholds.
	th := match.DefaultThresholds
	ix := match.NewIndex(match.Options{Thresholds: tripline.Thresholds{Hit: th.Hit, Review: sweepFloor}})
	for _, l := range ls {
		ix.Upsert(l)
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	fmt.Printf("UN list: %d listings indexed; thresholds hit >= %.2f, review >= %.2f\n\n", ix.Len(), th.Hit, th.Review)

	// False alerts.
	type alert struct {
		t *tripline.Traveller
		m tripline.Match
	}
	var alerts []alert
	hits, reviews := 0, 0
	var innocentTop []float64
	start := time.Now()
	for _, t := range match.GenerateTravellers(*n, *seed) {
		ms := ix.Screen(t, now, nil)
		if len(ms) == 0 {
			continue
		}
		innocentTop = append(innocentTop, ms[0].Score)
		if ms[0].Score < th.Review {
			continue
		}
		reviews++
		if ms[0].Score >= th.Hit {
			hits++
		}
		alerts = append(alerts, alert{t, ms[0]})
	}
	el := time.Since(start)
	per := func(k int) float64 { return 1000 * float64(k) / float64(*n) }
	fmt.Printf("innocent travellers: %d (seed %d), screened in %v (%.0f µs each)\n", *n, *seed, el.Round(time.Millisecond), float64(el.Microseconds())/float64(*n))
	fmt.Printf("  alerts at hit:            %4d  = %.2f per 1,000 (goal <= 1)\n", hits, per(hits))
	fmt.Printf("  alerts at review or hit:  %4d  = %.2f per 1,000 (goal <= 5)\n", reviews, per(reviews))
	sort.Slice(alerts, func(i, j int) bool { return alerts[i].m.Score > alerts[j].m.Score })
	for i, a := range alerts {
		if i == *show {
			break
		}
		fmt.Printf("    %.3f %-6s %q %s %s -> %s\n", a.m.Score, a.m.Decision, a.t.Name, a.t.DOB, a.t.Nationality, a.m.Listing)
		for _, f := range a.m.Explain {
			fmt.Printf("           %s %.2f: %s\n", f.Feature, f.Score, f.Detail)
		}
	}

	// Recall of listed people under perturbations.
	fmt.Printf("\nrecall of listed people at review or hit, by perturbation:\n")
	found, total := 0, 0
	var dump *bufio.Writer
	if *dumpPath != "" {
		df, err := os.Create(*dumpPath)
		if err != nil {
			log.Fatal(err)
		}
		dump = bufio.NewWriter(df)
		defer func() {
			if err := dump.Flush(); err != nil {
				log.Fatal(err)
			}
			df.Close()
		}()
	}
	var misses []string
	var recallScores []float64
	for k, kind := range match.Perturbations {
		kf, kt, kh := 0, 0, 0
		for i, l := range ls {
			t, ok := match.PerturbListing(l, kind, int64(i*100+k))
			if !ok {
				continue
			}
			kt++
			ms := ix.Screen(t, now, nil)
			hit := false
			for _, m := range ms {
				if m.Listing == l.ID {
					if dump != nil {
						fmt.Fprintf(dump, "%s %q %s -> %s %v\n", kind, t.Name, t.DOB, l.ID, m.Score)
					}
					recallScores = append(recallScores, m.Score)
					hit = m.Score >= th.Review
					if m.Score >= th.Hit {
						kh++
					}
				}
			}
			if hit {
				kf++
			} else if len(misses) < 1000 {
				best := 0.0
				s, _ := match.Score(t, l)
				best = s
				misses = append(misses, fmt.Sprintf("%-15s %.3f %q (%s) -> %s %q", kind, best, t.Name, t.DOB, l.ID, l.PrimaryName()))
			}
		}
		found += kf
		total += kt
		fmt.Printf("  %-16s %4d / %4d = %.4f   (at hit: %.4f)\n", kind, kf, kt, float64(kf)/float64(max(1, kt)), float64(kh)/float64(max(1, kt)))
	}
	fmt.Printf("  %-16s %4d / %4d = %.4f (goal >= 0.99)\n", "all", found, total, float64(found)/float64(max(1, total)))
	for i, m := range misses {
		if i == *show {
			break
		}
		fmt.Println("    missed:", m)
	}

	fmt.Printf("\nthreshold sweep (how the defaults were chosen):\n  %-9s %16s %14s\n", "threshold", "alerts per 1,000", "recall")
	for t := sweepFloor; t < 0.999; t += 0.025 {
		a, r := 0, 0
		for _, s := range innocentTop {
			if s >= t {
				a++
			}
		}
		for _, s := range recallScores {
			if s >= t {
				r++
			}
		}
		fmt.Printf("  >= %.3f %16.2f %14.4f\n", t, per(a), float64(r)/float64(max(1, total)))
	}
}

// sweepFloor is the lowest threshold the sweep reports.
const sweepFloor = 0.6
