package match

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"tripline"
	"tripline/country"
)

// Feature names in explanations.
const (
	FeatureName        = "name"
	FeatureDOB         = "dob"
	FeatureNationality = "nationality"
	FeatureSex         = "sex"
	FeatureDocument    = "document"
)

// Weights of the evidence beside the name. Positive evidence moves the
// score toward 1 in proportion to what is left; negative evidence scales
// it down. Names dominate: a border officer knows a traveller by name.
const (
	weakAliasFactor = 0.9  // weak (low-quality) aliases prove less
	gainDOBMax      = 0.6  // an exact full birth date
	gainNationality = 0.15 // one of the listed nationalities
	gainSex         = 0.05
	penNationality  = 0.9  // nationality not among the listed ones: a name alone is then a review, not a hit
	penSex          = 0.7  // sex contradicts
	penNewDocument  = 0.97 // a different passport: people renew them
	evidenceNeeded  = 1.8  // rarity-weighted tokens for full name evidence
	maxImperfect    = 0.99 // nothing short of a full exact match reaches 1
	nameShare       = 0.88 // the most a name alone scores
	// the most a name scores against a listing that gives no birth date
	// or nationality, unless a listed document agrees: as a name alone
	// whose nationality differs, a review, never a hit, however exact
	// the name
	nameOnlyCap = nameShare * penNationality
)

// preparedName is one listed name, tokenized once.
type preparedName struct {
	toks   []*token
	full   string
	factor float64
}

// prepared is a listing ready for scoring. It copies the few fields that
// scoring reads so that a screening touches one small object per
// candidate, not the whole listing (on a large list, memory latency is
// what a screening spends its time on).
type prepared struct {
	l      *tripline.Listing
	names  []preparedName
	nats   []string // alpha-3
	docs   []docKey
	dobs   []tripline.PartialDate // points into dobArr when it fits
	dobArr [2]tripline.PartialDate
	sex    tripline.Sex
	until  int64 // valid-until in Unix seconds, 0 when none
}

// activeAt reports whether the listing may match at now (see
// tripline.Listing.ActiveAt; only active listings are indexed).
func (p *prepared) activeAt(now time.Time) bool { return p.until == 0 || now.Unix() < p.until }

// docKey is a document number normalised for comparison.
type docKey struct {
	exact, ocr string // separators removed; and with OCR-confusable letters as digits
	typ, cty   string
}

// query is a traveller ready for scoring.
type query struct {
	t   *tripline.Traveller
	dob tripline.PartialDate // t.DOB when possible, else zero
	// dobIgnored says why t's birth date is not used (impossible, no
	// date), for the explanation; "" when it is.
	dobIgnored string
	name       string
	toks       []*token
	nat        string
	doc        *docKey
	sc         *cmpScratch
}

// scratchPool recycles comparison buffers across screenings.
var scratchPool sync.Pool

// release returns the query's buffers to the pool; q is unusable after.
func (q *query) release() {
	q.sc.memo.reset(0)
	q.sc.resetJoins()
	q.sc.logN = 0
	scratchPool.Put(q.sc)
	q.sc = nil
}

var (
	countryOnce sync.Once
	countries   *country.Table
)

// alpha3 normalises a country name or code; unknown values stay as given.
func alpha3(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	countryOnce.Do(func() { countries = country.New() })
	if a, ok := countries.Alpha3(s); ok {
		return a
	}
	return strings.ToUpper(s)
}

// ocrDigits maps the letters OCR confuses with digits.
var ocrDigits = map[byte]byte{'O': '0', 'Q': '0', 'D': '0', 'I': '1', 'L': '1', 'S': '5', 'B': '8', 'Z': '2', 'G': '6'}

// newDocKey normalises a document number.
func newDocKey(d tripline.Document) docKey {
	var b []byte
	for _, r := range strings.ToUpper(d.Number) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b = append(b, byte(r))
		}
	}
	o := make([]byte, len(b))
	for i, c := range b {
		if v, ok := ocrDigits[c]; ok {
			c = v
		}
		o[i] = c
	}
	return docKey{exact: string(b), ocr: string(o), typ: docClass(d.Type), cty: alpha3(d.Country)}
}

// docClass reduces free-text document types to passport, id or other.
func docClass(t string) string {
	t = strings.ToLower(t)
	switch {
	case t == "p" || strings.Contains(t, "passport"):
		return "P"
	case t == "i" || strings.Contains(t, "ident") || strings.Contains(t, "national"):
		return "I"
	}
	return t
}

