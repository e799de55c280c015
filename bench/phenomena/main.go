// Command phenomena measures the matcher on the phenomena of GitHub issue
// 16 (bench/internal/phen): recall of listed people under spelling
// variants, cut names, MRZ order and reordered Arabic script, and the false
// alerts of namesakes and regional innocents, per phenomenon.
//
// The listed people are split in two halves by a hash of their id: the
// matcher is tuned looking at the "tune" half only (-show prints its
// misses and false alerts), and reported on both. A third, unseen set is
// made the same way from the OFAC SDN individuals (2021) and screened
// against that list.
//
//	go run ./bench/phenomena [-seed 1] [-show 0] [-near 0] [-half tune] [-ofac=true] [-bare] [-search]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"tripline"
	"tripline/bench/internal/phen"
	"tripline/importer"
	"tripline/match"
)

func main() {
	unPath := flag.String("un", "../shared/data/names/un_sc_consolidated_2024-09-26.xml", "UN SC consolidated list XML")
	arPath := flag.String("ar", "../shared/data/names/wikidata_en_ar_name_tokens.tsv", "Wikidata English-Arabic name tokens")
	ofacPath := flag.String("ofac-sdn", "../shared/data/watchman/test/testdata/bench/sdn.csv", "OFAC SDN legacy CSV (the unseen set)")
	ofac := flag.Bool("ofac", true, "also report the unseen OFAC set")
	seed := flag.Int64("seed", 1, "generator seed")
	show := flag.Int("show", 0, "misses and false alerts to print per phenomenon")
	showHalf := flag.String("half", "tune", "whose misses -show prints: tune or report")
	bare := flag.Bool("bare", false, "screen the listed people by name alone: no birth date, nationality or sex (a harder view of recall)")
	search := flag.Bool("search", false, "screen the innocents without their birth dates, as an analyst's name search (what lifting name searches costs)")
	dumpPath := flag.String("dump", "", "write every screening's matches and scores to this file (to diff two builds)")
	near := flag.Int("near", 0, "found cases of the -half half to print per phenomenon, lowest score first: where the next misses come from")
	years := flag.Bool("years", false, "cut every listed birth date to its year before generating (a harder view: most misses of cut names are of listings giving a year only)")
	flag.Parse()
	if *dumpPath != "" {
		f, err := os.Create(*dumpPath)
		if err != nil {
			log.Fatal(err)
		}
		w := bufio.NewWriter(f)
		dump = w
		defer func() {
			if err := w.Flush(); err != nil {
				log.Fatal(err)
			}
			f.Close()
		}()
	}

	f, err := os.Open(*unPath)
	if err != nil {
		log.Fatal(err)
	}
	un, err := importer.ReadUN(f, *unPath)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	if *years {
		toYears(un)
	}
	th := match.DefaultThresholds
	fmt.Printf("thresholds: hit >= %.2f, review >= %.2f; seed %d\n", th.Hit, th.Review, *seed)
	fmt.Printf("recall: share of a phenomenon's cases whose listing is matched at review or above (and at hit);\n")
	fmt.Printf("innocents: travellers per 1,000 with any match at review or above (alerts), and at hit.\n\n")

	halves := []struct {
		name string
		half int
	}{{"tune", phen.Tune}, {"report", phen.Report}}
	results := map[string][2]stat{}
	ix := index(un)
	for _, h := range halves {
		g, err := phen.NewGen(un, h.half, *arPath, *seed)
		if err != nil {
			log.Fatal(err)
		}
		for _, s := range g.Generate(un, h.half) {
			if *bare {
				strip(s)
			}
			if *search {
				undate(s)
			}
			st := measure(ix, s, *show, h.name == *showHalf)
			if h.name == *showHalf && *near > 0 && !s.Innocent {
				printNear(ix, s, *near)
			}
			r := results[s.Name]
			r[h.half] = st
			results[s.Name] = r
		}
	}
	fmt.Printf("UN list (%d listed people, %d in the tune half)\n", len(un), count(un, phen.Tune))
	fmt.Printf("  %-17s %22s   %22s\n", "", "tune half", "report half")
	for _, p := range phen.Phenomena {
		r := results[p.Name]
		fmt.Printf("  %-17s %22s   %22s   %s\n", p.Name, r[0], r[1], p.About)
	}

	if *ofac {
		ls, err := importer.ReadOFAC(*ofacPath)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("\nunseen: OFAC SDN individuals, 2021 (%d listed people, both halves)\n", len(ls))
		if *years {
			toYears(ls)
		}
		oix := index(ls)
		var all []phen.Set
		for _, h := range halves {
			g, err := phen.NewGen(ls, h.half, *arPath, *seed)
			if err != nil {
				log.Fatal(err)
			}
			sets := g.Generate(ls, h.half)
			if all == nil {
				all = sets
				continue
			}
			for i := range sets {
				all[i].Cases = append(all[i].Cases, sets[i].Cases...)
			}
		}
		for i, s := range all {
			if *bare {
				strip(s)
			}
			if *search {
				undate(s)
			}
			fmt.Printf("  %-17s %22s   %s\n", s.Name, measure(oix, s, 0, false), phen.Phenomena[i].About)
		}
	}
}

