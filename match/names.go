package match

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"tripline"
	"tripline/match/internal/strdist"
)

// How two tokens agree, from strongest to weakest. The similarity values
// keep an order: an exact spelling beats a known variant beats a shared
// skeleton beats a typo, so imperfect names never tie with exact ones.
const (
	simExact    = 1.0
	simSpelling = 0.98 // same word, other transliteration (Müller/Mueller)
	simVariant  = 0.95 // same variant class (Mohammed/Muhammad/محمد)
	simPhonetic = 0.93 // same sound, other letters (Zeea/Zia, Jabbar/Jabar)
	simSkeleton = 0.9  // same consonant skeleton (Ahmad/Ahmed)
	simAbbrev   = 0.8  // a contraction: Mohd for Mohammed
	simInitial  = 0.75 // "J." against "John"
	minTokenSim = 0.72 // below this two tokens do not match at all
	// simPhoneticShort is the same sound in a syllable of three letters
	// or fewer (Son/Sun, Kil/Keel): little to tell names apart by.
	simPhoneticShort = 0.86
)

// tokenSim scores two tokens in [0,1] and says how they agreed.
func tokenSim(a, b *token) (float64, string) {
	if a.form == b.form {
		if a.raw != b.raw && a.raw != "" && b.raw != "" {
			return simSpelling, "spelling" // Abdoulaye/Abdulaye: one compound, two spellings
		}
		return simExact, "exact"
	}
	if a.kind == kindParticle || b.kind == kindParticle {
		return 0, ""
	}
	if a.form == b.alt || a.alt == b.form || a.alt != "" && a.alt == b.alt {
		return simSpelling, "spelling"
	}
	if a.kind == kindInitial || b.kind == kindInitial {
		if a.form != "" && b.form != "" && a.form[0] == b.form[0] {
			return simInitial, "initial"
		}
		return 0, ""
	}
	if a.class != 0 && a.class == b.class {
		return simVariant, "variant"
	}
	if a.phon != "" && a.phon == b.phon {
		if len(a.phon) <= 3 {
			return simPhoneticShort, "phonetic"
		}
		return simPhonetic, "phonetic"
	}
	if abbreviates(a, b) || abbreviates(b, a) {
		return simAbbrev, "abbreviation"
	}
	if s := cutSim(a, b); s > 0 {
		return s, "cut"
	}
	cross := a.arabic != b.arabic
	if !cross && !a.arabic && (nisba(a, b) || nisba(b, a)) {
		// A name and its adjective in -i (Ahmad and Ahmadi, "of Ahmad"),
		// a family name made from it: barely the same name.
		return minTokenSim, "nisba"
	}
	if a.skel != "" && a.skel == b.skel {
		n := len(a.skel)
		switch {
		case a.arabic && b.arabic:
			return simSkeleton, "skeleton"
		case cross && n >= 2:
			// The same consonants are not yet the same name: the Latin
			// letters must read as the Arabic ones (Marwan, not Amrani).
			if fit := crossFit(a, b); fit <= 1 {
				return simSkeleton - 0.04*float64(fit), "skeleton"
			}
		case a.known && b.known:
			// Two well-attested names with one skeleton (Mohammadi and
			// Mohammed, Amrani and Marwan) are two names.
		case firstRune(a.form) == firstRune(b.form) && strdist.JaroWinkler(a.form, b.form) >= 0.8:
			// Between Latin spellings the skeleton is only a hint: the
			// spellings must look alike too.
			if n >= 3 {
				return simSkeleton, "skeleton"
			}
			if strdist.JaroWinkler(a.form, b.form) >= 0.85 {
				return simSkeleton - 0.02, "skeleton" // two consonants: Omar/Umar, not Amadou/Amid
			}
		}
	}
	if a.arabic || b.arabic {
		// Arabic has no short vowels: only the skeletons can be compared.
		if len(a.skel) >= 4 && len(b.skel) >= 4 && strdist.LevenshteinASCII(a.skel, b.skel) == 1 && (!cross || crossFit(a, b) <= 2) {
			return 0.76, "skeleton~"
		}
		return 0, ""
	}
	if len(a.form) >= 4 && isReverse(a.form, b.form) {
		return 0.8, "reversed" // written backwards: a known obfuscation
	}
	s := spellingSim(a.form, b.form)
	if a.alt != "" || b.alt != "" {
		s = max(s, spellingSim(orForm(a), orForm(b)))
	}
	if a.raw != "" || b.raw != "" {
		// A typo in "Abdullah" ("Adbullah") hides the compound.
		s = max(s, spellingSim(rawForm(a), rawForm(b)))
	}
	if phonTypo(a.phon, b.phon) && !(a.known && b.known) {
		s = max(s, spellingSim(a.phon, b.phon))
	}
	if s > 0 && a.known && b.known {
		// Two well-attested names a letter apart (Amin/Amir, Hani/Hadi)
		// are more likely two names than one name with a typo.
		s = minTokenSim
	}
	if s < minTokenSim {
		return 0, ""
	}
	return s, "typo"
}

