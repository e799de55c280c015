package match

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"tripline"
)

// tokKind says how much a token tells about identity.
type tokKind uint8

const (
	kindName     tokKind = iota
	kindParticle         // bin, ibn, abu, van, de: connectors that carry little
	kindInitial          // a single letter: "J." in "J. Smith"
)

// token is one normalised word of a name. Its flags sit together: an
// index keeps hundreds of thousands of tokens.
type token struct {
	form   string // ICAO 9303 Latin spelling, lower case ("mueller")
	alt    string // common-practice spelling when it differs ("muller"), else ""
	skel   string // consonant skeleton ("mlr")
	orig   string // non-Latin original (Arabic letters normalised, Cyrillic lower case), for the variant table
	kind   tokKind
	arabic bool // written in Arabic script: compare by skeleton
	known  bool // a well-attested name in the data (variant table)
	// cut marks a query token where a machine-readable zone may have cut
	// the name at its field width: it may be the start of a listed name.
	cut bool
	// cutAfter marks the last word of a name that ended on an article
	// ("Mohammed Al", "ABD EL"): no name ends there, so it was cut after
	// it, as a name cut after a particle is ("Mohamed Ben").
	cutAfter bool
	// Filled from the variant table.
	class  int32   // variant class id, 0 when unknown
	weight float32 // rarity weight in (0,1]: common names prove little
	raw    string  // an "Abd" compound as written ("abdulrahman"): typos are made in it
	phon   string  // phonetic form of a Latin spelling ("zia" for Zeea), "" for other scripts
	// list counts the listings bearing this name, on tokens interned in
	// an index (listrarity.go); nil elsewhere.
	list *listCount
	// fast is derived from form and phon when the token is made
	// (derive), not stored: what tokenSim reads of every pair it rules
	// out.
	fast tokFast
}

// tokFast is what tokenSim would otherwise work out from a token's
// spellings for every pair: a screening compares each query word with
// hundreds of listed words, and most pairs agree in nothing.
type tokFast struct {
	info strInfo // of form
	// cons hashes the consonants of phon in order (0 without phon):
	// sameConsonants of two tokens is false when their hashes differ.
	cons uint64
	// dhz hashes dhAsZ(form) (0 without phon): the two are unequal when
	// their hashes differ.
	dhz uint64
}

// derive sets t.fast from t.form and t.phon.
func (t *token) derive() {
	t.fast = tokFast{info: infoOf(t.form)}
	if t.phon == "" {
		return
	}
	t.fast.cons = fnv(t.phon, true)
	if t.fast.info.dh {
		t.fast.dhz = fnv(dhAsZ(t.form), false)
	} else {
		t.fast.dhz = fnv(t.phon, false) // phon is phonetic(form): dhAsZ(form) without a DH
	}
}

// fnv hashes s (FNV-1a), without its vowels a, i and u when consonants
// is set (as sameConsonants compares phonetic forms).
func fnv(s string, consonants bool) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		if c := s[i]; !consonants || c != 'a' && c != 'i' && c != 'u' {
			h ^= uint64(c)
			h *= 1099511628211
		}
	}
	return h
}

// honorifics are titles dropped before matching: lists and travellers add
// or omit them at will ("Mullah", "Haji Mudir", "Dr. Rami Makhlouf").
var honorifics = setOf(
	"mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "prof", "professor", "sir", "dame", "lord",
	"mullah", "mulla", "molla", "mollah", "maulavi", "maulvi", "mawlawi", "moulavi", "mowlavi", "molvi",
	"maulana", "mawlana", "moulana", "sheikh", "shaikh", "shaykh", "sheik", "shaykhah", // not Cheikh: a given name in West Africa
	"haji", "hajji", "hadji", "hadj", "alhaj", "alhaji", "alhajji", "hajj", "hajjah", "hajia",
	"president", "praesident", "prasident", "monsieur", "madame", "mme", "mlle", "herr", "frau",
	"general", "gen", "colonel", "col", "major", "capt", "captain", "lt", "imam", "mufti",
	"ustad", "ustadh", "ustaz", "eng", "engr", "hon", "rev", "father", "senor", "sr", "sra", "jr",
	// Arabic script, by their Latin letters.
	"shykh", "hjj", "hj", "ml", "mlw", "mwlwy", "dktwr", "mwlana",
)

var (
	honorificSoundsOnce sync.Once
	honorificSounds     map[string]bool
)

