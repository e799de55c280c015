package country_test

import (
	"testing"

	"tripline/country"
)

func TestAirport(t *testing.T) {
	for _, tc := range []struct {
		iata, want string
		ok         bool
	}{
		{"IST", "TUR", true}, {"lhr", "GBR", true}, {" jfk ", "USA", true}, {"ZZZ", "", false}, {"", "", false},
	} {
		if got, ok := country.Airport(tc.iata); got != tc.want || ok != tc.ok {
			t.Errorf("Airport(%q) = %q %v, want %q %v", tc.iata, got, ok, tc.want, tc.ok)
		}
	}
	// Every country the table names is one the country table knows.
	tab := country.New()
	for _, code := range []string{"IST", "PRN", "HKG", "MFM", "FNJ"} {
		c, _ := country.Airport(code)
		if _, ok := tab.Alpha3(c); !ok {
			t.Errorf("%s: %s is not a known country", code, c)
		}
	}
}
