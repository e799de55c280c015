package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A false positive past its retention loses the traveller's identity at
// the next purge (here the one at start): the encounter keeps its outcome,
// the clearance keeps sparing the namesake, and the audit of events still
// verifies. A bad TRIPLINE_ENCOUNTER_RETENTION refuses to start.
func TestEncounterErasedPastRetention(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	vars := map[string]string{"TRIPLINE_ENCOUNTER_RETENTION": "false_positive=1ns"}
	n := startNodeEnv(t, dir, vars)
	m := manifest(passenger("ANWARI", "MOHAMMAD TAHER", "M", "620115", "AFG", "P7654321")) // namesake of TAi.005
	if r := resultsByRef(t, n.call("POST", "/v1/manifests", m))["M1-1"]; r["decision"] == "clear" {
		t.Fatalf("namesake = %v; the test needs it flagged first", r)
	}
	queue := n.call("GET", "/v1/encounters?listing=un-sc:TAi.005", "")["encounters"].([]any)
	if len(queue) != 1 {
		t.Fatalf("encounters = %v", queue)
	}
	id := queue[0].(map[string]any)["id"].(string)
	if s := toJSON(t, queue[0]); !strings.Contains(s, "1962-01") || !strings.Contains(s, "P7654321") {
		t.Fatalf("the encounter before its erasure does not show what the test looks for after it: %s", s)
	}
	n.call("POST", "/v1/encounters/"+id+"/resolve", `{"outcome":"false_positive","note":"ANWARI is a namesake: other father's name"}`)
	n.stop()

	n = serveNode(t, dir, vars, n.tokens)
	waitFor(t, func() bool { return n.call("GET", "/v1/encounters/"+id, "")["erased"] != nil })
	e := n.call("GET", "/v1/encounters/"+id, "")
	// The birth date as a date: a bare "1962" also turns up in the
	// nanoseconds of a timestamp (an erasure at 19:09:29.196206841).
	if s := strings.ToUpper(toJSON(t, e)); strings.Contains(s, "ANWARI") || strings.Contains(s, "P7654321") || strings.Contains(s, "1962-01") || strings.Contains(s, "620115") {
		t.Fatalf("erased encounter still names the traveller: %s", s)
	}
	if e["outcome"] != "false_positive" || e["listing"] != "un-sc:TAi.005" {
		t.Fatalf("erased encounter = %v", e)
	}
	if r := resultsByRef(t, n.call("POST", "/v1/manifests", m))["M1-1"]; r["decision"] != "clear" {
		t.Fatalf("the cleared namesake is stopped again after the erasure: %v", r)
	}
	if st, out := n.try("POST", "/v1/encounters/"+id+"/resolve", `{"outcome":"refused"}`); st != 409 || !strings.Contains(toJSON(t, out), "erased") {
		t.Fatalf("resolving an erased encounter = %d %v, want 409 naming the erasure", st, out)
	}
	n.stop()
	code, out, errs := run(t, dir, "", "audit", "query", "--user", "retention")
	if code != 0 || !strings.Contains(out, `"retention.erase"`) || !strings.Contains(out, "1 encounters, 0 tips and 0 diffusions erased") {
		t.Fatalf("audit of the retention pass: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := run(t, dir, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify after the erasure: exit %d: %s %s", code, out, errs)
	}
	if code, _, errs := runVars(t, t.TempDir(), map[string]string{"TRIPLINE_ENCOUNTER_RETENTION": "pending=30d"}, "listings", "list"); code != 2 ||
		!strings.Contains(errs, "TRIPLINE_ENCOUNTER_RETENTION") {
		t.Fatalf("a bad TRIPLINE_ENCOUNTER_RETENTION: exit %d: %s", code, errs)
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// How long screened travellers are kept is the agency's to set
// (TRIPLINE_TRAVELLER_RETENTION); a value that is no retention, or a
// unit mistyped (30s for 30d), refuses to start, naming the variable.
func TestTravellerRetentionSetting(t *testing.T) {
	for _, v := range []string{"30s", "forever", "-1d"} {
		if code, _, errs := runVars(t, t.TempDir(), map[string]string{"TRIPLINE_TRAVELLER_RETENTION": v}, "listings", "list"); code != 2 ||
			!strings.Contains(errs, "TRIPLINE_TRAVELLER_RETENTION") {
			t.Errorf("TRIPLINE_TRAVELLER_RETENTION=%s: exit %d: %s", v, code, errs)
		}
	}
	if code, _, errs := runVars(t, t.TempDir(), map[string]string{"TRIPLINE_TRAVELLER_RETENTION": "7d"}, "listings", "list"); code != 0 {
		t.Errorf("TRIPLINE_TRAVELLER_RETENTION=7d: exit %d: %s", code, errs)
	}
}
