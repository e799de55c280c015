package match

import (
	"fmt"

	"tripline"
)

// bestDOB compares a traveller's birth date with the listed ones and
// returns the best agreement in [0,1], how it agreed and the listed date;
// ok is false when either side has no date. 1 is the same full date; dates
// that agree as far as both are known score 0.85-0.9; slips (day/month
// swapped, day or month off by one, year ±1) 0.6-0.8; a year one digit off
// with day and month agreeing 0.5 (no evidence either way); a
// contradiction 0-0.3 (see compareDOB).
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

// compareDOB compares two partial dates as an error model: how likely is
// it that one person's birth date was written as the other? A small slip
// (a day or month off by one, day and month swapped, the year one off)
// keeps most of the agreement; a digit typo in the year is plausible only
// when the day and month are known on both sides and agree, since a third
// of all years are one digit from any given year (1959 and 1989); a year
// further off contradicts, a little less when the listing gives only a
// year (lists often give approximate years).
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
			case near(t.Day, l.Day, 2):
				return 0.75, "day differs by one"
			}
			return 0.3, "day differs"
		}
		if t.Day != 0 && l.Day != 0 && t.Month == l.Day && t.Day == l.Month {
			return 0.8, "day and month swapped"
		}
		if (t.Day == l.Day || t.Day == 0 || l.Day == 0) && near(t.Month, l.Month, 2) {
			return 0.7, "month differs by one"
		}
		return 0.25, "month differs"
	}
	// restKnown: day and month given on both sides and equal; restAgrees:
	// equal as far as both sides know them.
	restKnown := t.Day != 0 && l.Day != 0 && t.Month == l.Month && t.Day == l.Day
	restAgrees := t.Month == 0 || l.Month == 0 || t.Month == l.Month && (t.Day == 0 || l.Day == 0 || t.Day == l.Day)
	dy := abs(t.Year - l.Year)
	switch {
	case dy == 1 && restAgrees:
		return 0.6, "year differs by one"
	case restKnown && near(t.Year, l.Year, 4):
		return 0.5, "year differs by one digit, day and month agree"
	case dy == 1 && t.Day != 0 && l.Day != 0 && t.Month != l.Month && t.Day != l.Day:
		// Three slips at once: another date.
		return 0, "contradicts"
	case dy == 1:
		return 0.3, "year differs by one, day or month differs"
	case l.Month == 0 && dy == 2:
		return 0.3, "year differs by two from an approximate listed year"
	case l.Month == 0 && dy == 3:
		return 0.2, "year differs by three from an approximate listed year"
	}
	return 0, "contradicts"
}

// near reports whether a and b, written with width digits, are a slip
// apart: one apart in value (19 and 20), one digit different (14 and 17),
// or two adjacent digits swapped (1965 and 1956).
func near(a, b, width int) bool {
	if abs(a-b) == 1 {
		return true
	}
	var da, db [4]int
	for i := 0; i < width; i++ {
		da[i], db[i] = a%10, b%10
		a, b = a/10, b/10
	}
	diff := 0
	for i := 0; i < width; i++ {
		if da[i] != db[i] {
			diff++
		}
	}
	if diff == 1 {
		return true
	}
	for i := 0; i+1 < width; i++ {
		if diff == 2 && da[i] == db[i+1] && da[i+1] == db[i] && da[i] != da[i+1] {
			return true
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
