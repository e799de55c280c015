// Command gen derives the matcher's name-variant table from data: the
// Wikidata English↔Arabic and English↔Russian name-token pairs, and the
// aliases and original-script names of the UN Security Council list. It
// writes the gzipped table that package match embeds.
//
// Wikidata pairs are noisy (a token aligned with the wrong word), so a pair
// counts only when it is seen often enough, makes up a fair share of both
// sides' occurrences, and the two spellings share a consonant skeleton.
// Latin spellings are joined only through a shared Arabic or Cyrillic form,
// strongest pairs first, and a class stops growing at a size limit, so that
// noise cannot chain unrelated names (John, Mohammed) into one class.
//
// Run with `go generate ./match/` from the module root.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"

	"tripline/match"
	"tripline/match/internal/strdist"
)

func main() {
	ar := flag.String("ar", "", "Wikidata English-Arabic name tokens (latin<TAB>arabic chars<TAB>count)")
	ru := flag.String("ru", "", "Wikidata English-Russian name tokens, same format")
	un := flag.String("un", "", "UN SC consolidated list XML")
	out := flag.String("out", "variants.txt.gz", "output file")
	minCount := flag.Int("min-count", 2, "least count for a Wikidata pair to count")
	minShare := flag.Float64("min-share", 0.03, "least share of a spelling's occurrences a pair must have")
	maxLatin := flag.Int("max-latin", 14, "most Latin spellings in one class")
	flag.Parse()
	if *ar == "" || *ru == "" || *un == "" {
		log.Fatal("gen: -ar, -ru and -un are required")
	}
	g := newGraph(*maxLatin)
	for _, src := range []struct{ path, script string }{{*ar, "a"}, {*ru, "r"}} {
		pairs, err := readPairs(src.path, src.script)
		if err != nil {
			log.Fatal(err)
		}
		g.addPairs(pairs, *minCount, *minShare)
	}
	if err := g.addUN(*un); err != nil {
		log.Fatal(err)
	}
	if err := g.write(*out); err != nil {
		log.Fatal(err)
	}
}

// pair is one observed (Latin, foreign) spelling pair.
type pair struct {
	latin, foreign string // table keys
	lskel, fskel   string
	count          int
}

// readPairs reads a Wikidata token file into pairs keyed as match keys them.
func readPairs(path, script string) ([]pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	defer f.Close()
	var out []pair
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 {
			return nil, fmt.Errorf("gen: %s:%d: want 3 tab-separated columns", path, line)
		}
		n, err := strconv.Atoi(cols[2])
		if err != nil {
			return nil, fmt.Errorf("gen: %s:%d: count %q: %w", path, line, cols[2], err)
		}
		lk, ls := match.TableKeys(cols[0])
		fk, fs := match.TableKeys(strings.ReplaceAll(cols[1], " ", ""))
		if len(lk) != 1 || len(fk) != 1 {
			continue // particles, compounds: not one name token each
		}
		out = append(out, pair{latin: lk[0], foreign: script + ":" + fk[0], lskel: ls[0], fskel: fs[0], count: n})
	}
	return out, sc.Err()
}

// graph collects frequencies and builds variant classes by union-find.
type graph struct {
	maxLatin int
	parent   map[string]string
	latinN   map[string]int // root → Latin members
	freq     map[string]int
	total    int
}

func newGraph(maxLatin int) *graph {
	return &graph{maxLatin: maxLatin, parent: map[string]string{}, latinN: map[string]int{}, freq: map[string]int{}}
}

func (g *graph) find(x string) string {
	if _, ok := g.parent[x]; !ok {
		g.parent[x] = x
		if !strings.Contains(x, ":") {
			g.latinN[x] = 1
		}
		return x
	}
	for g.parent[x] != x {
		g.parent[x] = g.parent[g.parent[x]]
		x = g.parent[x]
	}
	return x
}

// union joins two classes unless the result would be too large.
func (g *graph) union(a, b string) bool {
	ra, rb := g.find(a), g.find(b)
	if ra == rb {
		return true
	}
	if g.latinN[ra]+g.latinN[rb] > g.maxLatin {
		return false
	}
	g.parent[rb] = ra
	g.latinN[ra] += g.latinN[rb]
	delete(g.latinN, rb)
	return true
}

// addPairs counts frequencies and joins the trustworthy pairs.
func (g *graph) addPairs(ps []pair, minCount int, minShare float64) {
	lt, ft := map[string]int{}, map[string]int{}
	for _, p := range ps {
		lt[p.latin] += p.count
		ft[p.foreign] += p.count
		g.freq[p.latin] += p.count
		g.freq[p.foreign[2:]] += p.count
		g.total += p.count
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].count != ps[j].count {
			return ps[i].count > ps[j].count
		}
		return ps[i].latin < ps[j].latin
	})
	for _, p := range ps {
		if p.count < minCount || !similarSkeleton(p.lskel, p.fskel) {
			continue
		}
		if float64(p.count) < minShare*float64(lt[p.latin]) || float64(p.count) < minShare*float64(ft[p.foreign]) {
			continue
		}
		g.union(p.foreign, p.latin)
	}
}

