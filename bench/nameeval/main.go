// Command nameeval measures match.CompareNames on the Person rows of the
// OpenSanctions nomenklatura name benchmark and prints precision, recall and
// F1 at the matcher's thresholds, next to the logic-v2 baseline scored on
// the same rows at its own default threshold (its predicted_match column).
//
//	go run ./bench/nameeval [-cases FILE] [-baseline FILE] [-errors]
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strconv"

	"tripline/match"
)

func main() {
	cases := flag.String("cases", "../shared/data/names/nomenklatura_name_bench_cases.csv", "labelled name pairs")
	base := flag.String("baseline", "../shared/data/names/nomenklatura_name_bench_logicv2_frozen.csv", "logic-v2 scores of the same pairs")
	showErr := flag.Bool("errors", false, "list the misclassified pairs at the review threshold")
	sweep := flag.Bool("sweep", false, "print F1 over a range of thresholds")
	flag.Parse()

	rows, err := readCSV(*cases)
	if err != nil {
		log.Fatal(err)
	}
	type scored struct {
		a, b  string
		label bool
		score float64
	}
	var ours []scored
	for _, r := range rows {
		if r["schema"] != "Person" {
			continue
		}
		ours = append(ours, scored{r["name1"], r["name2"], r["is_match"] == "true", match.CompareNames(r["name1"], r["name2"])})
	}
	th := match.NameThresholds(match.DefaultThresholds)
	fmt.Printf("nomenklatura name bench, Person rows: %d pairs\n", len(ours))
	fmt.Printf("screening thresholds hit %.2f, review %.2f; a name alone reaches them at CompareNames %.3f and %.3f\n\n",
		match.DefaultThresholds.Hit, match.DefaultThresholds.Review, th.Hit, th.Review)
	fmt.Printf("%-34s %9s %9s %9s %6s %4s %4s %4s %4s\n", "matcher", "precision", "recall", "F1", "n", "TP", "FP", "FN", "TN")
	for _, t := range []struct {
		name string
		th   float64
	}{{fmt.Sprintf("tripline review (>= %.2f)", th.Review), th.Review}, {fmt.Sprintf("tripline hit (>= %.2f)", th.Hit), th.Hit}} {
		var c confusion
		for _, s := range ours {
			c.add(s.label, s.score >= t.th)
		}
		c.print(t.name)
	}

	brows, err := readCSV(*base)
	if err != nil {
		log.Fatal(err)
	}
	var bc confusion
	minTrue, maxFalse := 1.0, 0.0
	for _, r := range brows {
		if r["schema"] != "Person" {
			continue
		}
		pred := r["predicted_match"] == "true"
		bc.add(r["is_match"] == "true", pred)
		s, _ := strconv.ParseFloat(r["score"], 64)
		if pred {
			minTrue = min(minTrue, s)
		} else {
			maxFalse = max(maxFalse, s)
		}
	}
	bc.print(fmt.Sprintf("logic-v2 (frozen, > %.2f)", maxFalse))
	fmt.Printf("\nlogic-v2's default threshold lies between %.4f and %.4f (its predicted_match column); it scored %d of the %d pairs.\n", maxFalse, minTrue, bc.n(), len(ours))

	if *sweep {
		fmt.Println("\nthreshold sweep (tripline):")
		for t := 0.5; t <= 0.951; t += 0.025 {
			var c confusion
			for _, s := range ours {
				c.add(s.label, s.score >= t)
			}
			c.print(fmt.Sprintf("  >= %.3f", t))
		}
	}
	if *showErr {
		sort.Slice(ours, func(i, j int) bool { return ours[i].score > ours[j].score })
		fmt.Println("\nmisclassified at the review threshold:")
		for _, s := range ours {
			if s.label != (s.score >= th.Review) {
				fmt.Printf("  %-5v %.3f  %q ~ %q\n", s.label, s.score, s.a, s.b)
			}
		}
	}
}

// confusion counts outcomes.
type confusion struct{ tp, fp, fn, tn int }

func (c *confusion) add(label, pred bool) {
	switch {
	case label && pred:
		c.tp++
	case !label && pred:
		c.fp++
	case label:
		c.fn++
	default:
		c.tn++
	}
}

func (c confusion) n() int { return c.tp + c.fp + c.fn + c.tn }

func (c confusion) print(name string) {
	p := float64(c.tp) / float64(max(1, c.tp+c.fp))
	r := float64(c.tp) / float64(max(1, c.tp+c.fn))
	f := 0.0
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	fmt.Printf("%-34s %9.3f %9.3f %9.3f %6d %4d %4d %4d %4d\n", name, p, r, f, c.n(), c.tp, c.fp, c.fn, c.tn)
}

// readCSV reads a CSV file with a header into maps.
func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
}