// nisba reports whether a is b with the Arabic adjective ending -i or -y
// (Ahmadi from Ahmed, Rahmani from Rahman): a family name made from a
// given name, another name. b must end in a consonant, and the two share
// a skeleton.
func nisba(a, b *token) bool {
	f, g := a.form, b.form
	if len(g) < 4 || len(f) != len(g)+1 && len(f) != len(g)+2 || a.skel != b.skel {
		return false
	}
	last := f[len(f)-1]
	return (last == 'i' || last == 'y') && strings.IndexByte("aeiouy", f[len(f)-2]) < 0 && strings.IndexByte("aeiouy", g[len(g)-1]) < 0
}

// phonTypo reports whether two phonetic forms are one typo apart: one
// edit on top of another transliteration (Fazel/Fadil). More than one
// joins names that only sound alike (Mahir/Mahathir); in a form of four
// sounds only a letter that spellings trade (Yong/Jung) counts, or
// Kotey and Kony ("kuti", "kuni") would meet.
func phonTypo(a, b string) bool {
	if len(a) < 4 || len(b) < 4 || a == b || !strdist.WithinOne(a, b) {
		return false
	}
	if len(a) >= 5 && len(b) >= 5 {
		return true
	}
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			return sameSound(rune(a[i]), rune(b[i]))
		}
	}
	return false
}

// crossFit is arabicFit for a Latin and an Arabic-script token, whichever
// is which, over the Latin token's spellings.
func crossFit(a, b *token) int {
	if a.arabic {
		a, b = b, a
	}
	if b.orig == "" {
		return 0
	}
	best := arabicFit(rawForm(a), b.orig)
	for _, f := range [...]string{a.form, a.alt} {
		if f != "" && best > 0 {
			best = min(best, arabicFit(f, b.orig))
		}
	}
	return best
}

// abbreviates reports whether a is a contraction of b, as Mohd and Muhd
// are of Muhammad: a short spelling of at most one vowel that is no name
// of its own, keeping b's first and last letters and some of its letters
// between, in order. Compared by sound (Mohd and Muhammad).
func abbreviates(a, b *token) bool {
	s, l := a.phon, b.phon
	if len(s) < 3 || len(s) > 4 || len(l) < len(s)+3 || a.known || s[0] != l[0] || s[len(s)-1] != l[len(l)-1] {
		return false
	}
	vowels := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("aiu", s[i]) >= 0 {
			vowels++
		}
	}
	if vowels > 1 {
		return false
	}
	j := 0
	for i := 0; i < len(l) && j < len(s); i++ {
		if l[i] == s[j] {
			j++
		}
	}
	return j == len(s)
}

// cutSim scores a query token at a place where a machine-readable zone
// cuts names (token.cut) against a listed token it begins: "HAS" for
// Hassan. The more of the name is kept, the more it counts.
func cutSim(q, c *token) float64 {
	if !q.cut || q.arabic || c.arabic || len(q.form) < 2 || len(c.form) <= len(q.form) || !strings.HasPrefix(rawForm(c), q.form) && !strings.HasPrefix(c.form, q.form) {
		return 0
	}
	return 0.72 + 0.22*float64(len(q.form))/float64(len(rawForm(c)))
}

// isReverse reports whether a is b written backwards (ASCII spellings).
func isReverse(a, b string) bool {
	if len(a) != len(b) || !strdist.IsASCII(a) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[len(b)-1-i] {
			return false
		}
	}
	return true
}

// rawForm returns a token as written before compounds were normalised.
func rawForm(t *token) string {
	if t.raw != "" {
		return t.raw
	}
	return t.form
}

// orForm returns the common-practice spelling of a token.
func orForm(t *token) string {
	if t.alt != "" {
		return t.alt
	}
	return t.form
}

