package importer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tripline"
	"tripline/importer"
)

func TestReadOFACSample(t *testing.T) {
	ls, err := importer.ReadOFAC("testdata/ofac/sdn.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ls), 6; got != want {
		t.Fatalf("got %d listings, want %d (the bank must be skipped)", got, want)
	}
	m := byID(t, ls)

	for _, tc := range []struct {
		id, primary, given, family string
		dob, pob, nat              []string
		sex                        tripline.Sex
		docs                       []string // "type number country expiry"
		aliases, weak              []string
		addresses                  []string
		reason                     string
	}{
		{
			id: "ofac-sdn:15653", primary: "Mostafa ESBATI", given: "Mostafa", family: "ESBATI",
			dob: []string{"1961-07-17"}, docs: []string{"P D9004869 IRN "}, reason: "sanctions: NPWMD, IFSR",
		},
		{
			id: "ofac-sdn:26667", primary: "Ivan Dmitriyevich TUCHKOV", given: "Ivan Dmitriyevich", family: "TUCHKOV",
			dob: []string{"1986-11-27"}, pob: []string{"Moscow, Russia"}, sex: "M",
			docs:      []string{"P 45092006504 RUS ", "P 753931329 RUS "},
			addresses: []string{"Russia"}, reason: "sanctions: CYBER2",
		},
		{
			id: "ofac-sdn:10467", primary: "Daniel Alberto MORA RICARDO", given: "Daniel Alberto", family: "MORA RICARDO",
			dob: []string{"1965-01-08"}, nat: []string{"COL"}, docs: []string{"I 80408253 COL "},
			addresses: []string{"c/o SOCIEDAD SUPERDEPORTES LTDA., Bogota, Colombia", "c/o ABS HEALTH CLUB SA, Bogota, Colombia", "Miami, FL, United States"},
			reason:    "sanctions: SDNT",
		},
		{
			id: "ofac-sdn:12328", primary: "Leodomir MUGARAGU", given: "Leodomir", family: "MUGARAGU",
			dob: []string{"1954", "1953"}, pob: []string{"Kigali, Rwanda", "Rushashi (Northern Province), Rwanda"},
			aliases:   []string{"Manzi LEON", "Leo MANZI"},
			addresses: []string{"Katoyi, North Kivu, Congo, Democratic Republic of the"}, reason: "sanctions: DRCONGO",
		},
		{
			id: "ofac-sdn:18646", primary: "Emrah ERDOGAN", given: "Emrah", family: "ERDOGAN",
			dob: []string{"1987", "1988", "1989"}, pob: []string{"Turkey"}, nat: []string{"DEU"},
			weak: []string{"Salahuddin AL-KURDI"}, reason: "sanctions: SDGT",
		},
		{
			id: "ofac-sdn:18645", primary: "Nasser MUTHANA", given: "Nasser", family: "MUTHANA",
			dob: []string{"1993", "1994", "1995"}, pob: []string{"Cardiff, United Kingdom"}, nat: []string{"GBR"},
			weak:      []string{"Abu Muthanna al-Yemeni", "Abu Muthanna al Yemeni", "Abu Muthana Al Yemeni"},
			addresses: []string{"Syria"}, reason: "sanctions: SDGT",
		},
	} {
		t.Run(tc.id, func(t *testing.T) {
			l := m[tc.id]
			if l == nil {
				t.Fatalf("%s missing", tc.id)
			}
			p := l.Names[0]
			if p.Kind != tripline.NamePrimary || p.Full != tc.primary || p.Given != tc.given || p.Family != tc.family {
				t.Errorf("primary = %+v, want %q (%q / %q)", p, tc.primary, tc.given, tc.family)
			}
			var docs []string
			for _, d := range l.Documents {
				docs = append(docs, d.Type+" "+d.Number+" "+d.Country+" "+d.Expiry)
			}
			for _, c := range []struct {
				field     string
				got, want []string
			}{
				{"dob", dates(l), tc.dob},
				{"pob", l.BirthPlaces, tc.pob},
				{"nationalities", l.Nationalities, tc.nat},
				{"documents", docs, tc.docs},
				{"aliases", names(l, tripline.NameAlias), tc.aliases},
				{"weak aliases", names(l, tripline.NameWeakAlias), tc.weak},
				{"addresses", l.Addresses, tc.addresses},
			} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if l.Sex != tc.sex || string(l.Reason) != tc.reason || l.Action != tripline.ActionRefuseEntry ||
				l.Provenance.Originator != "ofac-sdn" || l.Provenance.SourceRef != strings.TrimPrefix(tc.id, "ofac-sdn:") {
				t.Errorf("sex %q reason %q action %q provenance %+v", l.Sex, l.Reason, l.Action, l.Provenance)
			}
			if !strings.Contains(l.Narrative, "DOB ") {
				t.Errorf("narrative %q lost the remarks", l.Narrative)
			}
		})
	}
}

