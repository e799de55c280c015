// Package country normalises country names and codes to ISO 3166-1 alpha-3,
// the form travel documents use. Lists write countries as names ("Iran
// (Islamic Republic of)"), travellers as alpha-2 or alpha-3 codes; matching
// needs one form.
package country

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Table maps names and codes to alpha-3. Build it once with New and share it:
// lookups are read-only.
type Table struct {
	byKey map[string]string
	names map[string]string // alpha-3 -> English name
}

// ICAO 9303 codes that are not ISO 3166 countries but appear in documents.
var icaoExtra = map[string]string{
	"D":   "DEU", // German documents use D, not DEU
	"GBD": "GBD", "GBN": "GBN", "GBO": "GBO", "GBP": "GBP", "GBS": "GBS",
	"UNO": "UNO", "UNA": "UNA", "UNK": "UNK", "XXA": "XXA", "XXB": "XXB",
	"XXC": "XXC", "XXX": "XXX", "XOM": "XOM", "XPO": "XPO", "XCC": "XCC",
	"XES": "XES", "XMP": "XMP", "XDC": "XDC", "XBA": "XBA", "XIM": "XIM",
	"EUE": "EUE", "RKS": "RKS", "UTO": "UTO", // UTO: ICAO's specimen state Utopia
}

// Names the lists use that CLDR's English names do not.
var aliases = map[string]string{
	"iran islamic republic of":             "IRN",
	"russian federation":                   "RUS",
	"syrian arab republic":                 "SYR",
	"democratic peoples republic of korea": "PRK",
	"korea north":                          "PRK",
	"korea south":                          "KOR",
	"republic of korea":                    "KOR",
	"democratic republic of the congo":     "COD",
	"congo democratic republic of the":     "COD",
	"congo":                                "COG",
	"republic of the congo":                "COG",
	"united kingdom of great britain and northern ireland": "GBR",
	"united kingdom":              "GBR",
	"united republic of tanzania": "TZA",
	"united states of america":    "USA",
	"united states":               "USA",
	"viet nam":                    "VNM",
	"state of palestine":          "PSE",
	"palestinian":                 "PSE",
	"west bank":                   "PSE",
	"gaza":                        "PSE",
	"turkiye":                     "TUR",
	"türkiye":                     "TUR",
	"turkey":                      "TUR",
	"china hong kong special administrative region": "HKG",
	"british virgin islands":                        "VGB",
	"virgin islands british":                        "VGB",
	"bolivia plurinational state of":                "BOL",
	"venezuela bolivarian republic of":              "VEN",
	"lao peoples democratic republic":               "LAO",
	"laos":                                          "LAO",
	"burma":                                         "MMR",
	"ivory coast":                                   "CIV",
	"cote divoire":                                  "CIV",
	"moldova republic of":                           "MDA",
	"republic of moldova":                           "MDA",
	"micronesia federated states of":                "FSM",
	"the netherlands":                               "NLD",
	"holland":                                       "NLD",
	"the gambia":                                    "GMB",
	"gambia the":                                    "GMB",
	"bahamas the":                                   "BHS",
	"czech republic":                                "CZE",
	"macedonia":                                     "MKD",
	"the former yugoslav republic of macedonia":     "MKD",
	"swaziland":                                     "SWZ",
	"cape verde":                                    "CPV",
	"east timor":                                    "TLS",
	"kosovo":                                        "RKS",
	"region crimea":                                 "UKR",
	"crimea":                                        "UKR",
	"d":                                             "DEU",
}

// New builds the table from CLDR's region names and the aliases above.
func New() *Table {
	t := &Table{byKey: make(map[string]string, 1200), names: make(map[string]string, 300)}
	names := display.English.Regions()
	var retired []language.Region
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() {
				continue
			}
			if r.Canonicalize() != r {
				// CLDR files retired and reserved codes (FX metropolitan
				// France, DD, HV, UK) under their successor's name: read
				// after the current ones, they would take it over ("France"
				// as FXX, never equal to FRA).
				retired = append(retired, r)
				continue
			}
			a3 := r.ISO3()
			if len(a3) != 3 || a3 == "ZZZ" {
				// CLDR counts UN, EU-zone and other groupings as countries
				// with the unknown-region code ZZZ: not a country.
				continue
			}
			t.byKey[r.String()] = a3
			t.byKey[a3] = a3
			if n := names.Name(r); n != "" {
				t.names[a3] = n
				t.byKey[key(n)] = a3
			}
		}
	}
	// A retired code stands for its successor: FX and FXX for France.
	for _, r := range retired {
		a3, ok := t.byKey[r.Canonicalize().String()]
		if !ok {
			continue
		}
		t.byKey[r.String()] = a3
		if old := r.ISO3(); len(old) == 3 && old != "ZZZ" {
			if _, taken := t.byKey[old]; !taken {
				t.byKey[old] = a3
			}
		}
	}
	for k, v := range icaoExtra {
		t.byKey[k] = v
	}
	for k, v := range aliases {
		t.byKey[key(k)] = v
	}
	return t
}

// Alpha3 returns the alpha-3 code for a country name, alpha-2 or alpha-3
// code, and false when the text names no known country.
func (t *Table) Alpha3(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if v, ok := t.byKey[strings.ToUpper(s)]; ok && len(s) <= 3 {
		return v, true
	}
	v, ok := t.byKey[key(s)]
	return v, ok
}

// Name returns the English name of an alpha-3 code, or the code itself.
func (t *Table) Name(alpha3 string) string {
	if n, ok := t.names[alpha3]; ok {
		return n
	}
	return alpha3
}

// key folds a name to lower-case letters and single spaces, dropping
// punctuation, so "Korea, Democratic People's Republic of" and
// "korea democratic peoples republic of" meet.
func key(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’' || r == '.':
			continue
		case r >= 'a' && r <= 'z' || r > 127 && r != '’':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}