// prepareListing tokenizes a listing's names once.
func prepareListing(l *tripline.Listing, intern func([]token) []*token) *prepared {
	p := &prepared{l: l}
	names := l.Names
	if len(names) > tripline.MaxNames {
		names = names[:tripline.MaxNames] // validation refuses more: bounded work for a caller that skipped it
	}
	for _, n := range names {
		toks := matchTokens(n.Full)
		if len(toks) == 0 {
			continue
		}
		enrich(toks)
		f := 1.0
		if n.Kind == tripline.NameWeakAlias || strings.EqualFold(n.Quality, "low") {
			f = weakAliasFactor
		}
		p.names = append(p.names, preparedName{toks: intern(toks), full: n.Full, factor: f})
	}
	for _, c := range l.Nationalities {
		p.nats = append(p.nats, alpha3(c))
	}
	p.dobs = append(p.dobArr[:0], l.BirthDates...)
	p.sex = l.Sex
	if l.ValidUntil != nil {
		p.until = l.ValidUntil.Unix()
	}
	for _, d := range l.Documents {
		if k := newDocKey(d); len(k.exact) >= 4 {
			p.docs = append(p.docs, k)
		}
	}
	return p
}

// noIntern turns tokens into pointers without sharing.
func noIntern(ts []token) []*token {
	out := make([]*token, len(ts))
	for i := range ts {
		out[i] = &ts[i]
	}
	return out
}

// newQuery prepares a traveller.
func newQuery(t *tripline.Traveller) *query {
	q := &query{t: t, name: t.FullName(), dob: t.DOB.Sanitized(), dobIgnored: t.DOBIgnored()}
	if sc, ok := scratchPool.Get().(*cmpScratch); ok {
		q.sc = sc
	} else {
		q.sc = &cmpScratch{memo: &memo{rows: make(map[*token]int32, 256)}, joins: map[joinKey]*token{}, joined: map[[2]*token]memoVal{}}
	}
	toks := matchTokens(q.name)
	enrich(toks)
	if i := mrzCutAt(t, len(toks)); i >= 0 && i < len(toks) {
		toks[i].cut = true
	}
	q.toks = noIntern(toks)
	q.nat = alpha3(t.Nationality)
	if t.Document != nil {
		if k := newDocKey(*t.Document); len(k.exact) >= 4 {
			q.doc = &k
		}
	}
	return q
}

// minMRZName is the shortest name field of a machine-readable zone (30
// characters on an identity card; 31 and 39 on visas and passports), less
// two for the apostrophes and fillers a reader drops or writes otherwise.
// A name as long as that may have been cut in the middle of a word.
const minMRZName = 30 - 2

// mrzCutAt returns the index of the traveller's name token where a
// machine-readable zone would have cut the name, -1 when the name is too
// short to have been cut. The zone writes the surname first and cuts at the
// end of its field: in the last given name, or in the surname when no given
// names follow; a name typed as one string was read in that order.
func mrzCutAt(t *tripline.Traveller, ntoks int) int {
	if name := strings.TrimSpace(t.Name); name != "" {
		if len(name)+1 < minMRZName { // one "<<" where the reader wrote a space
			return -1
		}
		return ntoks - 1
	}
	given, sur := strings.TrimSpace(t.GivenNames), strings.TrimSpace(t.Surname)
	if len(sur)+2+len(given) < minMRZName {
		return -1
	}
	if given == "" {
		return ntoks - 1
	}
	return len(matchTokens(given)) - 1
}

// Score compares one traveller and one listing (no index) and explains the
// score. Scores are in [0,1]; only a full exact match (name, birth date and
// document) reaches 1.
func Score(t *tripline.Traveller, l *tripline.Listing) (float64, []tripline.Feature) {
	q := newQuery(t)
	defer q.release()
	s, f, _ := scorePrepared(q, prepareListing(l, noIntern), true)
	return s, f
}

// bestName finds the listed name that agrees best with the query.
func bestName(q *query, p *prepared) (nameResult, *preparedName, float64) {
	var best nameResult
	var bn *preparedName
	bs := -1.0
	for i := range p.names {
		n := &p.names[i]
		r := compareTokensMemo(q.toks, n.toks, q.sc)
		s := r.score * n.factor
		if s > bs {
			q.sc.best = append(q.sc.best[:0], r.edges...) // the scratch's edges are reused by the next name
			r.edges = q.sc.best
			best, bn, bs = r, n, s
		}
	}
	return best, bn, bs
}