// spellingSim scores two spellings that may differ by typos. The number of
// edits allowed grows with length (one up to 5 letters, two up to 12, then
// three); beyond that two words are different names, however alike they
// look (Sancho/Sánchez, Castillo/Castro). A typo is the weakest agreement.
func spellingSim(a, b string) float64 {
	l := max(strdist.RuneLen(a), strdist.RuneLen(b))
	if l == 0 {
		return 0
	}
	if equalCollapsed(a, b) {
		return 0.9 // Joonng/Jong, Hanniball/Hannibal
	}
	allowed := 3
	switch {
	case syllabic(a) || syllabic(b):
		allowed = 0 // one Han or Hangul character is a whole syllable
	case l <= 3:
		if len(a) == len(b) && len(a) >= 2 && a[0] == b[0] {
			switch {
			case len(a) == 3 && (a[2] == b[2] || a[1] == b[2] && a[2] == b[1]):
				// A short syllable with its middle letter changed
				// (Son/Sbn) or its last two swapped (Sik/Ski).
				return 0.74
			case a[1:len(a)-1] == b[1:len(b)-1]:
				// Its last letter changed (Son/Soj, Il/Ir): as often
				// another syllable, so it barely counts.
				return minTokenSim
			}
		}
		allowed = 0
	case l <= 5:
		allowed = 1
	case l <= 12:
		allowed = 2
	}
	if la, lb := len(a), len(b); la-lb > allowed || lb-la > allowed {
		return 0 // cheap: the lengths alone rule it out
	}
	if strdist.IsASCII(a) && strdist.IsASCII(b) && strdist.BagDistance(a, b) > allowed {
		return 0 // cheap too: the letters alone rule it out
	}
	d := strdist.Levenshtein(a, b)
	if d > allowed || d > 1 && !sameSound(firstRune(a), firstRune(b)) {
		return 0 // names that differ at their start are other names
	}
	s := 0.9 - 0.07*float64(d-1)
	if strdist.JaroWinkler(a, b) < 0.8 {
		s -= 0.05
	}
	if !sameSound(firstRune(a), firstRune(b)) {
		s -= 0.1 // another first letter mostly makes another name (Janan/Manan, Ryong/Myong)
	}
	if d == 1 && l <= 5 && len(a) == len(b) && a[:len(a)-1] == b[:len(b)-1] {
		s -= 0.08 // so does another last letter of a short name (Amid/Amit, Amin/Amir)
	}
	return s
}

// sameSound reports whether two initial letters are spelling variants of
// one sound across languages (Wolodymyr/Volodymyr, Selenskyj/Zelenskyy).
func sameSound(a, b rune) bool {
	if a == b {
		return true
	}
	for _, g := range [...]string{"sz", "vw", "ckq", "jy", "ie", "ou", "ao"} {
		if strings.ContainsRune(g, a) && strings.ContainsRune(g, b) {
			return true
		}
	}
	return false
}

// syllabic reports whether s is written in a script whose characters are
// syllables (Han, Hangul, kana left untransliterated).
func syllabic(s string) bool {
	for _, r := range s {
		if r >= 0x80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)) {
			return true
		}
	}
	return false
}

// firstRune returns the first character of s.
func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

// equalCollapsed reports whether a and b are equal once doubled letters
// are written once (collapseRepeats), without building either.
func equalCollapsed(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] != b[j] {
			return false
		}
		c := a[i]
		for i < len(a) && a[i] == c {
			i++
		}
		for j < len(b) && b[j] == c {
			j++
		}
	}
	return i == len(a) && j == len(b)
}

// edge is one aligned pair: query tokens qs with candidate tokens cs (one
// each, or two joined on one side: "AlisherUsmanov").
type edge struct {
	q, c   uint32 // bit masks of token positions
	sim    float64
	how    string
	weight float64
}

// nameResult is how two names compare.
type nameResult struct {
	score   float64
	exact   bool // every token matched exactly, in order, nothing missing
	swapped bool // matched tokens in another order
	edges   []edge
	info    float64 // rarity-weighted evidence of the matched tokens
}

// maxTokens bounds the tokens compared per name; longer names are
// truncated (no real name has more).
const maxTokens = 16

// memo caches token similarities for one query: listed tokens are
// interned, so the same (query token, listed token) pair recurs across
// candidates and aliases.
type memo map[memoKey]memoVal

type memoKey struct {
	qi int
	t  *token
}

type memoVal struct {
	sim float64
	how string
}

