package match

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Transliteration to Latin. Each rune maps to two spellings: the ICAO 9303
// Part 3 form that passports print (Ä→AE, Ж→ZH) and the common-practice form
// that lists and airlines use (Ä→A, Й→Y). A token keeps both so that a
// traveller written either way meets a listing written either way.

// latinPair is the (ICAO, common) spelling of one rune.
type latinPair struct{ icao, common string }

// latinSpecial holds Latin letters whose ICAO spelling is not their base letter.
var latinSpecial = map[rune]latinPair{
	'ä': {"ae", "a"}, 'ö': {"oe", "o"}, 'ü': {"ue", "u"}, 'ß': {"ss", "ss"},
	'å': {"aa", "a"}, 'ø': {"oe", "o"}, 'æ': {"ae", "ae"}, 'œ': {"oe", "oe"},
	'þ': {"th", "th"}, 'ð': {"d", "d"}, 'đ': {"d", "dj"}, 'ł': {"l", "l"},
	'ı': {"i", "i"}, 'ĳ': {"ij", "ij"}, 'ŋ': {"n", "ng"}, 'ħ': {"h", "h"},
	'ʼ': {"", ""}, 'ʻ': {"", ""}, 'ʿ': {"", ""}, 'ʾ': {"", ""}, '’': {"", ""},
	'‘': {"", ""}, '\'': {"", ""}, '`': {"", ""}, '´': {"", ""},
}

// cyrillic is ICAO 9303's Cyrillic table (first) with the common English
// practice (second) where it differs.
var cyrillic = map[rune]latinPair{
	'а': {"a", "a"}, 'б': {"b", "b"}, 'в': {"v", "v"}, 'г': {"g", "g"}, 'д': {"d", "d"},
	'е': {"e", "e"}, 'ё': {"e", "yo"}, 'ж': {"zh", "zh"}, 'з': {"z", "z"}, 'и': {"i", "i"},
	'й': {"i", "y"}, 'к': {"k", "k"}, 'л': {"l", "l"}, 'м': {"m", "m"}, 'н': {"n", "n"},
	'о': {"o", "o"}, 'п': {"p", "p"}, 'р': {"r", "r"}, 'с': {"s", "s"}, 'т': {"t", "t"},
	'у': {"u", "u"}, 'ф': {"f", "f"}, 'х': {"kh", "kh"}, 'ц': {"ts", "ts"}, 'ч': {"ch", "ch"},
	'ш': {"sh", "sh"}, 'щ': {"shch", "shch"}, 'ъ': {"ie", ""}, 'ы': {"y", "y"}, 'ь': {"", ""},
	'э': {"e", "e"}, 'ю': {"iu", "yu"}, 'я': {"ia", "ya"},
	'і': {"i", "i"}, 'ї': {"i", "yi"}, 'є': {"ie", "ye"}, 'ґ': {"g", "g"}, 'ў': {"u", "w"},
	'ђ': {"d", "dj"}, 'ј': {"j", "j"}, 'љ': {"lj", "lj"}, 'њ': {"nj", "nj"}, 'ћ': {"c", "c"},
	'џ': {"dz", "dz"}, 'ѕ': {"dz", "dz"}, 'ѓ': {"g", "gj"}, 'ќ': {"k", "kj"},
}

// greek is ICAO 9303's Greek table.
var greek = map[rune]latinPair{
	'α': {"a", "a"}, 'β': {"v", "v"}, 'γ': {"g", "g"}, 'δ': {"d", "d"}, 'ε': {"e", "e"},
	'ζ': {"z", "z"}, 'η': {"i", "i"}, 'θ': {"th", "th"}, 'ι': {"i", "i"}, 'κ': {"k", "k"},
	'λ': {"l", "l"}, 'μ': {"m", "m"}, 'ν': {"n", "n"}, 'ξ': {"x", "x"}, 'ο': {"o", "o"},
	'π': {"p", "p"}, 'ρ': {"r", "r"}, 'σ': {"s", "s"}, 'ς': {"s", "s"}, 'τ': {"t", "t"},
	'υ': {"y", "y"}, 'φ': {"f", "f"}, 'χ': {"ch", "ch"}, 'ψ': {"ps", "ps"}, 'ω': {"o", "o"},
}

