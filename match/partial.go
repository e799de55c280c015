package match

import "math/bits"

// Partial names: a traveller's name that matches only some words of a
// listed name. Two of three words of a listing are what most innocents of
// the listed people's regions share with them ("Pak Il" against "Pak Il
// Kyu"), and also what a listed person whose long name was cut to its first
// words presents. What tells them apart is the rest of the identity: a
// partial name needs a birth date that agrees, and a cut name (the first
// words, in order) is lifted by one.

// nameShape is which words of a listed name the traveller's name matched.
type nameShape struct {
	matched      int  // name words matched on the listed side
	missQ, missC int  // name words left over: traveller's side, listed side
	words        int  // the traveller's words matched, particles and initials too ("Abou Mohamed", "Mohamed Ben")
	cut          bool // the listed words left over all follow the matched ones, and the traveller has none left: a name cut to its first words
	headless     bool // the listed name's first word is left over: its given name (or surname, written first), which no passport drops
	syllables    bool // every listed word matched is a Latin syllable of four letters or fewer (Kim, Chol, Song)
	exact        bool // the listed name as it is: every word, spelt alike, in order
	single       bool // one word on each side, titles aside
}

// oneWord reports whether the traveller's name and the listed name are
// one word each, matched to each other (not a kunya: Ahmad is not Abu
// Ahmad).
func (sh nameShape) oneWord() bool { return sh.single && sh.matched == 1 }

// shapeOf describes how r aligned q with c.
func shapeOf(q, c []*token, r nameResult) nameShape {
	if len(q) > maxTokens {
		q = q[:maxTokens]
	}
	if len(c) > maxTokens {
		c = c[:maxTokens]
	}
	var usedQ, usedC uint32
	for _, e := range r.edges {
		usedQ |= e.q
		usedC |= e.c
	}
	sh := nameShape{exact: r.exact, words: bits.OnesCount32(usedQ), missQ: unmatchedNames(q, usedQ), missC: unmatchedNames(c, usedC), single: len(q) == 1 && len(c) == 1}
	lastMatched, firstMissing, first := -1, len(c), true
	sh.syllables = true
	for i, t := range c {
		if t.kind != kindName {
			continue
		}
		if usedC&(1<<i) != 0 {
			sh.matched++
			lastMatched = i
			sh.syllables = sh.syllables && !t.arabic && len(t.form) <= 4
		} else {
			firstMissing = min(firstMissing, i)
			sh.headless = sh.headless || first && usedC&(1<<i-1) == 0 // "Abu" matched before it: a kunya kept
		}
		first = false
	}
	sh.syllables = sh.syllables && sh.matched > 0
	for _, t := range q {
		// A name as long as a machine-readable zone's field may have
		// lost its given name to the cut: what is left of ASHRAF reads
		// as the article ASH and is dropped.
		sh.headless = sh.headless && !t.cut
	}
	sh.cut = sh.missQ == 0 && sh.missC > 0 && sh.matched > 0 && lastMatched < firstMissing && !r.swapped
	if n := len(q); sh.cut && n > 0 && q[n-1].cutAfter && usedQ&(1<<(n-1)) != 0 {
		// The article the name ended on counts as a word matched, as a
		// particle there does: the name was cut after it.
		sh.words++
	}
	return sh
}

// Weights of thin names. A partial name has the birth date to tell the
// listed person from the innocents of the same region who share two of
// their words: without a date that agrees it weighs partialNoDOB; a name
// cut to its first words is lifted by an agreeing year (cutYearRare). One word matched proves little whatever its
// rarity (a family or tribe name shared by many): singleWord unless the
// date agrees, and again with words left over unless the date agrees to
// the month or the name was cut after a particle ("Mohamed Ben" for
// Mohamed Ben Belgacem ...).
const (
	partialNoDOB = 0.88
	// partialDOBOff: a partial name whose listing gives a birth date that
	// the traveller's contradicts (a year one off an approximate listed
	// year included) has the date against it, not merely missing: the
	// namesakes and regional innocents who share two of a listed name's
	// words.
	partialDOBOff = 0.92
	// cutYearCap is the score up to which a name cut to its first words
	// (two or more, in order) with the birth year agreeing is lifted as by
	// a full date: a review at most, never a hit.
	cutYearCap = 0.75
	singleWord = 0.92
	// cutYearRare is how rare an agreeing birth year counts for a name cut
	// to its first words (a full date counts 1; dobSpecificity).
	cutYearRare = 0.7
	// oneWordYearRare is how rare an agreeing birth year counts for a
	// one-word name against a one-word listed name (an alias): the year is
	// all it has beside the word, and the word is no more of a name than
	// a name cut to its first words has, so it counts as much as for that
	// (cutYearRare). At a fifth, then half, a weak one-word alias misspelt
	// ("Hxssan" for Hassan, "Canl" for Cana, listed with a year only)
	// stayed below review with the year, nationality and sex agreeing; a
	// traveller of one word that is one typo from a listed one-word
	// alias, born the same year, is rare among innocents.
	oneWordYearRare = cutYearRare
	// oneWordYearCap is the score up to which a one-word name's agreeing
	// birth year lifts it as a full date would: a review at most, never a
	// hit (a sixtieth of the innocents bearing the word share the year).
	oneWordYearCap = 0.75
	// headless: the listed name's first word is missing. A passport
	// never drops a given name (nor a surname written first); what shares
	// only the later words of a listed name (a father's, grandfather's or
	// tribe's name: Hussein al-Tikriti against Rana Saddam Hussein
	// al-Tikriti) is most often a relative or a stranger of the same
	// family or region, unless the birth date agrees to the month.
	headless = 0.85
	// syllablesOnly: what matched is short syllables only. Names built
	// from a few hundred syllables (Korean, Chinese) share two of three by
	// chance: Choe Chun against Choe Chun Yong.
	syllablesOnly = 0.93
	// partialYearOnly: a listed word missing, not cut off the end, or a
	// listed name of two words among more, with the year alone agreeing.
	// The year is worth much (lists give few dates) but a sixtieth of the
	// region's people share it, and what they share most with a listed
	// name is two of its common words (MUHAMMAD AHMAD for Muhammad Yunis
	// Ahmad): a little less than a whole name. At 0.95 regional
	// innocents' alerts fell by a sixth, at the cost of five of 464
	// dropped middle names of two common words; at 0.9 names cut in a
	// machine-readable zone lost hits too (bench/README.md).
	partialYearOnly = 0.95
)

