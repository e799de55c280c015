package pnrgov_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"tripline"
	"tripline/pnrgov"
)

// TestTruncated cuts the small sample pushes at every byte offset. Read
// strictly, a cut push is an error or (cut inside or after the UNZ) the
// whole push's passengers; read partially, it is marked incomplete, never
// panics, and never names a passenger from a fragment.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"testdata/gtas_pnrMessage.txt", "testdata/gtas_pnrMessagePg75.txt"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := pnrgov.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		whole := passengers(m)
		known := map[string]bool{}
		for _, p := range whole {
			known[p] = true
		}
		refused := 0
		for n := range len(data) {
			cut := data[:n]
			m, err := pnrgov.Parse(bytes.NewReader(cut))
			if err == nil {
				if got := passengers(m); !reflect.DeepEqual(got, whole) || m.Incomplete != "" {
					t.Fatalf("%s cut at %d: strict parse succeeded with %v, want %v", name, n, got, whole)
				}
				continue
			}
			if tripline.ErrorCode(err) != tripline.EINVALID {
				t.Fatalf("%s cut at %d: uncoded error %v", name, n, err)
			}
			refused++
			m, err = pnrgov.ParseWith(bytes.NewReader(cut), pnrgov.Options{Partial: true})
			if err != nil {
				if tripline.ErrorCode(err) != tripline.EINVALID {
					t.Fatalf("%s cut at %d: uncoded error %v", name, n, err)
				}
				continue
			}
			if m.Incomplete == "" {
				t.Fatalf("%s cut at %d: partial push not marked incomplete", name, n)
			}
			for _, p := range passengers(m) {
				if !known[p] {
					t.Fatalf("%s cut at %d: passenger %q invented from a fragment", name, n, p)
				}
			}
		}
		if refused < len(data)/2 {
			t.Errorf("%s: only %d of %d cuts refused", name, refused, len(data))
		}
	}
}

func passengers(m *pnrgov.Message) []string {
	var out []string
	for _, b := range m.Bookings {
		for _, p := range b.Passengers {
			out = append(out, p.Surname+"/"+p.GivenNames)
		}
	}
	return out
}
