package mrz

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

const (
	specTD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	specTD1 = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<"
	specTD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
	specBEL = "IDBEL600001795<0152<<<<<<<<<<<\n1301014F2311207BEL130101987398\nSPECIMEN<<SPECIMEN<<<<<<<<<<<<"
	specCHN = "POCHNABULIKEMU<<ABULA<<<<<<<<<<<<<<<<<<<<<<<\nE596593216CHN9701078M2510077LAKCLCLMMBKGG932"
	specMRV = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"
)

func TestParseTolerant(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string // corrected MRZ
		corr  []Correction
	}{
		{"valid input is left alone", specTD3, specTD3, nil},
		{"O for 0 in document number", strings.Replace(specTD3, "L898902C3", "L8989O2C3", 1), specTD3,
			[]Correction{{"document_number", 2, 6, "O", "0"}}},
		{"letters in birth date and composite", strings.Replace(specTD3, "7408122F1204159ZE184226B<<<<<10", "74O8I22F1204159ZE184226B<<<<<1O", 1), specTD3,
			[]Correction{{"dob", 2, 16, "O", "0"}, {"dob", 2, 18, "I", "1"}, {"composite", 2, 44, "O", "0"}}},
		{"G for 6 in a check digit", strings.Replace(specTD3, "L898902C36", "L898902C3G", 1), specTD3,
			[]Correction{{"document_number", 2, 10, "G", "6"}}},
		{"S for 5 in expiry", strings.Replace(specTD3, "1204159", "12O4IS9", 1), specTD3,
			[]Correction{{"expiry", 2, 24, "O", "0"}, {"expiry", 2, 26, "I", "1"}, {"expiry", 2, 27, "S", "5"}}},
		{"digits in issuer and name", strings.Replace(specTD3, "P<UTOERIKSSON<<ANNA<MARIA", "P<UT0ER1KSSON<<ANNA<MAR1A", 1), specTD3,
			[]Correction{{"issuer", 1, 5, "0", "O"}, {"name", 1, 8, "1", "I"}, {"name", 1, 24, "1", "I"}}},
		{"B for 8 in personal number", strings.Replace(specTD3, "ZE184226B", "ZE1B4226B", 1), specTD3,
			[]Correction{{"optional", 2, 32, "B", "8"}}},
		{"8 for B in personal number", strings.Replace(specCHN, "LMMBKGG", "LMM8KGG", 1), specCHN,
			[]Correction{{"optional", 2, 38, "8", "B"}}},
		{"TD1 overflowed document number", strings.Replace(specTD1, "D23145890<", "D2314589O<", 1), specTD1,
			[]Correction{{"document_number", 1, 14, "O", "0"}}},
		{"TD1 overflow itself", strings.Replace(specBEL, "<0152", "<O152", 1), specBEL,
			[]Correction{{"document_number", 1, 16, "O", "0"}}},
		{"TD1 second optional field via composite", strings.Replace(specBEL, "BEL130101", "BEL13O101", 1), specBEL,
			[]Correction{{"optional_2", 2, 21, "O", "0"}}},
		{"TD2 I for 1", strings.Replace(specTD2, "D23145890", "D23I45890", 1), specTD2,
			[]Correction{{"document_number", 2, 4, "I", "1"}}},
		{"visa B for 8", strings.Replace(specMRV, "L8988901C", "L898B901C", 1), specMRV,
			[]Correction{{"document_number", 2, 5, "B", "8"}}},
		{"document code digit", strings.Replace(specTD1, "I<UTO", "1<UTO", 1), specTD1,
			[]Correction{{"document_code", 1, 1, "1", "I"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseTolerant(tt.input, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Lines, "\n"); got != tt.want {
				t.Errorf("lines:\ngot  %s\nwant %s", got, tt.want)
			}
			if !reflect.DeepEqual(r.Corrections, tt.corr) {
				t.Errorf("corrections: got %+v, want %+v", r.Corrections, tt.corr)
			}
			if r.Corrected != (len(tt.corr) > 0) {
				t.Errorf("corrected: got %v", r.Corrected)
			}
			if !r.Valid {
				t.Errorf("not valid after correction: %q", r.Errors)
			}
			// Strict mode on the same input must not correct anything.
			s, err := Parse(tt.input, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if s.Corrected || len(s.Corrections) > 0 || (len(tt.corr) > 0 && s.Valid) {
				t.Errorf("strict: corrected %v, valid %v, want neither", s.Corrected, s.Valid)
			}
		})
	}
}

// TestParseTolerantAmbiguous: when two corrections fit equally well none is
// applied, the failure stays reported and a warning says why.
func TestParseTolerantAmbiguous(t *testing.T) {
	in := strings.Replace(specTD3, "L898902C3", "LB98902C3", 1)
	r, err := ParseTolerant(in, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Corrected || r.Valid || r.Checks[CheckDocumentNumber] {
		t.Errorf("got corrected %v valid %v, want neither", r.Corrected, r.Valid)
	}
	if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], "ocr: 2 corrections") {
		t.Errorf("warnings: got %q", r.Warnings)
	}
	if !hasErrorFor(r, CheckDocumentNumber) {
		t.Errorf("errors: got %q, want a document_number error", r.Errors)
	}
}

