package mrz

import (
	"fmt"
	"slices"
	"strings"
)

// typed prepares lines an officer typed by hand for tolerant parsing:
// lower-case letters become upper case, and blanks (spaces, tabs) inside a
// line are read as '<' fillers, or dropped as grouping, whichever gives the
// line its format's length. A line that ends in a name field (TD3, TD2 and
// visa line 1, TD1 line 3) or in TD1's first optional data is padded with
// '<' when its trailing fillers were left out; other lines end in check
// digits, so nothing is guessed there and a wrong length stays an error.
// Each change is reported as a warning.
func typed(lines []string) ([]string, []string) {
	var warns []string
	upper := false
	for i, l := range lines {
		if strings.ContainsFunc(l, isLower) {
			upper = true
			lines[i] = strings.Map(func(r rune) rune {
				if isLower(r) {
					return r - 'a' + 'A'
				}
				return r
			}, l)
		}
	}
	if upper {
		warns = append(warns, "lower-case letters read as upper case")
	}
	var target int
	switch len(lines) {
	case 1:
		target = fits(lines[0], 72, 88, 90)
	case 2:
		if target = fits(lines[1], 36, 44); target == 0 {
			target = fits(lines[0], 36, 44)
		}
	case 3:
		target = 30
	}
	if target == 0 {
		return lines, warns
	}
	for i, l := range lines {
		pad := (len(lines) == 2 && i == 0) || (len(lines) == 3 && (i == 0 || i == 2))
		var how string
		lines[i], how = fit(l, target, pad)
		if how != "" {
			warns = append(warns, fmt.Sprintf("line %d: %s", i+1, how))
		}
	}
	return lines, warns
}

func isLower(r rune) bool { return r >= 'a' && r <= 'z' }
func isBlank(r rune) bool { return r == ' ' || r == '\t' }

// blanks returns l with each blank replaced by with, or dropped when with
// is 0.
func blanks(l string, with rune) string {
	return strings.Map(func(r rune) rune {
		if isBlank(r) {
			if with == 0 {
				return -1
			}
			return with
		}
		return r
	}, l)
}

// fits returns the first of lengths that l has with its blanks read as '<'
// or dropped, or 0.
func fits(l string, lengths ...int) int {
	for _, c := range []string{blanks(l, '<'), blanks(l, 0)} {
		if slices.Contains(lengths, len(c)) {
			return len(c)
		}
	}
	return 0
}

// fit makes l target characters long if it can be done without guessing
// (see typed), and says how.
func fit(l string, target int, pad bool) (string, string) {
	if !strings.ContainsFunc(l, isBlank) {
		if pad && len(l) < target {
			return l + strings.Repeat("<", target-len(l)), fmt.Sprintf("padded with '<' to %d characters", target)
		}
		return l, ""
	}
	fill, drop := blanks(l, '<'), blanks(l, 0)
	switch {
	case len(fill) == target:
		return fill, "spaces read as '<'"
	case len(drop) == target:
		return drop, "spaces dropped"
	case !pad:
		return l, ""
	case len(fill) < target:
		return fill + strings.Repeat("<", target-len(fill)), fmt.Sprintf("spaces read as '<', padded with '<' to %d characters", target)
	case strings.Trim(fill[target:], "<") == "":
		return fill[:target], fmt.Sprintf("spaces read as '<', fillers past %d characters dropped", target)
	case len(drop) < target:
		return drop + strings.Repeat("<", target-len(drop)), fmt.Sprintf("spaces dropped, padded with '<' to %d characters", target)
	}
	return l, ""
}