// arabic maps Arabic-script letters (Arabic, Persian, Urdu, Pashto) to the
// common-practice Latin consonant, and to the consonant class used by the
// skeleton. Arabic writes no short vowels, so names are compared as
// consonant skeletons; alif, waw and ya are long vowels inside a word.
var arabic = map[rune]struct {
	latin string
	skel  byte // 0: no consonant
}{
	'ا': {"a", 0}, 'أ': {"a", 0}, 'إ': {"i", 0}, 'آ': {"a", 0}, 'ٱ': {"a", 0}, 'ء': {"", 0},
	'ؤ': {"u", 0}, 'ئ': {"i", 0}, 'ى': {"a", 0}, 'ة': {"a", 0},
	'ب': {"b", 'b'}, 'ت': {"t", 't'}, 'ث': {"th", 't'}, 'ج': {"j", 'j'}, 'ح': {"h", 'h'},
	'خ': {"kh", 'x'}, 'د': {"d", 'd'}, 'ذ': {"dh", 'd'}, 'ر': {"r", 'r'}, 'ز': {"z", 'z'},
	'س': {"s", 's'}, 'ش': {"sh", 'S'}, 'ص': {"s", 's'}, 'ض': {"d", 'd'}, 'ط': {"t", 't'},
	'ظ': {"z", 'z'}, 'ع': {"", 0}, 'غ': {"gh", 'g'}, 'ف': {"f", 'f'}, 'ق': {"q", 'k'},
	'ك': {"k", 'k'}, 'ل': {"l", 'l'}, 'م': {"m", 'm'}, 'ن': {"n", 'n'}, 'ه': {"h", 'h'},
	'و': {"w", 'w'}, 'ي': {"y", 'y'},
	// Persian, Urdu, Pashto letters.
	'پ': {"p", 'b'}, 'چ': {"ch", 'S'}, 'ژ': {"zh", 'j'}, 'گ': {"g", 'g'}, 'ک': {"k", 'k'},
	'ی': {"y", 'y'}, 'ے': {"e", 'y'}, 'ٹ': {"t", 't'}, 'ڈ': {"d", 'd'}, 'ڑ': {"r", 'r'},
	'ں': {"n", 'n'}, 'ھ': {"h", 'h'}, 'ۀ': {"h", 'h'}, 'ہ': {"h", 'h'}, 'ټ': {"t", 't'},
	'ځ': {"dz", 'z'}, 'څ': {"ts", 's'}, 'ډ': {"d", 'd'}, 'ړ': {"r", 'r'}, 'ږ': {"zh", 'j'},
	'ښ': {"sh", 'S'}, 'ګ': {"g", 'g'}, 'ڼ': {"n", 'n'}, 'ۍ': {"ai", 'y'}, 'ې': {"e", 'y'},
}

// icaoArabicX are the ICAO 9303 digraphs, written with a leading X in an
// MRZ, that stand for one Arabic letter (خ is XKH). They become the common
// spelling before anything else looks at the token.
var icaoArabicX = []struct{ x, plain string }{
	{"xkh", "kh"}, {"xth", "th"}, {"xdh", "dh"}, {"xsh", "sh"}, {"xgh", "gh"},
	{"xss", "s"}, {"xdz", "d"}, {"xtt", "t"}, {"xzz", "z"}, {"xaa", "a"},
	{"xae", "a"}, {"xay", "a"},
}

// isArabicLetter reports whether r is an Arabic-script letter we know.
func isArabicLetter(r rune) bool {
	_, ok := arabic[r]
	return ok
}

// isArabicMark reports Arabic vowel signs and tatweel, which names drop.
func isArabicMark(r rune) bool {
	return (r >= 0x064B && r <= 0x065F) || r == 0x0670 || r == 0x0640
}