// TestReadOFACAlone: without add.csv and alt.csv beside it, sdn.csv still
// reads; there are just no aliases or addresses.
func TestReadOFACAlone(t *testing.T) {
	ls, err := importer.ReadOFAC("testdata/ofac-alone/sdn.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 6 {
		t.Fatalf("got %d listings, want 6", len(ls))
	}
	for _, l := range ls {
		if len(l.Addresses) != 0 || len(names(l, tripline.NameAlias)) != 0 {
			t.Errorf("%s: addresses %q aliases %q, want none", l.ID, l.Addresses, names(l, tripline.NameAlias))
		}
	}
}

func TestReadOFACReal(t *testing.T) {
	for _, tc := range []struct {
		dir                       string
		listings                  int
		withDOB, withDoc, withNat int
		spot                      string // id
		spotDOB, spotNat          []string
		spotDocs                  int
	}{
		// July 2021: 8,976 records, 4,620 of them individuals.
		{"watchman/test/testdata/bench", 4620, 4428, 1941, 2544, "ofac-sdn:26667", []string{"1986-11-27"}, nil, 2},
		// January 2019: 7,379 records, 3,845 individuals.
		{"watchman/test/testdata", 3845, 3662, 1510, 1899, "ofac-sdn:10467", []string{"1965-01-08"}, []string{"COL"}, 1},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			p := sharedData(t, filepath.Join(tc.dir, "sdn.csv"))
			ls, err := importer.ReadOFAC(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(ls); got != tc.listings {
				t.Errorf("listings = %d, want %d", got, tc.listings)
			}
			var dob, doc, nat int
			for _, l := range byID(t, ls) {
				if len(l.BirthDates) > 0 {
					dob++
				}
				if len(l.Documents) > 0 {
					doc++
				}
				if len(l.Nationalities) > 0 {
					nat++
				}
			}
			if dob != tc.withDOB || doc != tc.withDoc || nat != tc.withNat {
				t.Errorf("with DOB, document, nationality = %d, %d, %d; want %d, %d, %d", dob, doc, nat, tc.withDOB, tc.withDoc, tc.withNat)
			}
			l := byID(t, ls)[tc.spot]
			if l == nil {
				t.Fatalf("%s missing", tc.spot)
			}
			if !slices.Equal(dates(l), tc.spotDOB) || !slices.Equal(l.Nationalities, tc.spotNat) || len(l.Documents) != tc.spotDocs {
				t.Errorf("%s: dob %q nationalities %q documents %+v", tc.spot, dates(l), l.Nationalities, l.Documents)
			}
		})
	}
}

func TestReadOFACErrors(t *testing.T) {
	sample := mustRead(t, "testdata/ofac/sdn.csv")
	for _, tc := range []struct {
		name, sdn, alt string
		want           []string
	}{
		{"impossible DOB", strings.Replace(sample, "DOB 17 Jul 1961", "DOB 31 Feb 1961", 1), "", []string{"sdn.csv: line 4: Remarks: DOB \"31 Feb 1961\": day 31 out of range"}},
		{"bad month", strings.Replace(sample, "DOB 17 Jul 1961", "DOB 17 Jux 1961", 1), "", []string{"line 4: Remarks: DOB \"17 Jux 1961\": \"Jux\" is not a month"}},
		{"duplicate ent_num", strings.Replace(sample, "15653,", "12328,", 1), "", []string{"sdn.csv: line 4: ent_num: duplicate 12328 (first on line 3)"}},
		{"bad ent_num", strings.Replace(sample, "15653,", "x15653,", 1), "", []string{"line 4: ent_num: \"x15653\" is not a number"}},
		{"no name", strings.Replace(sample, `"ESBATI, Mostafa"`, "-0- ", 1), "", []string{"line 4: SDN_Name: missing"}},
		{"field count", strings.Replace(sample, `"ESBATI, Mostafa",`, "", 1), "", []string{"sdn.csv: line 4: 11 fields, want 12"}},
		{"bad quoting", strings.Replace(sample, `"ESBATI, Mostafa"`, `"ESBATI, "Mostafa"`, 1), "", []string{"sdn.csv: line 4: malformed CSV"}},
		{"empty", "", "", []string{"sdn.csv: no listings found"}},
		{"endless row", sample + `99999,"` + strings.Repeat("x", 2*importer.MaxRowBytes), "", []string{"sdn.csv: the row starting at byte", "is longer than 1048576 bytes"}},
		{"alt without name", sample, "12328,13237,\"aka\",-0- ,-0- \r\n", []string{"alt.csv: line 1: alt_name: missing"}},
		{"one entity's 40,000 aliases", sample, func() string {
			var b strings.Builder
			for i := range 40_000 {
				fmt.Fprintf(&b, "12328,%d,\"aka\",\"NAME%dX, Leo\",-0- \r\n", 100_000+i, i)
			}
			return b.String()
		}(), []string{"listing ofac-sdn:12328: names: more than 256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "sdn.csv"), []byte(tc.sdn), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.alt != "" {
				if err := os.WriteFile(filepath.Join(dir, "alt.csv"), []byte(tc.alt), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ls, err := importer.ReadOFAC(filepath.Join(dir, "sdn.csv"))
			checkErr(t, ls, err, tc.want...)
		})
	}
	ls, err := importer.ReadOFAC("testdata/no-such-dir/sdn.csv")
	checkErr(t, ls, err, "testdata/no-such-dir/sdn.csv: no such file or directory")
}