// compareTokens aligns two token lists order-independently and scores them.
// m may be nil.
func compareTokens(q, c []*token) nameResult { return compareTokensMemo(q, c, nil) }

// scratch holds one query's reusable buffers.
type cmpScratch struct {
	memo   memo
	edges  []edge
	chosen []edge
}

func compareTokensMemo(q, c []*token, sc *cmpScratch) nameResult {
	if sc == nil {
		sc = &cmpScratch{}
	}
	m := sc.memo
	if len(q) > maxTokens {
		q = q[:maxTokens]
	}
	if len(c) > maxTokens {
		c = c[:maxTokens]
	}
	if len(q) == 0 || len(c) == 0 {
		return nameResult{}
	}
	edges := sc.edges[:0]
	defer func() { sc.edges = edges[:0] }()
	for i := range q {
		for j := range c {
			var s float64
			var how string
			if m != nil {
				k := memoKey{i, c[j]}
				v, ok := m[k]
				if !ok {
					v.sim, v.how = tokenSim(q[i], c[j])
					m[k] = v
				}
				s, how = v.sim, v.how
			} else {
				s, how = tokenSim(q[i], c[j])
			}
			if s > 0 {
				w := (float64(q[i].weight) + float64(c[j].weight)) / 2
				edges = append(edges, edge{q: 1 << i, c: 1 << j, sim: s, how: how, weight: w})
			}
		}
	}
	sortEdges(edges)
	usedQ, usedC, chosen := greedy(edges, 0, 0, sc.chosen[:0])
	if usedQ != fullMask(len(q)) && usedC != fullMask(len(c)) {
		// Words left over on both sides: maybe one side wrote two words
		// as one ("AlisherUsmanov"). Try joins among the leftovers.
		n := len(edges)
		edges = joinEdges(edges, q, c, usedQ, usedC, false)
		edges = joinEdges(edges, c, q, usedC, usedQ, true)
		if len(edges) > n {
			sortEdges(edges)
			usedQ, usedC, chosen = greedy(edges, 0, 0, chosen[:0])
		}
	}
	sc.chosen = chosen[:0]
	return scoreAlignment(q, c, chosen, usedQ, usedC)
}

// fullMask has the low n bits set.
func fullMask(n int) uint32 { return uint32(1)<<n - 1 }

// greedy picks edges best first, each token used once.
func greedy(edges []edge, usedQ, usedC uint32, chosen []edge) (uint32, uint32, []edge) {
	for _, e := range edges {
		if usedQ&e.q != 0 || usedC&e.c != 0 {
			continue
		}
		usedQ |= e.q
		usedC |= e.c
		chosen = append(chosen, e)
	}
	return usedQ, usedC, chosen
}

// sortEdges orders edges best first; ties prefer pairs on the same
// position, which keeps the order of names that repeat a word.
func sortEdges(edges []edge) {
	slices.SortFunc(edges, func(a, b edge) int {
		if a.sim != b.sim {
			if a.sim > b.sim {
				return -1
			}
			return 1
		}
		// Prefer the pair on the same position: keeps order when tied.
		da, db := posDist(a), posDist(b)
		return da - db
	})
}

// posDist is how far apart an edge's positions are.
func posDist(e edge) int {
	d := lowBit(e.q) - lowBit(e.c)
	if d < 0 {
		d = -d
	}
	return d
}

func lowBit(m uint32) int {
	for i := 0; i < 32; i++ {
		if m&(1<<i) != 0 {
			return i
		}
	}
	return 0
}

// joinEdges adds edges where one token of a equals two adjacent tokens of b
// written together. flip says a is the candidate side.
func joinEdges(edges []edge, a, b []*token, usedA, usedB uint32, flip bool) []edge {
	// Two words written as one, or three ("Plat Ono Vich").
	for span := 2; span <= 3; span++ {
		mask := uint32(1)<<span - 1
		for j := 0; j+span <= len(b); j++ {
			parts := b[j : j+span]
			if usedB&(mask<<j) == mask<<j || !sameScript(parts) {
				continue
			}
			var jt token
			n, w := 0, 0.0
			for _, p := range parts {
				n += len(p.form)
				w += float64(p.weight)
			}
			for i := range a {
				if a[i].kind != kindName || len(a[i].form) < 3 || usedA&(1<<i) != 0 && usedB&(mask<<j) != 0 {
					continue
				}
				if d := len(a[i].form) - n; d > 3 || d < -3 || a[i].arabic != parts[0].arabic {
					continue
				}
				if !a[i].arabic && a[i].form[0] != parts[0].form[0] {
					continue // a joined word starts like its first part
				}
				if jt.form == "" {
					jt = joinTokens(parts)
				}
				s, how := tokenSim(a[i], &jt)
				if s < 0.85 || len(a[i].form) == 3 && s < simSpelling {
					continue // a short word split at its apostrophe (Sa'd as "Sa d") must join exactly
				}
				e := edge{q: 1 << i, c: mask << j, sim: s * 0.99, how: "joined " + how, weight: (float64(a[i].weight) + w) / 2}
				if flip {
					e.q, e.c = e.c, e.q
				}
				edges = append(edges, e)
			}
		}
	}
	return edges
}