// foldRune lower-cases r and returns its (ICAO, common) Latin spellings, or
// ok=false when r is not a letter or digit we keep. Letters of scripts we
// do not transliterate stay as they are, lower-cased.
func foldRune(r rune) (p latinPair, ok bool) {
	switch r {
	case 'İ', 'I', 'ı':
		// Turkish dotted and dotless I both meet plain I: a traveller's
		// document rarely keeps the distinction.
		return latinPair{"i", "i"}, true
	}
	r = unicode.ToLower(r)
	if r < 0x80 {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			s := string(r)
			return latinPair{s, s}, true
		}
		if r == '\'' || r == '`' {
			return latinPair{}, true
		}
		return latinPair{}, false
	}
	if p, ok := latinSpecial[r]; ok {
		return p, true
	}
	if p, ok := cyrillic[r]; ok {
		return p, true
	}
	if p, ok := greek[r]; ok {
		return p, true
	}
	if unicode.Is(unicode.Greek, r) {
		// Accented Greek vowels: strip the accent, then look up.
		if b := baseRune(r); b != r {
			if p, ok := greek[b]; ok {
				return p, true
			}
		}
	}
	if unicode.Is(unicode.Latin, r) {
		b := baseRune(r)
		if b < 0x80 && unicode.IsLetter(b) {
			s := string(unicode.ToLower(b))
			return latinPair{s, s}, true
		}
		if p, ok := latinSpecial[b]; ok {
			return p, true
		}
	}
	if l, ok := otherScripts[r]; ok {
		return latinPair{l, l}, true
	}
	if l, ok := kana[r]; ok {
		return latinPair{l, l}, true
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		s := string(r)
		return latinPair{s, s}, true
	}
	if unicode.Is(unicode.Mn, r) {
		return latinPair{}, true // combining marks: dropped, token goes on
	}
	return latinPair{}, false
}

// baseRune strips diacritics: the first rune of r's canonical decomposition.
func baseRune(r rune) rune {
	d := norm.NFD.String(string(r))
	for _, b := range d {
		return b
	}
	return r
}

// arabicForms transliterates one Arabic-script word (marks removed) to its
// common Latin spelling and its consonant skeleton.
func arabicForms(word []rune) (latin, skel string) {
	var lb strings.Builder
	sk := make([]byte, 0, len(word))
	for i, r := range word {
		a, ok := arabic[r]
		if !ok {
			continue
		}
		lb.WriteString(a.latin)
		c := a.skel
		switch {
		case c == 0:
			continue
		case (c == 'w' || c == 'y') && i > 0:
			continue // long vowel inside a word
		case c == 'h' && i == len(word)-1 && i > 0:
			continue // final ه is mostly the feminine ending, written -a or -ah
		}
		if n := len(sk); n > 0 && sk[n-1] == c {
			continue
		}
		sk = append(sk, c)
	}
	return lb.String(), string(sk)
}

// latinSkeleton reduces a Latin spelling to consonant classes, so that
// transliterations that differ only in vowels and doubled letters (Mohammed,
// Muhammad, Mohamad) meet, and a Latin name meets its Arabic original.
func latinSkeleton(s string) string {
	sk := make([]byte, 0, len(s))
	push := func(c byte) {
		if n := len(sk); n > 0 && sk[n-1] == c {
			return
		}
		sk = append(sk, c)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		if next == 'h' {
			switch c {
			case 'k':
				push('x')
				i++
				continue
			case 'g':
				push('g')
				i++
				continue
			case 's', 'c':
				push('S')
				i++
				continue
			case 't':
				push('t')
				i++
				continue
			case 'd':
				push('d')
				i++
				continue
			case 'p':
				push('f')
				i++
				continue
			case 'z':
				push('j')
				i++
				continue
			}
		}
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			continue
		case 'y', 'w':
			if i > 0 {
				continue
			}
		case 'h':
			if i == len(s)-1 && i > 0 {
				continue // final -ah, -eh: the feminine ending
			}
		case 'q', 'c':
			c = 'k'
		case 'v':
			c = 'w'
		case 'p':
			c = 'b'
		case 'x':
			c = 'x'
		}
		if c >= 0x80 {
			return "" // not Latin: no skeleton
		}
		push(c)
	}
	return string(sk)
}

