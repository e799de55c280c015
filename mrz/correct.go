package mrz

import "fmt"

// OCR look-alikes. toDigit and toLetter fix a character whose field type
// rules it out; G/6 are included there because the type alone decides them.
var toDigit, toLetter, lookalike [256]byte

func init() {
	for _, p := range []string{"O0", "I1", "S5", "B8", "Z2", "G6"} {
		toDigit[p[0]], toLetter[p[1]] = p[1], p[0]
	}
	// G and 6 differ by 10 in check-digit arithmetic, so no check can tell
	// them apart: the search leaves them alone rather than guess.
	for _, p := range []string{"O0", "I1", "S5", "B8", "Z2"} {
		lookalike[p[0]], lookalike[p[1]] = p[1], p[0]
	}
}

// maxSwaps and maxCandidates bound the search: 3 swaps among 30 places is
// about 4,500 trials, quick enough to run on every scan.
const (
	maxSwaps      = 3
	maxCandidates = 30
)

// correct fixes OCR confusions in b in place and returns warnings for what
// it could not decide. First by field type: digits-only positions lose their
// letters and letters-only positions their digits. Then, if a check still
// fails, it looks for the fewest look-alike swaps in the alphanumeric fields
// (document number, optional data) that make every check verify, and applies
// them only if that fewest is unique: a wrong document number is worse than
// a reported bad one. Ties are broken by context (pickByContext).
func correct(b []byte, lay *layout) []string {
	for _, p := range numericPositions(lay) {
		if d := toDigit[b[p]]; d != 0 {
			b[p] = d
		}
	}
	for _, p := range alphaPositions(lay) {
		if l := toLetter[b[p]]; l != 0 {
			b[p] = l
		}
	}
	if allPass(b, lay) {
		return nil
	}

	var cands []int
	add := func(s span) {
		for p := s.lo; p < s.hi; p++ {
			if lookalike[b[p]] != 0 {
				cands = append(cands, p)
			}
		}
	}
	for _, o := range checks(b, lay) {
		if o.ok {
			continue
		}
		switch o.name {
		case CheckDOB, CheckExpiry:
			return nil // all digits now; a digit misread as a digit is beyond us
		case CheckDocumentNumber:
			add(lay.docNum)
			if b[lay.docCD] == '<' && lay.overflow {
				add(lay.opt) // the overflow and its check digit
			}
		case CheckOptional:
			add(lay.opt)
		case CheckComposite:
			// Fields no other check covers can only be fixed through
			// the composite.
			if lay.optCD < 0 {
				add(lay.opt)
			}
			add(lay.opt2)
		}
	}
	cands = dedupe(cands)
	if len(cands) > maxCandidates {
		cands = cands[:maxCandidates]
	}

	for n := 1; n <= maxSwaps && n <= len(cands); n++ {
		var found [][]int
		combinations(len(cands), n, func(idx []int) {
			for _, i := range idx {
				b[cands[i]] = lookalike[b[cands[i]]]
			}
			if allPass(b, lay) {
				sol := make([]int, len(idx))
				for k, i := range idx {
					sol[k] = cands[i]
				}
				found = append(found, sol)
			}
			for _, i := range idx {
				b[cands[i]] = lookalike[b[cands[i]]]
			}
		})
		if len(found) == 0 {
			continue
		}
		best, tied := pickByContext(b, lay, found)
		if tied > 1 {
			return []string{fmt.Sprintf("ocr: %d corrections of %d character(s) make every check verify and none is likelier; none applied", tied, n)}
		}
		for _, p := range best {
			b[p] = lookalike[b[p]]
		}
		return nil
	}
	return nil
}

// pickByContext breaks ties between equally small corrections by the
// neighbours of each changed character: a letter between digits is more
// likely a misread digit than the other way round. Only neighbours in the
// same field count. It returns the best solution and how many share its
// score.
func pickByContext(b []byte, lay *layout, found [][]int) (best []int, tied int) {
	bestScore := 0
	for _, sol := range found {
		for _, p := range sol {
			b[p] = lookalike[b[p]]
		}
		score := 0
		for _, p := range sol {
			f := lay.docNum
			for _, s := range []span{lay.opt, lay.opt2} {
				if p >= s.lo && p < s.hi {
					f = s
				}
			}
			for _, q := range []int{p - 1, p + 1} {
				if q < f.lo || q >= f.hi || b[q] == '<' {
					continue
				}
				if isDigit(b[q]) == isDigit(b[p]) {
					score++
				} else {
					score--
				}
			}
		}
		for _, p := range sol {
			b[p] = lookalike[b[p]]
		}
		switch {
		case best == nil || score > bestScore:
			best, bestScore, tied = sol, score, 1
		case score == bestScore:
			tied++
		}
	}
	return best, tied
}

// combinations calls f with every n-subset of 0..k-1 in increasing order.
// f must not keep idx.
func combinations(k, n int, f func(idx []int)) {
	idx := make([]int, n)
	var rec func(pos, from int)
	rec = func(pos, from int) {
		if pos == n {
			f(idx)
			return
		}
		for i := from; i <= k-(n-pos); i++ {
			idx[pos] = i
			rec(pos+1, i+1)
		}
	}
	rec(0, 0)
}

func dedupe(ps []int) []int {
	seen := map[int]bool{}
	out := ps[:0]
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// numericPositions are where only digits (or the filler) belong: dates and
// check digits.
func numericPositions(lay *layout) []int {
	var ps []int
	for _, s := range []span{lay.dob, lay.exp} {
		for p := s.lo; p < s.hi; p++ {
			ps = append(ps, p)
		}
	}
	ps = append(ps, lay.docCD, lay.dobCD, lay.expCD)
	if lay.optCD >= 0 {
		ps = append(ps, lay.optCD)
	}
	if lay.composite >= 0 {
		ps = append(ps, lay.composite)
	}
	return ps
}

// alphaPositions are where only letters (or the filler) belong: the
// document code, state codes and the name.
func alphaPositions(lay *layout) []int {
	var ps []int
	for _, s := range []span{lay.code, lay.issuer, lay.nat, lay.name} {
		for p := s.lo; p < s.hi; p++ {
			ps = append(ps, p)
		}
	}
	return ps
}

// fieldAt names the field position p belongs to, for Correction.Field.
func fieldAt(b []byte, lay *layout, p int) string {
	in := func(s span) bool { return p >= s.lo && p < s.hi }
	switch {
	case in(lay.code):
		return "document_code"
	case in(lay.issuer):
		return "issuer"
	case in(lay.name):
		return "name"
	case in(lay.docNum), p == lay.docCD:
		return CheckDocumentNumber
	case in(lay.nat):
		return "nationality"
	case in(lay.dob), p == lay.dobCD:
		return CheckDOB
	case p == lay.sex:
		return "sex"
	case in(lay.exp), p == lay.expCD:
		return CheckExpiry
	case in(lay.opt):
		if _, optFrom, _ := docNumber(b, lay); p < optFrom {
			return CheckDocumentNumber // the overflow of a long number
		}
		return CheckOptional
	case p == lay.optCD:
		return CheckOptional
	case in(lay.opt2):
		return "optional_2"
	case p == lay.composite:
		return CheckComposite
	}
	return ""
}
