package main

import (
	"encoding/json"
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
	if code != 1 || !strings.Contains(errs, "line 3") {
		t.Fatalf("exit %d, stderr %q: want 1 naming line 3", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wantRefs := []string{"t-1", "t-2", "t-3", "t-4", "t-5"}
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
		case "t-3":
			if r.Decision == "clear" || !strings.Contains(line, `"error"`) {
				t.Errorf("t-3 = %s, want an error result that is not clear", line)
			}
		}
		if r.Ref == "t-1" && (r.Decision != "hit" || r.Action != "refuse_entry") {
			t.Errorf("t-1 = %s, want hit refuse_entry", line)
		}
	}
}