// similarSkeleton accepts spellings whose consonant skeletons are equal or
// differ by one substituted consonant (Mehmet/محمد; in a skeleton of three,
// a consonant that transliterations trade: Murat/مراد), the guard against
// misaligned pairs. An added consonant is another name
// (Abd al-Rahim/Abd al-Rahman), so it is refused.
func similarSkeleton(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	if len(a) != len(b) || len(a) < 3 {
		return false
	}
	diff, alt := 0, true
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			diff++
			alt = alternations[[2]byte{a[i], b[i]}] || alternations[[2]byte{b[i], a[i]}]
		}
	}
	// Three consonants leave little to tell a misaligned pair by: only a
	// consonant that transliterations trade counts.
	return diff == 1 && (len(a) >= 4 || alt)
}

// alternations are consonants that transliterations trade for one
// another, as skeletons write them: final devoicing (Murat, Ahmet), the
// Turkish c for j (Cemil), ث as s or t (Osman, Othman), ض and ذ as z or d
// (Ramazan), ق as g or k (Gaddafi).
var alternations = map[[2]byte]bool{{'t', 'd'}: true, {'k', 'j'}: true, {'s', 't'}: true, {'z', 'd'}: true, {'g', 'k'}: true}

// unList is the part of the UN list the generator reads.
type unList struct {
	Individuals []struct {
		Names    []string `xml:"FIRST_NAME"`
		Second   string   `xml:"SECOND_NAME"`
		Third    string   `xml:"THIRD_NAME"`
		Fourth   string   `xml:"FOURTH_NAME"`
		Original string   `xml:"NAME_ORIGINAL_SCRIPT"`
		Aliases  []struct {
			Quality string `xml:"QUALITY"`
			Name    string `xml:"ALIAS_NAME"`
		} `xml:"INDIVIDUAL_ALIAS"`
	} `xml:"INDIVIDUALS>INDIVIDUAL"`
}

// addUN joins spellings that the UN list gives for the same person: names
// of the same length aligned word by word, where the words share a
// skeleton and, between Latin spellings, also look alike (Muhammad Taher /
// Mohammad Tahir, but not Hassan / Hussein), and the original-script name
// against the primary name.
func (g *graph) addUN(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	var l unList
	if err := xml.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("gen: %s: %w", path, err)
	}
	for _, in := range l.Individuals {
		primary := strings.Join(append(in.Names, in.Second, in.Third, in.Fourth), " ")
		names := []string{primary}
		for _, a := range in.Aliases {
			if a.Quality != "Low" && strings.TrimSpace(a.Name) != "" {
				names = append(names, a.Name)
			}
		}
		if strings.TrimSpace(in.Original) != "" {
			names = append(names, in.Original)
		}
		for i := range names {
			ki, si := match.TableKeys(names[i])
			for j := i + 1; j < len(names); j++ {
				kj, sj := match.TableKeys(names[j])
				if len(ki) != len(kj) {
					continue
				}
				for t := range ki {
					if ki[t] == kj[t] || !similarSkeleton(si[t], sj[t]) || key(ki[t]) == ki[t] && key(kj[t]) == kj[t] && strdist.JaroWinkler(ki[t], kj[t]) < 0.85 {
						continue
					}
					a, b := key(ki[t]), key(kj[t])
					g.union(a, b)
				}
			}
		}
	}
	return nil
}

// key prefixes non-Latin table keys with their script, as addPairs does.
func key(k string) string {
	for _, r := range k {
		switch {
		case r >= 0x0600 && r <= 0x06FF:
			return "a:" + k
		case r >= 0x0400 && r <= 0x04FF:
			return "r:" + k
		}
	}
	return k
}

// write writes the table: the total, the classes, then the frequencies.
func (g *graph) write(path string) error {
	classes := map[string][]string{}
	for x := range g.parent {
		r := g.find(x)
		k := x
		if i := strings.IndexByte(x, ':'); i >= 0 {
			k = x[i+1:]
		}
		classes[r] = append(classes[r], k)
	}
	var lines []string
	for _, ms := range classes {
		if len(ms) < 2 {
			continue
		}
		sort.Strings(ms)
		lines = append(lines, "C\t"+strings.Join(dedupe(ms), " "))
	}
	sort.Strings(lines)
	var fl []string
	for k, n := range g.freq {
		if n >= 2 {
			fl = append(fl, fmt.Sprintf("F\t%s\t%d", k, n))
		}
	}
	sort.Strings(fl)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	fmt.Fprintf(w, "T\t%d\n", g.total)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	for _, l := range fl {
		fmt.Fprintln(w, l)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	log.Printf("gen: %d classes, %d frequencies, total %d", len(lines), len(fl), g.total)
	return os.Rename(path+".tmp", path)
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
