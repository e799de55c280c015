package match

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"tripline"
)

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
	// compound says a compound given name differs (Noor Ullah against
	// Noor, Abd Manan against Abd Mohammed), for the explanation
	compound string
}

// maxTokens bounds the tokens compared per name; longer names are
// truncated (no real name has more).
const maxTokens = 16

// memo caches token similarities for one query: listed tokens are
// interned, so the same (query token, listed token) pair recurs across
// candidates and aliases. Each listed token met has a row of one value per
// query token: one map lookup per listed token, not per pair.
type memo struct {
	rows map[*token]int32 // a listed token's row: vals[row*nq:][:nq]
	vals []memoVal
	nq   int     // query tokens per row
	sig  joinSig // the query's (joinEdges)
}

// memoVal is one pair's agreement; sim < 0 until it is computed.
type memoVal struct {
	sim float64
	how string
}

// reset empties the memo for a query of nq tokens.
func (m *memo) reset(nq int) {
	clear(m.rows)
	m.vals = m.vals[:0]
	m.nq = nq
}

// row returns the index of t's row, adding an empty one.
func (m *memo) row(t *token) int32 {
	if r, ok := m.rows[t]; ok {
		return r
	}
	r := int32(len(m.vals) / m.nq)
	for range m.nq {
		m.vals = append(m.vals, memoVal{sim: -1})
	}
	m.rows[t] = r
	return r
}

// compareTokens aligns two token lists order-independently and scores them.
func compareTokens(q, c []*token) nameResult { return compareTokensMemo(q, c, nil) }

// scratch holds one query's reusable buffers.
type cmpScratch struct {
	logN   float64 // listLog of the index screened, for weightOf; 0 without one
	memo   *memo   // nil: no memo (q is not always the same query)
	edges  []edge
	chosen []edge
	best   []edge     // the best listed name's pairs (bestName)
	keys   []queryKey // the query's keys (queryKeys)
	tmp    []uint64   // one kind of keys at a time (queryKeys)
	// With a memo: words written together (joinEdges) and how each
	// agrees with a word of the other side, for the query.
	joins  map[joinKey]*token
	joined map[[2]*token]memoVal
}

// joinKey is the words written together: two, or three.
type joinKey [3]*token

// joinedToken returns parts written as one word, made once per query.
func (sc *cmpScratch) joinedToken(parts []*token) *token {
	if sc.memo == nil {
		jt := joinTokens(parts)
		return &jt
	}
	var k joinKey
	copy(k[:], parts)
	if t, ok := sc.joins[k]; ok {
		return t
	}
	t := new(token)
	*t = joinTokens(parts)
	sc.joins[k] = t
	return t
}

// joinedSim is tokenSim(a, jt) for a joined word jt, computed once per
// query.
func (sc *cmpScratch) joinedSim(a, jt *token) (float64, string) {
	if sc.memo == nil {
		return tokenSim(a, jt)
	}
	k := [2]*token{a, jt}
	if v, ok := sc.joined[k]; ok {
		return v.sim, v.how
	}
	s, how := tokenSim(a, jt)
	sc.joined[k] = memoVal{s, how}
	return s, how
}

// resetJoins forgets the query's joined words.
func (sc *cmpScratch) resetJoins() {
	clear(sc.joins)
	clear(sc.joined)
}

