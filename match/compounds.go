package match

import "strings"

// Compound names with Allah: a name and Allah after it (Noorullah,
// Habibullah, Saifullah; نور الله in Arabic script, two words there) are one
// given name, another than the name alone (Noor, Habib, Saif). Abd Allah
// is read apart (abdTokens).

// allahCompound reports whether the Latin word w may be the Arabic-script
// parts written as one: a name and الله after it, as Noorullah is نور
// الله (Arabic script writes the compound as two words, Latin most often
// as one).
func allahCompound(w *token, parts []*token) bool {
	return latinAllahWord(w) && len(parts) == 2 && parts[0].arabic && parts[0].kind == kindName && allahArabic[parts[1].orig]
}

// latinAllahWord reports whether t, in Latin letters, may be a name and
// Allah written as one word (Noorullah, Habibulla).
func latinAllahWord(t *token) bool {
	return t.kind == kindName && !t.arabic && len(t.form) >= 6 && (strings.HasSuffix(t.form, "lah") || strings.HasSuffix(t.form, "la"))
}

// allahWords are Allah as the second half of a compound written apart in
// Latin letters (Noor Ullah, Habib Allah).
var allahWords = setOf("ullah", "ulla", "allah", "ollah", "ullahi")

// isAllah reports whether t is the Allah of a compound written apart.
func isAllah(t *token) bool {
	if t.arabic {
		return allahArabic[t.orig]
	}
	return allahWords[t.form]
}

// compoundDiffers says how a compound given name differs between q and c,
// or "": on one side only, or naming another name. The word they share
// is then half of another name (Noor is not Noor Ullah, Abd Mohammed is
// not Abd Manan).
func compoundDiffers(q, c []*token, chosen []edge, usedQ, usedC uint32) string {
	if !anyCompound(q) && !anyCompound(c) {
		return "" // most names: nothing to look at
	}
	switch {
	case allahDropped(q, c, chosen, usedQ, usedC, false) || allahDropped(c, q, chosen, usedC, usedQ, true):
		return "a compound with Allah on one side only"
	case allahHeadless(q, c, chosen, usedQ, usedC, false) || allahHeadless(c, q, chosen, usedC, usedQ, true):
		return "the Allah compounds name others"
	case abdSplit(q, c, chosen, usedQ, usedC, false) || abdSplit(c, q, chosen, usedC, usedQ, true):
		return "the Abd compounds name others"
	case kinOf(q, c, chosen, usedQ, usedC, false) || len(chosen) == 1 && kinOf(c, q, chosen, usedC, usedQ, true):
		return "a father's name (Abu) against the son's"
	}
	return ""
}

// anyCompound reports whether ts has a word the compound rules look at:
// an Abd, an Allah written apart, an Abu.
func anyCompound(ts []*token) bool {
	for _, t := range ts {
		f := t.form
		switch {
		case f == "abd" || t.kind == kindParticle && f == "abu":
			return true
		case t.arabic:
			if allahArabic[t.orig] {
				return true
			}
		case len(f) >= 4 && len(f) <= 6 && (f[0] == 'a' || f[0] == 'u' || f[0] == 'o') && allahWords[f]:
			return true
		}
	}
	return false
}

// pairOf returns the single words an edge matches on each side, a's
// first (flip says a is the candidate side); ok is false for a join of
// several words.
func pairOf(e edge, flip bool) (i, j int, ok bool) {
	ea, eb := e.q, e.c
	if flip {
		ea, eb = e.c, e.q
	}
	i, j = lowBit(ea), lowBit(eb)
	return i, j, ea == 1<<i && eb == 1<<j
}

// leftOver reports whether a word of ts that the alignment left unmatched
// is one that is names: when both sides keep such a word apart, the two are
// misaligned, not one missing it.
func leftOver(ts []*token, used uint32, is func(*token) bool) bool {
	for j := range min(len(ts), maxTokens) {
		if used&(1<<j) == 0 && is(ts[j]) {
			return true
		}
	}
	return false
}

