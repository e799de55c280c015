package importer_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/importer"
)

func TestReadCSVTemplate(t *testing.T) {
	ls, err := importer.ReadCSV(mustOpen(t, "../docs/listing-template.csv"), "listing-template.csv", "bel-fp")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ls), 2; got != want {
		t.Fatalf("got %d listings, want %d", got, want)
	}
	m := byID(t, ls)
	l := m["bel-fp:2026-0001"]
	if l == nil {
		t.Fatalf("bel-fp:2026-0001 missing; have %v", ls)
	}
	p := l.Names[0]
	if p.Kind != tripline.NamePrimary || p.Full != "Khalid Ahmed Al-Masri" || p.Given != "Khalid Ahmed" || p.Family != "Al-Masri" {
		t.Errorf("primary = %+v", p)
	}
	if got, want := names(l, tripline.NameAlias), []string{"Khaled Ahmad al-Masri", "Khalid El-Masry"}; !slices.Equal(got, want) {
		t.Errorf("aliases = %q, want %q", got, want)
	}
	if got, want := names(l, tripline.NameWeakAlias), []string{"Abu Yusuf"}; !slices.Equal(got, want) {
		t.Errorf("weak aliases = %q, want %q", got, want)
	}
	if got := l.Names[len(l.Names)-1]; got.Kind != tripline.NameOriginal || got.Script != "Arab" || got.Full != "خالد أحمد المصري" {
		t.Errorf("original = %+v", got)
	}
	vu := time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ field, got, want string }{
		{"source", l.Source, "bel-fp"},
		{"dob", strings.Join(dates(l), ","), "1975-03,1976"},
		{"pob", strings.Join(l.BirthPlaces, "|"), "Mosul, Iraq"},
		{"sex", string(l.Sex), "M"},
		{"nationalities", strings.Join(l.Nationalities, ","), "IRQ,SYR"},
		{"document", l.Documents[0].Type + " " + l.Documents[0].Number + " " + l.Documents[0].Country + " " + l.Documents[0].Expiry, "P A1234567 IRQ 2029-08-31"},
		{"reason", string(l.Reason), "terrorism"},
		{"action", string(l.Action), "refuse_entry"},
		{"contact", l.Contact, "CT unit 24/7 desk +32 2 555 0100"},
		{"valid_until", l.ValidUntil.String(), vu.String()},
		{"source_ref", l.Provenance.SourceRef, "CT/2026/0001"},
		{"originator", l.Provenance.Originator, "bel-fp"},
		{"legal_basis", l.Provenance.LegalBasis, "Art. 24 Regulation (EU) 2018/1861"},
		{"screen", strings.Join(l.Handling.Screen, ","), "*"},
		{"details", strings.Join(l.Handling.Details, ","), "nld-kmar,deu-bpol"},
		{"use", l.Handling.Use, "H2"},
		{"reshare", string(l.Handling.Reshare), "with_consent"},
		{"phones", strings.Join(l.Phones, ","), "+964 770 555 0101"},
		{"emails", strings.Join(l.Emails, ","), "k.masri@example.net"},
		{"addresses", strings.Join(l.Addresses, "|"), "12 Al-Rashid Street, Mosul, Iraq"},
		{"status", string(l.Status), "active"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}

	l = m["bel-fp:2026-0002"]
	if l == nil {
		t.Fatal("bel-fp:2026-0002 missing")
	}
	if l.PrimaryName() != "Olga IVANOVA" || l.Action != tripline.ActionReport || l.Sex != "F" {
		t.Errorf("listing 2 = %q %q %q", l.PrimaryName(), l.Action, l.Sex)
	}
	if got := names(l, tripline.NameOriginal); len(got) != 1 || importer.Script(got[0]) != "Cyrl" {
		t.Errorf("original = %q", got)
	}
	// Defaults: details to nobody but the originator, no re-sharing.
	if l.Handling.Details != nil || l.Handling.Reshare != tripline.ReshareNever || l.ValidUntil != nil {
		t.Errorf("handling = %+v valid_until = %v", l.Handling, l.ValidUntil)
	}
}

