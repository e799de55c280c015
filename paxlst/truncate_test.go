package paxlst_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tripline"
	"tripline/paxlst"
)

// TestTruncated cuts every sample manifest at every byte offset. Read
// strictly, a cut manifest is an error naming what is missing, or (a cut
// inside the UNZ or after it) exactly the whole manifest's travellers. Read
// with Options.Partial, it never panics and never invents a traveller: each
// traveller is the whole manifest's traveller at that place, under the same
// name, and each traveller of a cut message says so.
func TestTruncated(t *testing.T) {
	files, _ := filepath.Glob("testdata/*")
	if len(files) < 4 {
		t.Fatalf("found %d samples", len(files))
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		whole := travellersOf(t, name, data)
		cutErrs := 0
		for n := range len(data) {
			cut := data[:n]
			ms, err := paxlst.ParseAll(bytes.NewReader(cut))
			if err == nil {
				if got := travellersOf(t, name, cut); !reflect.DeepEqual(got, whole) {
					t.Fatalf("%s cut at %d: strict parse succeeded with other travellers:\n got %v\nwant %v", name, n, got, whole)
				}
				for _, m := range ms {
					if m.Incomplete != "" {
						t.Fatalf("%s cut at %d: strict parse returned an incomplete manifest", name, n)
					}
				}
				continue
			}
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Fatalf("%s cut at %d: uncoded error %v", name, n, err)
			}
			cutErrs++
			ms, perr := paxlst.ParseAllWith(bytes.NewReader(cut), paxlst.Options{Partial: true})
			if perr != nil {
				if tripline.ErrorCode(perr) != tripline.EINVALID {
					t.Fatalf("%s cut at %d: uncoded error %v", name, n, perr)
				}
				continue
			}
			var got []paxlst.Passenger
			for _, m := range ms {
				got = append(got, m.Travellers...)
			}
			if len(got) > len(whole) {
				t.Fatalf("%s cut at %d: %d travellers, the whole manifest has %d", name, n, len(got), len(whole))
			}
			for i := range got {
				if got[i].Surname != whole[i].Surname || got[i].GivenNames != whole[i].GivenNames {
					t.Fatalf("%s cut at %d: traveller %d is %q %q, invented from the fragment of %q %q",
						name, n, i, got[i].GivenNames, got[i].Surname, whole[i].GivenNames, whole[i].Surname)
				}
			}
			// A traveller whose data did not all arrive says so: only the
			// whole ones may go unmarked, and be screened as usual.
			if ms[len(ms)-1].Incomplete == "" {
				t.Fatalf("%s cut at %d: partial manifest does not say it is incomplete", name, n)
			}
			for i := range got {
				if got[i].Incomplete == "" && !reflect.DeepEqual(screened(got[i]), whole[i]) {
					t.Fatalf("%s cut at %d: traveller %s lost data but is not marked:\n got %+v\nwant %+v", name, n, got[i].Name(), screened(got[i]), whole[i])
				}
			}
		}
		if cutErrs < len(data)/2 {
			t.Errorf("%s: only %d of %d cuts were refused", name, cutErrs, len(data))
		}
	}
}

// travellersOf parses the whole of data strictly, or partially when the
// strict parse fails (a cut), and returns every traveller with the fields
// screening uses.
func travellersOf(t *testing.T, name string, data []byte) []paxlst.Passenger {
	t.Helper()
	ms, err := paxlst.ParseAll(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []paxlst.Passenger
	for _, m := range ms {
		for _, p := range m.Travellers {
			out = append(out, screened(p))
		}
	}
	return out
}

// screened keeps the fields of p that screening uses.
func screened(p paxlst.Passenger) paxlst.Passenger {
	return paxlst.Passenger{Surname: p.Surname, GivenNames: p.GivenNames, DOB: p.DOB, Sex: p.Sex,
		Nationality: p.Nationality, Documents: p.Documents, Booking: p.Booking, Seat: p.Seat, Crew: p.Crew}
}

// A manifest cut mid-name: an error naming what is missing; with partial
// processing, the whole travellers before the cut are kept, marked, and the
// fragment is not read as a traveller.
func TestTruncatedMidName(t *testing.T) {
	data, err := os.ReadFile("testdata/gtas_apisMessage.txt")
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte("NAD+FL+++CLARK:CH")) + len("NAD+FL+++CLA")
	cut := data[:at]
	_, err = paxlst.Parse(bytes.NewReader(cut))
	if tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("strict: got %v, want EINVALID", err)
	}
	for _, want := range []string{"input ends inside segment NAD", "not closed by UNT", "no UNZ trailer", "partial processing"} {
		if !strings.Contains(tripline.ErrorMessage(err), want) {
			t.Errorf("strict error %q does not say %q", tripline.ErrorMessage(err), want)
		}
	}
	m, err := paxlst.ParseWith(bytes.NewReader(cut), paxlst.Options{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Travellers) != 1 || m.Travellers[0].Surname != "CLARK" || m.Travellers[0].GivenNames != "MICHAEL" {
		t.Fatalf("travellers: %+v", m.Travellers)
	}
	if !strings.Contains(m.Travellers[0].Incomplete, "cut short") || m.Incomplete == "" {
		t.Errorf("not marked: traveller %q, manifest %q", m.Travellers[0].Incomplete, m.Incomplete)
	}
}
