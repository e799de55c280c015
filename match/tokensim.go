package match

import (
	"math/bits"
	"strings"
	"unicode"

	"tripline/match/internal/strdist"
)

// Token agreement: how two words of two names agree, by spelling, variant
// class, sound, skeleton, contraction, MRZ cut or typo (names.go aligns
// the words of whole names).

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
	// simShortVowel is a syllable of four letters or fewer with its vowel
	// changed beyond the phonetic form (Jang/Jong).
	simShortVowel = 0.8
	// simShortA is a name whose E stands for a short A (Omer/Umar,
	// Djamel/Jamal, Kemal/Kamal: Turkish and Maghrebi spellings of
	// Arabic names): E also stands for I (Hamed/Hamid), so weaker than a
	// shared skeleton.
	simShortA = 0.88
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
		if nisbaOfStem(a, b) || nisbaOfStem(b, a) {
			// The variant table holds a few classes that took in a
			// name's adjective (Noor and Noori, from al-Nouri): where the
			// Arabic letters show no -i, another name, as nisba below
			// says. Between Latin spellings the table is trusted
			// (Abubakary is Abubakar).
			return minTokenSim, "nisba"
		}
		return simVariant, "variant"
	}
	if a.phon != "" && a.phon == b.phon {
		if len(a.phon) <= 3 {
			return simPhoneticShort, "phonetic"
		}
		return simPhonetic, "phonetic"
	}
	if a.phon != "" && b.phon != "" && (a.fast.info.dh || b.fast.info.dh) && a.fast.dhz == b.fast.dhz && dhAsZ(a.form) == dhAsZ(b.form) {
		// ض, ظ and ذ are DH in Arabic transliteration, Z as Persian, Urdu
		// and Turkish speakers say them (Dhia/Zia, Ramadhan/Ramazan).
		if len(a.phon) <= 3 || len(b.phon) <= 3 {
			return simPhoneticShort, "phonetic"
		}
		return simPhonetic, "phonetic"
	}
	if !a.arabic && !b.arabic && eReadAsA(a, b) {
		return simShortA, "vowel"
	}
	if !a.arabic && !b.arabic && gReadAsJ(a.form, b.form) {
		return simShortA, "g as j"
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
			// spellings must look alike too, and have about as many
			// syllables (Fazl is not Faizullah, whose -ullah the skeleton
			// cannot show).
			sa, sb := syllables(a.form), syllables(b.form)
			if abs(sa-sb) > 1 {
				break
			}
			if sa == 1 && sb == 1 && !sameVowels(a.form, b.form) || n >= 3 && len(a.form) <= 4 && len(b.form) <= 4 {
				// A syllable whose vowel changed is mostly another
				// syllable (Jang and Jong, Kang and Kong).
				return simShortVowel, "skeleton"
			}
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
	s := spellingSimOf(a.form, b.form, &a.fast.info, &b.fast.info)
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

// gReadAsJ reports whether a and b sound alike once a G standing for ج
// is read as J: Egyptian Arabic says the letter G, and Egyptian spellings
// write it so (Gamal/Jamal, Ragab/Rajab, Naguib/Najib, Gaber/Jabir). GH is
// another letter (غ), and NG a sound of its own.
func gReadAsJ(a, b string) bool {
	if !(strings.IndexByte(a, 'g') >= 0 && strings.IndexByte(b, 'j') >= 0 || strings.IndexByte(b, 'g') >= 0 && strings.IndexByte(a, 'j') >= 0) {
		return false // cheap: most pairs have no G against a J
	}
	ga, gb := gAsJ(a), gAsJ(b)
	if ga == a && gb == b {
		return false
	}
	return phonetic(ga) == phonetic(gb)
}

// gAsJ writes each G of a Latin word that may stand for ج as J, and the
// GU of GUI and GUE (a hard G in French spelling) as J too.
func gAsJ(s string) string {
	if strings.IndexByte(s, 'g') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != 'g' || i+1 < len(s) && s[i+1] == 'h' || i > 0 && s[i-1] == 'n' {
			b = append(b, c)
			continue
		}
		b = append(b, 'j')
		if i+2 < len(s) && s[i+1] == 'u' && (s[i+2] == 'i' || s[i+2] == 'e') {
			i++ // Naguib: the U only keeps the G hard
		}
	}
	return string(b)
}

// latinVowel reports whether c is a vowel of a Latin spelling (Y is one
// in names: Kyong, Yusuf's second).
func latinVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// syllables counts the vowel groups of a Latin word: Kyong 1, Faizullah 3.
func syllables(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		v := latinVowel(s[i])
		if v && !in {
			n++
		}
		in = v
	}
	return n
}

// sameVowels reports whether two Latin words have the same vowels in the
// same order (Kang and Kong do not).
func sameVowels(a, b string) bool { return sameLetters(a, b, latinVowel) }