// phonetic reduces a Latin spelling to how it sounds across the ways
// names are transliterated, keeping its vowels (unlike the skeleton): e
// and i are one vowel, o and u another (Arabic writes three); a vowel or
// consonant written twice is written once (Zeea/Zia, Jabbar/Jabar,
// Moun/Mun); KH and H, Q and K, SH and CH, PH and F, TH and T, DH and D,
// W and V are one sound each; Y after the first letter is a vowel
// (Aly/Ali); a final H after a vowel is silent (Abdullah/Abdulla). Names
// with the same phonetic form are spellings of one name, not typos.
// Returns "" for spellings that are not plain Latin letters.
func phonetic(s string) string {
	b := make([]byte, 0, len(s))
	push := func(c byte) {
		if n := len(b); n == 0 || b[n-1] != c {
			b = append(b, c)
		}
	}
	vowel := func(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' }
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			return ""
		}
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case strings.HasPrefix(s[i:], "tsch"):
			push('S')
			i += 3
			continue
		case strings.HasPrefix(s[i:], "sch"), strings.HasPrefix(s[i:], "tch"):
			push('S')
			i += 2
			continue
		case next == 'h' && strings.IndexByte("cskgptdzjbr", c) >= 0:
			switch c {
			case 'c', 's':
				push('S')
			case 'k':
				push('h') // KH/H: Khalid, Halid
			case 'p':
				push('f')
			case 'z':
				push('j')
			default:
				push(c) // GH, TH, DH, and BH, JH, RH of South Asian spellings
			}
			i++
			continue
		case c == 'd' && next == 'j':
			push('j')
			i++
			continue
		case c == 'c' && next == 'k':
			continue // "ck": the k follows
		}
		switch c {
		case 'a':
			push('a')
		case 'e', 'i':
			push('i')
		case 'o', 'u':
			push('u')
		case 'y':
			if i == 0 || i > 0 && vowel(s[i-1]) && next != 0 && vowel(next) {
				push('y') // a consonant: Yusuf, Sayed
			} else {
				push('i') // a vowel: Aly, Hyon
			}
		case 'q':
			push('k')
		case 'c':
			if next == 'e' || next == 'i' || next == 'y' {
				push('s')
			} else {
				push('k')
			}
		case 'x':
			push('k')
			push('s')
		case 'w':
			push('v')
		case 'h':
			if i == len(s)-1 && i > 0 && vowel(s[i-1]) {
				continue // Abdullah, Fatimah
			}
			push('h')
		default:
			push(c)
		}
	}
	return string(b)
}

// arabicSpellings are the Latin spellings of each Arabic-script letter in
// names, common and ICAO practice together. Long vowels (ا و ي) have their
// vowel spellings; letters often left out (ع, ء, a final ه) have "".
var arabicSpellings = map[rune][]string{
	'ا': {"a", "aa", "e", "i", "o", "u"}, 'ء': {""}, 'ؤ': {"", "u", "o"}, 'ئ': {"", "i", "e", "y"},
	'ب': {"b", "p"}, 'ت': {"t"}, 'ث': {"th", "s", "t"}, 'ج': {"j", "g", "dj", "dzh", "zh"},
	'ح': {"h"}, 'خ': {"kh", "h", "x", "k", "ch"}, 'د': {"d"}, 'ذ': {"dh", "z", "d", "th"}, 'ر': {"r"},
	'ز': {"z", "s"}, 'س': {"s"}, 'ش': {"sh", "ch", "sch", "s"}, 'ص': {"s"}, 'ض': {"d", "dh", "z"},
	'ط': {"t"}, 'ظ': {"z", "dh", "d"}, 'ع': {"", "a", "e", "i", "o", "u", "aa"}, 'غ': {"gh", "g", "r"},
	'ف': {"f", "ph", "v"}, 'ق': {"q", "k", "g", "c"}, 'ك': {"k", "c", "ck"}, 'ل': {"l"}, 'م': {"m"},
	'ن': {"n"}, 'ه': {"h", "", "a", "e", "ah", "eh"}, 'و': {"w", "v", "u", "o", "ou", "oo", "ow"},
	'ي': {"y", "i", "e", "ee", "ie", "ey", "ai", "ay", "ei", "iy", "a"}, // "a": an alif maqsura, normalised to ي
	'ة': {"a", "ah", "at", "e", "eh", ""},
	'ى': {"a", "i", "y"}, 'پ': {"p", "b"}, 'چ': {"ch", "tch", "c"}, 'ژ': {"zh", "j", "z"}, 'گ': {"g"},
	'ٹ': {"t"}, 'ڈ': {"d"}, 'ڑ': {"r"}, 'ں': {"n"}, 'ے': {"e", "ai", "y"}, 'ټ': {"t"}, 'ځ': {"dz", "z"},
	'څ': {"ts", "s"}, 'ډ': {"d"}, 'ړ': {"r"}, 'ږ': {"zh", "g"}, 'ښ': {"sh", "kh"}, 'ګ': {"g"}, 'ڼ': {"n"},
}

