package tripline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"tripline"
)

// TestTravellerImpossibleDOB: a traveller whose birth date is impossible
// (day 32, month 13) or no date at all ("000000") still reads from JSON and
// can be screened on the rest; Validate still names the date (the HTTP API
// refuses it), ValidateForScreening does not, and DOBIgnored says why the
// date goes unused.
func TestTravellerImpossibleDOB(t *testing.T) {
	for _, tc := range []struct{ dob, why string }{
		{"1975-13-01", "month 13"},
		{"1975-01-32", "day 32"},
		{"1975-02-30", "day 30"},
		{"000000", "want YYYY"},
		{"0000-00-00", "year 0"},
	} {
		var tr tripline.Traveller
		if err := json.Unmarshal([]byte(`{"ref":"t","name":"Ali Hassan","dob":"`+tc.dob+`"}`), &tr); err != nil {
			t.Errorf("dob %q: decode: %v, want it read", tc.dob, err)
			continue
		}
		if !tr.DOB.IsZero() {
			t.Errorf("dob %q: IsZero false: an impossible date must not be used as one", tc.dob)
		}
		if err := tr.Validate(); err == nil || !strings.Contains(err.Error(), "dob") || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("dob %q: Validate = %v, want an error naming dob and %q", tc.dob, err, tc.why)
		}
		if err := tr.ValidateForScreening(); err != nil {
			t.Errorf("dob %q: ValidateForScreening = %v, want nil", tc.dob, err)
		}
		if why := tr.DOBIgnored(); !strings.Contains(why, tc.dob) || !strings.Contains(why, tc.why) {
			t.Errorf("dob %q: DOBIgnored = %q, want the date and %q", tc.dob, why, tc.why)
		}
	}
	// Built in Go rather than read: the same.
	tr := tripline.Traveller{Name: "Ali Hassan", DOB: tripline.PartialDate{Year: 1975, Month: 13, Day: 1}}
	if why := tr.DOBIgnored(); !strings.Contains(why, "1975-13-01") {
		t.Errorf("DOBIgnored = %q, want the date", why)
	}
	if d := tr.DOB.Sanitized(); !d.IsZero() || d.Bad() != "1975-13-01" {
		t.Errorf("Sanitized = %+v (bad %q), want zero keeping the text", d, d.Bad())
	}
	for _, ok := range []tripline.PartialDate{{}, {Year: 1975}, {Year: 1975, Month: 2, Day: 28}} {
		tr := tripline.Traveller{Name: "Ali Hassan", DOB: ok}
		if why := tr.DOBIgnored(); why != "" || tr.DOB.Sanitized() != ok {
			t.Errorf("%v: DOBIgnored = %q, Sanitized %v; want nothing ignored", ok, why, tr.DOB.Sanitized())
		}
	}
}

// TestListingImpossibleBirthDateRefused: listings stay strict: a listed
// birth date read from JSON that is no date is refused by Validate, never
// kept as an unknown date.
func TestListingImpossibleBirthDateRefused(t *testing.T) {
	var l tripline.Listing
	if err := json.Unmarshal([]byte(`{"id":"s:1","source":"s","names":[{"full":"Ali Hassan","kind":"primary"}],"birth_dates":["1970","000000"],"action":"info","provenance":{"originator":"s"}}`), &l); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := l.Validate(); err == nil || !strings.Contains(err.Error(), "birth_dates[1]") {
		t.Errorf("Validate = %v, want birth_dates[1] refused", err)
	}
	b, err := json.Marshal(l.BirthDates)
	if err != nil || string(b) != `["1970","000000"]` {
		t.Errorf("marshal = %s, %v: want the text kept as given", b, err)
	}
}
