package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScreenPNRGOV: `tripline screen --pnrgov` screens every passenger of a
// push, each result with its booking and co-travellers, a UN-listed
// passenger departing gets the departure instruction of an entry ban.
func TestScreenPNRGOV(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	push, err := os.ReadFile("../../screening/testdata/pnr_predeparture.edi")
	if err != nil {
		t.Fatal(err)
	}
	// A UN-listed person (un-sc:TAi.139) on the first booking.
	s := strings.Replace(string(push), "TIF+HADDAD+KARIM BENALI MR:A:1'", "TIF+SHINWARI+ABDUL GHAFFAR MR:A:1'", 1)
	s = strings.Replace(s, "/P/TUR/U1234567/TUR/02APR88/M/01JAN30/HADDAD/KARIM BENALI", "/P/AFG/OA1234567/AFG/29MAR65/M/01JAN30/SHINWARI/ABDUL GHAFFAR", 1)
	file := filepath.Join(t.TempDir(), "push.edi")
	os.WriteFile(file, []byte(s), 0o600)
	code, out, errs := run(t, dir, "", "screen", "--pnrgov", file, "--direction", "out")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "flight TK1980 from IST (TUR)") {
		t.Errorf("stderr lacks the flight: %s", errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d results, want 3:\n%s", len(lines), out)
	}
	var r struct {
		Decision, Action, Booking, Direction string
		CoTravellers                         []struct{ Ref, Name string } `json:"co_travellers"`
	}
	json.Unmarshal([]byte(lines[0]), &r)
	if r.Decision != "hit" || r.Action != "report" || r.Booking != "ABC123" || r.Direction != "out" || len(r.CoTravellers) != 1 {
		t.Fatalf("listed passenger: %s", lines[0])
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"screen", "--departure-country", "TR"}, 2, "--departure-country applies to --pnrgov"},
		{[]string{"screen", "--pnrgov", file, "--paxlst", file}, 2, "give one"},
		{[]string{"screen", "--pnrgov", file, "--departure-country", "Atlantis"}, 1, "departure_country"},
		{[]string{"screen", "--pnrgov", filepath.Join(t.TempDir(), "missing.edi")}, 1, "open PNRGOV push"},
	} {
		code, _, errs := run(t, dir, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d %q; want %d naming %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}