// sameScript reports whether the tokens are all Arabic or all not.
func sameScript(ts []*token) bool {
	for _, t := range ts[1:] {
		if t.arabic != ts[0].arabic {
			return false
		}
	}
	return true
}

// joinTokens writes tokens together as one word.
func joinTokens(ts []*token) token {
	var f, sk strings.Builder
	for _, t := range ts {
		f.WriteString(rawForm(t)) // "Abdul"+"Qader" as written, to meet "Adbulqader"
		sk.WriteString(t.skel)
	}
	jt := token{form: f.String(), arabic: ts[0].arabic}
	if jt.arabic {
		jt.skel = sk.String()
	} else {
		jt.skel = latinSkeleton(jt.form)
	}
	return jt
}

// Penalties for what the alignment left over. A name part present on both
// sides but different (Al-Dulaimi vs Al-Tikriti) is a contradiction; a part
// present on one side only (a dropped middle name) is mild.
var (
	conflictPenalty = 1.6
	omissionPenalty = 0.35
	swapPenalty     = 0.95
	// a name matched by its initials only
	initialsOnlyFactor = 0.6
	// per name part present on both sides but different
	substitutionPenalty   = 0.8
	patronymicSwapPenalty = 0.65
)

// onlyInitials reports whether every matched token on one side (q when
// isQ) is an initial.
func onlyInitials(ts []*token, chosen []edge, isQ bool) bool {
	for _, e := range chosen {
		m := e.c
		if isQ {
			m = e.q
		}
		for i, t := range ts {
			if m&(1<<i) != 0 && t.kind != kindInitial {
				return false
			}
		}
	}
	return len(chosen) > 0
}

// unmatchedNames counts name tokens (not particles or initials) left over.
func unmatchedNames(ts []*token, used uint32) int {
	n := 0
	for i, t := range ts {
		if used&(1<<i) == 0 && t.kind == kindName {
			n++
		}
	}
	return n
}

// patronymicSwap reports whether two matched tokens changed places across
// a bin/ibn/bint on both sides: "Abdullah bin Omar" against "Omar bin
// Abdullah" is father and son, not one name in another order. Only the
// two names on either side of one bin count: a family name moved to the
// front ("Rouine al-Azhar bin Khalifa") leaves the chain as it was.
func patronymicSwap(q, c []*token, chosen []edge) bool {
	between := func(ts []*token, i, j int) bool {
		if i > j {
			i, j = j, i
		}
		bin := false
		for k := i + 1; k < j; k++ {
			if ts[k].kind != kindParticle {
				return false // another name between: not the two sides of one bin
			}
			bin = bin || ts[k].form == "bin" || ts[k].form == "bint"
		}
		return bin
	}
	for _, a := range chosen {
		for _, b := range chosen {
			qa, qb, ca, cb := lowBit(a.q), lowBit(b.q), lowBit(a.c), lowBit(b.c)
			if qa < qb && ca > cb && between(q, qa, qb) && between(c, ca, cb) {
				return true
			}
		}
	}
	return false
}

