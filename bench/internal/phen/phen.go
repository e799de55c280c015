// Package phen generates the name, date and namesake phenomena of GitHub
// issue 16 from listed people: the spellings, cut names and reordered
// scripts under which a listed person presents and is missed, and the
// namesakes and regional innocents who are stopped for nothing.
//
// The generator knows nothing of the matcher. It reads the listings, the
// Wikidata English-Arabic name pairs (real spelling variants: Latin
// spellings of one Arabic name) and applies rules that mirror how names are
// written in practice. It is seeded, and it splits the listed people into
// two halves by a hash of their id: tune on one, report on the other.
package phen

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"tripline"
)

// Halves of the listed people.
const (
	Tune   = 0
	Report = 1
)

// Half returns which half a listing belongs to: a hash of its id, so that
// a person stays in its half whatever else the list holds.
func Half(id string) int {
	h := fnv.New32a()
	h.Write([]byte("tripline-phen:" + id))
	return int(h.Sum32() & 1)
}

// Case is one traveller to screen. Want is the listing the traveller is,
// or "" for an innocent traveller, for whom any alert is a false one.
type Case struct {
	T    *tripline.Traveller
	Want string
	// Of is the listing the case was made from (an innocent's namesake).
	Of string
}

// Set is the cases of one phenomenon.
type Set struct {
	Name     string
	Innocent bool
	Cases    []Case
}

// Phenomenon makes one case from a listed person; ok is false when the
// person does not show it (no hyphen to split, no Arabic original, ...).
type Phenomenon struct {
	Name     string
	Innocent bool
	About    string
	Make     func(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool)
	// Per is how many cases to make from each listed person (0: one);
	// innocents drawn from elsewhere need more than the list's size.
	Per int
}

// Phenomena lists what the generator makes, misses first, then innocents.
var Phenomena = []Phenomenon{
	{Name: "variant-spelling", About: "1-2 words replaced by another Latin spelling of the same Arabic name (Wikidata pairs)", Make: variantSpelling},
	{Name: "orthography", About: "doubled letters simplified, OU/EE/OO/KH/Q/SS/Y/AA rewritten, Ali/Aly, -ULLAH with one L", Make: orthography},
	{Name: "abbreviation", About: "Muhammad written Mohd, Md, Muhd", Make: abbreviation},
	{Name: "split-punct", About: "apostrophes and hyphens written as spaces (SA'D as SA D)", Make: splitPunct},
	{Name: "particle-moved", About: "AL-, EL-, BIN, ABU, WA detached and moved after the name", Make: particleMoved},
	{Name: "truncated", About: "a long name cut to its first 2-3 words", Make: truncated},
	{Name: "mrz-order", About: "surname first, upper case, as an MRZ reader gives it", Make: mrzOrder},
	{Name: "mrz-cut", About: "MRZ name field cut at its width (30 or 39) inside the last given name", Make: mrzCut},
	{Name: "alias-single", About: "a one-word alias with a spelling change", Make: aliasSingle},
	{Name: "short-syllable", About: "a short Korean/Chinese syllable with one letter changed", Make: shortSyllable},
	{Name: "arabic-order", About: "original Arabic-script name reversed or surname first, compounds kept", Make: arabicOrder},
	{Name: "namesake", Innocent: true, About: "exact listed name, birth date 15-30 years off, other nationality", Make: namesake},
	{Name: "namesake-nodob", Innocent: true, About: "exact name of a listing without birth date, random birth date, other nationality", Make: namesakeNoDOB},
	{Name: "regional", Innocent: true, About: "common names of the listed people's region, random birth date", Make: regional},
	{Name: "oneword", Innocent: true, About: "a one-word name of a person on Wikidata (half of Arabic origin), random birth date and nationality", Make: oneWord, Per: 4},
	{Name: "oneword-regional", Innocent: true, About: "one common word of the listed people's region as the whole name, random birth date", Make: oneWordRegional, Per: 4},
}

