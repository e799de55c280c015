package mrz

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"tripline"
)

// maxInput bounds what we look at: an MRZ is at most 90 characters, and a
// caller pasting a whole file should get an error, not a slow scan.
const maxInput = 4096

// splitInput turns raw text into MRZ lines of one valid shape, or returns a
// coded EINVALID error naming the line and what is wrong with it. Surrounding
// whitespace, CR/CRLF line ends and blank lines are forgiven; a single line
// of exactly 72, 88 or 90 characters is read as the lines run together, with
// a warning so that the caller knows the input was not as printed. With
// tolerant set, hand-typed input is forgiven too: lower case, and spaces
// inside lines or left-out trailing fillers (see typed).
func splitInput(input string, tolerant bool) (lines []string, warnings []string, err error) {
	if len(input) > maxInput {
		return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: input of %d bytes is too long for an MRZ (at most 3 lines of 30 to 44 characters)", len(input))
	}
	input = strings.ReplaceAll(input, "\r\n", "\n")
	input = strings.ReplaceAll(input, "\r", "\n")
	for _, l := range strings.Split(input, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: empty input")
	}
	if tolerant {
		lines, warnings = typed(lines)
	}
	for i, l := range lines {
		if err := checkChars(i+1, l); err != nil {
			return nil, nil, err
		}
	}

	switch len(lines) {
	case 1:
		n := len(lines[0])
		var per int
		switch n {
		case 90:
			per = 30
		case 88:
			per = 44
		case 72:
			per = 36
		default:
			return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: one line of %d characters; want 2 or 3 lines, or one line of 72, 88 or 90 characters", n)
		}
		one := lines[0]
		lines = lines[:0]
		for i := 0; i < n; i += per {
			lines = append(lines, one[i:i+per])
		}
		warnings = append(warnings, fmt.Sprintf("input was one line of %d characters; read as %d lines of %d", n, n/per, per))
	case 2:
		want := len(lines[0])
		if want != 36 && want != 44 {
			if l2 := len(lines[1]); l2 == 36 || l2 == 44 {
				return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: line 1 has %d characters, want %d (%s)", want, l2, twoLineName(l2, lines[0][0]))
			}
			return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: line 1 has %d characters, want 36 (TD2, MRV-B) or 44 (TD3, MRV-A)", want)
		}
		if got := len(lines[1]); got != want {
			return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: line 2 has %d characters, want %d (%s)", got, want, twoLineName(want, lines[0][0]))
		}
	case 3:
		for i, l := range lines {
			if len(l) != 30 {
				return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: line %d has %d characters, want 30 (TD1)", i+1, len(l))
			}
		}
	default:
		return nil, nil, tripline.Errorf(tripline.EINVALID, "mrz: %d lines, want 2 (TD2, TD3, MRV) or 3 (TD1)", len(lines))
	}
	return lines, warnings, nil
}

// twoLineName names the format a two-line MRZ of length n would be, for
// error messages.
func twoLineName(n int, docCode byte) string {
	return layoutFor(2, n, docCode).format
}

// checkChars rejects anything outside the MRZ alphabet [A-Z0-9<], naming the
// line, the column and the character. Lower case gets a hint because it is
// the usual way an MRZ gets mangled by hand.
func checkChars(line int, l string) error {
	col := 0
	for i := 0; i < len(l); {
		r, size := utf8.DecodeRuneInString(l[i:])
		col++
		i += size
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '<' {
			continue
		}
		hint := ""
		switch {
		case r >= 'a' && r <= 'z':
			hint = " (MRZ letters are upper case)"
		case r == ' ' || r == '\t':
			hint = " (spaces are written as '<' in an MRZ)"
		}
		return tripline.Errorf(tripline.EINVALID, "mrz: line %d column %d: %q is not A-Z, 0-9 or '<'%s", line, col, r, hint)
	}
	return nil
}
