package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"tripline"
	"tripline/importer"
)

// Fuzz targets for every list reader (issue 13): whatever the file, a
// reader returns a coded EINVALID error naming what is wrong, or listings
// that each pass Validate under distinct ids — never a panic, never an
// uncoded error. CI runs each for a bounded time (.ci/run).

// checkListings is the shared invariant.
func checkListings(t *testing.T, ls []*tripline.Listing, err error) {
	t.Helper()
	if err != nil {
		if tripline.ErrorCode(err) != tripline.EINVALID {
			t.Fatalf("uncoded error: %v", err)
		}
		return
	}
	seen := map[string]bool{}
	for _, l := range ls {
		if err := l.Validate(); err != nil {
			t.Fatalf("listing %q does not validate: %v", l.ID, err)
		}
		if seen[l.ID] {
			t.Fatalf("id %q twice", l.ID)
		}
		seen[l.ID] = true
	}
}

func seed(f *testing.F, paths ...string) {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzReadCSV(f *testing.F) {
	seed(f, "../docs/listing-template.csv")
	var buf bytes.Buffer
	if err := importer.GenerateCSV(&buf, 5, 1); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("id,primary_name,action\n1,Ali Hassan,refuse_entry\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ls, err := importer.ReadCSV(bytes.NewReader(data), "f.csv", "agency-x")
		checkListings(t, ls, err)
		for _, l := range ls {
			// A CSV row holds the rules the API applies too.
			if err := importer.CheckListing(l); err != nil {
				t.Fatalf("listing %q read from CSV fails CheckListing: %v", l.ID, err)
			}
		}
	})
}

func FuzzReadFTM(f *testing.F) {
	seed(f, "testdata/persons.ftm.json")
	f.Add([]byte(`{"id":"x1","schema":"Person","properties":{"name":["Anna Smith"],"birthDate":["1970-01"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ls, err := importer.ReadFTM(bytes.NewReader(data), "f.json", "opensanctions")
		checkListings(t, ls, err)
	})
}

func FuzzReadUN(f *testing.F) {
	seed(f, "testdata/un_sample.xml", "testdata/un_truncated.xml", "testdata/un_baddate.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		ls, err := importer.ReadUN(bytes.NewReader(data), "f.xml")
		checkListings(t, ls, err)
	})
}

// FuzzReadOFAC fuzzes sdn.csv and add.csv, the beside-file whose rows
// join onto sdn.csv's.
func FuzzReadOFAC(f *testing.F) {
	sdn, err := os.ReadFile("testdata/ofac/sdn.csv")
	if err != nil {
		f.Fatal(err)
	}
	add, err := os.ReadFile("testdata/ofac/add.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sdn, add)
	f.Add(sdn, []byte{})
	f.Fuzz(func(t *testing.T, sdn, add []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "sdn.csv")
		if err := os.WriteFile(path, sdn, 0o600); err != nil {
			t.Fatal(err)
		}
		if len(add) > 0 {
			if err := os.WriteFile(filepath.Join(dir, "add.csv"), add, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		ls, err := importer.ReadOFAC(path)
		checkListings(t, ls, err)
	})
}