// Gen holds what the generator draws from.
type Gen struct {
	seed     int64
	r        *rand.Rand          // drawn afresh for each case: a case depends only on the seed, its phenomenon and its person
	variants map[string][]string // Latin spelling → other Latin spellings of the same Arabic name
	pool     map[string]*regionPool
	nats     []string
	// single and arSingle are the one-word names of the half: Latin
	// name words of people on Wikidata, each with its cumulative count
	// (drawn as often as people bear them); arSingle those of Arabic
	// origin.
	single, arSingle weighted
}

// weighted is words drawn in proportion to their counts.
type weighted struct {
	words []string
	cum   []int // cumulative counts
}

func (w *weighted) add(word string, n int) {
	total := n
	if k := len(w.cum); k > 0 {
		total += w.cum[k-1]
	}
	w.words = append(w.words, word)
	w.cum = append(w.cum, total)
}

// draw returns a word, "" when there are none.
func (w *weighted) draw(r *rand.Rand) string {
	if len(w.cum) == 0 {
		return ""
	}
	x := r.IntN(w.cum[len(w.cum)-1])
	i, _ := slices.BinarySearch(w.cum, x+1)
	return w.words[i]
}

// regionPool is the name material of one nationality, from one half.
type regionPool struct {
	given, last     []string // common Latin words: first and last of listed names
	arGiven, arLast []string // the same from Arabic originals
}

// NewGen prepares a generator over the listings of one half, with the
// Wikidata English-Arabic pairs at arPairs ("" for none).
func NewGen(ls []*tripline.Listing, half int, arPairs string, seed int64) (*Gen, error) {
	g := &Gen{seed: seed, pool: map[string]*regionPool{}}
	if arPairs != "" {
		v, err := readVariants(arPairs)
		if err != nil {
			return nil, err
		}
		g.variants = v
		if err := g.readSingles(arPairs, half); err != nil {
			return nil, err
		}
	}
	g.buildPools(ls, half)
	return g, nil
}

// Generate makes every phenomenon's cases from the listings of one half.
func (g *Gen) Generate(ls []*tripline.Listing, half int) []Set {
	var out []Set
	for _, p := range Phenomena {
		s := Set{Name: p.Name, Innocent: p.Innocent}
		for _, l := range ls {
			if Half(l.ID) != half {
				continue
			}
			for k := range max(1, p.Per) {
				stream := p.Name + "\x00" + l.ID
				if k > 0 {
					stream += fmt.Sprintf("\x00%d", k)
				}
				g.r = rand.New(rand.NewPCG(uint64(g.seed), hash64(stream)))
				t, ok := p.Make(g, l)
				if !ok {
					continue
				}
				t.Ref = l.ID + "/" + p.Name
				if k > 0 {
					t.Ref += fmt.Sprintf("/%d", k)
				}
				c := Case{T: t, Of: l.ID}
				if !p.Innocent {
					c.Want = l.ID
				}
				s.Cases = append(s.Cases, c)
			}
		}
		out = append(out, s)
	}
	return out
}

// readVariants reads the Wikidata pairs (latin<TAB>arabic letters<TAB>count)
// and returns, for each Latin spelling seen twice or more, the other Latin
// spellings of its Arabic names that look alike (a misaligned pair would
// give an unrelated word).
func readVariants(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("phen: %w", err)
	}
	defer f.Close()
	byAr := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 || cols[2] == "1" || !isASCIIWord(cols[0]) {
			continue
		}
		byAr[cols[1]] = append(byAr[cols[1]], cols[0])
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("phen: %s: %w", path, err)
	}
	out := map[string][]string{}
	for _, ws := range byAr {
		for _, a := range ws {
			for _, b := range ws {
				if a != b && len(a) >= 3 && levenshtein(a, b) <= max(2, len(a)/3) && !slices.Contains(out[a], b) {
					out[a] = append(out[a], b)
				}
			}
		}
	}
	for k := range out {
		slices.Sort(out[k]) // map order must not reach the generator
	}
	return out, nil
}

// arabicOnly are Arabic letters that no English sound is written with:
// a word whose Arabic spelling has one is of Arabic origin.
const arabicOnly = "عحخصضطظقغثذ"

