package match

import "testing"

// TestAllahCompound: a name and Allah after it is one given name, another
// than the name alone: NOOR NOORI is not Noor Ullah Noori, in either
// script, while the compound written as one word or two still meets itself
// (joins), and an Allah leading a name (Allah Muhammad) is no compound.
func TestAllahCompound(t *testing.T) {
	review := NameThresholds(DefaultThresholds).Review
	for _, c := range []struct {
		a, b   string
		review bool
	}{
		{"NOOR NOORI", "Noor Ullah Noori", false},
		{"NOOR NOORI", "نور الله نوری", false},
		{"Habib Khan", "Habib Ullah Khan", false},
		{"NOORULLAH NOORI", "Noor Ullah Noori", true},
		{"NOOR ULLAH NOORI", "Noorullah Noori", true},
		{"HABIBULLAH KHAN", "حبيب الله خان", true},
		{"Allah Muhammad", "Allah Muhammad Khan", true},
		{"HAMDULLAH NOOR", "HAMDULLAH ALLAH NOOR", true}, // Allahnoor: Allah leads it
	} {
		for _, p := range [][2]string{{c.a, c.b}, {c.b, c.a}} {
			if s := CompareNames(p[0], p[1]); (s >= review) != c.review {
				t.Errorf("CompareNames(%q, %q) = %.3f, want at review (%.3f) %v", p[0], p[1], s, review, c.review)
			}
		}
	}
}