// sameLetters reports whether a and b hold the same letters of those keep
// picks, in the same order, without building either string.
func sameLetters(a, b string, keep func(byte) bool) bool {
	i, j := 0, 0
	for {
		for i < len(a) && !keep(a[i]) {
			i++
		}
		for j < len(b) && !keep(b[j]) {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i++
		j++
	}
}

// eReadAsA reports whether a and b sound alike once an E inside one of
// them (after its first letter, beside no other vowel) is read as A. The
// phonetic form reads E as I, the commoner reading; this is the other.
func eReadAsA(a, b *token) bool {
	if a.phon == "" || b.phon == "" || a.phon == b.phon || a.fast.cons != b.fast.cons || !sameConsonants(a.phon, b.phon) {
		return false // cheap: most pairs differ in a consonant
	}
	ea, eb := eAsA(a.form), eAsA(b.form)
	if ea == "" && eb == "" {
		return false
	}
	pa, pb := a.phon, b.phon
	if ea != "" {
		pa = phonetic(ea)
	}
	if eb != "" {
		pb = phonetic(eb)
	}
	return pa == pb || pa == b.phon || a.phon == pb
}

// sameConsonants reports whether two phonetic forms have the same
// consonants in the same order (the phonetic form's vowels are A, I, U).
func sameConsonants(a, b string) bool { return sameLetters(a, b, phoneticConsonant) }

func phoneticConsonant(c byte) bool { return c != 'a' && c != 'i' && c != 'u' }

// eAsA returns s with each E after its first letter and beside no other
// vowel written A, "" when there is none.
func eAsA(s string) string {
	var b []byte
	for i := 1; i < len(s); i++ {
		if s[i] != 'e' || latinVowel(s[i-1]) || i+1 < len(s) && latinVowel(s[i+1]) {
			continue
		}
		if b == nil {
			b = []byte(s)
		}
		b[i] = 'a'
	}
	return string(b)
}

// dhAsZ is the phonetic form of a spelling with DH read as Z.
func dhAsZ(form string) string { return phonetic(strings.ReplaceAll(form, "dh", "z")) }

// nisba reports whether a is b with the Arabic adjective ending -i or -y
// (Ahmadi from Ahmed, Rahmani from Rahman): a family name made from a
// given name, another name. b must end in a consonant, and the two share
// a skeleton.
func nisba(a, b *token) bool {
	f, g := a.form, b.form
	if len(g) < 4 || len(f) != len(g)+1 && len(f) != len(g)+2 || a.skel != b.skel {
		return false
	}
	return nisbaEnding(f) && !latinVowel(g[len(g)-1])
}

// nisbaEnding reports whether a Latin word ends as the adjective -i does:
// an I or Y after a consonant (Ahmadi, Noori; not Rai or Fadia).
func nisbaEnding(f string) bool {
	n := len(f)
	return n >= 2 && (f[n-1] == 'i' || f[n-1] == 'y') && !latinVowel(f[n-2])
}

// nisbaOfStem reports whether Latin a ends in an -i that Arabic-script b's
// letters do not (Noori against نور; Ali against علي, Muti against مطيع
// have it).
func nisbaOfStem(a, b *token) bool {
	if a.arabic || !b.arabic {
		return false
	}
	f := a.form
	if len(f) < 4 || !nisbaEnding(f) {
		return false
	}
	// The -i is the letter ي at the end, or before a final ع that
	// Latin letters leave unwritten (Muti for مطيع, Rabi for ربيع).
	o := []rune(b.orig)
	yeh := func(r rune) bool { return r == 'ي' || r == 'ى' || r == 'ی' }
	return len(o) >= 2 && !yeh(o[len(o)-1]) && !yeh(o[len(o)-2])
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
	ia, ib := infoOf(a), infoOf(b)
	return spellingSimOf(a, b, &ia, &ib)
}

// strInfo is what spellingSim reads of a spelling besides its letters.
type strInfo struct {
	mask  uint64 // bit c&63 for each byte c of an ASCII spelling
	runes int32
	ascii bool
	syll  bool // syllabic(s)
	dh    bool // s contains "dh" (tokenSim)
}

// infoOf reads s once for spellingSimOf.
func infoOf(s string) strInfo {
	in := strInfo{ascii: strdist.IsASCII(s), dh: strings.Contains(s, "dh")}
	if in.ascii {
		in.runes = int32(len(s))
		for i := 0; i < len(s); i++ {
			in.mask |= 1 << (s[i] & 63)
		}
		return in
	}
	in.runes, in.syll = int32(strdist.RuneLen(s)), syllabic(s)
	return in
}

// spellingSimOf is spellingSim with what infoOf read of a and b.
func spellingSimOf(a, b string, ia, ib *strInfo) float64 {
	l := int(max(ia.runes, ib.runes))
	if l == 0 {
		return 0
	}
	if equalCollapsed(a, b) {
		return 0.9 // Joonng/Jong, Hanniball/Hannibal
	}
	allowed := 3
	switch {
	case ia.syll || ib.syll:
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
	if ia.ascii && ib.ascii {
		// Cheap too: the letters alone rule it out. Each letter one
		// spelling has and the other lacks is an edit at least (a bit of
		// the mask may stand for two letters: fewer bits, never more).
		if bits.OnesCount64(ia.mask&^ib.mask) > allowed || bits.OnesCount64(ib.mask&^ia.mask) > allowed || strdist.BagDistance(a, b) > allowed {
			return 0
		}
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
	if d == 1 && l <= 5 && (len(a) == len(b) && a[:len(a)-1] == b[:len(b)-1] || strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		s -= 0.08 // so does another last letter of a short name, or one more (Amid/Amit, Amin/Amir, Son/Song)
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