// readSingles reads the Latin words of the Wikidata pairs with their
// counts, those of one half (by a hash of the word, as listed people are
// split), for the one-word innocents.
func (g *Gen) readSingles(path string, half int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("phen: %w", err)
	}
	defer f.Close()
	type wc struct {
		n  int
		ar bool
	}
	by := map[string]*wc{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 || !isASCIIWord(cols[0]) || len(cols[0]) < 3 || Half(cols[0]) != half {
			continue
		}
		var n int
		if _, err := fmt.Sscan(cols[2], &n); err != nil || n < 1 {
			continue
		}
		c := by[cols[0]]
		if c == nil {
			c = &wc{}
			by[cols[0]] = c
		}
		c.n += n
		c.ar = c.ar || strings.ContainsAny(cols[1], arabicOnly)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("phen: %s: %w", path, err)
	}
	ws := make([]string, 0, len(by))
	for w := range by {
		ws = append(ws, w)
	}
	slices.Sort(ws) // map order must not reach the generator
	for _, w := range ws {
		name := sameCase("A", w)
		g.single.add(name, by[w].n)
		if by[w].ar {
			g.arSingle.add(name, by[w].n)
		}
	}
	return nil
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return len(s) > 0
}

// buildPools collects the common words of each nationality's listed names.
func (g *Gen) buildPools(ls []*tripline.Listing, half int) {
	type counts struct{ given, last, arGiven, arLast map[string]int }
	by := map[string]*counts{}
	natSet := map[string]bool{}
	for _, l := range ls {
		if Half(l.ID) != half {
			continue
		}
		key := region(l)
		c := by[key]
		if c == nil {
			c = &counts{map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}}
			by[key] = c
		}
		for _, n := range l.Nationalities {
			natSet[n] = true
		}
		// A word is common when several listed people bear it, not when
		// one person's aliases repeat it: count each person once.
		seen := map[string]bool{}
		once := func(m map[string]int, w string) {
			if k := fmt.Sprintf("%p", m) + w; !seen[k] {
				seen[k] = true
				m[w]++
			}
		}
		for _, n := range l.Names {
			ws := words(n.Full)
			if len(ws) < 2 {
				continue
			}
			if hasArabic(n.Full) {
				// Whole units: عبد or ابو with their name, never alone.
				us := arabicUnits(n.Full)
				once(c.arGiven, strings.Join(us[0], " "))
				if last := us[len(us)-1]; len(us) > 1 && last[0] != "بن" && last[0] != "ابن" {
					once(c.arLast, strings.Join(last, " "))
				}
				continue
			}
			for _, w := range ws[:len(ws)-1] {
				once(c.given, strings.ToUpper(w))
			}
			once(c.last, strings.ToUpper(ws[len(ws)-1]))
		}
	}
	for n := range natSet {
		g.nats = append(g.nats, n)
	}
	slices.Sort(g.nats)
	for key, c := range by {
		p := &regionPool{given: common(c.given), last: common(c.last), arGiven: common(c.arGiven), arLast: common(c.arLast)}
		g.pool[key] = p
	}
}