// TestParseTolerantUnfixable: a digit misread as another digit is not an OCR
// look-alike; the result stays invalid and uncorrected.
func TestParseTolerantUnfixable(t *testing.T) {
	r, err := ParseTolerant(strings.Replace(specTD3, "7408122", "7408132", 1), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Valid || r.Corrected || r.Checks[CheckDOB] {
		t.Errorf("got valid %v corrected %v dob %v", r.Valid, r.Corrected, r.Checks[CheckDOB])
	}
}

// TestParseTolerantSweep injects every single look-alike misread into every
// valid vector. Type-decided positions must always come back; in document
// numbers and optional data the result must be the original or an
// acknowledged ambiguity, never a different MRZ that happens to verify.
func TestParseTolerantSweep(t *testing.T) {
	var inputs [][]string
	var f cheminfoFile
	loadJSON(t, "mrz_cheminfo_cases.json", &f)
	for _, c := range f.Cases {
		inputs = append(inputs, c.Lines)
	}
	var g icaoFile
	loadJSON(t, "mrz_icao_specimens.json", &g)
	for _, v := range g.Vectors {
		inputs = append(inputs, v.Lines)
	}
	restored, ambiguous, total := 0, 0, 0
	for _, lines := range inputs {
		orig := strings.Join(lines, "")
		if r, _ := Parse(strings.Join(lines, "\n"), testOpts); !r.Valid {
			continue
		}
		lay := layoutFor(len(lines), len(lines[0]), orig[0])
		typed := map[int]bool{}
		for _, p := range append(numericPositions(lay), alphaPositions(lay)...) {
			typed[p] = true
		}
		for p := range orig {
			var bad byte
			switch {
			case typed[p] && toDigit[orig[p]] != 0:
				bad = toDigit[orig[p]]
			case typed[p] && toLetter[orig[p]] != 0:
				bad = toLetter[orig[p]]
			case !typed[p] && lookalike[orig[p]] != 0 && p != lay.sex:
				bad = lookalike[orig[p]]
			default:
				continue
			}
			b := []byte(orig)
			b[p] = bad
			var in []string
			for i := 0; i < lay.lines; i++ {
				in = append(in, string(b[i*lay.lineLen:(i+1)*lay.lineLen]))
			}
			r, err := ParseTolerant(strings.Join(in, "\n"), testOpts)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			got := strings.Join(r.Lines, "")
			total++
			switch {
			case got == orig:
				restored++
			case typed[p]:
				t.Errorf("%s (position %d): typed position not restored: got %s", b, p, got)
			case r.Valid && !r.Checks[CheckComposite] && lay.composite >= 0:
				t.Errorf("%s: valid without composite", b)
			case r.Valid && got != string(b):
				t.Errorf("%s: corrected to a different MRZ %s", b, got)
			case len(r.Warnings) > 0:
				ambiguous++
			}
		}
	}
	t.Logf("%d misreads: %d restored, %d reported ambiguous", total, restored, ambiguous)
	if restored < total*9/10 {
		t.Errorf("restored %d of %d, want at least 90%%", restored, total)
	}
}

// ParseTolerant reads an MRZ as an officer types it by hand (issue 13):
// lower case, spaces for fillers or between groups, trailing fillers of a
// name line left out. Each is read to the printed MRZ and said in Warnings;
// the strict Parse still refuses them.
func TestParseTolerantTyped(t *testing.T) {
	l1, l2, _ := strings.Cut(specTD3, "\n")
	t1 := strings.Split(specTD1, "\n")
	tests := []struct {
		name, input, want string
		warnings          []string
	}{
		{"lower case", strings.ToLower(specTD3), specTD3, []string{"lower-case letters read as upper case"}},
		{"spaces for fillers in the name", "P<UTOERIKSSON  ANNA MARIA\n" + l2, specTD3,
			[]string{"line 1: spaces read as '<', padded with '<' to 44 characters"}},
		{"trailing fillers left out", "P<UTOERIKSSON<<ANNA<MARIA\n" + l2, specTD3, []string{"line 1: padded with '<' to 44 characters"}},
		{"spaces between groups", l1 + "\nL898902C3 6 UTO 740812 2 F 120415 9 ZE184226B<<<<< 1 0", specTD3, []string{"line 2: spaces dropped"}},
		{"spaces for fillers in line 2", l1 + "\n" + strings.Replace(l2, "<<<<<", "     ", 1), specTD3, []string{"line 2: spaces read as '<'"}},
		{"grouped name line of full length", "P<UTO ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" + l2, specTD3, []string{"line 1: spaces dropped"}},
		{"typed TD1 in lower case, short lines", strings.ToLower(strings.TrimRight(t1[0], "<") + "\n" + t1[1] + "\nstevenson  peter john"), specTD1,
			[]string{"lower-case letters read as upper case", "line 1: padded with '<' to 30 characters", "line 3: spaces read as '<', padded with '<' to 30 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseTolerant(tt.input, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Lines, "\n"); got != tt.want || !r.Valid {
				t.Errorf("lines (valid %v):\ngot  %s\nwant %s\nerrors %q", r.Valid, got, tt.want, r.Errors)
			}
			if !reflect.DeepEqual(r.Warnings, tt.warnings) {
				t.Errorf("warnings: got %q, want %q", r.Warnings, tt.warnings)
			}
			if _, err := Parse(tt.input, testOpts); err == nil {
				t.Error("strict Parse accepted typed input")
			}
		})
	}
}