// scorePrepared combines name, birth date, nationality, sex and document.
// explain=false skips building the explanation text (retrieval scoring).
func scorePrepared(q *query, p *prepared, explain bool) (float64, []tripline.Feature, string) {
	nr, bn, ns := bestName(q, p)
	s, feats, name, cut := scoreName(q, p, nr, bn, ns, explain)
	if cut || len(p.names) < 2 || dobAgreementOf(q, p) < dobYear {
		return s, feats, name
	}
	// A name cut to its first words ("Abu Ubaydah") is judged against
	// the listed name it is the start of (ABU UBAYDAH YUSUF AL-ANABI), not
	// against the alias its words agree with best ("Yusuf Abu Ubaydah",
	// where it is a kunya with the given name missing): with the birth
	// year agreeing, that is where a cut name's year lifts it.
	for i := range p.names {
		n := &p.names[i]
		if n == bn {
			continue
		}
		r := compareTokensMemo(q.toks, n.toks, q.sc)
		if sh := shapeOf(q.toks, n.toks, r); !sh.cut || sh.words < 2 {
			continue
		}
		if s2, f2, name2, _ := scoreName(q, p, r, n, r.score*n.factor, explain); s2 > s {
			s, feats, name = s2, f2, name2
		}
	}
	return s, feats, name
}

