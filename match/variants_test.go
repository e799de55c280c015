package match

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// classOf returns the variant class of a one-word name.
func classOf(t *testing.T, w string) int32 {
	t.Helper()
	ts := prepare(w)
	if len(ts) != 1 {
		t.Fatalf("%q: %d tokens, want 1", w, len(ts))
	}
	return ts[0].class
}

func TestVariantClassesFromData(t *testing.T) {
	groups := [][]string{
		{"Mohammed", "Muhammad", "Mohamed", "Mohamad", "محمد"},
		{"Yusuf", "Youssef", "Yousef", "يوسف"},
		{"Hussein", "Hussain", "Husayn", "حسين"},
		{"Ahmed", "Ahmad", "احمد"},
		{"Abdullah", "Abdallah", "عبدالله"},
	}
	for _, g := range groups {
		c := classOf(t, g[0])
		if c == 0 {
			t.Errorf("%q has no variant class", g[0])
			continue
		}
		for _, w := range g[1:] {
			if got := classOf(t, w); got != c {
				t.Errorf("%q and %q: classes %d and %d, want one class", g[0], w, c, got)
			}
		}
	}
}

// TestVariantClassesKeepNamesApart guards against noise chaining unrelated
// names together through the Wikidata pairs.
func TestVariantClassesKeepNamesApart(t *testing.T) {
	apart := [][2]string{
		{"John", "Mohammed"}, {"Hassan", "Hussein"}, {"Rahman", "Rahim"},
		{"Ali", "Omar"}, {"Smith", "Mohammed"}, {"Ahmed", "Mahmoud"}, {"Abdullah", "Abd"},
	}
	for _, p := range apart {
		a, b := classOf(t, p[0]), classOf(t, p[1])
		if a != 0 && a == b {
			t.Errorf("%q and %q share variant class %d: %v", p[0], p[1], a, variants().members[a])
		}
	}
	for id, ms := range variants().members {
		if len(ms) > 40 {
			t.Errorf("class %d has %d members, want a bounded class", id, len(ms))
		}
	}
}

func TestAbdCompoundsMeet(t *testing.T) {
	want := Normalise("Abd al-Rahman")
	for _, n := range []string{"Abdulrahman", "Abdurrahman", "Abdel Rahman", "Abdul-Rahman", "ABDELRAHMAN", "Abdirahman"} {
		if got := Normalise(n); !slices.Equal(got, want) {
			t.Errorf("Normalise(%q) = %q, want %q", n, got, want)
		}
	}
}

// TestAbdullaOneName: Abdulla and Abdalla, Abdullah without its final H,
// stay one name of the Abdullah class.
func TestAbdullaOneName(t *testing.T) {
	for _, n := range []string{"Abdulla", "ABDALLA"} {
		if got := Normalise(n); len(got) != 1 {
			t.Errorf("Normalise(%q) = %q, want one name", n, got)
		}
		if s := CompareNames("Amir "+n, "Amir Abdullah"); s < 0.9 {
			t.Errorf("%q against Abdullah: %.3f, want >= 0.9", n, s)
		}
	}
}

func TestRarity(t *testing.T) {
	common, rare := prepare("Mohammed")[0], prepare("Anwari")[0]
	if !(common.weight < rare.weight) {
		t.Errorf("weight(Mohammed) = %v, weight(Anwari) = %v: a common name must weigh less", common.weight, rare.weight)
	}
}

func TestVariantsExported(t *testing.T) {
	vs := Variants("Muhammad")
	if !slices.Contains(vs, "mohammed") || !slices.Contains(vs, "محمد") {
		t.Errorf("Variants(Muhammad) = %v, want mohammed and محمد among them", vs)
	}
	if Variants("Zzyzx") != nil {
		t.Errorf("Variants of an unknown name: want nil")
	}
}

func TestCompareNamesOrdering(t *testing.T) {
	cases := []struct{ a, b, worse string }{
		{"Muhammad Taher Anwari", "Muhammad Taher Anwari", "Mohammed Taher Anwari"},
		{"Mohammed bin Salman", "Mohamed bin Salman", "Salman bin Mohammed"},
		{"Vladimir Putin", "Vladimir Pulin", "Vladimir Petrov"},
		{"Osama bin Laden", "Usama bin Ladin", "Hamza bin Laden"},
	}
	for _, c := range cases {
		better, worse := CompareNames(c.a, c.b), CompareNames(c.a, c.worse)
		if !(better > worse) {
			t.Errorf("CompareNames(%q, %q) = %v, not above (%q) %v", c.a, c.b, better, c.worse, worse)
		}
	}
	if s := CompareNames("Hans Friedrich", "Hans Friedrich"); s != 1 {
		t.Errorf("same name: %v, want 1", s)
	}
	if s := CompareNames("Hans Friedrich", "HANS FRIEDRICK"); !(s < 1) {
		t.Errorf("typo: %v, want < 1", s)
	}
}

// TestVariantTableUpToDate regenerates the table from ../shared and
// compares it with the embedded one: a change to normalisation that
// changes the table's keys must come with `go generate ./match/`.
func TestVariantTableUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	const data = "../../shared/data/names/"
	if _, err := os.Stat(data + "wikidata_en_ar_name_tokens.tsv"); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	out := filepath.Join(t.TempDir(), "variants.txt.gz")
	cmd := exec.Command("go", "run", "./internal/gen",
		"-ar", data+"wikidata_en_ar_name_tokens.tsv", "-ru", data+"wikidata_en_ru_name_tokens_20pct.tsv",
		"-un", data+"un_sc_consolidated_2024-09-26.xml", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, variantsGz) {
		t.Errorf("variants.txt.gz is stale: run go generate ./match/")
	}
}
