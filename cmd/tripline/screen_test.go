package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScreenJSONLines(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	in := strings.Join([]string{
		`{"ref":"t-1","name":"Mohammed Taher Anwari","dob":"1961","nationality":"AF"}`,
		`{"ref":"t-2","given_names":"Jane","surname":"Doe","dob":"1990-04-02","nationality":"GB"}`,
		`{"ref":"t-3","name":`,
		`{"ref":"t-4","name":"محمد طاهر أنوري","dob":"1961"}`,
		``,
		`{"ref":"t-5","name":"MUHAMMAD TAHIR ANWARI","dob":"1961-05-01","nationality":"AFG","document":{"type":"P","number":"OA123456","country":"AFG"}}`,
	}, "\n")
	code, out, errs := run(t, dir, in, "screen")
	if code != 1 || !strings.Contains(errs, "line 3") || !strings.Contains(errs, "line 5: empty line") {
		t.Fatalf("exit %d, stderr %q: want 1 naming lines 3 and 5", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// One result per input line, the empty line included, so that output
	// line N answers input line N.
	wantRefs := []string{"t-1", "t-2", "t-3", "t-4", "", "t-5"}
	if len(lines) != len(wantRefs) {
		t.Fatalf("%d result lines, want %d:\n%s", len(lines), len(wantRefs), out)
	}
	for i, line := range lines {
		var r struct {
			Ref      string `json:"ref"`
			Decision string `json:"decision"`
			Action   string `json:"action"`
			Matches  []struct {
				Listing string  `json:"listing"`
				Score   float64 `json:"score"`
				Explain []any   `json:"explain"`
			} `json:"matches"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if r.Ref != wantRefs[i] {
			t.Errorf("line %d ref = %q, want %q (order must be kept)", i+1, r.Ref, wantRefs[i])
		}
		switch r.Ref {
		case "t-1", "t-4", "t-5":
			if r.Decision == "clear" || len(r.Matches) == 0 || r.Matches[0].Listing != "un-sc:TAi.005" || len(r.Matches[0].Explain) == 0 {
				t.Errorf("%s: %s; want TAi.005 first with an explanation", r.Ref, line)
			}
		case "t-2":
			if r.Decision != "clear" {
				t.Errorf("t-2 = %s, want clear", line)
			}
		case "t-3", "":
			if r.Decision == "clear" || !strings.Contains(line, `"error"`) {
				t.Errorf("%q = %s, want an error result that is not clear", r.Ref, line)
			}
		}
		if r.Ref == "t-1" && (r.Decision != "hit" || r.Action != "refuse_entry") {
			t.Errorf("t-1 = %s, want hit refuse_entry", line)
		}
	}
}

// TestScreenPAXLSTEndToEnd is issue 4's story on the command line: the UN
// list and a revoked-passport alert imported, a manifest with a listed
// person under a transliterated spelling and a traveller on the revoked
// passport: both hit, the rest clear.
func TestScreenPAXLSTEndToEnd(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	alerts := filepath.Join(t.TempDir(), "alerts.csv")
	os.WriteFile(alerts, []byte("country,number,kind\nSWE,91234567,revoked\n"), 0o600)
	if got := importJSON(t, dir, "--format", "doc-alerts", "--source", "se-police", alerts); got.Added != 1 {
		t.Fatalf("alerts import = %+v", got)
	}
	pax := filepath.Join(t.TempDir(), "m.edi")
	os.WriteFile(pax, []byte(manifest(
		passenger("SHINWARI", "ABDULGHAFFAR", "M", "650329", "AFG", "OA1234567"),
		passenger("LINDQVIST", "ASTRID", "F", "880412", "SWE", "91234567"),
		passenger("OKAFOR", "CHINEDU", "M", "910203", "NGA", "A12345678"),
		passenger("GARCIA", "MARIA", "F", "750101", "ESP", "PAB123456"),
	)), 0o600)
	code, out, errs := run(t, dir, "", "screen", "--paxlst", pax)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []struct{ decision, action, listing string }{
		{"hit", "refuse_entry", "un-sc:TAi.139"},
		{"hit", "refuse_entry", "se-police:SWE:91234567"},
		{"clear", "", ""},
		{"clear", "", ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d results, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		var r struct {
			Ref, Decision, Action string
			Matches               []struct{ Listing string }
		}
		json.Unmarshal([]byte(lines[i]), &r)
		if r.Decision != w.decision || r.Action != w.action || (w.listing != "" && (len(r.Matches) == 0 || r.Matches[0].Listing != w.listing)) {
			t.Errorf("passenger %d = %s; want %s %s %s", i+1, lines[i], w.decision, w.action, w.listing)
		}
	}
	// A broken manifest: a clear error naming the file, exit status 1.
	os.WriteFile(pax, []byte("UNA:+.? 'UNB+UNOA:4+X'garbage"), 0o600)
	if code, _, errs := run(t, dir, "", "screen", "--paxlst", pax); code != 1 || !strings.Contains(errs, "m.edi") {
		t.Fatalf("broken manifest: exit %d, %q", code, errs)
	}

	// Cut short (issue 13, item 11). Cut inside the listed passenger's
	// surname, the manifest once screened a traveller "SHIN" as clear; it
	// is an error naming what is missing, exit status 1.
	whole := manifest(
		passenger("GARCIA", "MARIA", "F", "750101", "ESP", "PAB123456"),
		passenger("SHINWARI", "ABDULGHAFFAR", "M", "650329", "AFG", "OA1234567"),
	)
	midName := whole[:strings.Index(whole, "SHINWARI")+len("SHIN")]
	os.WriteFile(pax, []byte(midName), 0o600)
	code, out, errs = run(t, dir, "", "screen", "--paxlst", pax)
	if code != 1 || out != "" || !strings.Contains(errs, "not closed by UNT") || !strings.Contains(errs, "--partial") {
		t.Fatalf("cut manifest: exit %d, out %q, err %q", code, out, errs)
	}
	// With --partial, what arrived is screened: the fragment is no
	// traveller, and the whole traveller of the cut message is review.
	code, out, errs = run(t, dir, "", "screen", "--paxlst", pax, "--partial")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"decision":"review"`) || !strings.Contains(errs, "cut short") {
		t.Fatalf("--partial, cut mid-name: exit %d, out %q, err %q", code, out, errs)
	}
	// Cut after the listed passenger's name, before the rest of the group:
	// never clear.
	afterName := whole[:strings.Index(whole, "ATT+2++M")]
	os.WriteFile(pax, []byte(afterName), 0o600)
	code, out, _ = run(t, dir, "", "screen", "--paxlst", pax, "--partial")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || strings.Contains(out, `"decision":"clear"`) || !strings.Contains(lines[1], "un-sc:TAi.139") {
		t.Fatalf("--partial, cut after the name: exit %d, out %q", code, out)
	}
	if code, _, errs := run(t, dir, "", "screen", "--partial"); code != 2 {
		t.Fatalf("--partial without --paxlst: exit %d, %q", code, errs)
	}
}

// TestScreenImpossibleBirthDatePerLine: travellers whose birth date is
// impossible are screened on the name and the other fields, each on its
// own line, and the file does not fail: exit 0, the listed person found,
// the ignored date said in the result and on stderr.
func TestScreenImpossibleBirthDatePerLine(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	in := strings.Join([]string{
		`{"ref":"t-1","name":"Mohammed Taher Anwari","dob":"1961-13-01","nationality":"AF"}`,
		`{"ref":"t-2","name":"Mohammed Taher Anwari","dob":"1961-01-32","nationality":"AF"}`,
		`{"ref":"t-3","name":"Mohammed Taher Anwari","dob":"000000","nationality":"AF"}`,
		`{"ref":"t-4","given_names":"Jane","surname":"Doe","dob":"1990-04-02","nationality":"GB"}`,
	}, "\n")
	code, out, errs := run(t, dir, in, "screen")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q: want 0, every line screened", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d result lines, want 4:\n%s", len(lines), out)
	}
	for i, line := range lines[:3] {
		var r struct {
			Decision string   `json:"decision"`
			Notes    []string `json:"notes"`
			Matches  []struct {
				Listing string `json:"listing"`
			} `json:"matches"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if r.Decision == "clear" || len(r.Matches) == 0 || r.Matches[0].Listing != "un-sc:TAi.005" || !strings.Contains(strings.Join(r.Notes, " "), "ignored") {
			t.Errorf("line %d = %s: want TAi.005 matched on the name, the date said ignored", i+1, line)
		}
		if !strings.Contains(errs, fmt.Sprintf("line %d: warning: birth date", i+1)) {
			t.Errorf("stderr %q: want a warning for line %d", errs, i+1)
		}
	}
}