// scoreAlignment turns a chosen alignment into a score.
func scoreAlignment(q, c []*token, chosen []edge, usedQ, usedC uint32) nameResult {
	r := nameResult{edges: chosen}
	if len(chosen) == 0 {
		return r
	}
	var num, den float64
	allExact := true
	for _, e := range chosen {
		num += e.sim * e.weight
		den += e.weight
		r.info += e.sim * e.weight
		if e.sim < 1 || e.how != "exact" {
			allExact = false
		}
	}
	base := num / den
	uq, wq := leftover(q, usedQ)
	uc, wc := leftover(c, usedC)
	nq, nc := unmatchedNames(q, usedQ), unmatchedNames(c, usedC)
	fq, fc := uq/wq, uc/wc
	conflict := math.Min(fq, fc)
	omission := math.Max(fq, fc) - conflict
	s := base * math.Max(0, 1-conflictPenalty*conflict) * (1 - omissionPenalty*omission)
	// Each name part replaced by another (a different father's or tribe's
	// name) is a contradiction, however common the parts.
	s *= math.Pow(substitutionPenalty, float64(min(nq, nc)))
	r.swapped = isSwapped(chosen)
	if r.swapped {
		if patronymicSwap(q, c, chosen) {
			// "Abdullah bin Omar" is not "Omar bin Abdullah": around
			// bin/ibn the order says who is whose son.
			s *= patronymicSwapPenalty
		} else {
			s *= swapPenalty
		}
	}
	if onlyInitials(q, chosen, true) || onlyInitials(c, chosen, false) {
		s *= initialsOnlyFactor // "N.N." is not evidence of a name
	}
	r.exact = allExact && uq == 0 && uc == 0 && !r.swapped
	if !r.exact {
		s = math.Min(s, 0.99)
	}
	r.score = s
	return r
}

// leftover returns the weight of unmatched tokens and the total weight.
func leftover(ts []*token, used uint32) (un, total float64) {
	for i := range ts {
		w := float64(ts[i].weight)
		total += w
		if used&(1<<i) == 0 {
			un += w
		}
	}
	if total == 0 {
		total = 1
	}
	return un, total
}

// isSwapped reports whether the matched tokens appear in another order.
func isSwapped(chosen []edge) bool {
	if len(chosen) < 2 {
		return false
	}
	type pos struct{ q, c int }
	ps := make([]pos, 0, len(chosen))
	for _, e := range chosen {
		ps = append(ps, pos{lowBit(e.q), lowBit(e.c)})
	}
	slices.SortFunc(ps, func(a, b pos) int { return a.q - b.q })
	for i := 1; i < len(ps); i++ {
		if ps[i].c < ps[i-1].c {
			return true
		}
	}
	return false
}

// prepare tokenizes and enriches a name.
func prepare(name string) []*token {
	t := matchTokens(name)
	enrich(t)
	return noIntern(t)
}

// CompareNames scores two bare names in [0,1]: 1 only for the same name,
// spelt the same way, in the same order.
func CompareNames(a, b string) float64 {
	return compareTokens(prepare(a), prepare(b)).score
}

// NameThresholds returns the CompareNames scores at which a traveller
// known by name alone, nothing else agreeing or contradicting, would reach
// th in Screen: the scale on which name-pair benchmarks are judged.
func NameThresholds(th tripline.Thresholds) tripline.Thresholds {
	return tripline.Thresholds{Hit: math.Min(1, th.Hit/nameShare), Review: math.Min(1, th.Review/nameShare)}
}

// describe writes the token alignment for an explanation:
// "muhammad=variant 0.95, taher=exact 1.00, -ahmad".
func describe(q, c []*token, r nameResult) string {
	var b strings.Builder
	var usedQ, usedC uint32
	for i, e := range r.edges {
		if i > 0 {
			b.WriteString(", ")
		}
		usedQ |= e.q
		usedC |= e.c
		b.WriteString(maskForms(q, e.q))
		if qf, cf := maskForms(q, e.q), maskForms(c, e.c); qf != cf {
			b.WriteString("/" + cf)
		}
		fmt.Fprintf(&b, "=%s %.2f", e.how, e.sim)
	}
	for i := range q {
		if usedQ&(1<<i) == 0 && i < maxTokens {
			b.WriteString(", +" + display(q[i]))
		}
	}
	for i := range c {
		if usedC&(1<<i) == 0 && i < maxTokens {
			b.WriteString(", -" + display(c[i]))
		}
	}
	if r.swapped {
		b.WriteString("; order differs")
	}
	return b.String()
}

// maskForms joins the forms of the tokens in mask.
func maskForms(ts []*token, mask uint32) string {
	var parts []string
	for i := range ts {
		if mask&(1<<i) != 0 {
			parts = append(parts, display(ts[i]))
		}
	}
	return strings.Join(parts, "+")
}

// display is how an explanation shows a token: Arabic script as written
// (its consonant transliteration would puzzle an analyst), else its Latin
// spelling.
func display(t *token) string {
	if t.arabic && t.orig != "" {
		return t.orig
	}
	return t.form
}