// partialFactor is what a name's shape costs; dob says how the birth dates
// compared, natOff that the traveller's nationality is not among the listed
// ones. A traveller without a birth date is a search by name (an analyst's
// query, not a passport): judged on the name alone, as before.
func partialFactor(sh nameShape, dob dobAgreement, natOff bool) float64 {
	if dob == dobUnknown {
		return 1
	}
	f := 1.0
	if sh.missC > 0 && (dob == dobNone || dob == dobDiffers || natOff && dob < dobMonth) || sh.missQ > 0 && dob == dobDiffers {
		// Listed words missing, or words the listing does not know
		// while its birth date disagrees: two things amiss. A year
		// agreeing does not make up for another nationality (a sixtieth
		// of a region's people share a year).
		f *= partialNoDOB
		if dob == dobDiffers {
			f *= partialDOBOff
		}
	}
	if (sh.missC > 0 && !sh.cut || sh.missQ > 0 && sh.matched <= 2) && dob == dobYear && !natOff {
		// Likewise a listed name of two words among more of the
		// traveller's (Nazar Mohammad in KHAN NAZAR MOHAMMAD).
		f *= partialYearOnly
	}
	if sh.missC > 0 {
		if sh.headless && dob < dobMonth {
			f *= headless
		}
	}
	if sh.syllables && sh.matched > 1 && !sh.exact && dob < dobMonth {
		// Also a whole name with a syllable changed or moved: without a
		// birth date to agree, a review, not a hit (Cho Chun Yong
		// against Choe Chun Yong).
		f *= syllablesOnly
	}
	if sh.matched == 1 {
		if dob < dobYear {
			f *= singleWord
		}
		if sh.missC+sh.missQ > 0 && dob < dobMonth && !(sh.cut && sh.words > 1) {
			f *= singleWord
		}
	}
	return f
}

// dobAgreement is how the birth dates of a traveller and a listing compare,
// for partialFactor, weakest first.
type dobAgreement uint8

const (
	dobUnknown dobAgreement = iota // the traveller gave no date: a name search, judged on the name
	dobNone                        // the listing gives no date
	dobDiffers                     // a slip or a contradiction
	dobYear                        // the same year, the listing giving no more
	dobMonth                       // the same year and month, or the same date
)

// agreementOf classifies a bestDOB result for a traveller with a birth
// date (travellerDOB).
func agreementOf(ds float64, ok, travellerDOB bool) dobAgreement {
	switch {
	case !travellerDOB:
		return dobUnknown
	case !ok:
		return dobNone
	case ds >= 0.9:
		return dobMonth
	case ds >= 0.85:
		return dobYear
	}
	return dobDiffers
}

// dobAgreementOf compares q's and p's birth dates for partialFactor.
func dobAgreementOf(q *query, p *prepared) dobAgreement {
	ds, _, _, ok := bestDOB(q.dob, p.dobs)
	return agreementOf(ds, ok, !q.dob.IsZero())
}

// thinWhy says in an explanation why partialFactor weakened a name, the
// birth dates having compared as agree.
func (sh nameShape) thinWhy(agree dobAgreement) string {
	date := "no birth date agreeing"
	switch agree {
	case dobYear:
		date = "only the birth year agreeing"
	case dobDiffers:
		date = "its birth date disagreeing"
	}
	switch {
	case sh.missC == 0 && sh.missQ > 0:
		return "words the listing does not know, " + date
	case sh.matched == 1:
		return "one word matched, " + date
	case sh.headless:
		return "the listed name's first word missing, " + date
	case sh.syllables && !sh.exact:
		return "part of a name of short syllables, " + date
	}
	return "part of the listed name, " + date
}
