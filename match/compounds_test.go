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
		{"HAMDULLAH NOOR", "HAMDULLAH ALLAH NOOR", true},    // Allahnoor: Allah leads it
		{"ALLAH KHAN NOORZAI", "فیض الله خان نورزی", false}, // the Allah of Faizullah, its name missing
		{"ALLAH NOOR", "Noor Allah", true},                  // the compound reversed whole
	} {
		for _, p := range [][2]string{{c.a, c.b}, {c.b, c.a}} {
			if s := CompareNames(p[0], p[1]); (s >= review) != c.review {
				t.Errorf("CompareNames(%q, %q) = %.3f, want at review (%.3f) %v", p[0], p[1], s, review, c.review)
			}
		}
	}
	// Half of Shafiqullah is not evidence for it: less than no half at all.
	if half, none := CompareNames("MOHAMMAD ALLAH KHAN", "Mohammad Shafiq Allah Khan"), CompareNames("MOHAMMAD KHAN", "Mohammad Shafiq Allah Khan"); half >= none {
		t.Errorf("MOHAMMAD ALLAH KHAN against Mohammad Shafiq Allah Khan = %.3f, want below MOHAMMAD KHAN's %.3f", half, none)
	}
}

// TestAbdCompound: Abd and the name after it are one given name, so an
// Abd leading another name on each side is two given names that share a
// word, while the compound moved whole (an MRZ's surname first) or
// written as one word is the same name.
func TestAbdCompound(t *testing.T) {
	review := NameThresholds(DefaultThresholds).Review
	for _, c := range []struct {
		split, intact, listed string
		splitReview           bool
	}{
		{"ABDUL MOHAMMED MANAN", "MOHAMMED ABDUL MANAN", "Abdul Manan", true},
		{"ABDUL SATAR ABDUL MANAN", "ABDUL MANAN", "Abdul Manan", false},
		{"ABDUL NOORZAI", "ABDUL BASIR", "ABDUL BASIR NOORZAI", false},
		{"عبد محمد المنان", "محمد عبد المنان", "عبد المنان", true},
	} {
		for _, p := range [][2]string{{c.split, c.listed}, {c.listed, c.split}} {
			split, intact := CompareNames(p[0], p[1]), CompareNames(c.intact, c.listed)
			if split >= intact {
				t.Errorf("CompareNames(%q, %q) = %.3f, want below %q's %.3f", p[0], p[1], split, c.intact, intact)
			}
			if (split >= review) != c.splitReview {
				t.Errorf("CompareNames(%q, %q) = %.3f, want at review (%.3f) %v", p[0], p[1], split, review, c.splitReview)
			}
			if intact < review {
				t.Errorf("CompareNames(%q, %q) = %.3f, want at review (%.3f)", c.intact, c.listed, intact, review)
			}
		}
	}
	for _, p := range [][2]string{
		{"MANAN ABDUL", "Abdul Manan"},             // surname first: the Abd last, its name moved
		{"ABDULMANAN", "Abdul Manan"},              // one word
		{"MANAN ABDUL BASIR", "Abdul Basir Manan"}, // the compound moved whole
	} {
		if s := CompareNames(p[0], p[1]); s < review {
			t.Errorf("CompareNames(%q, %q) = %.3f, want at review (%.3f)", p[0], p[1], s, review)
		}
	}
}