// allahDropped reports whether a has a compound's Allah left over right
// after a name matched in b, b having no Allah left over: the given name
// matched only its first half (NOOR NOORI against Noor Ullah Noori), so
// the two are other given names. Not when that name was cut in b (an
// MRZ field ends inside NOOR ULLAH). flip says a is the candidate side
// of the edges.
func allahDropped(a, b []*token, chosen []edge, usedA, usedB uint32, flip bool) bool {
	n := min(len(a), maxTokens)
	for i := 1; i < n; i++ {
		if usedA&(1<<i) != 0 || usedA&(1<<(i-1)) == 0 || !isAllah(a[i]) || a[i-1].kind != kindName || isAllah(a[i-1]) || strings.HasSuffix(a[i-1].form, "lah") {
			continue // after Hamdullah, ALLAH NOOR is Allahnoor: Allah leads it
		}
		if leftOver(b, usedB, isAllah) {
			return false
		}
		for _, e := range chosen {
			ea, eb := e.q, e.c
			if flip {
				ea, eb = e.c, e.q
			}
			if ea != 1<<(i-1) {
				continue
			}
			for j := range min(len(b), maxTokens) {
				if eb&(1<<j) != 0 && (b[j].cut || b[j].cutAfter || eb != 1<<j) {
					return false // cut there, or joined with more
				}
			}
			return true
		}
	}
	return false
}

// allahHeadless reports whether an Allah matched on both sides follows a
// name on b's side left unmatched, while a's Allah follows none or a name
// matched elsewhere (ALLAH KHAN NOORZAI against Faiz Allah Khan Noorzai):
// the compounds' names differ, so the two are other given names. flip
// says a is the candidate side of the edges.
func allahHeadless(a, b []*token, chosen []edge, usedA, usedB uint32, flip bool) bool {
	for _, e := range chosen {
		i, j, ok := pairOf(e, flip)
		if !ok || j == 0 || !isAllah(a[i]) || !isAllah(b[j]) || a[i].cut || b[j].cut {
			continue
		}
		h := b[j-1]
		if usedB&(1<<(j-1)) != 0 || h.kind != kindName || isAllah(h) || h.cut || h.cutAfter || strings.HasSuffix(h.form, "lah") {
			continue
		}
		if i == 0 || usedA&(1<<(i-1)) != 0 || a[i-1].kind != kindName {
			return true
		}
	}
	return false
}

// abdSplit reports whether an Abd matched on both sides leads another
// name on each: a has an unmatched name right after its Abd, while the
// name after b's Abd was matched elsewhere in a (ABDUL MOHAMMED MANAN
// against Abdul Manan, ABDUL NOORZAI against Abdul Basir Noorzai). Abd
// and its name are one given name, so the two are other given names that
// share a word. flip says a is the candidate side of the edges.
func abdSplit(a, b []*token, chosen []edge, usedA, usedB uint32, flip bool) bool {
	na, nb := min(len(a), maxTokens), min(len(b), maxTokens)
	for _, e := range chosen {
		i, j, ok := pairOf(e, flip)
		if !ok || a[i].form != "abd" || b[j].form != "abd" || a[i].cut || b[j].cut || a[i].cutAfter || b[j].cutAfter {
			continue
		}
		if i+1 >= na || j+1 >= nb || usedA&(1<<(i+1)) != 0 || a[i+1].kind != kindName || usedB&(1<<(j+1)) == 0 || b[j+1].kind != kindName {
			continue
		}
		return true
	}
	return false
}

// kinship are the particles that make the name after them a relative's:
// Abu Manan is Manan's father. Not Bin (Manan's son): lists and documents
// drop and add the Bin of a chain of names at will (Nasim Ben Ramadan
// Sahraoui is NASIM SAHRAOUI in many passports).
var kinship = setOf("abu")

// isKinship reports whether t is a kinship particle.
func isKinship(t *token) bool { return t.kind == kindParticle && kinship[t.form] }

// kinOf reports whether a has a kinship particle left over right before
// a name matched in b, b keeping no such particle apart (ABU ABDUL MANAN
// against Abdul Manan): the name is a relative's there. flip says a is
// the candidate side of the edges. The caller asks it of the traveller's
// name, and of the listed name only where one word matched (MUSAB against
// the alias Abu Musab): records drop words, they do not add them, so a
// listed Abu missing from a longer name (ADNAN WALID AL-SAHRAOUI for Adnan
// Abou Walid al-Sahraoui) is a word lost, not another person.
func kinOf(a, b []*token, chosen []edge, usedA, usedB uint32, flip bool) bool {
	if leftOver(b, usedB, isKinship) {
		return false
	}
	for _, e := range chosen {
		i, j, ok := pairOf(e, flip)
		if !ok || i == 0 || b[j].kind != kindName {
			continue
		}
		if usedA&(1<<(i-1)) == 0 && isKinship(a[i-1]) {
			return true
		}
	}
	return false
}