// soundsHonorific reports whether a word of five letters or more is a title
// spelt another way ("Maoulana" for Maulana): the same phonetic form and
// first letter. Shorter titles (Hj, Dr) would take names along.
func soundsHonorific(w rawWord) bool {
	if w.arabic || len(w.form) < 5 {
		return false
	}
	honorificSoundsOnce.Do(func() {
		honorificSounds = map[string]bool{}
		for h := range honorifics {
			if len(h) >= 5 {
				honorificSounds[h[:1]+phonetic(h)] = true
			}
		}
	})
	return honorificSounds[w.form[:1]+phonetic(w.form)]
}

// articles are the Arabic definite article in its Latin spellings; dropped
// when they lead into another word ("al-Rahman", "ad-Din").
var articles = setOf("al", "el", "ul", "ur", "ud", "ad", "ash", "az", "ed", "as", "ar", "at", "an", "es", "ut", "us", "ol", "il")

// looseArticles are only articles when written with a hyphen ("as-Sayyid"):
// alone they are also names ("An", "As").
var looseArticles = setOf("as", "ar", "at", "an", "es", "ut", "us", "il")

// assimilates reports whether the article a may lead into the word w: AL
// and its vowel spellings lead into any word, the others only into a word
// starting with the consonant the L became (ad-Din, ash-Shami, ar-Rahman:
// the sun letters). "ad" before Karimi is no article; it is the end of a
// word split at its apostrophe (Sa'ad, Fu'ad, Mas'ud written "Sa ad").
func assimilates(a string, w rawWord) bool {
	if a[len(a)-1] == 'l' || w.arabic || w.form == "" {
		return true
	}
	return w.form[0] == a[1]
}

// particles are connectors kept as low-weight tokens, with one spelling
// each so that "ibn", "bin" and "ben" meet.
var particles = map[string]string{
	"bin": "bin", "ibn": "bin", "ben": "bin", "bn": "bin", "bint": "bint", "binti": "bint", "bte": "bint",
	"abu": "abu", "abou": "abu", "abo": "abu", "ould": "ould", "wuld": "ould",
	// Abu and the article run together, as Persian and Bengali write
	// them (Abol Hassan, Abul Kalam: Abu al-Hasan).
	"abul": "abu", "abol": "abu", "aboul": "abu",
	"van": "van", "von": "von", "de": "de", "der": "der", "den": "den", "da": "da", "di": "di",
	"du": "du", "del": "del", "della": "della", "dos": "dos", "das": "das", "do": "do",
	"la": "la", "le": "le", "y": "y", "ter": "ter", "zu": "zu", "dela": "dela",
	"wa": "wa", // "son of" in Central African names (Mutanga wa Bafunkwa)
}

// connectorOnly are the particles that are never a family name on their
// own: "son of", "father of". The others (da, das, de, do, le, van...)
// connect a family name in one tradition and are the family name in
// another (Das in Bengal and Odisha, Le and Do in Vietnam): one that ends
// the name, or is one of its two words, connects nothing ("Anjali Das",
// "LE MINH"), and is kept as a name. Kept as a particle there, an
// innocent "Anjali Das" was "Anjali" against the listed Anjali Sharma
// (0.73, a review), and "Anjali Dass" a name short of Anjali Das.
var connectorOnly = setOf("bin", "bint", "abu", "ould", "wa")

// abdPrefixes start a compound with a following word: "Abd al-Rahman",
// "Abdul Rahman", "Abdel Rahman" all become one token.
var abdPrefixes = setOf("abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdur", "abdus", "abdel", "abdoul", "abdou", "abdar", "abdus", "abdil")

// isParticle reports whether w is a particle (bin, abu, van...).
func isParticle(w string) bool {
	_, ok := particleOf(w)
	return ok
}

// particleOf returns the particle w spells. A connector's doubled letters
// read as one (BENN for Ben, ABBOU for Abou), as in any name; the other
// particles' do not (DEEN is a name, not Den).
func particleOf(w string) (string, bool) {
	if p, ok := particles[w]; ok {
		return p, true
	}
	if len(w) < 3 || len(w) > 6 {
		return "", false
	}
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if i == 0 || w[i] != w[i-1] {
			b = append(b, w[i])
		}
	}
	if len(b) == len(w) {
		return "", false
	}
	if p, ok := particles[string(b)]; ok && connectorOnly[p] {
		return p, true // not DEEN for Den: only the Arabic connectors
	}
	return "", false
}

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// rawWord is a word as split from the input, before particle handling.
type rawWord struct {
	form, alt, skel, orig string
	arabic                bool
	hyphen                bool // followed by a hyphen
}

