// Package strdist holds the string distances that matching and the
// variant-table generator share, so that both judge spellings alike.
package strdist

import "unicode/utf8"

// Tokens are short (a name word), so simple quadratic algorithms on a
// stack buffer are fastest.

// IsASCII reports whether s has only single-byte characters.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Levenshtein is the edit distance between a and b, with an adjacent
// transposition counting as one edit (fat-finger typos: Donlad).
func Levenshtein(a, b string) int {
	if IsASCII(a) && IsASCII(b) {
		return LevenshteinASCII(a, b)
	}
	ra, rb := []rune(a), []rune(b)
	sa := make([]byte, 0, len(ra))
	sb := make([]byte, 0, len(rb))
	// Map runes to small ids so the byte version can be reused.
	ids := map[rune]byte{}
	id := func(r rune) byte {
		if v, ok := ids[r]; ok {
			return v
		}
		v := byte(len(ids) + 1)
		ids[r] = v
		return v
	}
	for _, r := range ra {
		sa = append(sa, id(r))
	}
	for _, r := range rb {
		sb = append(sb, id(r))
	}
	return LevenshteinASCII(string(sa), string(sb))
}

// LevenshteinASCII is the optimal-string-alignment distance on bytes.
func LevenshteinASCII(a, b string) int {
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	var buf [3 * 64]int
	n := len(b) + 1
	var prev2, prev, cur []int
	if 3*n <= len(buf) {
		prev2, prev, cur = buf[0:n], buf[n:2*n], buf[2*n:3*n]
	} else {
		prev2, prev, cur = make([]int, n), make([]int, n), make([]int, n)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// JaroWinkler is the Jaro-Winkler similarity of a and b in [0,1].
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	var ba, bb [64]rune // names are short: no allocation in the common case
	return jaroWinklerRunes(appendRunes(ba[:0], a), appendRunes(bb[:0], b))
}

// appendRunes appends the characters of s to dst.
func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

// jaroWinklerRunes is Jaro-Winkler over characters.
func jaroWinklerRunes(ra, rb []rune) float64 {
	la, lb := len(ra), len(rb)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [64]bool
	if la > 64 || lb > 64 {
		return 0
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && ra[i] == rb[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if ra[i] != rb[k] {
			t++
		}
		k++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	p := 0
	for p < 4 && p < la && p < lb && ra[p] == rb[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro)
}

// RuneLen is the number of characters in s.
func RuneLen(s string) int { return utf8.RuneCountInString(s) }

// WithinOne reports whether a and b are at most one edit apart as
// Levenshtein counts edits (one substitution, insertion, deletion or
// adjacent transposition), in one pass and without a table.
func WithinOne(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	p := 0
	for p < len(a) && a[p] == b[p] {
		p++
	}
	if p == len(a) {
		return true // equal, or b has one byte more at the end
	}
	if len(a) == len(b) {
		if a[p+1:] == b[p+1:] {
			return true // a substitution
		}
		return p+1 < len(a) && a[p] == b[p+1] && a[p+1] == b[p] && a[p+2:] == b[p+2:]
	}
	return a[p:] == b[p+1:] // an insertion
}

// BagDistance is a lower bound of Levenshtein for ASCII strings: the
// letters of one that the other lacks, counted with their repeats. It
// costs one pass, so that most pairs of unrelated names are ruled out
// before the quadratic distance.
func BagDistance(a, b string) int {
	var n [128]int8
	for i := 0; i < len(a); i++ {
		n[a[i]&0x7f]++
	}
	for i := 0; i < len(b); i++ {
		n[b[i]&0x7f]--
	}
	more, less := 0, 0
	for _, v := range n {
		if v > 0 {
			more += int(v)
		} else {
			less -= int(v)
		}
	}
	return max(more, less)
}
