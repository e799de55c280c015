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

// TestKunya: Abu before a name makes it the father's name (Abu Abdul
// Manan is Abdul Manan's father), so a traveller's name with an Abu the
// listed name lacks weighs as a name replaced. A listed Abu the traveller's
// name lacks is a word lost (records drop words, they do not add them),
// and Abu moved after the name, as lists write a detached particle, is
// still the same name.
func TestKunya(t *testing.T) {
	kunya, plain := CompareNames("ABU ABDUL MANAN", "Abdul Manan"), CompareNames("ABDUL MANAN", "Abdul Manan")
	if kunya > substitutionPenalty*plain {
		t.Errorf("ABU ABDUL MANAN against Abdul Manan = %.3f, want at most %.2f x %.3f", kunya, substitutionPenalty, plain)
	}
	if lost := CompareNames("ADNAN WALID AL-SAHRAOUI", "Adnan Abou Walid al-Sahraoui"); lost < 0.9 {
		t.Errorf("ADNAN WALID AL-SAHRAOUI against Adnan Abou Walid al-Sahraoui = %.3f, want 0.9 or more: the listed Abu lost", lost)
	}
	if moved := CompareNames("BAKR BAGHDADI ABU", "Abu Bakr al-Baghdadi"); moved < 0.9 {
		t.Errorf("BAKR BAGHDADI ABU against Abu Bakr al-Baghdadi = %.3f, want 0.9 or more: Abu moved, not added", moved)
	}
	if bin := CompareNames("NASIM BEN RAMADAN SAHRAOUI", "Nasim Ramadan Sahraoui"); bin < 0.9 {
		t.Errorf("NASIM BEN RAMADAN SAHRAOUI against Nasim Ramadan Sahraoui = %.3f, want 0.9 or more: a Bin is dropped and added at will", bin)
	}
}