// compareTokensMemo is compareTokens with one query's buffers and memo;
// q must be the same tokens on every call with one sc (sc may be nil).
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
	var rows [maxTokens]int32
	var qsig joinSig
	if m != nil {
		if m.nq != len(q) {
			m.reset(len(q))
			m.sig = joinSigOf(q)
		}
		qsig = m.sig
		for j := range c {
			rows[j] = m.row(c[j])
		}
	}
	// Each token's weight once: weightOf reads the token's list count,
	// a cache miss on a large index.
	var wq, wc tokWeights
	for i := range q {
		wq[i] = weightOf(q[i], sc.logN)
	}
	for j := range c {
		wc[j] = weightOf(c[j], sc.logN)
	}
	if m == nil {
		qsig = joinSigOf(q)
	}
	edges := sc.edges[:0]
	for i := range q {
		for j := range c {
			var s float64
			var how string
			if m != nil {
				v := &m.vals[int(rows[j])*m.nq+i]
				if v.sim < 0 {
					v.sim, v.how = tokenSim(q[i], c[j])
				}
				s, how = v.sim, v.how
			} else {
				s, how = tokenSim(q[i], c[j])
			}
			if s > 0 {
				w := (wq[i] + wc[j]) / 2
				edges = append(edges, edge{q: 1 << i, c: 1 << j, sim: s, how: how, weight: w})
			}
		}
	}
	sortEdges(edges)
	usedQ, usedC, chosen := greedy(edges, 0, 0, sc.chosen[:0])
	if leftQ, leftC := usedQ != fullMask(len(q)), usedC != fullMask(len(c)); leftQ && leftC || (leftQ || leftC) && weakEdge(chosen) {
		// Words left over on both sides: maybe one side wrote two words
		// as one ("AlisherUsmanov"). Try joins among the leftovers. Also
		// with words left over on one side only when a pair barely
		// agrees: a word split at its apostrophes ("CHO NG" for
		// Cho'ng) may have been paired by a typo with another.
		n := len(edges)
		sq, scm := strongUsed(chosen) // a weak pair's words may be parts of a joined word
		if csig := joinSigOf(c); qsig.mayJoin(&csig) || csig.mayJoin(&qsig) {
			if qsig.mayJoin(&csig) {
				edges = joinEdges(sc, edges, q, c, sq, scm, false, &wq, &wc, &qsig.firsts)
			}
			if csig.mayJoin(&qsig) {
				edges = joinEdges(sc, edges, c, q, scm, sq, true, &wc, &wq, &csig.firsts)
			}
		}
		if len(edges) > n {
			sortEdges(edges)
			usedQ, usedC, chosen = greedy(edges, 0, 0, chosen[:0])
		}
	}
	sc.chosen = chosen[:0]
	sc.edges = edges[:0]
	return scoreAlignment(q, c, chosen, usedQ, usedC, &wq, &wc)
}

// joinSig says which joins (joinEdges) a name's words allow, so that the
// many comparisons where none is possible skip the search: a word joins
// two or three of the other side's only if it is a name of three letters
// or more, in their script, and, in Latin letters, starts with the first
// one's letter.
type joinSig struct {
	firsts  [4]uint64 // first letters of the Latin words that may be a joined one
	starts  [4]uint64 // first letters of the Latin words a join may start with
	arWord  bool      // an Arabic-script word may be a joined one
	arStart bool      // a join may start with an Arabic-script word
	// A Latin word ending in -ullah may be an Arabic-script name and the
	// الله after it ("Noorullah" for نور الله): a compound, written as
	// two words in that script.
	latAllah, arAllah bool
}

// joinSigOf returns the joinSig of a name.
func joinSigOf(ts []*token) joinSig {
	var g joinSig
	for i, t := range ts {
		if i == maxTokens {
			break
		}
		if t.kind == kindName && len(t.form) >= 3 {
			if t.arabic {
				g.arWord = true
			} else {
				c := t.form[0]
				g.firsts[c>>6] |= 1 << (c & 63)
			}
		}
		if latinAllahWord(t) {
			g.latAllah = true
		}
		if i > 0 && t.arabic && allahArabic[t.orig] && ts[i-1].arabic && ts[i-1].kind == kindName {
			g.arAllah = true
		}
		if i+1 < len(ts) && i+1 < maxTokens && t.arabic == ts[i+1].arabic {
			if t.arabic {
				g.arStart = true
			} else if t.form != "" {
				c := t.form[0]
				g.starts[c>>6] |= 1 << (c & 63)
			}
		}
	}
	return g
}

// mayJoin reports whether a word of g's name may be two or three words
// of h's written together.
func (g *joinSig) mayJoin(h *joinSig) bool {
	return g.arWord && h.arStart || g.latAllah && h.arAllah || g.firsts[0]&h.starts[0] != 0 || g.firsts[1]&h.starts[1] != 0 || g.firsts[2]&h.starts[2] != 0 || g.firsts[3]&h.starts[3] != 0
}

// tokWeights holds weightOf of each token of a name.
type tokWeights [maxTokens]float64

// weakEdge reports whether a chosen pair agrees less than by skeleton
// (an initial against a name is as it should be).
func weakEdge(chosen []edge) bool {
	for _, e := range chosen {
		if e.sim < simSkeleton && e.how != "initial" {
			return true
		}
	}
	return false
}