// Normalise returns the tokens of a name in their ICAO Latin spelling,
// after case folding, transliteration, dropping titles and articles, and
// joining "Abd" compounds. It is what matching compares; tests and tools
// use it to see why two names meet.
func Normalise(name string) []string {
	toks := tokenize(name)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.form
	}
	return out
}

// tokenize splits and normalises a name. It never fails: input it cannot
// read yields fewer tokens.
func tokenize(name string) []token {
	// Invisible characters go before NFKC too: between a letter and its
	// accent, or between Hangul jamo, they would stop the composition.
	name = norm.NFKC.String(dropInvisible(clip(name, maxNameBytes)))
	// "NURISTANI, Abdul Aziz" is surname-first; put it in reading order.
	if before, after, ok := strings.Cut(name, ","); ok && !strings.Contains(after, ",") && strings.TrimSpace(after) != "" {
		name = after + " " + before
	}
	words := splitWords(name)
	return buildTokens(words)
}

// maxNameBytes is how much of a name the matcher reads. Validation refuses
// longer names (tripline.MaxNameBytes, with room for given names and
// surname together); the clip keeps a caller that skips validation from
// making one name cost more than this.
const maxNameBytes = 4 * tripline.MaxNameBytes

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// dropInvisible removes the characters that show nothing
// (tripline.Invisible); s itself comes back when it has none.
func dropInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		if tripline.Invisible(r) {
			return -1
		}
		return r
	}, s)
}

// matchTokens is tokenize for matching: at most maxTokens tokens, the ones
// alignment compares (compareTokens reads no further), so that key
// building and scoring stay bounded however many words a name has.
func matchTokens(name string) []token {
	toks := tokenize(name)
	if len(toks) > maxTokens {
		toks = toks[:maxTokens:maxTokens]
	}
	return toks
}

// splitWords cuts a name into words and transliterates each one.
func splitWords(name string) []rawWord {
	var words []rawWord
	var cur []rune
	flush := func(hyphen bool) {
		if len(cur) > 0 {
			words = append(words, makeWord(cur))
			cur = cur[:0]
		}
		if hyphen && len(words) > 0 {
			words[len(words)-1].hyphen = true
		}
	}
	prevArabic := false
	for _, r := range name {
		if isArabicMark(r) || tripline.Invisible(r) {
			// Invisible characters (zero-width spaces and joiners, soft
			// hyphens, Hangul fillers, variation selectors) are dropped,
			// not read as word breaks: Persian writes a zero-width
			// non-joiner inside words, and an attacker inserts them to
			// make a listed name look like another.
			continue
		}
		ar := isArabicLetter(r)
		if ar != prevArabic && len(cur) > 0 {
			flush(false) // a script change ends a word
		}
		prevArabic = ar
		if ar {
			cur = append(cur, r)
			continue
		}
		if _, ok := foldRune(r); ok {
			cur = append(cur, r)
			continue
		}
		flush(r == '-' || r == '‐' || r == '–')
	}
	flush(false)
	return words
}

// makeWord transliterates one word.
func makeWord(rs []rune) rawWord {
	if isArabicLetter(rs[0]) {
		w := normArabic(rs)
		lat, sk := arabicForms([]rune(w))
		return rawWord{form: lat, skel: sk, orig: w, arabic: true}
	}
	var f, a strings.Builder
	nonLatin := false
	for _, r := range rs {
		p, _ := foldRune(r)
		f.WriteString(p.icao)
		a.WriteString(p.common)
		if r >= 0x80 && unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			nonLatin = true
		}
	}
	w := rawWord{form: f.String(), alt: a.String()}
	if strings.IndexByte(w.form, 'x') >= 0 {
		w.form = replaceICAOX(w.form)
		w.alt = replaceICAOX(w.alt)
	}
	if w.alt == w.form {
		w.alt = ""
	}
	if nonLatin {
		w.orig = strings.ToLower(string(rs))
	}
	return w
}

// replaceICAOX turns MRZ digraphs such as XKH back into KH.
func replaceICAOX(s string) string {
	for _, x := range icaoArabicX {
		s = strings.ReplaceAll(s, x.x, x.plain)
	}
	return s
}

