package match

import "testing"

// TestDHAsZ: ض, ظ and ذ written DH in one spelling and Z in another are
// one sound; a D for a Z is not (Zia/Dia).
func TestDHAsZ(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"Dhia", "Zia", true},
		{"Ramadhan", "Ramazan", true},
		{"Fadhil", "Fazil", true},
		{"Dhahir", "Zahir", true},
		{"Dia", "Zia", false},
		{"Dhia", "Dina", false},
	} {
		s, how := tokenSim(prepare(c.a)[0], prepare(c.b)[0])
		if got := how == "phonetic" || how == "exact" || how == "variant" || how == "spelling"; got != c.same {
			t.Errorf("tokenSim(%q, %q) = %.2f %s, want same sound %v", c.a, c.b, s, how, c.same)
		}
	}
}
