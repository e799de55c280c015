package importer_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"tripline"
	"tripline/importer"
)

// sharedData returns a path under ../../shared/data, skipping the test when
// the big real files are not present (they are not part of the module).
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real list file not available: %v", err)
	}
	return p
}

// mustOpen opens a fixture and closes it with the test.
func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// byID indexes listings and checks every one validates.
func byID(t *testing.T, ls []*tripline.Listing) map[string]*tripline.Listing {
	t.Helper()
	m := make(map[string]*tripline.Listing, len(ls))
	for _, l := range ls {
		if err := l.Validate(); err != nil {
			t.Errorf("%s: Validate() = %v", l.ID, err)
		}
		m[l.ID] = l
	}
	return m
}

// checkErr asserts err is an EINVALID *tripline.Error whose message holds
// every want substring (file, line, field).
func checkErr(t *testing.T, ls []*tripline.Listing, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got %d listings and no error, want error containing %q", len(ls), want)
	}
	if ls != nil {
		t.Errorf("got %d listings with the error, want none", len(ls))
	}
	if got := tripline.ErrorCode(err); got != tripline.EINVALID {
		t.Errorf("code = %q, want %q (%v)", got, tripline.EINVALID, err)
	}
	msg := tripline.ErrorMessage(err)
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}

// names returns the full names of l of one kind.
func names(l *tripline.Listing, kind tripline.NameKind) []string {
	var out []string
	for _, n := range l.Names {
		if n.Kind == kind {
			out = append(out, n.Full)
		}
	}
	return out
}

func dates(l *tripline.Listing) []string {
	var out []string
	for _, d := range l.BirthDates {
		out = append(out, d.String())
	}
	return out
}

