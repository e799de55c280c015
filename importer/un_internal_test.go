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

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"a", "a"}, {"a b", "a b"}, {" a", "a"}, {"a ", "a"}, {"a  b", "a b"},
		{"a\nb", "a b"}, {"  ", ""}, {"Доку\u00a0Умаров", "Доку Умаров"}, {"\tx\r\n", "x"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
