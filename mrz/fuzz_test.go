package mrz

import (
	"errors"
	"strings"
	"testing"

	"tripline"
)

// FuzzParse: whatever the input, both modes return a coded error or a
// self-consistent result, quickly; the tolerant mode fails only where the
// strict one does (it reads more: typed input), and the tolerant result's
// lines parse strictly to the same verdict.
func FuzzParse(f *testing.F) {
	var c cheminfoFile
	loadJSON(f, "mrz_cheminfo_cases.json", &c)
	for _, cs := range c.Cases {
		f.Add(strings.Join(cs.Lines, "\n"))
	}
	var g icaoFile
	loadJSON(f, "mrz_icao_specimens.json", &g)
	for _, v := range g.Vectors {
		f.Add(strings.Join(v.Lines, "\n"))
		f.Add(strings.Join(v.Lines, ""))
	}
	for _, s := range []string{"", "\n\n", "P<", strings.ToLower(specTD3), "P<UTOERIKSSON  ANNA MARIA\nL898902C3 6 UTO 740812 2 F 120415 9 ZE184226B<<<<< 1 0",
		strings.Replace(specTD3, "L898902C3", "L8989O2C3", 1), strings.Replace(specTD1, "D23145890<", "D2314589O<", 1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		strict, err := Parse(in, testOpts)
		if err != nil {
			var e *tripline.Error
			if !errors.As(err, &e) || e.Code != tripline.EINVALID || !strings.HasPrefix(e.Message, "mrz: ") {
				t.Fatalf("error %v is not a coded EINVALID mrz error", err)
			}
			tol, terr := ParseTolerant(in, testOpts)
			if terr == nil {
				// Typed by hand: what tolerant mode read parses strictly.
				consistent(t, tol)
				if _, err := Parse(strings.Join(tol.Lines, "\n"), testOpts); err != nil {
					t.Fatalf("tolerant lines %q do not parse: %v", tol.Lines, err)
				}
				return
			}
			if !errors.As(terr, &e) || e.Code != tripline.EINVALID || !strings.HasPrefix(e.Message, "mrz: ") {
				t.Fatalf("tolerant error %v is not a coded EINVALID mrz error", terr)
			}
			return
		}
		consistent(t, strict)
		if strict.Corrected {
			t.Fatal("strict result is corrected")
		}
		tol, err := ParseTolerant(in, testOpts)
		if err != nil {
			t.Fatalf("tolerant failed where strict did not: %v", err)
		}
		consistent(t, tol)
		if strict.Valid && tol.Corrected {
			// Only type-decided fixes (names, countries) may touch a valid MRZ.
			for _, c := range tol.Corrections {
				switch c.Field {
				case "name", "issuer", "nationality", "document_code":
				default:
					t.Fatalf("valid MRZ corrected in %s", c.Field)
				}
			}
		}
		again, err := Parse(strings.Join(tol.Lines, "\n"), testOpts)
		if err != nil {
			t.Fatalf("corrected lines do not parse: %v", err)
		}
		if again.Valid != tol.Valid || len(again.Checks) != len(tol.Checks) {
			t.Fatalf("re-parse of corrected lines: valid %v, tolerant said %v", again.Valid, tol.Valid)
		}
		for k, v := range tol.Checks {
			if again.Checks[k] != v {
				t.Fatalf("re-parse: check %s %v, tolerant said %v", k, again.Checks[k], v)
			}
		}
	})
}

// wantChecks is the set of checks each format has.
var wantChecks = map[string]int{TD1: 4, TD2: 4, TD3: 5, MRVA: 3, MRVB: 3}

func consistent(t *testing.T, r *Result) {
	t.Helper()
	if r.Errors == nil {
		t.Fatal("Errors is nil, want []")
	}
	if n, ok := wantChecks[r.Format]; !ok || len(r.Checks) != n {
		t.Fatalf("format %q with checks %v", r.Format, r.Checks)
	}
	all := true
	for k, ok := range r.Checks {
		all = all && ok
		if !ok && !hasErrorFor(r, k) {
			t.Fatalf("check %s failed with no error naming it: %q", k, r.Errors)
		}
	}
	if r.Valid != (all && len(r.Errors) == 0) {
		t.Fatalf("valid %v with checks %v and errors %q", r.Valid, r.Checks, r.Errors)
	}
	if r.Corrected != (len(r.Corrections) > 0) {
		t.Fatalf("corrected %v with %d corrections", r.Corrected, len(r.Corrections))
	}
}

func BenchmarkParseTD3(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(specTD3, testOpts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTolerantTD3 measures the correction search on a misread
// document number, its worst usual case.
func BenchmarkParseTolerantTD3(b *testing.B) {
	in := strings.Replace(specTD3, "L898902C3", "L8989O2C3", 1)
	for b.Loop() {
		if _, err := ParseTolerant(in, testOpts); err != nil {
			b.Fatal(err)
		}
	}
}