// strongUsed returns the words used by pairs that agree at least by
// skeleton, query side and candidate side.
func strongUsed(chosen []edge) (q, c uint32) {
	for _, e := range chosen {
		if e.sim >= simSkeleton {
			q |= e.q
			c |= e.c
		}
	}
	return q, c
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
// written together. flip says a is the candidate side; wa and wb are the
// tokens' weights, firsts the first letters of a's Latin words that may be
// a joined one (joinSig): most pairs of b's words start with none of them.
func joinEdges(sc *cmpScratch, edges []edge, a, b []*token, usedA, usedB uint32, flip bool, wa, wb *tokWeights, firsts *[4]uint64) []edge {
	// Two words written as one, or three ("Plat Ono Vich").
	for span := 2; span <= 3; span++ {
		mask := uint32(1)<<span - 1
		for j := 0; j+span <= len(b); j++ {
			parts := b[j : j+span]
			if usedB&(mask<<j) == mask<<j || !sameScript(parts) {
				continue
			}
			if f := parts[0].form; !parts[0].arabic && f != "" && firsts[f[0]>>6]&(1<<(f[0]&63)) == 0 {
				continue // a joined Latin word starts like its first part (below)
			}
			n := 0
			for _, p := range parts {
				n += len(p.form)
			}
			var jt *token
			w := -1.0
			for i := range a {
				if a[i].kind != kindName || len(a[i].form) < 3 || usedA&(1<<i) != 0 && usedB&(mask<<j) != 0 {
					continue
				}
				if a[i].arabic != parts[0].arabic {
					if !allahCompound(a[i], parts) {
						continue
					}
				} else if d := len(a[i].form) - n; d > 3 || d < -3 {
					continue
				} else if !a[i].arabic && a[i].form[0] != parts[0].form[0] {
					continue // a joined word starts like its first part
				}
				if jt == nil {
					jt = sc.joinedToken(parts)
				}
				s, how := sc.joinedSim(a[i], jt)
				if s < 0.85 || len(a[i].form) == 3 && s < simSpelling {
					continue // a short word split at its apostrophe (Sa'd as "Sa d") must join exactly
				}
				if w < 0 {
					w = 0
					for k := range parts {
						w += wb[j+k]
					}
				}
				e := edge{q: 1 << i, c: mask << j, sim: s * 0.99, how: "joined " + how, weight: (wa[i] + w) / 2}
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
		var o strings.Builder
		for _, t := range ts {
			o.WriteString(t.orig) // what a Latin spelling is read against (crossFit)
		}
		jt.orig = o.String()
	} else {
		jt.skel = latinSkeleton(jt.form)
	}
	jt.derive()
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
	// a short word matched only as a typo, in another place: two errors
	// at once, or two names that share their other syllables (Song Choe
	// Chun against Choe Chun Yong)
	movedTypoPenalty = 0.75
	// syllables of a name (Korean, Chinese) in an order that is not the
	// surname moved to the other end: a given name of two syllables is
	// written as one unit (Yong Chun is not Chun Yong): another given
	// name, weighed as a part replaced
	syllableOrderPenalty = substitutionPenalty
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
func scoreAlignment(q, c []*token, chosen []edge, usedQ, usedC uint32, wq, wc *tokWeights) nameResult {
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
	uq, tq := leftover(q, usedQ, wq)
	uc, tc := leftover(c, usedC, wc)
	nq, nc := unmatchedNames(q, usedQ), unmatchedNames(c, usedC)
	// A particle word leading a name of three words or more is read as
	// connecting the next word (DA COSTA LUIS), but Das, Le and Do are
	// family names too, written first (DAS RAHUL KUMAR, Le Van Thanh).
	// Left over while the other side has a name left over, it is that
	// name's counterpart: a family name replaced, not a connector dropped.
	// Both sides are judged on the names left over before either is
	// re-read, so that the score does not depend on which is the query.
	leadQ, leadC := leadParticle(q, usedQ) && nc > 0, leadParticle(c, usedC) && nq > 0
	if leadQ {
		nq++
		uq, tq = uq+leadWeight-wq[0], tq+leadWeight-wq[0]
	}
	if leadC {
		nc++
		uc, tc = uc+leadWeight-wc[0], tc+leadWeight-wc[0]
	}
	fq, fc := uq/tq, uc/tc
	conflict := math.Min(fq, fc)
	omission := math.Max(fq, fc) - conflict
	s := base * math.Max(0, 1-conflictPenalty*conflict) * (1 - omissionPenalty*omission)
	// Each name part replaced by another (a different father's or tribe's
	// name) is a contradiction, however common the parts.
	s *= math.Pow(substitutionPenalty, float64(min(nq, nc)))
	if r.compound = compoundDiffers(q, c, chosen, usedQ, usedC); r.compound != "" {
		s *= substitutionPenalty // another given name, as a part replaced
	}
	r.swapped = isSwapped(chosen)
	if r.swapped {
		if patronymicSwap(q, c, chosen) {
			// "Abdullah bin Omar" is not "Omar bin Abdullah": around
			// bin/ibn the order says who is whose son.
			s *= patronymicSwapPenalty
		} else {
			s *= swapPenalty
		}
		if movedTypo(q, c, chosen) {
			s *= movedTypoPenalty
		}
		if !rotated(q, chosen) && shortOnly(q, chosen) {
			s *= syllableOrderPenalty
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

// leadWeight is what a leading particle word left over weighs when it is
// read as a family name (leadParticle): a short name's (shortWeight).
const leadWeight = shortWeight

// leadParticle reports whether the first of ts, a name of three words or
// more, is a particle that may be a family name (not bin, abu...: those
// are never one alone) and was left unmatched.
func leadParticle(ts []*token, used uint32) bool {
	return len(ts) >= 3 && used&1 == 0 && ts[0].kind == kindParticle && !connectorOnly[ts[0].form]
}

// leftover returns the weight of unmatched tokens and the total weight.
func leftover(ts []*token, used uint32, ws *tokWeights) (un, total float64) {
	for i := range ts {
		w := ws[i]
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

// movedTypo reports whether a weak agreement of two short words (a typo,
// a changed vowel: below simSkeleton, five letters or fewer) is out of
// order with as many other matched pairs as it is in order with. A short syllable a letter away from
// another is as often another syllable; out of place, nothing says it is
// the same one.
func movedTypo(q, c []*token, chosen []edge) bool {
	short := func(ts []*token, m uint32) bool {
		i := lowBit(m)
		return m&(m-1) == 0 && ts[i].kind == kindName && !ts[i].arabic && len(ts[i].form) <= 5
	}
	for _, a := range chosen {
		if a.sim >= simSkeleton || !short(q, a.q) || !short(c, a.c) {
			continue
		}
		in, out := 0, 0
		for _, b := range chosen {
			switch {
			case a.q == b.q:
			case (lowBit(a.q) < lowBit(b.q)) != (lowBit(a.c) < lowBit(b.c)):
				out++
			default:
				in++
			}
		}
		if out > 0 && out >= in {
			return true // out of place among the others, not one of those they moved past
		}
	}
	return false
}

// shortOnly reports whether the matched query names (two or more;
// particles aside) are all Latin syllables of four letters or fewer.
func shortOnly(q []*token, chosen []edge) bool {
	n := 0
	for _, e := range chosen {
		i := lowBit(e.q)
		if e.q&(e.q-1) == 0 && q[i].kind == kindParticle {
			continue
		}
		if e.q&(e.q-1) != 0 || q[i].arabic || len(q[i].form) > 4 {
			return false
		}
		n++
	}
	return n >= 2
}

// rotated reports whether the matched names of q keep their cyclic order:
// the listed order with some words moved from one end to the other (a
// surname written first or last). Particles do not count: one moved
// (AWAD AUF IBN for Awad Ibn Auf) leaves the names in order.
func rotated(q []*token, chosen []edge) bool {
	var cs [maxTokens]int
	n := 0
	for i := 0; i < min(len(q), maxTokens); i++ {
		if q[i].kind == kindParticle {
			continue
		}
		for _, e := range chosen {
			if lowBit(e.q) == i {
				cs[n] = lowBit(e.c)
				n++
			}
		}
	}
	descents := 0
	for i := 1; i < n; i++ {
		if cs[i] < cs[i-1] {
			descents++
		}
	}
	return descents == 0 || descents == 1 && cs[n-1] < cs[0]
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
	if r.compound != "" {
		fmt.Fprintf(&b, "; %s, x%.2f", r.compound, substitutionPenalty)
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
