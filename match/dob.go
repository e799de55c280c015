package match

import (
	"fmt"

	"tripline"
)

// bestDOB compares a traveller's birth date with the listed ones and
// returns the best agreement in [0,1], how it agreed and the listed date;
// ok is false when either side has no date. 1 is the same full date; dates
// that agree as far as both are known score 0.85-0.9; typos (day/month
// swapped, a digit of the day, year ±1) 0.6-0.8; a year one digit off 0.45
// (no evidence either way); a contradiction 0-0.3.
func bestDOB(t tripline.PartialDate, listed []tripline.PartialDate) (score float64, how string, bl tripline.PartialDate, ok bool) {
	if t.IsZero() || len(listed) == 0 {
		return 0, "", bl, false
	}
	best := -1.0
	for _, l := range listed {
		if l.IsZero() {
			continue
		}
		if s, h := compareDOB(t, l); s > best {
			best, how, bl = s, h, l
		}
	}
	if best < 0 {
		return 0, "", bl, false
	}
	return best, how, bl, true
}

// dobDetail explains a birth-date comparison.
func dobDetail(t, l tripline.PartialDate, how string) string {
	switch how {
	case "exact":
		return fmt.Sprintf("%q = listed %q", t.String(), l.String())
	case "within":
		return fmt.Sprintf("%q within %q", t.String(), l.String())
	case "contradicts":
		return fmt.Sprintf("%q contradicts listed %q", t.String(), l.String())
	}
	return fmt.Sprintf("%q ~ listed %q (%s)", t.String(), l.String(), how)
}

// compareDOB compares two partial dates.
func compareDOB(t, l tripline.PartialDate) (float64, string) {
	if t.Year == l.Year {
		if t.Month == 0 || l.Month == 0 {
			return 0.85, "within"
		}
		if t.Month == l.Month {
			switch {
			case t.Day == 0 || l.Day == 0:
				return 0.9, "within"
			case t.Day == l.Day:
				return 1, "exact"
			case oneDigit(t.Day, l.Day, 2):
				return 0.75, "day differs by one digit"
			}
			return 0.3, "day differs"
		}
		if t.Day != 0 && l.Day != 0 && t.Month == l.Day && t.Day == l.Month {
			return 0.8, "day and month swapped"
		}
		if (t.Day == l.Day || t.Day == 0 || l.Day == 0) && oneDigit(t.Month, l.Month, 2) {
			return 0.7, "month differs by one digit"
		}
		return 0.25, "month differs"
	}
	restSame := t.Month == 0 || l.Month == 0 || t.Month == l.Month && (t.Day == 0 || l.Day == 0 || t.Day == l.Day)
	dy := t.Year - l.Year
	if dy == 1 || dy == -1 {
		if restSame {
			return 0.6, "year differs by one"
		}
		return 0.3, "year differs by one, day or month differs"
	}
	if oneDigit(t.Year, l.Year, 4) && restSame {
		// Nearly a third of all years differ from a given one in a single
		// digit: a typo is possible, but it is no evidence of identity.
		return 0.45, "year differs by one digit"
	}
	return 0, "contradicts"
}

// oneDigit reports whether a and b, written with width digits, differ in
// exactly one digit.
func oneDigit(a, b, width int) bool {
	diff := 0
	for i := 0; i < width; i++ {
		if a%10 != b%10 {
			diff++
		}
		a, b = a/10, b/10
	}
	return diff == 1
}