// common returns the words borne by at least two listed people, sorted
// (deterministic).
func common(m map[string]int) []string {
	var out []string
	for w, n := range m {
		if n >= 2 && len([]rune(w)) >= 2 {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}

// region is the pool key of a listing: its first nationality.
func region(l *tripline.Listing) string {
	if len(l.Nationalities) > 0 {
		return l.Nationalities[0]
	}
	return ""
}

// words splits a name on spaces.
func words(s string) []string { return strings.Fields(s) }

func hasArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

// base is the listed person as a traveller: the first listed nationality,
// the first birth date completed to a full date (a passport has one), no
// document (names and dates are what is measured).
func (g *Gen) base(l *tripline.Listing) *tripline.Traveller {
	t := &tripline.Traveller{Sex: l.Sex}
	if len(l.Nationalities) > 0 {
		t.Nationality = l.Nationalities[0]
	}
	for _, d := range l.BirthDates {
		if !d.IsZero() {
			t.DOB = d
			break
		}
	}
	if !t.DOB.IsZero() && t.DOB.Month == 0 {
		t.DOB.Month = 1 + g.r.IntN(12)
	}
	if !t.DOB.IsZero() && t.DOB.Day == 0 {
		t.DOB.Day = 1 + g.r.IntN(28)
	}
	return t
}

// primary returns the listed primary name, Latin.
func primary(l *tripline.Listing) tripline.Name {
	for _, n := range l.Names {
		if n.Kind == tripline.NamePrimary {
			return n
		}
	}
	return tripline.Name{Full: l.PrimaryName()}
}

// withName sets the traveller's name.
func withName(t *tripline.Traveller, name string) (*tripline.Traveller, bool) {
	t.Name = name
	return t, strings.TrimSpace(name) != ""
}

func variantSpelling(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	ws := words(primary(l).Full)
	var idx []int
	for i, w := range ws {
		if len(g.variants[strings.ToLower(w)]) > 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, false
	}
	g.r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	for _, i := range idx[:min(len(idx), 1+g.r.IntN(2))] {
		vs := g.variants[strings.ToLower(ws[i])]
		ws[i] = sameCase(ws[i], vs[g.r.IntN(len(vs))])
	}
	return withName(g.base(l), strings.Join(ws, " "))
}

// orthRules are spelling changes seen between transliterations of one name.
var orthRules = []struct{ from, to string }{
	{"ullah", "ulah"}, {"allah", "alah"}, {"ulla", "ula"}, {"alla", "ala"},
	{"ou", "u"}, {"ee", "i"}, {"oo", "u"}, {"kh", "h"}, {"q", "k"}, {"ss", "s"},
	{"aa", "a"}, {"ll", "l"}, {"mm", "m"}, {"dd", "d"}, {"tt", "t"}, {"rr", "r"}, {"nn", "n"}, {"bb", "b"},
	{"u", "ou"}, {"i", "ee"}, {"ai", "ay"}, {"ei", "ey"}, {"sh", "ch"}, {"j", "dj"},
}

func orthography(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	ws := words(primary(l).Full)
	changed := 0
	for _, i := range g.r.Perm(len(ws)) {
		if changed == 2 || changed == 1 && g.r.IntN(2) == 0 {
			break
		}
		if w, ok := rewrite(g.r, ws[i]); ok {
			ws[i] = w
			changed++
		}
	}
	if changed == 0 {
		return nil, false
	}
	return withName(g.base(l), strings.Join(ws, " "))
}

// rewrite applies one spelling rule to w, or Ali→Aly, -y→-ie at the end.
func rewrite(r *rand.Rand, w string) (string, bool) {
	lw := strings.ToLower(w)
	if len(lw) < 3 {
		return w, false
	}
	var opts []string
	for _, rule := range orthRules {
		if i := strings.Index(lw[1:], rule.from); i >= 0 {
			i++
			opts = append(opts, lw[:i]+rule.to+lw[i+len(rule.from):])
		}
	}
	switch {
	case strings.HasSuffix(lw, "i"):
		opts = append(opts, lw[:len(lw)-1]+"y")
	case strings.HasSuffix(lw, "y"):
		opts = append(opts, lw[:len(lw)-1]+"i", lw[:len(lw)-1]+"ie")
	}
	if len(opts) == 0 {
		return w, false
	}
	return sameCase(w, opts[r.IntN(len(opts))]), true
}

func abbreviation(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	ws := words(primary(l).Full)
	for i, w := range ws {
		if muhammad.MatchString(strings.ToLower(w)) {
			ws[i] = sameCase(w, []string{"mohd", "md", "muhd", "mohd."}[g.r.IntN(4)])
			return withName(g.base(l), strings.Join(ws, " "))
		}
	}
	return nil, false
}

// muhammad matches the Latin spellings of Muhammad (not Mahmud, whose H
// and M meet): the names Mohd, Md and Muhd abbreviate.
var muhammad = regexp.MustCompile(`^m[aeiou]+h[aeiou]+m+[aeiou]+d$`)

func splitPunct(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	n := primary(l).Full
	if !strings.ContainsAny(n, "-'’ʼ") {
		return nil, false
	}
	n = strings.NewReplacer("-", " ", "'", " ", "’", " ", "ʼ", " ").Replace(n)
	return withName(g.base(l), strings.Join(words(n), " "))
}

// movable are the particles that detach and move after the name.
var movable = map[string]bool{"al": true, "el": true, "bin": true, "ibn": true, "abu": true, "wa": true, "bint": true}

func particleMoved(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	ws := words(primary(l).Full)
	for _, i := range g.r.Perm(len(ws)) {
		w := ws[i]
		lw := strings.ToLower(w)
		if p, rest, ok := strings.Cut(w, "-"); ok && movable[strings.ToLower(p)] && rest != "" {
			ws[i] = rest + " " + p // AL-RAWI → RAWI AL
			return withName(g.base(l), strings.Join(ws, " "))
		}
		if movable[lw] && i+1 < len(ws) {
			ws[i], ws[i+1] = ws[i+1], w // ABU BAKR → BAKR ABU
			return withName(g.base(l), strings.Join(ws, " "))
		}
	}
	return nil, false
}

func truncated(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	ws := words(primary(l).Full)
	if len(ws) < 4 {
		return nil, false
	}
	k := 2 + g.r.IntN(2)
	return withName(g.base(l), strings.Join(ws[:k], " "))
}

// mrzParts returns the surname and given names of the primary name in MRZ
// characters: upper-case ASCII letters, other characters as '<'.
func mrzParts(l *tripline.Listing) (sur, given string) {
	n := primary(l)
	s, gv := n.Family, n.Given
	if s == "" {
		ws := words(n.Full)
		if len(ws) < 2 {
			return "", ""
		}
		s, gv = ws[len(ws)-1], strings.Join(ws[:len(ws)-1], " ")
	}
	return mrzField(s), mrzField(gv)
}

// mrzField writes text as an MRZ does: diacritics dropped, apostrophes
// omitted, anything else that is not a letter a filler.
func mrzField(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToUpper(s)) {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == '\'' || r == '’' || r == 'ʼ' || unicode.Is(unicode.Mn, r):
		default:
			b.WriteByte('<')
		}
	}
	return strings.Trim(b.String(), "<")
}

