package match

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"tripline"
)

// scoresDump names a file to write every line TestScoresUnchanged hashes
// to, so that two builds' lines can be compared with diff.
var scoresDump = flag.String("scores-dump", "", "write the lines TestScoresUnchanged hashes to this file")

// scoresGolden holds the count and SHA-256 of the lines below.
const scoresGolden = "testdata/scores.golden"

// TestScoresUnchanged pins what the matcher answers on thousands of
// screenings of the UN list, to the bit: for every query (innocent
// travellers and listed people under each perturbation) the score of
// every candidate retrieval returns, its name score and evidence before
// rounding, and Screen's matches with their explanations; then
// CompareNames on the labelled name pairs. A change meant to make
// screening cheaper must leave them alone; a change meant to change them
// rewrites the file with `go test ./match -run ScoresUnchanged -update`
// (and says why in its commit). -scores-dump FILE writes the lines, to
// diff two builds.
func TestScoresUnchanged(t *testing.T) {
	ls := loadUN(t)
	ix := NewIndex(Options{})
	for _, l := range ls {
		ix.Upsert(l)
	}
	h := sha256.New()
	var w io.Writer = h
	if *scoresDump != "" {
		f, err := os.Create(*scoresDump)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriter(f)
		defer func() {
			if err := bw.Flush(); err != nil {
				t.Error(err)
			}
			f.Close()
		}()
		w = io.MultiWriter(h, bw)
	}
	lines := 0
	put := func(format string, args ...any) {
		fmt.Fprintf(w, format+"\n", args...)
		lines++
	}
	for i, q := range scoreQueries(ls) {
		put("q %d %q %s %s %s %s", i, q.FullName(), q.DOB, q.Nationality, q.Sex, docString(q.Document))
		candidateScores(ix, q, put)
		for _, m := range ix.Screen(q, benchNow, nil) {
			put("  m %s %v %s %q %v", m.Listing, m.Score, m.Decision, m.Name, m.Minor)
			for _, f := range m.Explain {
				put("    f %s %v %v %q", f.Feature, f.Score, f.Weight, f.Detail)
			}
		}
	}
	pairs, err := namePairs("../../shared/data/names/nomenklatura_name_bench_cases.csv")
	if err != nil {
		t.Skipf("name pairs not available: %v", err) // as the UN list (loadUN)
	}
	for _, p := range pairs {
		put("n %q %q %x", p[0], p[1], math.Float64bits(CompareNames(p[0], p[1])))
	}
	got := fmt.Sprintf("%d %s\n", lines, hex.EncodeToString(h.Sum(nil)))
	if *update {
		if err := os.WriteFile(scoresGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(scoresGolden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("scores changed: got %q, want %q (lines and hash); compare two builds with -scores-dump FILE, or rewrite with -update if the change is meant", got, want)
	}
}

// scoreQueries are the queries TestScoresUnchanged screens: the
// benchmark's mix, then every listed person under every perturbation.
func scoreQueries(ls []*tripline.Listing) []*tripline.Traveller {
	qs := benchQueries(ls, 3000)
	for k, kind := range Perturbations {
		for i, l := range ls {
			if t, ok := PerturbListing(l, kind, int64(i*100+k)); ok {
				qs = append(qs, t)
			}
		}
	}
	return qs
}

// candidateScores writes, for every candidate retrieval returns for t,
// its score and its best name's score and evidence before rounding.
func candidateScores(ix *Index, t *tripline.Traveller, put func(string, ...any)) {
	q := newQuery(t)
	defer q.release()
	if len(q.toks) == 0 && q.doc == nil {
		return
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	q.sc.logN = listLog(ix.lenLocked())
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	sc.dec.reset()
	for _, slot := range ix.candidates(q, nil, benchNow, sc) {
		p := ix.at(slot, &sc.dec)
		nr, bn, _ := bestName(q, p)
		full := ""
		if bn != nil {
			full = bn.full
		}
		var es strings.Builder
		for _, e := range nr.edges {
			fmt.Fprintf(&es, " %x/%x/%s/%x/%x", e.q, e.c, e.how, math.Float64bits(e.sim), math.Float64bits(e.weight))
		}
		s, _, _ := scorePrepared(q, p, false)
		put("  c %s %q %x %x %v%s", p.l.ID, full, math.Float64bits(nr.score), math.Float64bits(nr.info), s, es.String())
	}
}

func docString(d *tripline.Document) string {
	if d == nil {
		return "-"
	}
	return d.Type + ":" + d.Country + ":" + d.Number
}

// namePairs reads the name pairs of the labelled benchmark.
func namePairs(path string) ([][2]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("read %s: empty", path)
	}
	col := map[string]int{}
	for i, c := range rs[0] {
		col[strings.TrimSpace(c)] = i
	}
	a, okA := col["name1"]
	b, okB := col["name2"]
	if !okA || !okB {
		return nil, fmt.Errorf("read %s: no name1 and name2 columns", path)
	}
	var out [][2]string
	for _, r := range rs[1:] {
		out = append(out, [2]string{r[a], r[b]})
	}
	return out, nil
}
