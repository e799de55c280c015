package tripline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PartialDate is a date of which only the year, or the year and month, may be
// known, as lists and travellers give birth dates. Zero Month or Day means
// unknown.
type PartialDate struct {
	Year  int
	Month int
	Day   int
	// bad is the text of a date that was given but is impossible or no
	// date at all ("1975-13-01", "000000"): JSON keeps it rather than
	// failing the whole record, the date IsZero, and Validate names the
	// problem. A traveller is then screened without it; a listing is
	// refused.
	bad string
}

// ParsePartialDate parses "YYYY", "YYYY-MM" or "YYYY-MM-DD".
func ParsePartialDate(s string) (PartialDate, error) {
	s = strings.TrimSpace(s)
	var d PartialDate
	parts := strings.Split(s, "-")
	if s == "" || len(parts) > 3 {
		return d, Errorf(EINVALID, "date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		want := 2
		if i == 0 {
			want = 4
		}
		n, err := strconv.Atoi(p)
		if len(p) != want || err != nil {
			return d, Errorf(EINVALID, "date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
		nums[i] = n
	}
	d.Year = nums[0]
	if len(nums) > 1 {
		d.Month = nums[1]
	}
	if len(nums) > 2 {
		d.Day = nums[2]
	}
	return d, d.Validate()
}

// Validate reports an impossible date, naming the part that is wrong.
func (d PartialDate) Validate() error {
	if d.bad != "" {
		if _, err := ParsePartialDate(d.bad); err != nil {
			return err
		}
		return Errorf(EINVALID, "date %q: not a date", d.bad)
	}
	if d.Year < 1800 || d.Year > 2200 {
		return Errorf(EINVALID, "year %d out of range", d.Year)
	}
	if d.Month < 0 || d.Month > 12 {
		return Errorf(EINVALID, "month %d out of range", d.Month)
	}
	if d.Day != 0 {
		if d.Month == 0 {
			return Errorf(EINVALID, "day given without month")
		}
		last := time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if d.Day < 1 || d.Day > last {
			return Errorf(EINVALID, "day %d out of range for %04d-%02d", d.Day, d.Year, d.Month)
		}
	}
	return nil
}

// IsZero reports whether no part of the date is known: no date was given,
// or the one given was impossible (see Bad).
func (d PartialDate) IsZero() bool { return d.Year == 0 }

// Bad returns the text of a date that was given but is impossible or no
// date at all, and "" for a possible or absent one.
func (d PartialDate) Bad() string { return d.bad }

// Sanitized returns d when it is absent or possible, and otherwise a date
// that IsZero and keeps the text it was given (Bad): code that skips
// unknown dates then skips it, and an explanation can still name it.
func (d PartialDate) Sanitized() PartialDate {
	if d.bad != "" || d.validateIfSet() == nil {
		return d
	}
	return PartialDate{bad: d.String()}
}

// String formats the date with as many parts as are known.
func (d PartialDate) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// MarshalJSON writes the date as its string form, an impossible one as it
// was given.
func (d PartialDate) MarshalJSON() ([]byte, error) {
	if d.bad != "" {
		return json.Marshal(d.bad)
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY", "YYYY-MM" or "YYYY-MM-DD". A string that is
// no possible date is kept as given (see Bad) for Validate to refuse or
// screening to ignore: one impossible birth date must not make a whole
// traveller unreadable. Anything but a string is an error.
func (d *PartialDate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EINVALID, "date: want a string")
	}
	if s == "" {
		*d = PartialDate{}
		return nil
	}
	p, err := ParsePartialDate(s)
	if err != nil {
		*d = PartialDate{bad: s}
		return nil
	}
	*d = p
	return nil
}

// AgeAt returns the age in whole years at t, taking the latest birthday the
// partial date allows, and false when the year is unknown.
func (d PartialDate) AgeAt(t time.Time) (int, bool) {
	if d.Year == 0 {
		return 0, false
	}
	// The latest possible birth date gives the youngest age: a partial date
	// must not hide a minor.
	m, day := d.Month, d.Day
	if m == 0 {
		m, day = 12, 31
	} else if day == 0 {
		day = time.Date(d.Year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	}
	age := t.Year() - d.Year
	if int(t.Month()) < m || (int(t.Month()) == m && t.Day() < day) {
		age--
	}
	return age, true
}
