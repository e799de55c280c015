package match

//go:generate go run ./internal/gen -ar ../../shared/data/names/wikidata_en_ar_name_tokens.tsv -ru ../../shared/data/names/wikidata_en_ru_name_tokens_20pct.tsv -un ../../shared/data/names/un_sc_consolidated_2024-09-26.xml -out variants.txt.gz

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"math"
	"strconv"
	"strings"
	"sync"
)

// variantsGz is the name-variant table derived by internal/gen from the
// Wikidata name pairs and the UN list's aliases. Lines:
//
//	C<TAB>token token ...   one equivalence class (Latin, Arabic, Cyrillic forms)
//	F<TAB>token<TAB>count   how often a token occurs as a name
//	T<TAB>total             the sum of all counts
//
//go:embed variants.txt.gz
var variantsGz []byte

// variantTable is the loaded table.
type variantTable struct {
	class     map[string]int32 // token → class id (1-based)
	members   [][]string       // class id → its tokens
	freq      map[string]uint32
	classFreq []uint32 // class id → summed frequency of its members
	logTotal  float64
	total     float64
}

var (
	tableOnce sync.Once
	table     *variantTable
)

// variants returns the table, loading it on first use.
func variants() *variantTable {
	tableOnce.Do(func() { table = loadVariants(variantsGz) })
	return table
}

// loadVariants parses the embedded table. A damaged table yields an empty
// one: matching then falls back to spelling and skeletons, never panics.
func loadVariants(gz []byte) *variantTable {
	t := &variantTable{class: map[string]int32{}, freq: map[string]uint32{}, members: [][]string{nil}, classFreq: []uint32{0}}
	total := 1.0
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.total, t.logTotal = 1e6, math.Log(1e6)
		return t
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		kind, rest, _ := strings.Cut(sc.Text(), "\t")
		switch kind {
		case "C":
			id := int32(len(t.members))
			ms := strings.Fields(rest)
			t.members = append(t.members, ms)
			for _, m := range ms {
				if _, dup := t.class[m]; !dup {
					t.class[m] = id
				}
			}
		case "F":
			tok, n, _ := strings.Cut(rest, "\t")
			c, _ := strconv.Atoi(n)
			t.freq[tok] = uint32(c)
		case "T":
			total, _ = strconv.ParseFloat(rest, 64)
		}
	}
	t.classFreq = make([]uint32, len(t.members))
	for id, ms := range t.members {
		for _, m := range ms {
			t.classFreq[id] += t.freq[m]
		}
	}
	if total < 1e5 {
		total = 1e5
	}
	t.total, t.logTotal = total, math.Log(total)
	return t
}

// lookupClass returns the variant class of a token, trying its original
// script first, then its spellings.
func (t *variantTable) lookupClass(tk *token) int32 {
	for _, k := range [...]string{tk.orig, tk.form, tk.alt} {
		if k == "" {
			continue
		}
		if c, ok := t.class[k]; ok {
			return c
		}
	}
	return 0
}

// frequency returns how common a token is as a name: its class's total when
// it has one, else its own count.
func (t *variantTable) frequency(tk *token) float64 {
	if tk.class > 0 {
		return float64(t.classFreq[tk.class])
	}
	f := uint32(0)
	for _, k := range [...]string{tk.orig, tk.form, tk.alt} {
		if k != "" && t.freq[k] > f {
			f = t.freq[k]
		}
	}
	return float64(f)
}

// abdWeight is the rarity weight of the "Abd" of a compound name.
const abdWeight = 0.3

// knownFreq is how often a name must occur in the data to count as a
// well-attested name of its own rather than a misspelling of another.
const knownFreq = 10

// enrich sets each token's variant class and rarity weight.
func enrich(toks []token) {
	t := variants()
	for i := range toks {
		tk := &toks[i]
		switch tk.kind {
		case kindParticle:
			tk.weight = 0.1
			continue
		case kindInitial:
			tk.weight = 0.25
			continue
		}
		if tk.form == "abd" {
			tk.weight = abdWeight // "servant of": half of many names
			continue
		}
		if !tk.arabic {
			tk.phon = phonetic(tk.form)
		}
		tk.class = t.lookupClass(tk)
		f := t.frequency(tk)
		tk.weight = float32(t.rarity(f))
		if n := len(tk.form); n <= 3 && !tk.arabic && tk.weight > shortWeight {
			// A name of two or three letters cannot be rare, whatever the
			// data saw of it: there are few such names (Pak, Il, Ri, Wu),
			// and Korean and Chinese ones are missing from the tables.
			tk.weight = shortWeight
		}
		if n := len(tk.form); n == 4 && !tk.arabic && f == 0 && tk.weight > shortUnknownWeight {
			// A four-letter name the tables never saw is most often a
			// Korean or Chinese syllable (Chol, Kang, Myon): they lack
			// those, not because they are rare.
			tk.weight = shortUnknownWeight
		}
		tk.known = f >= knownFreq
	}
	for i := range toks {
		toks[i].derive() // after phon: derive reads it
	}
}

// shortWeight is the most a name of three letters or fewer weighs, and
// shortUnknownWeight one of four letters the tables do not know.
const (
	shortWeight        = 0.5
	shortUnknownWeight = 0.6
)

// rarity maps a name frequency to an IDF-like weight in [0.3, 1]: a name
// borne by many people proves little, an unknown one counts fully.
func (t *variantTable) rarity(f float64) float64 {
	w := math.Log(t.total/(f+1)) / t.logTotal
	return math.Max(0.3, math.Min(1, w))
}

// Variants returns the known spellings of a name token (its variant class),
// or nil when the table knows none. Tools use it to explain a match.
func Variants(word string) []string {
	toks := tokenize(word)
	if len(toks) != 1 {
		return nil
	}
	enrich(toks)
	if toks[0].class == 0 {
		return nil
	}
	return append([]string(nil), variants().members[toks[0].class]...)
}

// TableKeys returns, for each token of a name, the key the variant table
// uses for it (the original-script spelling for Arabic and Cyrillic words,
// else the ICAO Latin spelling) and its consonant skeleton. The table's
// generator uses it so that the table and matching agree on spellings.
func TableKeys(name string) (keys, skels []string) {
	for _, t := range tokenize(name) {
		k := t.form
		if t.orig != "" {
			k = t.orig
		}
		keys = append(keys, k)
		skels = append(skels, t.skel)
	}
	return keys, skels
}