// fromMRZ reads a name field as an MRZ reader returns it.
func fromMRZ(field string) (sur, given string) {
	s, gv, _ := strings.Cut(field, "<<")
	clean := func(x string) string {
		return strings.Join(strings.FieldsFunc(x, func(r rune) bool { return r == '<' }), " ")
	}
	return clean(s), clean(gv)
}

func mrzOrder(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	s, gv := mrzParts(l)
	if s == "" {
		return nil, false
	}
	t := g.base(l)
	t.Surname, t.GivenNames = fromMRZ(s + "<<" + gv)
	return t, t.Surname != ""
}

func mrzCut(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	s, gv := mrzParts(l)
	if s == "" || gv == "" {
		return nil, false
	}
	field := s + "<<" + gv
	for _, width := range []int{39, 30} {
		if len(field) <= width {
			continue
		}
		// Cut inside a given name: the letters on both sides of the cut.
		if cut := field[:width]; cut[width-1] != '<' && field[width] != '<' && strings.Contains(cut, "<<") && len(cut)-strings.LastIndexByte(cut, '<') > 2 {
			t := g.base(l)
			t.Surname, t.GivenNames = fromMRZ(cut)
			return t, true
		}
	}
	return nil, false
}

func aliasSingle(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	var singles []string
	for _, n := range l.Names {
		if (n.Kind == tripline.NameAlias || n.Kind == tripline.NameWeakAlias) && len(words(n.Full)) == 1 && !strings.Contains(n.Full, "-") && !hasArabic(n.Full) {
			singles = append(singles, n.Full)
		}
	}
	if len(singles) == 0 {
		return nil, false
	}
	w := singles[g.r.IntN(len(singles))]
	nw, ok := rewrite(g.r, w)
	if !ok || g.r.IntN(3) == 0 {
		nw = typo(g.r, w)
	}
	if nw == w {
		return nil, false
	}
	return withName(g.base(l), nw)
}