// strip leaves the listed people of a recall set only their names.
func strip(s phen.Set) {
	if s.Innocent {
		return
	}
	for _, c := range s.Cases {
		c.T.DOB, c.T.Nationality, c.T.Sex = tripline.PartialDate{}, "", ""
	}
}

// toYears cuts every listed birth date to its year: the listed people of
// a half then show what listings giving a year only do (the traveller
// still carries a full date of that year).
func toYears(ls []*tripline.Listing) {
	for _, l := range ls {
		for i, d := range l.BirthDates {
			if d.Year != 0 {
				l.BirthDates[i] = tripline.PartialDate{Year: d.Year}
			}
		}
	}
}

// undate leaves the innocents of a set without birth dates: name searches.
func undate(s phen.Set) {
	if !s.Innocent {
		return
	}
	for _, c := range s.Cases {
		c.T.DOB = tripline.PartialDate{}
	}
}

func index(ls []*tripline.Listing) *match.Index {
	ix := match.NewIndex(match.Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	return ix
}

func count(ls []*tripline.Listing, half int) int {
	n := 0
	for _, l := range ls {
		if phen.Half(l.ID) == half {
			n++
		}
	}
	return n
}

// stat is one phenomenon's outcome on one set.
type stat struct {
	innocent        bool
	n, review, hits int
}

func (s stat) String() string {
	if s.n == 0 {
		return "-"
	}
	if s.innocent {
		return fmt.Sprintf("n %4d %5.1f / %5.1f", s.n, 1000*float64(s.review)/float64(s.n), 1000*float64(s.hits)/float64(s.n))
	}
	return fmt.Sprintf("n %4d %.3f / %.3f", s.n, float64(s.review)/float64(s.n), float64(s.hits)/float64(s.n))
}

var now = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// dump, when set (-dump), receives every screening's matches.
var dump *bufio.Writer

// measure screens a set's cases and prints up to show of its failures.
func measure(ix *match.Index, s phen.Set, show int, print bool) stat {
	st := stat{innocent: s.Innocent, n: len(s.Cases)}
	shown := 0
	for _, c := range s.Cases {
		ms := ix.Screen(c.T, now, nil)
		if dump != nil {
			fmt.Fprintf(dump, "%s %q %s %s -> %s\n", s.Name, c.T.FullName(), c.T.DOB, c.T.Nationality, c.Want)
			for _, m := range ms {
				fmt.Fprintf(dump, "  %s %v %s %q\n", m.Listing, m.Score, m.Decision, m.Name)
			}
		}
		var m *tripline.Match
		if s.Innocent {
			if len(ms) > 0 {
				m = &ms[0]
			}
		} else {
			for i := range ms {
				if ms[i].Listing == c.Want {
					m = &ms[i]
					break
				}
			}
		}
		if m != nil {
			st.review++
			if m.Decision == tripline.DecisionHit {
				st.hits++
			}
		}
		if !print || shown >= show || (m == nil) == s.Innocent {
			continue
		}
		shown++
		name := c.T.FullName()
		if m == nil {
			l := ix.Listing(c.Want)
			sc, feats := ix.Score(c.T, l)
			fmt.Printf("  miss %-15s %.3f %q %s %s -> %s %q\n", s.Name, sc, name, c.T.DOB, c.T.Nationality, c.Want, l.PrimaryName())
			printFeats(feats)
			continue
		}
		fmt.Printf("  alert %-14s %.3f %s %q %s %s -> %s (from %s)\n", s.Name, m.Score, m.Decision, name, c.T.DOB, c.T.Nationality, m.Listing, c.Of)
		printFeats(m.Explain)
	}
	return st
}

// printNear prints the n found cases of a recall set whose listing scored
// lowest: the closest calls.
func printNear(ix *match.Index, s phen.Set, n int) {
	type call struct {
		score float64
		c     phen.Case
	}
	var calls []call
	for _, c := range s.Cases {
		for _, m := range ix.Screen(c.T, now, nil) {
			if m.Listing == c.Want {
				calls = append(calls, call{m.Score, c})
				break
			}
		}
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].score < calls[j].score })
	for _, k := range calls[:min(n, len(calls))] {
		fmt.Printf("  near %-15s %.3f %q %s %s -> %s %q\n", s.Name, k.score, k.c.T.FullName(), k.c.T.DOB, k.c.T.Nationality, k.c.Want, ix.Listing(k.c.Want).PrimaryName())
	}
}

func printFeats(fs []tripline.Feature) {
	for _, f := range fs {
		fmt.Printf("        %s %.2f: %s\n", f.Feature, f.Score, strings.ReplaceAll(f.Detail, "\n", " "))
	}
}