func TestReadUNSample(t *testing.T) {
	ls, err := importer.ReadUN(mustOpen(t, "testdata/un_sample.xml"), "un_sample.xml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ls), 3; got != want {
		t.Fatalf("got %d listings, want %d (the entity must be skipped)", got, want)
	}
	m := byID(t, ls)

	l := m["un-sc:TAi.005"]
	if l == nil {
		t.Fatal("un-sc:TAi.005 missing")
	}
	p := l.Names[0]
	if p.Kind != tripline.NamePrimary || p.Full != "MUHAMMAD TAHER ANWARI" || p.Given != "MUHAMMAD" || p.Family != "TAHER ANWARI" || p.Script != "Latn" {
		t.Errorf("primary = %+v", p)
	}
	if got, want := names(l, tripline.NameOriginal), []string{"محمد طاهر أنوري"}; !slices.Equal(got, want) {
		t.Errorf("original = %q, want %q", got, want)
	}
	if got, want := names(l, tripline.NameAlias), []string{"Mohammad Taher Anwari", "Muhammad Tahir Anwari", "Mohammad Tahre Anwari"}; !slices.Equal(got, want) {
		t.Errorf("aliases = %q, want %q", got, want)
	}
	if got, want := names(l, tripline.NameWeakAlias), []string{"Haji Mudir"}; !slices.Equal(got, want) {
		t.Errorf("weak aliases = %q, want %q", got, want)
	}
	for _, n := range l.Names {
		if n.Kind == tripline.NameOriginal && n.Script != "Arab" {
			t.Errorf("original script = %q, want Arab", n.Script)
		}
		if n.Kind == tripline.NameWeakAlias && n.Quality != "Low" {
			t.Errorf("weak alias quality = %q, want Low", n.Quality)
		}
	}
	for _, c := range []struct{ field, got, want string }{
		{"source", l.Source, "un-sc"},
		{"dob", strings.Join(dates(l), ","), "1961"},
		{"pob", strings.Join(l.BirthPlaces, "|"), "Zurmat District, Paktia Province, Afghanistan"},
		{"nationalities", strings.Join(l.Nationalities, ","), "AFG"},
		{"reason", string(l.Reason), "Taliban"},
		{"action", string(l.Action), "refuse_entry"},
		{"status", string(l.Status), "active"},
		{"originator", l.Provenance.Originator, "un-sc"},
		{"source_ref", l.Provenance.SourceRef, "TAi.005"},
		{"listed_on", l.Provenance.ListedOn, "2001-02-23"},
		{"reshare", string(l.Handling.Reshare), "allowed"},
		{"screen", strings.Join(l.Handling.Screen, ","), "*"},
		{"addresses", strings.Join(l.Addresses, "|"), ""},
	} {
		if c.got != c.want {
			t.Errorf("TAi.005 %s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if !strings.Contains(l.Narrative, "Belongs to Andar tribe.") || !strings.Contains(l.Narrative, "Title: Mullah") {
		t.Errorf("narrative = %q, want comments and title", l.Narrative)
	}

	// QDi.290: Cyrillic original, passport, alias DOBs, a nationality the
	// country table cannot name kept in the narrative.
	l = m["un-sc:QDi.290"]
	if l == nil {
		t.Fatal("un-sc:QDi.290 missing")
	}
	if got := names(l, tripline.NameOriginal); len(got) != 1 || got[0] != "Умаров Доку Хаматович" || importer.Script(got[0]) != "Cyrl" {
		t.Errorf("original = %q", got)
	}
	if got, want := dates(l), []string{"1955", "1964-04-13", "1965-04-13", "1964-05-12"}; !slices.Equal(got, want) {
		t.Errorf("dob = %q, want %q", got, want)
	}
	if got, want := l.Nationalities, []string{"RUS"}; !slices.Equal(got, want) {
		t.Errorf("nationalities = %q, want %q", got, want)
	}
	if !strings.Contains(l.Narrative, "Nationality: former Soviet Union") {
		t.Errorf("narrative lost the unknown nationality: %q", l.Narrative)
	}
	if len(l.Documents) != 1 {
		t.Fatalf("documents = %+v, want 1", l.Documents)
	}
	if d := l.Documents[0]; d.Type != "P" || d.Number != "96 03 464086" || d.Country != "RUS" {
		t.Errorf("document = %+v", d)
	}

	// TAi.038: BETWEEN 1960 and 1962 expands to each year.
	if got, want := dates(m["un-sc:TAi.038"]), []string{"1960", "1961", "1962"}; !slices.Equal(got, want) {
		t.Errorf("TAi.038 dob = %q, want %q", got, want)
	}
}

func TestScript(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Anna Maria", "Latn"},
		{"محمد طاهر أنوري", "Arab"},
		{"Умаров Доку", "Cyrl"},
		{"金正恩", "Hani"},
		{"김정은", "Hang"},
		{"Ελένη", "Grek"},
		{"123 -", ""},
	} {
		if got := importer.Script(tc.in); got != tc.want {
			t.Errorf("Script(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadUNReal(t *testing.T) {
	for _, tc := range []struct {
		file                    string
		listings, aliases, orig int
		fromAlias               int // original spellings carried inside alias entries
		arab, cyrl              int // of orig
	}{
		// The 2024 file's README counts 2,141 alias entries; 10 repeat a
		// name with another birth date, so 2,131 distinct aliases remain.
		// 338 individuals have a NAME_ORIGINAL_SCRIPT (329 Arabic, 9
		// Cyrillic); 16 more original spellings come out of aliases such as
		// "Abou Mouhadjir (ابو مهاجر)".
		{"names/un_sc_consolidated_2024-09-26.xml", 682, 2131, 338, 16, 329, 9},
		{"watchman/test/testdata/UN_consolidated.xml", 730, 2129, 336, 16, 0, 0},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			p := sharedData(t, tc.file)
			ls, err := importer.ReadUN(mustOpen(t, p), p)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(ls); got != tc.listings {
				t.Errorf("listings = %d, want %d", got, tc.listings)
			}
			byID(t, ls)
			var aliases, orig, fromAlias, arab, cyrl int
			for _, l := range ls {
				for _, n := range l.Names {
					switch {
					case n.Kind == tripline.NameAlias, n.Kind == tripline.NameWeakAlias:
						aliases++
					case n.Kind == tripline.NameOriginal && n.Quality != "":
						fromAlias++
					case n.Kind == tripline.NameOriginal:
						orig++
						switch n.Script {
						case "Arab":
							arab++
						case "Cyrl":
							cyrl++
						}
					}
				}
			}
			if aliases != tc.aliases || orig != tc.orig || fromAlias != tc.fromAlias {
				t.Errorf("aliases, original, original from aliases = %d, %d, %d, want %d, %d, %d",
					aliases, orig, fromAlias, tc.aliases, tc.orig, tc.fromAlias)
			}
			if tc.arab != 0 && (arab != tc.arab || cyrl != tc.cyrl) {
				t.Errorf("Arabic, Cyrillic originals = %d, %d, want %d, %d", arab, cyrl, tc.arab, tc.cyrl)
			}
		})
	}
}

// TestReadUNRealSpot checks one individual of the real 2024 list whose
// aliases carry their own birth dates and places.
func TestReadUNRealSpot(t *testing.T) {
	p := sharedData(t, "names/un_sc_consolidated_2024-09-26.xml")
	ls, err := importer.ReadUN(mustOpen(t, p), p)
	if err != nil {
		t.Fatal(err)
	}
	l := byID(t, ls)["un-sc:QDi.129"]
	if l == nil {
		t.Fatal("un-sc:QDi.129 missing")
	}
	if got, want := l.PrimaryName(), "DJAMEL MOUSTFA"; got != want {
		t.Errorf("primary = %q, want %q", got, want)
	}
	if got, want := dates(l), []string{"1979-12-31", "1973-09-26", "1973-08-26", "1982-06-10", "1973-09-28", "1973-08-22"}; !slices.Equal(got, want) {
		t.Errorf("dob = %q, want %q", got, want)
	}
	if !slices.Contains(l.BirthPlaces, "Tiaret, Algeria") || !slices.Equal(l.Nationalities, []string{"DZA"}) {
		t.Errorf("pob = %q, nationalities = %q", l.BirthPlaces, l.Nationalities)
	}
	if got := len(names(l, tripline.NameAlias)); got != 13 {
		t.Errorf("aliases = %d, want 13 distinct", got)
	}
	if string(l.Reason) != "Al-Qaida" || l.Provenance.ListedOn != "2003-09-23" {
		t.Errorf("reason %q listed_on %q", l.Reason, l.Provenance.ListedOn)
	}

	// An alias with its original spelling in brackets becomes two names.
	l = byID(t, ls)["un-sc:QDi.280"]
	if l == nil {
		t.Fatal("un-sc:QDi.280 missing")
	}
	if !slices.Contains(names(l, tripline.NameAlias), "Abou Mouhadjir") || !slices.Contains(names(l, tripline.NameOriginal), "ابو مهاجر") {
		t.Errorf("QDi.280 aliases %q originals %q", names(l, tripline.NameAlias), names(l, tripline.NameOriginal))
	}
}

func TestReadUNErrors(t *testing.T) {
	sample, err := os.ReadFile("testdata/un_sample.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   string
		want []string
	}{
		{"truncated", mustRead(t, "testdata/un_truncated.xml"), []string{"un.xml: line 131: ", "malformed XML"}},
		{"bad date", mustRead(t, "testdata/un_baddate.xml"), []string{"un.xml: line 131: INDIVIDUAL/INDIVIDUAL_DATE_OF_BIRTH/DATE: \"1964-13-01\" is not a date"}},
		{"bad year", strings.Replace(string(sample), "<YEAR>1961</YEAR>", "<YEAR>61</YEAR>", 1), []string{"line 57: INDIVIDUAL/INDIVIDUAL_DATE_OF_BIRTH/YEAR: \"61\" is not a year"}},
		{"bad range", strings.Replace(string(sample), "<TO_YEAR>1962</TO_YEAR>", "<TO_YEAR>1950</TO_YEAR>", 1), []string{"line 202: INDIVIDUAL/INDIVIDUAL_DATE_OF_BIRTH/TO_YEAR"}},
		{"duplicate id", strings.Replace(string(sample), "QDi.290", "TAi.005", 1), []string{"duplicate id \"un-sc:TAi.005\" (first on line 4)"}},
		{"no reference", strings.Replace(string(sample), "<REFERENCE_NUMBER>QDi.290</REFERENCE_NUMBER>", "", 1), []string{"INDIVIDUAL/REFERENCE_NUMBER: missing"}},
		{"not a UN list", `<?xml version="1.0"?><sdnList><sdnEntry/></sdnList>`, []string{"un.xml: line 1: sdnList: not a UN consolidated list"}},
		{"empty", "", []string{"un.xml: not a UN consolidated list"}},
		{"no individuals", `<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>`, []string{"un.xml: no listings found"}},
		{"not xml", "hello, world\n", []string{"un.xml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := importer.ReadUN(strings.NewReader(tc.in), "un.xml")
			checkErr(t, ls, err, tc.want...)
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entities reads as n lines of a UN list's ENTITY, sampling the heap.
type entities struct {
	n, read, peak uint64
	base          uint64
}

func (e *entities) Read(p []byte) (int, error) {
	const line = "<ENTITY><FIRST_NAME>ACME TRADING COMPANY</FIRST_NAME><COMMENTS1>a company</COMMENTS1></ENTITY>\n"
	if e.n == 0 {
		return 0, io.EOF
	}
	k := 0
	for ; e.n > 0 && k+len(line) <= len(p); e.n-- {
		k += copy(p[k:], line)
	}
	if e.read += uint64(k); e.read>>22 != (e.read-uint64(k))>>22 { // every 4 MiB
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		e.peak = max(e.peak, m.HeapInuse-min(m.HeapInuse, e.base))
	}
	return k, nil
}

// TestReadUNFlatMemory: what comes between INDIVIDUALs (64 MiB of
// ENTITY elements here) is not kept, and the line of a bad value after it
// is still right. Before, every byte since the last INDIVIDUAL was held
// for its line number: a 128 MB file of companies kept 373 MiB.
func TestReadUNFlatMemory(t *testing.T) {
	sample := strings.Replace(mustRead(t, "testdata/un_sample.xml"), "<YEAR>1961</YEAR>", "<YEAR>61</YEAR>", 1)
	cut := strings.Index(sample, "<INDIVIDUALS>")
	const lines = 720_000
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	ents := &entities{n: lines, base: m.HeapInuse}
	in := io.MultiReader(strings.NewReader(sample[:cut]+"<ENTITIES>\n"), ents, strings.NewReader("</ENTITIES>"+sample[cut:]))
	ls, err := importer.ReadUN(in, "un.xml")
	checkErr(t, ls, err, fmt.Sprintf("un.xml: line %d: INDIVIDUAL/INDIVIDUAL_DATE_OF_BIRTH/YEAR: \"61\" is not a year", 58+lines))
	if ents.read < 64<<20 || ents.peak > 32<<20 {
		t.Errorf("read %d MiB of entities holding up to %d MiB more heap, want at most 32", ents.read>>20, ents.peak>>20)
	}
}

// repeated reads as s repeated for n bytes, counting what was read.
type repeated struct {
	s       string
	n, read int
}

func (e *repeated) Read(p []byte) (int, error) {
	k := 0
	for k < len(p) && e.read < e.n {
		c := copy(p[k:min(len(p), k+e.n-e.read)], e.s[e.read%len(e.s):])
		k += c
		e.read += c
	}
	if k == 0 {
		return 0, io.EOF
	}
	return k, nil
}

// TestReadUNTokensBounded: a text, tag or comment of a UN list file, an
// INDIVIDUAL, and the nesting of elements are bounded, and a file passing
// one is refused naming the element and line after reading little more
// than the bound. Before, the decoder held any of them whole: 64 MiB of
// text held 254 MiB, and 64 MiB of "<a>" (nesting) 2.1 GiB for 22 s.
func TestReadUNTokensBounded(t *testing.T) {
	sample := mustRead(t, "testdata/un_sample.xml")
	at := strings.Index(sample, "<INDIVIDUALS>\n") + len("<INDIVIDUALS>\n") // line 4
	const size = 8 << 20
	for _, tc := range []struct {
		name, before, repeat, after string
		want                        []string
	}{
		{"text", "\n", "x", "", []string{"un.xml: line 5: CONSOLIDATED_LIST/INDIVIDUALS: text longer than 1048576 bytes"}},
		{"attribute", "<X a='", "x", "'/>", []string{"line 4: CONSOLIDATED_LIST/INDIVIDUALS/X: tag longer than 1048576 bytes"}},
		{"tag name", "<X", "x", "/>", []string{`line 4: CONSOLIDATED_LIST/INDIVIDUALS/"Xxxx`, `...: tag longer than`}},
		{"comment", "<!--", "x", "-->", []string{"line 4: CONSOLIDATED_LIST/INDIVIDUALS: comment longer than 1048576 bytes"}},
		{"nesting", "\n", "<a>", "", []string{"line 5: .../a/a/a/a/a/a: elements nested deeper than 32"}},
		{"nesting in an entity", "<ENTITY>\n", "<a>", "", []string{"line 5: .../a/a/a/a/a/a: elements nested deeper than 32"}},
		{"text in an entity", "<ENTITY>\n<COMMENTS1>\n\n", "x", "</COMMENTS1></ENTITY>", []string{"line 7: CONSOLIDATED_LIST/INDIVIDUALS/ENTITY/COMMENTS1: text longer than 1048576 bytes"}},
		{"individual's text", "<INDIVIDUAL>\n<REFERENCE_NUMBER>X</REFERENCE_NUMBER>\n<COMMENTS1>", "x", "</COMMENTS1></INDIVIDUAL>", []string{"line 6: INDIVIDUAL/COMMENTS1: the INDIVIDUAL passes 1048576 bytes here"}},
		{"individual's aliases", "<INDIVIDUAL>\n", "<INDIVIDUAL_ALIAS><ALIAS_NAME>x</ALIAS_NAME></INDIVIDUAL_ALIAS>\n", "</INDIVIDUAL>", []string{"INDIVIDUAL/ALIAS_NAME: the INDIVIDUAL passes 1048576 bytes here"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &repeated{s: tc.repeat, n: size}
			in := io.MultiReader(strings.NewReader(sample[:at]+tc.before), body, strings.NewReader(tc.after+sample[at:]))
			ls, err := importer.ReadUN(in, "un.xml")
			checkErr(t, ls, err, tc.want...)
			if body.read > importer.MaxUNTokenBytes+64<<10 {
				t.Errorf("read %d bytes of %d before refusing, want little more than %d", body.read, size, importer.MaxUNTokenBytes)
			}
		})
	}
	// Up to the bound is read.
	in := sample[:at] + strings.Repeat(" ", importer.MaxUNTokenBytes-64) + sample[at:]
	if ls, err := importer.ReadUN(strings.NewReader(in), "un.xml"); err != nil || len(ls) == 0 {
		t.Errorf("a text just under the bound: got %d listings, error %v", len(ls), err)
	}
}