// typo changes one letter of w, never the first.
func typo(r *rand.Rand, w string) string {
	rs := []rune(w)
	if len(rs) < 3 {
		return w
	}
	i := 1 + r.IntN(len(rs)-1)
	if !unicode.IsLetter(rs[i]) {
		return w
	}
	c := rune('a' + r.IntN(26))
	if unicode.IsUpper(rs[i]) {
		c = unicode.ToUpper(c)
	}
	rs[i] = c
	return string(rs)
}

// eastAsian are the nationalities whose names are short syllables.
var eastAsian = map[string]bool{"PRK": true, "KOR": true, "CHN": true, "TWN": true, "HKG": true, "VNM": true, "MMR": true, "KP": true, "KR": true, "CN": true}

// romanisation pairs are the letters Korean and Chinese romanisations
// trade for one another (McCune-Reischauer and Revised, Wade-Giles and
// pinyin).
var romanisation = [][2]string{{"o", "u"}, {"e", "a"}, {"u", "o"}, {"a", "e"}, {"k", "g"}, {"g", "k"}, {"t", "d"}, {"d", "t"}, {"p", "b"}, {"b", "p"}, {"i", "e"}, {"n", "m"}, {"l", "r"}, {"r", "l"}, {"s", "j"}}

func shortSyllable(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	if len(l.Nationalities) == 0 || !eastAsian[l.Nationalities[0]] {
		return nil, false
	}
	n := primary(l).Full
	// Syllables: the words and the parts of hyphenated words.
	type span struct{ i, j int }
	var syl []span
	start := -1
	for i, r := range n + " " {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 2 && i-start <= 4 {
			syl = append(syl, span{start, i})
		}
		start = -1
	}
	if len(syl) == 0 {
		return nil, false
	}
	s := syl[g.r.IntN(len(syl))]
	w := n[s.i:s.j]
	var nw string
	if g.r.IntN(2) == 0 {
		nw = typo(g.r, w)
	} else {
		lw := strings.ToLower(w)
		var opts []string
		for _, p := range romanisation {
			if k := strings.Index(lw[1:], p[0]); k >= 0 {
				opts = append(opts, lw[:k+1]+p[1]+lw[k+2:])
			}
		}
		if len(opts) == 0 {
			return nil, false
		}
		nw = sameCase(w, opts[g.r.IntN(len(opts))])
	}
	if nw == w {
		return nil, false
	}
	return withName(g.base(l), n[:s.i]+nw+n[s.j:])
}

// arabicUnits splits an Arabic-script name into units that stay together
// when the name is reordered: عبد, ابو and بن with the name after them.
func arabicUnits(name string) [][]string {
	var units [][]string
	ws := words(name)
	for i := 0; i < len(ws); i++ {
		u := []string{ws[i]}
		for i+1 < len(ws) && (ws[i] == "عبد" || ws[i] == "ابو" || ws[i] == "أبو" || ws[i] == "بن" || ws[i] == "ابن" || ws[i] == "بنت") {
			i++
			u = append(u, ws[i])
		}
		units = append(units, u)
	}
	return units
}

func arabicOrder(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	var orig string
	for _, n := range l.Names {
		if n.Kind == tripline.NameOriginal && hasArabic(n.Full) {
			orig = n.Full
			break
		}
	}
	us := arabicUnits(orig)
	if len(us) < 2 {
		return nil, false
	}
	var out []string
	if g.r.IntN(2) == 0 {
		// Reversed: family name first, down to the given name; "bin"
		// dropped, as a reversed chain of names no longer reads as one.
		for i := len(us) - 1; i >= 0; i-- {
			u := us[i]
			if u[0] == "بن" || u[0] == "ابن" {
				u = u[1:]
			}
			out = append(out, u...)
		}
	} else {
		// Surname first: the last unit moved to the front.
		last := us[len(us)-1]
		if last[0] == "بن" || last[0] == "ابن" {
			last = last[1:]
		}
		out = append(out, last...)
		for _, u := range us[:len(us)-1] {
			out = append(out, u...)
		}
	}
	return withName(g.base(l), strings.Join(out, " "))
}

// otherNationality draws a nationality the listing does not hold.
func (g *Gen) otherNationality(l *tripline.Listing) string {
	for range 20 {
		n := g.nats[g.r.IntN(len(g.nats))]
		if !slices.Contains(l.Nationalities, n) {
			return n
		}
	}
	return "ZZZ"
}

