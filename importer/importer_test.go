package importer_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"tripline/importer"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		format, path, source string
		n                    int
		prefix               string
	}{
		{"un-xml", "testdata/un_sample.xml", "", 3, "un-sc:"},
		{"un-xml", "testdata/un_sample.xml", "un-2024", 3, "un-2024:"},
		{"ofac-sdn", "testdata/ofac/sdn.csv", "", 6, "ofac-sdn:"},
		{"ftm", "testdata/persons.ftm.json", "", 14, "ftm:"},
		{"ftm", "testdata/persons.ftm.json", "opensanctions", 14, "opensanctions:"},
		{"csv", "../docs/listing-template.csv", "bel-fp", 2, "bel-fp:"},
	} {
		t.Run(tc.format+"/"+tc.source, func(t *testing.T) {
			var calls int
			var last, total int64
			ls, err := importer.Read(context.Background(), tc.format, tc.path, tc.source, func(done, tot int64) {
				if done < last {
					t.Errorf("progress went back from %d to %d", last, done)
				}
				calls, last, total = calls+1, done, tot
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(ls) != tc.n {
				t.Errorf("got %d listings, want %d", len(ls), tc.n)
			}
			for _, l := range byID(t, ls) {
				if !strings.HasPrefix(l.ID, tc.prefix) || l.Provenance.Originator != strings.TrimSuffix(tc.prefix, ":") {
					t.Errorf("id %q originator %q, want prefix %q", l.ID, l.Provenance.Originator, tc.prefix)
				}
			}
			if calls == 0 || last != total || total == 0 {
				t.Errorf("progress: %d calls, last %d of %d; want the whole file reported", calls, last, total)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, format, path, source string
		want                       []string
	}{
		{"unknown format", "xlsx", "x.xlsx", "", []string{`format: "xlsx" is not one of un-xml, ofac-sdn, ftm, csv`}},
		{"csv needs a source", "csv", "../docs/listing-template.csv", "", []string{"source: required"}},
		{"source with colon", "ftm", "testdata/persons.ftm.json", "a:b", []string{`source: "a:b" must not contain a colon`}},
		{"missing file", "un-xml", "testdata/nope.xml", "", []string{"testdata/nope.xml: no such file or directory"}},
		{"wrong format for file", "un-xml", "testdata/persons.ftm.json", "", []string{"testdata/persons.ftm.json: not a UN consolidated list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := importer.Read(ctx, tc.format, tc.path, tc.source, nil)
			checkErr(t, ls, err, tc.want...)
		})
	}
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, f := range []struct{ format, path, source string }{
		{"un-xml", "testdata/un_sample.xml", ""},
		{"ofac-sdn", "testdata/ofac/sdn.csv", ""},
		{"csv", "../docs/listing-template.csv", "x"},
	} {
		ls, err := importer.Read(ctx, f.format, f.path, f.source, nil)
		if !errors.Is(err, context.Canceled) || ls != nil {
			t.Errorf("%s: got %d listings, %v; want context.Canceled", f.format, len(ls), err)
		}
	}
}

// TestFixturesExist guards the doc promise that the template ships.
func TestFixturesExist(t *testing.T) {
	for _, p := range []string{"../docs/csv-template.md", "../docs/listing-template.csv"} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}