// normArabic unifies the letters that Arabic spelling varies at will:
// hamza seats on alif, alif maqsura, Persian yeh and keheh.
func normArabic(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		switch r {
		case 'أ', 'إ', 'آ', 'ٱ':
			r = 'ا'
		case 'ى', 'ی', 'ۍ', 'ې':
			r = 'ي'
		case 'ک':
			r = 'ك'
		case 'ۀ', 'ہ', 'ھ':
			r = 'ه'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// buildTokens applies honorifics, articles, particles and Abd compounds.
func buildTokens(words []rawWord) []token {
	// Arabic script: split off the article and a leading عبد.
	var ws []rawWord
	for _, w := range words {
		if !w.arabic {
			if w.form != "" { // a lone apostrophe: not a word, nor the last one after an article
				ws = append(ws, w)
			}
			continue
		}
		o := w.orig
		if strings.HasPrefix(o, "عبد") && len([]rune(o)) > 4 {
			ws = append(ws, arabicWord("عبد"))
			o = strings.TrimPrefix(o, "عبد")
		}
		if strings.HasPrefix(o, "ال") && len([]rune(o)) > 3 {
			o = strings.TrimPrefix(o, "ال")
		}
		if o == "ال" {
			continue
		}
		ws = append(ws, arabicWord(o))
	}
	// Titles go, unless nothing else is left.
	kept := ws[:0:0]
	for _, w := range ws {
		if !honorifics[w.form] && !soundsHonorific(w) {
			kept = append(kept, w)
		}
	}
	titleLast := false
	if len(kept) > 0 {
		// A title last, after the name ("MUSTAFA HAJJI" for Mustafa Hajji
		// Muhammad Khan): titles lead a name, so the name was cut after
		// it, as after an article. Jr and Sr are the suffixes that end one.
		n := len(ws) - 1
		titleLast = (honorifics[ws[n].form] || soundsHonorific(ws[n])) && ws[n].form != "jr" && ws[n].form != "sr" && !ws[n].arabic
		ws = kept
	}
	var out []token
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		if w.form == "" {
			continue
		}
		last := i == len(ws)-1
		if !w.arabic && articles[w.form] && (!looseArticles[w.form] || w.hyphen) && (!last || i > 0 && !looseArticles[w.form] && (len(ws[i-1].form) > 3 || assimilates(w.form, ws[i-1]))) && (last || i == 0 || !isParticle(ws[i+1].form) && assimilates(w.form, ws[i+1])) {
			// Leading into a word ("al-Rawi"), or detached and moved after
			// the name ("Rawi al"). Not between a word and a particle: no
			// article leads into BIN or ABU, so that is the end of a word
			// split at its apostrophe (As'ad Ben Hani as "As ad Ben Hani").
			// Nor an assimilated article before a word that does not start
			// with its consonant (the AD of "Sa ad Karimi", Sa'ad split),
			// or last after such a short word ("Omar Fu ad"; after a longer
			// one, "Salah ad" is a name cut after its article).
			if last && len(out) > 0 {
				out[len(out)-1].cutAfter = true
			}
			continue
		}
		if abdPrefixes[w.form] && !last {
			// "Abd al-Rahman", "Abdul Rahman": the servant-of compound.
			j := i + 1
			for j < len(ws)-1 && articles[ws[j].form] {
				j++
			}
			if j == len(ws)-1 && articles[ws[j].form] && !w.arabic {
				// "ABD EL" and nothing after: the Abd's name was cut
				// off, not a name "El".
				out = append(out, token{form: "abd", skel: "bd", raw: w.form, cutAfter: true})
				break
			}
			// The name is the next word as written ("Abdur Jabar": jabar),
			// unless the two make Abdullah ("Abd Allah", "Abdul Lah").
			stem := ws[j].form
			if st := abdStem(w.form[3:] + ws[j].form); allahStems[st] {
				stem = st
			}
			out = append(out, abdTokens(stem, ws[j], w.form+ws[j].form)...)
			i = j
			continue
		}
		if abdPrefixes[w.form] && len(ws) > 1 {
			// "Abdul" last, its name moved away ("Haq Abdul"): still the Abd.
			t := token{form: "abd", skel: "bd", arabic: w.arabic, orig: w.orig}
			if !w.arabic {
				t.raw = w.form
			}
			out = append(out, t)
			continue
		}
		if len(w.form) > 6 && strings.HasPrefix(w.form, "abd") && !w.arabic {
			out = append(out, abdTokens(abdStem(w.form[3:]), w, w.form)...)
			continue
		}
		if p, ok := particleOf(w.form); ok && len(ws) > 1 && (w.arabic || connectorOnly[p] || !last && len(ws) > 2) {
			out = append(out, token{form: p, skel: latinSkeleton(p), kind: kindParticle})
			continue
		}
		if !w.arabic && w.orig == "" && len(w.form) == 2 && !strings.ContainsAny(w.form, "aeiouy0123456789") && len(ws) > 1 {
			// "JC Juncker": two consonants together are initials.
			for i := 0; i < 2; i++ {
				f := w.form[i : i+1]
				out = append(out, token{form: f, skel: f, kind: kindInitial})
			}
			continue
		}
		t := token{form: w.form, alt: w.alt, orig: w.orig, arabic: w.arabic, skel: w.skel}
		if !w.arabic {
			t.skel = latinSkeleton(t.form)
		}
		if !w.arabic && len([]rune(t.form)) == 1 {
			t.kind = kindInitial
		}
		out = append(out, t)
	}
	if titleLast && len(out) > 0 && out[len(out)-1].kind == kindName {
		out[len(out)-1].cutAfter = true
	}
	return out
}

// arabicWord makes a rawWord from normalised Arabic letters.
func arabicWord(o string) rawWord {
	lat, sk := arabicForms([]rune(o))
	switch o {
	case "بن", "ابن":
		lat = "bin"
	case "بنت":
		lat = "bint"
	case "ابو":
		lat = "abu"
	case "عبد":
		lat = "abd"
	}
	return rawWord{form: lat, skel: sk, orig: o, arabic: true}
}

// abdTokens writes an "Abd ..." compound in one way however it was
// spelt: "abd" and the name after it (Abd al-Rahman, Abdulrahman,
// Abdurrahman, عبد الرحمن all give abd + rahman), so that "Abdul Manan"
// and "Manan" share a name and "Abdul Khudai" and "Wali Khudai" differ in
// one. Abdullah and its kin (Abd Allah, Abdoulaye) stay one name. stem is
// the Latin name after the Abd, its article removed.
func abdTokens(stem string, next rawWord, raw string) []token {
	if next.arabic {
		if allahArabic[next.orig] {
			_, sk := arabicForms([]rune(next.orig))
			return []token{{form: "abd" + next.form, skel: "bd" + sk, arabic: true, orig: "عبد" + next.orig}}
		}
		return []token{{form: "abd", skel: "bd", arabic: true, orig: "عبد"}, {form: next.form, skel: next.skel, arabic: true, orig: next.orig}}
	}
	if allahStems[stem] || len(stem) < 3 {
		return []token{{form: "abd" + stem, skel: "bd" + latinSkeleton(stem), raw: raw}}
	}
	// The prefix as written ("abdul", "abdur") lets a typo in it ("Abudl")
	// still meet the Abd.
	prefix := "abd"
	if strings.HasSuffix(raw, stem) && len(raw) > len(stem) {
		prefix = raw[:len(raw)-len(stem)]
	}
	return []token{{form: "abd", skel: "bd", raw: prefix}, {form: stem, skel: latinSkeleton(stem)}}
}

// typedLinker reports whether s, what follows "abd", starts with two
// consonants that begin no name: Arabic names begin with one consonant
// (KH, SH, TH, DH, GH are one), and the Abd's article is a vowel and L
// or a doubled letter (abdelkadir, abdurrahman). Two consonants there are
// the article with its vowel mistyped.
func typedLinker(s string) bool {
	const vowels = "aeiouy"
	if strings.IndexByte(vowels, s[0]) >= 0 || strings.IndexByte(vowels, s[1]) >= 0 || s[0] == s[1] || s[1] == 'h' {
		return false
	}
	return s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// allahStems are what is left of Abdullah, Abdallah, Abdoulaye, Abdullahi
// once the article is stripped: these compounds are one name.
var allahStems = setOf("lah", "la", "lla", "lahi", "aye", "ahi", "lai", "ah", "llah")

// allahArabic is Allah after عبد, with and without the article.
var allahArabic = setOf("له", "لله", "الله")

// abdStem strips the article from what follows "abd": the vowel, the "l"
// and a doubled sun letter, so that abdulrahman, abdurrahman, abdelrahman
// and abd al-rahman all give "rahman".
func abdStem(s string) string {
	if len(s) > 3 && s[0] == 'd' {
		// The Abd's D written twice ("Abddikadir"): doubled letters are
		// one letter in names, and no name after Abd starts with a D
		// without a vowel between (Abd al-Dayim is Abduddayim).
		s = s[1:]
	}
	i := 0
	for i < len(s) && i < 2 && strings.IndexByte("aeiou", s[i]) >= 0 {
		i++
	}
	if i == 0 && len(s) > 4 && typedLinker(s) {
		i = 1 // "ABDFLKADIR", "ABDRKADIR": the E or I of the article mistyped
	}
	if i == 0 {
		return s
	}
	r := s[i:]
	if len(r) > 3 && r[0] == 'l' {
		r = r[1:]
	} else if len(r) > 3 && r[0] == r[1] {
		r = r[1:]
	}
	if len(r) < 2 {
		return s
	}
	return r
}