func namesake(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	t := g.base(l)
	if t.DOB.IsZero() {
		return nil, false
	}
	// 15-30 years off every listed birth date (lists give ranges).
	lo, hi := t.DOB.Year, t.DOB.Year
	for _, d := range l.BirthDates {
		if !d.IsZero() {
			lo, hi = min(lo, d.Year), max(hi, d.Year)
		}
	}
	off := 15 + g.r.IntN(16)
	y := hi + off
	if y > 2008 || lo-off >= 1935 && g.r.IntN(2) == 0 {
		y = lo - off
	}
	t.DOB = tripline.PartialDate{Year: y, Month: 1 + g.r.IntN(12), Day: 1 + g.r.IntN(28)}
	t.Nationality = g.otherNationality(l)
	return withName(t, primary(l).Full)
}

func namesakeNoDOB(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	if len(l.BirthDates) > 0 {
		return nil, false
	}
	t := g.base(l)
	t.DOB = randomDOB(g.r)
	t.Nationality = g.otherNationality(l)
	return withName(t, primary(l).Full)
}

func randomDOB(r *rand.Rand) tripline.PartialDate {
	return tripline.PartialDate{Year: 1940 + r.IntN(66), Month: 1 + r.IntN(12), Day: 1 + r.IntN(28)}
}

func regional(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	p := g.pool[region(l)]
	if p == nil || len(p.given) == 0 || len(p.last) == 0 {
		return nil, false
	}
	t := &tripline.Traveller{Sex: "M", DOB: randomDOB(g.r), Nationality: region(l)}
	if t.Nationality == "" {
		t.Nationality = g.nats[g.r.IntN(len(g.nats))]
	}
	given, last := p.given, p.last
	if len(p.arGiven) > 0 && len(p.arLast) > 0 && g.r.IntN(4) == 0 {
		given, last = p.arGiven, p.arLast
	}
	ws := []string{given[g.r.IntN(len(given))]}
	if g.r.IntN(2) == 0 {
		ws = append(ws, given[g.r.IntN(len(given))])
	}
	ws = append(ws, last[g.r.IntN(len(last))])
	return withName(t, strings.Join(ws, " "))
}

// oneWord is an innocent traveller of one name word: a name word of
// people on Wikidata, as common among travellers as among them, half of
// the time one of Arabic origin; any birth date, nationality and sex.
func oneWord(g *Gen, _ *tripline.Listing) (*tripline.Traveller, bool) {
	from := &g.single
	if g.r.IntN(2) == 0 {
		from = &g.arSingle
	}
	w := from.draw(g.r)
	if w == "" || len(g.nats) == 0 {
		return nil, false
	}
	t := &tripline.Traveller{Sex: []tripline.Sex{"M", "F"}[g.r.IntN(2)], DOB: randomDOB(g.r), Nationality: g.nats[g.r.IntN(len(g.nats))]}
	return withName(t, w)
}

// oneWordRegional is an innocent traveller whose whole name is one word
// common among the listed names of a region (a mononym, or a given name
// alone), of that region's nationality.
func oneWordRegional(g *Gen, l *tripline.Listing) (*tripline.Traveller, bool) {
	p := g.pool[region(l)]
	if p == nil || region(l) == "" {
		return nil, false
	}
	var ws []string
	for _, w := range slices.Concat(p.given, p.last, p.arGiven, p.arLast) {
		if len([]rune(w)) >= 3 && !strings.Contains(w, " ") && !strings.Contains(w, "-") {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return nil, false
	}
	t := &tripline.Traveller{Sex: "M", DOB: randomDOB(g.r), Nationality: region(l)}
	return withName(t, ws[g.r.IntN(len(ws))])
}

// sameCase writes lower-case w in the case style of like: all upper, or
// capitalised.
func sameCase(like, w string) string {
	if strings.ToUpper(like) == like {
		return strings.ToUpper(w)
	}
	if r := []rune(like); len(r) > 0 && unicode.IsUpper(r[0]) {
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		return string(rs)
	}
	return w
}

// levenshtein is the edit distance of two ASCII words.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