// scoreName is scorePrepared with the listed name chosen (bn, agreeing
// as nr, ns its name score); cut reports that the traveller's name is that
// name cut to its first words.
func scoreName(q *query, p *prepared, nr nameResult, bn *preparedName, ns float64, explain bool) (float64, []tripline.Feature, string, bool) {
	if bn == nil || ns <= 0 {
		ns = 0
	}
	evidence := 0.7 + 0.3*math.Min(1, nr.info/evidenceNeeded)
	n := ns * evidence
	var sh nameShape
	if bn != nil {
		sh = shapeOf(q.toks, bn.toks, nr)
	}
	agree, off := dobAgreementOf(q, p), natOff(q, p)
	searchAlias := sh.oneWord() && bn.factor < 1 && agree == dobUnknown
	if searchAlias {
		// A name search of one word (no birth date to weigh: an
		// analyst's query, or a listed person of a listing that gives
		// none) against a one-word alias: the word is all either side
		// has, and most one-word aliases are listed as weak, so the
		// weakness would count twice (with the evidence one word can
		// show). A traveller with a birth date is screened as before.
		n /= bn.factor
	}
	thin := partialFactor(sh, agree, off)
	n *= thin
	var feats []tripline.Feature
	if explain && bn != nil {
		detail := fmt.Sprintf("%q ~ listed %q (tokens: %s)", q.name, bn.full, describe(q.toks, bn.toks, nr))
		if evidence < 1 {
			detail += fmt.Sprintf("; common names, evidence %.2f", evidence)
		}
		if searchAlias {
			detail += "; a name search of one word: a weak alias counts in full"
		}
		if thin < 1 {
			why := sh.thinWhy(agree)
			if off && agree >= dobYear {
				why = "part of the listed name, another nationality"
			}
			detail += fmt.Sprintf("; %s, x%.2f", why, thin)
		}
		feats = append(feats, tripline.Feature{Feature: FeatureName, Score: round3(n), Weight: 1, Detail: detail})
	}
	gain, mult := 0.0, 1.0
	addGain := func(g float64) { gain = 1 - (1-gain)*(1-g) }

	dobExact := false
	dobRare, dobFeat, cutYear, oneYear := 0.0, -1, false, false
	if ds, how, bl, ok := bestDOB(q.dob, p.dobs); ok {
		dobRare = dobSpecificity(ds, how)
		if sh.cut && sh.words > 1 && how == "within" && dobRare < cutYearRare {
			dobRare, cutYear = cutYearRare, true // a cut name and the same birth year
		}
		if how == "within" && sh.oneWord() && dobRare < oneWordYearRare {
			// A one-word name has nothing but its birth year to be
			// told by: a one-word alias misspelt ("Hasqan" for the
			// alias Hassan) and the same year.
			dobRare, oneYear = oneWordYearRare, true
		}
		w := 0.0
		switch {
		case ds >= 0.5:
			if thin == 1 || agree != dobDiffers {
				// A year one off an approximate listed year is near
				// enough to a whole name, but not the agreement a
				// partial name was weakened for lacking (partialFactor).
				w = gainDOBMax * (ds - 0.5) / 0.5
			}
			addGain(w)
		default:
			m := 0.55 + 0.9*ds
			w = -(1 - m)
			mult *= m
		}
		dobExact = ds == 1
		if explain {
			dobFeat = len(feats)
			feats = append(feats, tripline.Feature{Feature: FeatureDOB, Score: ds, Weight: round3(w), Detail: dobDetail(q.dob, bl, how)})
		}
	} else if explain && q.dobIgnored != "" {
		// Screened on the name and the rest: the officer must know why
		// the date counted for nothing.
		feats = append(feats, tripline.Feature{Feature: FeatureDOB, Score: 0, Weight: 0, Detail: q.dobIgnored + "; screened on the name and the other fields"})
	}
	if q.nat != "" && len(p.nats) > 0 {
		ok := false
		for _, c := range p.nats {
			ok = ok || c == q.nat
		}
		listed := strings.Join(p.nats, ", ")
		if ok {
			addGain(gainNationality)
			if explain {
				feats = append(feats, tripline.Feature{Feature: FeatureNationality, Score: 1, Weight: gainNationality, Detail: fmt.Sprintf("%s among listed %s", q.nat, listed)})
			}
		} else {
			mult *= penNationality
			if explain {
				feats = append(feats, tripline.Feature{Feature: FeatureNationality, Score: 0, Weight: -(1 - penNationality), Detail: fmt.Sprintf("%s not among listed %s", q.nat, listed)})
			}
		}
	}
	if ts, ls := q.t.Sex, p.sex; (ts == "M" || ts == "F") && (ls == "M" || ls == "F") {
		if ts == ls {
			addGain(gainSex)
			if explain {
				feats = append(feats, tripline.Feature{Feature: FeatureSex, Score: 1, Weight: gainSex, Detail: fmt.Sprintf("%s = listed %s", ts, ls)})
			}
		} else {
			mult *= penSex
			if explain {
				feats = append(feats, tripline.Feature{Feature: FeatureSex, Score: 0, Weight: -(1 - penSex), Detail: fmt.Sprintf("%s contradicts listed %s", ts, ls)})
			}
		}
	}
	// The name alone reaches nameShare; agreeing birth date, nationality
	// and sex fill the rest in proportion. Scores never saturate: namesakes
	// with and without a matching birth date keep their order.
	score := n * (nameShare + (1-nameShare)*gain) * mult
	up := n
	if sh.oneWord() {
		// One word against one listed word never shows the evidence of a
		// whole name (evidence < 1, whatever the word): the birth date
		// beside it is all there is to make up for that.
		up = n / evidence
	}
	lift := dobLift(up, n, score, dobRare)
	if sh.cut && sh.words > 1 && dobExact {
		// A name cut to its first words, its full birth date agreeing:
		// the listed words it lacks are the cut's, not words that
		// disagree, so the date lifts it as it would a name all there
		// ("Mohammed Al" for Mohammed Al Amin Al-Arabi Kashlaf, one
		// common word left before the article: 0.604).
		lift = max(lift, dobLift(max(up, liftFull), n, score, dobRare))
	}
	if cutYear {
		// Likewise for a name cut to its first words: up to a review,
		// its birth year counts as a full date ("MOHAMED BEN" for Mohamed
		// Ben Belkacem Aouadi, listed with a year: 0.599 with the year
		// counted as cutYearRare).
		lift = max(lift, min(dobLift(up, n, score, 1), cutYearCap-score))
	}
	if oneYear {
		// Up to a review, a one-word name's birth year counts as a full
		// date would (a three-letter alias misspelt, "Zyl" for Zul, has
		// nothing else to be told by); beyond, as a year.
		lift = max(lift, min(dobLift(up, n, score, 1), oneWordYearCap-score))
	}
	if lift >= 0.005 && mult == 1 {
		// A full birth date agreeing is rare (one person in twenty
		// thousand): it carries a name that is only partly there (cut to
		// its first words, a word misspelt beyond recognition), unless
		// nationality or sex contradicts.
		score += lift
		if dobFeat >= 0 {
			feats[dobFeat].Weight = round3(feats[dobFeat].Weight + lift)
			why := "a full date agreeing is rare"
			if cutYear {
				why = "the birth year agrees with a name cut to its first words"
			}
			if oneYear {
				why = "the birth year agrees with a one-word name"
			}
			feats[dobFeat].Detail += fmt.Sprintf("; %s: +%.2f to a partial name", why, lift)
		}
	}
	docExact, docAgrees := false, false
	if q.doc != nil && len(p.docs) > 0 {
		ds, said, detail := compareDocs(q.doc, p.docs, explain)
		switch {
		case ds > 0 && (n >= 0.5 || ds == 1 && len(q.doc.exact) >= 7):
			// The same document number is near-certain with a similar name,
			// and worth a review even with another name (a borrowed
			// passport) when the number is long enough not to collide by
			// chance.
			floor := 0.72 + 0.27*math.Min(1, n/0.7)
			if ds < 1 {
				floor -= 0.03
			}
			score = math.Max(score, floor)
			docExact, docAgrees = ds == 1, true
			if explain {
				feats = append(feats, tripline.Feature{Feature: FeatureDocument, Score: ds, Weight: round3(floor), Detail: detail})
			}
		case ds > 0:
			// Same number, short or OCR-confusable, and another name:
			// shown to the analyst, no weight.
			if explain {
				feats = append(feats, tripline.Feature{Feature: FeatureDocument, Score: ds, Weight: 0, Detail: detail})
			}
		case said:
			score *= penNewDocument
			if explain {
				feats = append(feats, tripline.Feature{Feature: FeatureDocument, Score: 0, Weight: -(1 - penNewDocument), Detail: detail})
			}
		}
	}
	if len(p.dobs) == 0 && len(p.nats) == 0 && !docAgrees {
		// A listing that gives no birth date or nationality cannot tell
		// its person from a namesake (a listed document can only agree:
		// people renew them): every traveller of that name would be
		// stopped.
		score = math.Min(score, nameOnlyCap)
		if explain && score >= nameOnlyCap && len(feats) > 0 && feats[0].Feature == FeatureName {
			feats[0].Detail += "; the listing gives no birth date or nationality: at most a review"
		}
	}
	if nr.exact && dobExact && docExact && mult == 1 {
		score = 1
	} else {
		score = math.Min(score, maxImperfect)
	}
	name := ""
	if bn != nil {
		name = bn.full
	}
	return round3(math.Max(0, score)), feats, name, sh.cut && sh.words > 1
}

