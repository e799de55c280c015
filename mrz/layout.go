package mrz

// Formats a machine readable zone can have (ICAO Doc 9303 Parts 4-7).
const (
	TD1  = "TD1"   // identity card: 3 lines of 30
	TD2  = "TD2"   // identity card or passport: 2 lines of 36
	TD3  = "TD3"   // passport: 2 lines of 44
	MRVA = "MRV-A" // visa: 2 lines of 44, document code V
	MRVB = "MRV-B" // visa: 2 lines of 36, document code V
)

// Check names: the keys of Result.Checks, fixed by design.md §5.
const (
	CheckDocumentNumber = "document_number"
	CheckDOB            = "dob"
	CheckExpiry         = "expiry"
	CheckOptional       = "optional"
	CheckComposite      = "composite"
)

// span is a half-open byte range [lo, hi) in the MRZ with its lines joined.
// Working on one flat string lets every format share the field logic.
type span struct{ lo, hi int }

func (s span) len() int { return s.hi - s.lo }

// layout says where each field sits for one format. A position of -1 means
// the format has no such field.
type layout struct {
	format  string
	lineLen int
	lines   int

	code, issuer, name span
	docNum             span
	docCD              int
	nat                span
	dob                span
	dobCD              int
	sex                int
	exp                span
	expCD              int
	// opt is the optional data that follows the document number (TD1 line 1)
	// or the expiry (other formats): where a long document number
	// continues. TD3 calls it the personal number and gives it optCD.
	opt   span
	optCD int
	// overflow: a document number longer than 9 may continue in opt. Doc
	// 9303 defines this for the cards (TD1, TD2) only; in a passport or
	// visa a '<' check digit is simply wrong.
	overflow bool
	// opt2 is TD1's second optional field (line 2).
	opt2      span
	composite int
	compSpans []span
}

// td1 is the three-line identity-card layout. Its fields are not in the same
// places as the two-line formats, so it is spelled out.
var td1 = layout{
	format: TD1, lineLen: 30, lines: 3,
	code: span{0, 2}, issuer: span{2, 5},
	docNum: span{5, 14}, docCD: 14, opt: span{15, 30}, optCD: -1, overflow: true,
	dob: span{30, 36}, dobCD: 36, sex: 37, exp: span{38, 44}, expCD: 44,
	nat: span{45, 48}, opt2: span{48, 59}, composite: 59,
	compSpans: []span{{5, 30}, {30, 37}, {38, 45}, {48, 59}},
	name:      span{60, 90},
}

// twoLine builds the layout of a two-line format of line length n: TD2, TD3
// and both visas share line 2 up to the expiry check digit.
func twoLine(format string, n int) layout {
	l := layout{
		format: format, lineLen: n, lines: 2,
		code: span{0, 2}, issuer: span{2, 5}, name: span{5, n},
		docNum: span{n, n + 9}, docCD: n + 9, nat: span{n + 10, n + 13},
		dob: span{n + 13, n + 19}, dobCD: n + 19, sex: n + 20,
		exp: span{n + 21, n + 27}, expCD: n + 27,
		optCD: -1, composite: -1,
	}
	switch format {
	case TD3:
		l.opt, l.optCD, l.composite = span{n + 28, 2*n - 2}, 2*n-2, 2*n-1
		l.compSpans = []span{{n, n + 10}, {n + 13, n + 20}, {n + 21, 2*n - 1}}
	case TD2:
		l.opt, l.composite, l.overflow = span{n + 28, 2*n - 1}, 2*n-1, true
		l.compSpans = []span{{n, n + 10}, {n + 13, n + 20}, {n + 21, 2*n - 1}}
	default: // visas have no composite check digit
		l.opt = span{n + 28, 2 * n}
	}
	return l
}

var (
	td2  = twoLine(TD2, 36)
	td3  = twoLine(TD3, 44)
	mrva = twoLine(MRVA, 44)
	mrvb = twoLine(MRVB, 36)
)

// layoutFor picks the layout from the line shape and the document code: a
// visa is told from a passport or card of the same size only by its V.
func layoutFor(lines, lineLen int, docCode byte) *layout {
	switch {
	case lines == 3:
		return &td1
	case lineLen == 44 && docCode == 'V':
		return &mrva
	case lineLen == 44:
		return &td3
	case docCode == 'V':
		return &mrvb
	}
	return &td2
}

// checkWeights are ICAO's 7-3-1 weights, repeated from the left.
var checkWeights = [3]int{7, 3, 1}

// charValue is a character's value in check-digit arithmetic: digits are
// themselves, A-Z are 10-35, and the filler '<' (or anything else) is 0.
func charValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 0
}

// CheckDigit returns the ICAO Doc 9303 check digit of s (Part 3 §4.9):
// weights 7, 3, 1 repeating, '<' counting 0, A-Z 10-35, sum modulo 10.
func CheckDigit(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += charValue(s[i]) * checkWeights[i%3]
	}
	return sum % 10
}

// checkSpans is CheckDigit over several ranges taken as one string, as the
// composite check is, without building that string.
func checkSpans(b []byte, spans []span) int {
	sum, i := 0, 0
	for _, s := range spans {
		for p := s.lo; p < s.hi; p++ {
			sum += charValue(b[p]) * checkWeights[i%3]
			i++
		}
	}
	return sum % 10
}