// Every specimen, typed by hand in lower case with its fillers after the
// names left out, reads in tolerant mode exactly as the printed specimen.
func TestSpecimensTypedByHand(t *testing.T) {
	var all [][]string
	var g icaoFile
	loadJSON(t, "mrz_icao_specimens.json", &g)
	for _, v := range g.Vectors {
		all = append(all, v.Lines)
	}
	var c cheminfoFile
	loadJSON(t, "mrz_cheminfo_cases.json", &c)
	for _, cs := range c.Cases {
		all = append(all, cs.Lines)
	}
	for _, lines := range all {
		printed := strings.Join(lines, "\n")
		want, err := ParseTolerant(printed, testOpts)
		if err != nil {
			continue // not an MRZ to begin with: the vector tests say why
		}
		typed := slices.Clone(lines)
		name := len(typed) - 1 // TD1: the name is on line 3
		if len(typed) == 2 {
			name = 0
		}
		typed[name] = strings.TrimRight(typed[name], "<")
		got, err := ParseTolerant(strings.ToLower(strings.Join(typed, "\n")), testOpts)
		if err != nil {
			t.Errorf("%q typed: %v", printed, err)
			continue
		}
		if !slices.Equal(got.Lines, want.Lines) || got.Valid != want.Valid || got.DOB != want.DOB || got.Surname != want.Surname {
			t.Errorf("%q typed: read %q (valid %v), want %q (valid %v)", printed, got.Lines, got.Valid, want.Lines, want.Valid)
		}
	}
}