// TestReadCSVFlexible: columns in any order, a subset, a BOM, quoted cells
// spanning lines, blank rows.
func TestReadCSVFlexible(t *testing.T) {
	in := "\ufeffAction,surname,given_names,ID,narrative,nationalities\n" +
		"detain,Traoré,Amadou,7,\"line one\nline two\",ml\n" +
		",,,,,\n" +
		"INFO,Nowak,Jan,8,,Poland\n"
	ls, err := importer.ReadCSV(strings.NewReader(in), "x.csv", "pl-sg")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 {
		t.Fatalf("got %d listings, want 2", len(ls))
	}
	if l := ls[0]; l.ID != "pl-sg:7" || l.PrimaryName() != "Amadou Traoré" || l.Narrative != "line one\nline two" ||
		l.Action != tripline.ActionDetain || !slices.Equal(l.Nationalities, []string{"MLI"}) {
		t.Errorf("listing 0 = %+v", l)
	}
	if l := ls[1]; l.ID != "pl-sg:8" || l.Action != tripline.ActionInfo || !slices.Equal(l.Nationalities, []string{"POL"}) {
		t.Errorf("listing 1 = %+v", l)
	}
}

func TestReadCSVErrors(t *testing.T) {
	const head = "id,given_names,surname,birth_dates,action,sex,nationalities,document_type,document_number,document_expiry,valid_until,review_by,emails,reshare,use_code\n"
	const ok = "1,Ana,García,1980,info,F,ES,,,,,,,,\n"
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"unknown column", "id,given_names,surname,action,nationalites\n1,A,B,info,ES\n", []string{`f.csv: line 1: header: unknown column "nationalites" (known columns: id, primary_name`}},
		{"protected attribute column", "id,given_names,surname,action,Religion\n1,A,B,info,X\n", []string{`f.csv: line 1: header: column "religion": Tripline does not store religion, ethnicity`}},
		{"repeated column", "id,surname,action,surname\n", []string{`line 1: header: column "surname" appears twice`}},
		{"no id column", "surname,action\nX,info\n", []string{`line 1: header: missing required column "id"`}},
		{"no action column", "id,surname\n1,X\n", []string{`missing required column "action"`}},
		{"no name column", "id,action\n1,info\n", []string{"missing a name column"}},
		{"empty", "", []string{"f.csv: line 1: empty file"}},
		{"header only", head, []string{"f.csv: no listings found"}},
		{"bad date", head + ok + ok[:0] + "2,Ali,Hassan,1975-13,info,,,,,,,,,,\n", []string{`f.csv: line 3: column "birth_dates": "1975-13": month 13 out of range`}},
		{"bad date line 7", head + strings.Repeat(",,,,,,,,,,,,,,\n", 4) + ok + "2,Ali,Hassan,1975-02-30,info,,,,,,,,,,\n", []string{`f.csv: line 7: column "birth_dates": "1975-02-30": day 30 out of range`}},
		{"bad action", head + "1,Ali,Hassan,,shoot,,,,,,,,,,\n", []string{`f.csv: line 2: column "action": "shoot" is not one of refuse_entry`}},
		{"missing action", head + "1,Ali,Hassan,,,,,,,,,,,,\n", []string{`line 2: column "action": "" is not one of`}},
		{"missing id", head + ",Ali,Hassan,,info,,,,,,,,,,\n", []string{`line 2: column "id": required`}},
		{"id with space", head + "a b,Ali,Hassan,,info,,,,,,,,,,\n", []string{`line 2: column "id": "a b" must not contain spaces`}},
		{"no name", head + "1,,,,info,,,,,,,,,,\n", []string{`line 2: column "primary_name": required`}},
		{"bad sex", head + "1,Ali,Hassan,,info,Q,,,,,,,,,\n", []string{`line 2: column "sex": "Q" is not M, F or X`}},
		{"bad nationality", head + "1,Ali,Hassan,,info,,Atlantis,,,,,,,,\n", []string{`line 2: column "nationalities": "Atlantis" is not a country`}},
		{"document without number", head + "1,Ali,Hassan,,info,,,P,,,,,,,\n", []string{`line 2: column "document_type": given without document_number`}},
		{"bad expiry", head + "1,Ali,Hassan,,info,,,P,X1,2030-02-31,,,,,\n", []string{`line 2: column "document_expiry": "2030-02-31" is not a date`}},
		{"bad valid_until", head + "1,Ali,Hassan,,info,,,,,,31/12/2030,,,,\n", []string{`line 2: column "valid_until": "31/12/2030" is not a date`}},
		{"review after valid", head + "1,Ali,Hassan,,info,,,,,,2030-01-01,2031-01-01,,,\n", []string{`line 2: column "review_by": 2031-01-01 is after valid_until 2030-01-01`}},
		{"bad email", head + "1,Ali,Hassan,,info,,,,,,,,ali.example.net,,\n", []string{`line 2: column "emails": "ali.example.net"`}},
		{"bad reshare", head + "1,Ali,Hassan,,info,,,,,,,,,maybe,\n", []string{`line 2: column "reshare": "maybe"`}},
		{"bad use code", head + "1,Ali,Hassan,,info,,,,,,,,,,H9\n", []string{`line 2: column "use_code": "H9"`}},
		{"duplicate id", head + ok + ok, []string{`f.csv: line 3: id: duplicate id "src:1" (first on line 2)`}},
		{"field count", head + "1,Ali,Hassan\n", []string{"f.csv: line 2: row has a different number of fields than the header"}},
		{"bad quoting", head + "1,\"Ali,Hassan,,info,,,,,,,,,,\n", []string{"f.csv: line 2: malformed CSV"}},
		{"bad date in multi-line row", "id,narrative,surname,birth_dates,action\n1,\"a\nb\nc\",X,19755,info\n", []string{`f.csv: line 4: column "birth_dates": "19755"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := importer.ReadCSV(strings.NewReader(tc.in), "f.csv", "src")
			checkErr(t, ls, err, tc.want...)
		})
	}
	ls, err := importer.ReadCSV(strings.NewReader(head+ok), "f.csv", "")
	checkErr(t, ls, err, "f.csv: source: required")
}

func TestGenerateCSV(t *testing.T) {
	var a, b bytes.Buffer
	if err := importer.GenerateCSV(&a, 3000, 42); err != nil {
		t.Fatal(err)
	}
	if err := importer.GenerateCSV(&b, 3000, 42); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed gave different files")
	}
	ls, err := importer.ReadCSV(&a, "gen.csv", "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3000 {
		t.Fatalf("got %d listings, want 3000", len(ls))
	}
	scripts := map[string]int{}
	var partial, multiDOB, docs, aliases int
	for _, l := range byID(t, ls) {
		for _, n := range l.Names {
			if n.Kind == tripline.NameOriginal {
				scripts[n.Script]++
			}
			if n.Kind == tripline.NameAlias {
				aliases++
			}
		}
		for _, d := range l.BirthDates {
			if d.Day == 0 {
				partial++
			}
		}
		if len(l.BirthDates) > 1 {
			multiDOB++
		}
		docs += len(l.Documents)
	}
	// Every feature the matcher must cope with shows up in a sample this size.
	for what, n := range map[string]int{"Arabic originals": scripts["Arab"], "Cyrillic originals": scripts["Cyrl"],
		"Han originals": scripts["Hani"], "partial dates": partial, "several dates": multiDOB, "documents": docs, "aliases": aliases} {
		if n < 30 {
			t.Errorf("%s = %d, want at least 30", what, n)
		}
	}
}

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

// benchFile generates a synthetic CSV of n listings once per test binary.
func benchFile(b *testing.B, n int) string {
	b.Helper()
	benchOnce.Do(func() { benchDir, benchErr = os.MkdirTemp("", "importer-bench") })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	path := filepath.Join(benchDir, strings.ReplaceAll(b.Name(), "/", "_")+".csv")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := importer.GenerateCSV(f, n, 1); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchmarkReadCSV(b *testing.B, n int) {
	path := benchFile(b, n)
	b.Cleanup(func() { os.Remove(path) })
	if st, err := os.Stat(path); err == nil {
		b.SetBytes(st.Size())
	}
	b.ReportAllocs()
	for b.Loop() {
		ls, err := importer.Read(b.Context(), "csv", path, "synthetic", nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(ls) != n {
			b.Fatalf("got %d listings, want %d", len(ls), n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}

// BenchmarkReadCSV10K is the quick version for everyday profiling.
func BenchmarkReadCSV10K(b *testing.B) { benchmarkReadCSV(b, 10_000) }

// BenchmarkReadCSV1M reads a generated 1,000,000-listing file (about 300
// MB, written to a temporary directory once) as an agency-scale import.
func BenchmarkReadCSV1M(b *testing.B) { benchmarkReadCSV(b, 1_000_000) }

// Stream hands over a CSV file row by row: the rows before a bad one
// arrive, then the error naming the file and line, and nothing after it.
func TestStreamCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agency.csv")
	body := "id,primary_name,action\n1,Ali Hassan,refuse_entry\n2,Omar Khan,report\n3,Sara Haddad,bogus\n4,Noor Aziz,report\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	src, ls, err := importer.Stream(t.Context(), "csv", path, "agency", nil)
	if err != nil || src != "agency" {
		t.Fatalf("Stream = %q, %v", src, err)
	}
	var got []string
	var last error
	for l, err := range ls {
		if err != nil {
			last = err
			continue
		}
		got = append(got, l.ID)
	}
	if !slices.Equal(got, []string{"agency:1", "agency:2"}) {
		t.Fatalf("streamed %v before the error", got)
	}
	if msg := tripline.ErrorMessage(last); !strings.HasPrefix(msg, path+`: line 4: column "action"`) {
		t.Fatalf("error = %q, want one naming %s line 4, column action", msg, path)
	}
	if _, _, err := importer.Stream(t.Context(), "csv", path, "", nil); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("csv without a source: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.csv")
	os.WriteFile(empty, []byte("id,primary_name,action\n"), 0o600)
	_, ls, _ = importer.Stream(t.Context(), "csv", empty, "agency", nil)
	for _, err := range ls {
		if msg := tripline.ErrorMessage(err); msg != empty+": no listings found" {
			t.Fatalf("empty file: %q", msg)
		}
	}
}

// endless reads as a cell of "a" that never ends, counting what was read.
type endless struct{ read int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.read += len(p)
	return len(p), nil
}

// TestCSVRowBounded: a row longer than MaxRowBytes in a listing template
// or a document-alert file is refused naming where it starts, after
// reading little more than the bound; a row at the bound (a long
// narrative) and a file of many rows past it are read. Before, one quoted
// cell was held whole: a 200 MiB cell in an upload took 760 MiB.
func TestCSVRowBounded(t *testing.T) {
	for _, tc := range []struct {
		kind, header string
		read         func(r io.Reader) error
	}{
		{"listings", "id,primary_name,action,narrative\n", func(r io.Reader) error {
			_, err := importer.ReadCSV(r, "up.csv", "agency")
			return err
		}},
		{"alerts", "country,number,kind,instruction\n", func(r io.Reader) error {
			_, err := importer.ReadDocumentAlerts(r, "up.csv", "agency")
			return err
		}},
	} {
		src := &endless{}
		err := tc.read(io.MultiReader(strings.NewReader(tc.header+`1,"`), io.LimitReader(src, 16*importer.MaxRowBytes), strings.NewReader("\",x,x,x\n")))
		want := fmt.Sprintf("up.csv: the row starting at byte %d is longer than %d bytes", len(tc.header), importer.MaxRowBytes)
		if tripline.ErrorCode(err) != tripline.EINVALID || tripline.ErrorMessage(err) != want {
			t.Errorf("%s: 16 MiB cell: got %v, want EINVALID %q", tc.kind, err, want)
		}
		if src.read > 2*importer.MaxRowBytes {
			t.Errorf("%s: read %d bytes of a 16 MiB cell, want little more than %d", tc.kind, src.read, importer.MaxRowBytes)
		}
	}
	long := strings.Repeat("n", importer.MaxRowBytes-40)
	var many strings.Builder
	many.WriteString("id,primary_name,action,narrative\n")
	for i := range 3 {
		fmt.Fprintf(&many, "%d,Ali Hassan%c,report,%s\n", i, 'a'+i, long)
	}
	ls, err := importer.ReadCSV(strings.NewReader(many.String()), "up.csv", "agency")
	if err != nil || len(ls) != 3 || len(ls[2].Narrative) != len(long) {
		t.Fatalf("three rows at the bound: %d listings, %v", len(ls), err)
	}
}