// natOff reports whether the traveller's nationality is known and not
// among the listed ones.
func natOff(q *query, p *prepared) bool {
	if q.nat == "" || len(p.nats) == 0 {
		return false
	}
	for _, c := range p.nats {
		if c == q.nat {
			return false
		}
	}
	return true
}

// Lifting a partial name with a rare birth date: at most liftMax of what
// the score lacks, for names from liftFrom (nothing) to liftFull (all),
// tapering off from liftTaper to a whole name (which needs no lift).
const (
	liftMax   = 0.3
	liftFrom  = 0.35
	liftFull  = 0.6
	liftTaper = 0.75
	liftWhole = 0.95
)

// dobSpecificity says how rare an agreement of birth dates is, from 1 (the
// same full date) to 0 (a year, which a sixtieth of all people share).
func dobSpecificity(ds float64, how string) float64 {
	switch {
	case ds == 1:
		return 1
	case how == "day and month swapped", how == "day differs by one":
		return 0.6
	case ds == 0.9: // year and month, one side without a day
		return 0.5
	case how == "year differs by one digit, day and month agree":
		return 0.3
	}
	return 0
}

// dobLift is what a rare birth-date agreement adds to a score whose name
// part is n; up is the name part the lift grows with (n, or more where
// the name's shape cannot show more evidence).
func dobLift(up, n, score, rare float64) float64 {
	r := math.Max(0, math.Min(1, (up-liftFrom)/(liftFull-liftFrom)))
	r *= math.Max(0, math.Min(1, (liftWhole-n)/(liftWhole-liftTaper)))
	return liftMax * rare * r * math.Max(0, 1-score)
}

// compareDocs compares the traveller's document with the listed ones:
// 1 for the same number, 0.95 for the same number up to OCR confusions,
// 0 with a detail when a passport of the same country differs. The
// detail is written only when explain is set (a screening scores many
// candidates and explains a few); said reports that there is one.
func compareDocs(d *docKey, docs []docKey, explain bool) (score float64, said bool, detail string) {
	for _, l := range docs {
		if l.exact == d.exact {
			if explain {
				detail = fmt.Sprintf("document %s = listed %s", d.exact, l.exact)
			}
			return 1, true, detail
		}
	}
	for _, l := range docs {
		if l.ocr == d.ocr {
			if explain {
				detail = fmt.Sprintf("document %s = listed %s up to OCR confusions (O/0, I/1, S/5, B/8)", d.exact, l.exact)
			}
			return 0.95, true, detail
		}
	}
	for _, l := range docs {
		if d.typ == "P" && l.typ == "P" && (l.cty == "" || d.cty == "" || l.cty == d.cty) {
			if explain {
				detail = fmt.Sprintf("passport %s differs from listed %s (passports are renewed: small penalty only)", d.exact, l.exact)
			}
			return 0, true, detail
		}
	}
	return 0, false, ""
}

// round3 rounds to three decimals so that scores print stably.
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
