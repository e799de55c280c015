package importer

import "testing"

func TestSplitScripts(t *testing.T) {
	for _, tc := range []struct{ in, latin, orig string }{
		{"Abou Mouhadjir (ابو مهاجر)", "Abou Mouhadjir", "ابو مهاجر"},
		{"Abubakar (original script: Абубакар)", "Abubakar", "Абубакар"},
		{"Abdul Haq son of M. Anwar Khan (عبد الحق ولد محمد انور خان", "Abdul Haq son of M. Anwar Khan", "عبد الحق ولد محمد انور خان"},
		{"Agha Jan Alizai اغا جان عالیزی", "Agha Jan Alizai", "اغا جان عالیزی"},
		{"Akhter Mohmad (اختر محمد ولد نور محمد ),", "Akhter Mohmad", "اختر محمد ولد نور محمد"},
		{"André Kalume", "André Kalume", ""},
		{"أبو دعاء", "أبو دعاء", ""},
		{"", "", ""},
	} {
		latin, orig := splitScripts(tc.in)
		if latin != tc.latin || orig != tc.orig {
			t.Errorf("splitScripts(%q) = %q, %q; want %q, %q", tc.in, latin, orig, tc.latin, tc.orig)
		}
	}
}
