package country

import "testing"

func TestAlpha3(t *testing.T) {
	tab := New()
	for _, tc := range []struct{ in, want string }{
		{"IQ", "IRQ"}, {"IRQ", "IRQ"}, {"iraq", "IRQ"}, {"Iran (Islamic Republic of)", "IRN"},
		{"Russian Federation", "RUS"}, {"Democratic People's Republic of Korea", "PRK"},
		{"Syrian Arab Republic", "SYR"}, {"Türkiye", "TUR"}, {"D", "DEU"}, {"UTO", "UTO"},
		{"United Kingdom of Great Britain and Northern Ireland", "GBR"}, {"Afghanistan", "AFG"},
		{"China, Hong Kong Special Administrative Region", "HKG"}, {"Viet Nam", "VNM"},
	} {
		got, ok := tab.Alpha3(tc.in)
		if !ok || got != tc.want {
			t.Errorf("Alpha3(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	// ZZZ is CLDR's unknown region, which it gives UN, UK, EZ and others:
	// none names a country (issue 13: nationality ZZZ was accepted).
	for _, in := range []string{"Atlantis", "ZZZ", "ZZ", "UN", "EZ", "eurozone", "United Nations"} {
		if got, ok := tab.Alpha3(in); ok {
			t.Errorf("Alpha3(%q) = %q, want not found", in, got)
		}
	}
}

// TestNamesNeverMapToRetiredCodes: CLDR keeps retired and exceptionally
// reserved codes (FX metropolitan France, DD East Germany, HV Upper Volta)
// under their successor's English name. A name must give the current
// country ("France" is FRA, never FXX), and a retired code its successor.
func TestNamesNeverMapToRetiredCodes(t *testing.T) {
	tab := New()
	for _, tc := range []struct{ in, want string }{
		{"France", "FRA"}, {"FRANCE", "FRA"}, {"Germany", "DEU"}, {"Benin", "BEN"}, {"Burkina Faso", "BFA"},
		{"Panama", "PAN"}, {"Zimbabwe", "ZWE"}, {"Timor-Leste", "TLS"}, {"Vietnam", "VNM"}, {"Kiribati", "KIR"},
		{"Vanuatu", "VUT"}, {"Antarctica", "ATA"}, {"Myanmar (Burma)", "MMR"}, {"United Kingdom", "GBR"},
		{"FR", "FRA"}, {"FRA", "FRA"}, {"FX", "FRA"}, {"FXX", "FRA"}, {"UK", "GBR"}, {"BU", "MMR"}, {"TP", "TLS"},
	} {
		got, ok := tab.Alpha3(tc.in)
		if !ok || got != tc.want {
			t.Errorf("Alpha3(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}