// arabicFit counts the edits that reading a Latin spelling as an
// Arabic-script word needs: 0 when every Latin letter is one of the word's
// letters as spelt in names, a short vowel between them (Arabic does not
// write those) or a doubled consonant (nor that); a Latin vowel before the
// first letter, where Arabic would need an alif or ain, counts two; any
// other letter left over on either side, or replaced, one. The
// consonant skeleton alone cannot tell Amrani from مروان (Marwan).
func arabicFit(latin, word string) int {
	var arBuf [32]rune
	ar := arBuf[:0] // on the stack for a name's word
	for _, r := range word {
		ar = append(ar, r)
	}
	const inf = 1 << 20
	// f[i][j]: cost of reading ar[:i] as latin[:j], rows of len(latin)+1
	// in one slice, on the stack for a name's word.
	var buf [33 * 33]int
	cols := len(latin) + 1
	cells := buf[:0]
	if n := (len(ar) + 1) * cols; n <= len(buf) {
		cells = buf[:n]
	} else {
		cells = make([]int, n)
	}
	f := func(i int) []int { return cells[i*cols : (i+1)*cols] }
	for i := range cells {
		cells[i] = inf
	}
	f(0)[0] = 0
	isVowel := func(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
	for i := 0; i <= len(ar); i++ {
		for j := 0; j <= len(latin); j++ {
			c := f(i)[j]
			if c == inf {
				continue
			}
			relax := func(ii, jj, cost int) {
				if ii <= len(ar) && jj <= len(latin) && c+cost < f(ii)[jj] {
					f(ii)[jj] = c + cost
				}
			}
			if j < len(latin) {
				switch l := latin[j]; {
				case isVowel(l) && i == 0:
					relax(i, j+1, 2) // Arabic writes a leading vowel
				case (l == 'i' || l == 'y') && i == len(ar) && j == len(latin)-1:
					relax(i, j+1, 2) // a final -i is written ي: without it, a name and its nisba (Anwar, انوري)
				case isVowel(l) && i == len(ar):
					relax(i, j+1, 1) // nor ends a name on a short vowel
				case isVowel(l):
					relax(i, j+1, 0) // a short vowel
				case j > 0 && l == latin[j-1]:
					relax(i, j+1, 0) // a doubled consonant (shadda)
				default:
					relax(i, j+1, 1)
				}
			}
			if i < len(ar) {
				if i == len(ar)-1 && ar[i] == 'ي' && j == len(latin) {
					relax(i+1, j, 2) // the same nisba the other way
				} else {
					relax(i+1, j, 1)
				}
				ops, ok := arabicSpellings[ar[i]]
				if !ok {
					continue
				}
				for _, o := range ops {
					if strings.HasPrefix(latin[j:], o) {
						relax(i+1, j+len(o), 0)
					}
				}
				if j < len(latin) {
					relax(i+1, j+1, 1)
				}
			}
		}
	}
	return f(len(ar))[len(latin)]
}

// otherScripts transliterates alphabets and syllabaries beyond ICAO's
// tables by common practice, so that a name in Georgian, Armenian, Hebrew or
// Japanese kana can meet its Latin spelling through the skeleton.
var otherScripts = map[rune]string{
	// Georgian (national system).
	'ა': "a", 'ბ': "b", 'გ': "g", 'დ': "d", 'ე': "e", 'ვ': "v", 'ზ': "z", 'თ': "t", 'ი': "i",
	'კ': "k", 'ლ': "l", 'მ': "m", 'ნ': "n", 'ო': "o", 'პ': "p", 'ჟ': "zh", 'რ': "r", 'ს': "s",
	'ტ': "t", 'უ': "u", 'ფ': "p", 'ქ': "k", 'ღ': "gh", 'ყ': "q", 'შ': "sh", 'ჩ': "ch", 'ც': "ts",
	'ძ': "dz", 'წ': "ts", 'ჭ': "ch", 'ხ': "kh", 'ჯ': "j", 'ჰ': "h",
	// Armenian.
	'ա': "a", 'բ': "b", 'գ': "g", 'դ': "d", 'ե': "e", 'զ': "z", 'է': "e", 'ը': "y", 'թ': "t",
	'ժ': "zh", 'ի': "i", 'լ': "l", 'խ': "kh", 'ծ': "ts", 'կ': "k", 'հ': "h", 'ձ': "dz", 'ղ': "gh",
	'ճ': "ch", 'մ': "m", 'յ': "y", 'ն': "n", 'շ': "sh", 'ո': "o", 'չ': "ch", 'պ': "p", 'ջ': "j",
	'ռ': "r", 'ս': "s", 'վ': "v", 'տ': "t", 'ր': "r", 'ց': "ts", 'ւ': "u", 'փ': "p", 'ք': "k",
	'օ': "o", 'ֆ': "f",
	// Hebrew (consonants; vowels are not written).
	'א': "", 'ב': "b", 'ג': "g", 'ד': "d", 'ה': "h", 'ו': "v", 'ז': "z", 'ח': "kh", 'ט': "t",
	'י': "y", 'כ': "k", 'ך': "k", 'ל': "l", 'מ': "m", 'ם': "m", 'נ': "n", 'ן': "n", 'ס': "s",
	'ע': "", 'פ': "p", 'ף': "f", 'צ': "ts", 'ץ': "ts", 'ק': "k", 'ר': "r", 'ש': "sh", 'ת': "t",
}

// kana is Hepburn romanisation of katakana and hiragana syllables.
var kana = func() map[rune]string {
	rows := []struct {
		kata, hira string
		latin      []string
	}{
		{"アイウエオ", "あいうえお", []string{"a", "i", "u", "e", "o"}},
		{"カキクケコ", "かきくけこ", []string{"ka", "ki", "ku", "ke", "ko"}},
		{"ガギグゲゴ", "がぎぐげご", []string{"ga", "gi", "gu", "ge", "go"}},
		{"サシスセソ", "さしすせそ", []string{"sa", "shi", "su", "se", "so"}},
		{"ザジズゼゾ", "ざじずぜぞ", []string{"za", "ji", "zu", "ze", "zo"}},
		{"タチツテト", "たちつてと", []string{"ta", "chi", "tsu", "te", "to"}},
		{"ダヂヅデド", "だぢづでど", []string{"da", "ji", "zu", "de", "do"}},
		{"ナニヌネノ", "なにぬねの", []string{"na", "ni", "nu", "ne", "no"}},
		{"ハヒフヘホ", "はひふへほ", []string{"ha", "hi", "fu", "he", "ho"}},
		{"バビブベボ", "ばびぶべぼ", []string{"ba", "bi", "bu", "be", "bo"}},
		{"パピプペポ", "ぱぴぷぺぽ", []string{"pa", "pi", "pu", "pe", "po"}},
		{"マミムメモ", "まみむめも", []string{"ma", "mi", "mu", "me", "mo"}},
		{"ヤユヨ", "やゆよ", []string{"ya", "yu", "yo"}},
		{"ラリルレロ", "らりるれろ", []string{"ra", "ri", "ru", "re", "ro"}},
		{"ワヲン", "わをん", []string{"wa", "o", "n"}},
		{"ァィゥェォ", "ぁぃぅぇぉ", []string{"a", "i", "u", "e", "o"}},
		{"ャュョ", "ゃゅょ", []string{"ya", "yu", "yo"}},
		{"ヴ", "ゔ", []string{"vu"}},
	}
	m := map[rune]string{'ー': "", 'ッ': "", 'っ': ""}
	for _, r := range rows {
		k, h := []rune(r.kata), []rune(r.hira)
		for i, l := range r.latin {
			m[k[i]] = l
			m[h[i]] = l
		}
	}
	return m
}()
