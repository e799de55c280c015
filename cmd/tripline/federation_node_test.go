package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// runVars is run with environment variables besides TRIPLINE_DATA.
func runVars(t testing.TB, dir string, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "TRIPLINE_DATA" {
				return dir
			}
			return vars[k]
		}}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// eventOrigins returns how many events of each origin dir's log holds.
func eventOrigins(t *testing.T, dir string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "tripline.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT origin, COUNT(*) FROM events GROUP BY origin`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			t.Fatal(err)
		}
		out[o] = n
	}
	return out
}

// TestNodeIDBelongsToDirectory is issue 15 item 1: a command run without
// TRIPLINE_NODE still writes as the directory's node, and another id for
// the directory is refused with exit 2 and a message naming both ids.
func TestNodeIDBelongsToDirectory(t *testing.T) {
	dir := t.TempDir()
	a := map[string]string{"TRIPLINE_NODE": "A", "TRIPLINE_AGENCY": "agency-a"}
	if code, _, errs := runVars(t, dir, a, "import", "--format", "csv", "--source", "agency-a", "../../docs/listing-template.csv"); code != 0 {
		t.Fatalf("import as A: exit %d: %s", code, errs)
	}
	// The operator forgets TRIPLINE_NODE: the withdrawal is still A's.
	code, out, errs := runVars(t, dir, nil, "listings", "list", "--json")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, errs)
	}
	id := strings.SplitN(strings.SplitN(out, `"id":"`, 2)[1], `"`, 2)[0]
	if code, _, errs := runVars(t, dir, nil, "listings", "withdraw", id, "--reason", "delisted"); code != 0 {
		t.Fatalf("withdraw without TRIPLINE_NODE: exit %d: %s", code, errs)
	}
	if got := eventOrigins(t, dir); len(got) != 1 || got["A"] == 0 {
		t.Fatalf("event origins = %v, want A's only", got)
	}
	code, _, errs = runVars(t, dir, nil, "node", "info")
	if code != 0 {
		t.Fatalf("node info: exit %d: %s", code, errs)
	}
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"another id", map[string]string{"TRIPLINE_NODE": "B"}, []string{"listings", "list"}, `belongs to node "A"`},
		{"another agency", map[string]string{"TRIPLINE_AGENCY": "agency-b"}, []string{"node", "info"}, `belongs to agency "agency-a"`},
		{"node init with another id", nil, []string{"node", "init", "--node", "local"}, `node id "local" refused`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runVars(t, dir, tc.vars, tc.args...)
			if code != 2 || !strings.Contains(errs, tc.want) || !strings.Contains(errs, dir) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q naming the directory", code, errs, tc.want)
			}
		})
	}
	if got := eventOrigins(t, dir); len(got) != 1 || got["A"] == 0 {
		t.Fatalf("after refusals: event origins = %v, want A's only", got)
	}
}

// TestNodeIDAdoptedFromLog: a directory made before the identity file
// adopts the origin its events carry, whatever (or whether) TRIPLINE_NODE
// says nothing.
func TestNodeIDAdoptedFromLog(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runVars(t, dir, map[string]string{"TRIPLINE_NODE": "A"}, "import", "--format", "csv", "--source", "agency-a",
		"../../docs/listing-template.csv"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	// As if the directory predated node.id.
	if err := os.Remove(filepath.Join(dir, "node.id")); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runVars(t, dir, nil, "node", "info")
	if code != 0 || !strings.Contains(out, "id: A\n") {
		t.Fatalf("node info = %d %q %s, want the log's origin A adopted", code, out, errs)
	}
	if code, _, errs := runVars(t, dir, map[string]string{"TRIPLINE_NODE": "B"}, "node", "info"); code != 2 || !strings.Contains(errs, `"A"`) {
		t.Fatalf("B on A's directory: exit %d: %s", code, errs)
	}
}

// TestNodeInit: node init fixes a new directory's identity once.
func TestNodeInit(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runVars(t, dir, nil, "node", "init", "--node", "B", "--agency", "de-bka")
	if code != 0 || !strings.Contains(out, "id: B\nagency: de-bka\n") {
		t.Fatalf("node init = %d %q %s", code, out, errs)
	}
	code, out, _ = runVars(t, dir, nil, "node", "info")
	if code != 0 || !strings.Contains(out, "id: B\nagency: de-bka\n") {
		t.Fatalf("node info after init = %d %q", code, out)
	}
	if code, _, errs := runVars(t, dir, nil, "node", "init", "--node", "bad id"); code != 2 || !strings.Contains(errs, "node id") {
		t.Fatalf("a malformed id: exit %d: %s", code, errs)
	}
}

// TestImportOlderUNListRefused is issue 15 item 2 on the command line: the
// UN list of 2024 after that of 2026 is refused (exit 1, both dates named)
// and brings no delisted person back; --force imports it at this node.
func TestImportOlderUNListRefused(t *testing.T) {
	needShared(t, unFile2026)
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	delta := importJSON(t, dir, "--format", "un-xml", unFile2026)
	code, out, errs := run(t, dir, "", "import", "--format", "un-xml", unFile2024)
	if code != 1 || !strings.Contains(errs, "2024-09-26T00:00:07Z") || !strings.Contains(errs, "2026-02-27T00:00:09Z") || !strings.Contains(errs, "--force") {
		t.Fatalf("older list: exit %d\n%s%s", code, out, errs)
	}
	_, withdrawn, _ := run(t, dir, "", "listings", "list", "--json", "--status", "withdrawn")
	if n := strings.Count(withdrawn, "\n"); n != delta.Withdrawn {
		t.Fatalf("after the refused import %d listings withdrawn, want %d", n, delta.Withdrawn)
	}
	forced := importJSON(t, dir, "--format", "un-xml", "--force", unFile2024)
	if forced.Updated == 0 {
		t.Fatalf("forced import = %+v, want the delisted back at this node", forced)
	}
	if again := importJSON(t, dir, "--format", "un-xml", unFile2026); again.Withdrawn != delta.Withdrawn {
		t.Fatalf("the newer list after a forced older one = %+v, want %d withdrawn", again, delta.Withdrawn)
	}
	if code, _, errs := run(t, dir, "", "import", "--format", "un-xml", "--list-version", "2020-13-01", unFile2026); code != 1 || !strings.Contains(errs, "list version") {
		t.Fatalf("a bad --list-version: exit %d: %s", code, errs)
	}
}

// TestRetroEncounterSeenByScreeningAgency is issue 15 item 6: a traveller
// screened by another agency's officer matches a listing that arrives
// later; the retro-encounter names that agency, so its analysts see it,
// as well as the originator.
func TestRetroEncounterSeenByScreeningAgency(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	if code, _, errs := run(t, dir, "", "agencies", "add", "border-x", "--country", "GB"); code != 0 {
		t.Fatalf("agencies add: %s", errs)
	}
	for _, u := range [][]string{{"x-officer", "officer"}, {"x-analyst", "analyst"}} {
		code, out, errs := run(t, dir, "", "users", "add", u[0], "--role", u[1], "--agency", "border-x")
		if code != 0 {
			t.Fatalf("users add %s: %s", u[0], errs)
		}
		n.tokens[u[0]] = strings.TrimSpace(out)
	}
	r := n.as("x-officer").call("POST", "/v1/screen", `{"ref":"early","name":"Zebulon Quartermaine","dob":"1980-02-03",
		"travel":{"direction":"in","port":"IST","flight":"TK1","date":"2026-11-20","agency":"spoofed"}}`)
	if r["decision"] != "clear" {
		t.Fatalf("before listing = %v", r)
	}
	n.call("POST", "/v1/listings", `{"id":"local:7","source":"local","names":[{"full":"Zebulon Quartermaine","kind":"primary"}],
		"birth_dates":["1980-02-03"],"action":"report","handling":{"screen":["*"],"action":["*"]},"provenance":{"originator":"local"}}`)
	retro := func(role string) map[string]any {
		es := n.as(role).call("GET", "/v1/encounters", "")["encounters"].([]any)
		for _, e := range es {
			if e := e.(map[string]any); e["retro"] == true {
				return e
			}
		}
		return nil
	}
	waitFor(t, func() bool { return retro("analyst") != nil })
	waitFor(t, func() bool { return retro("x-analyst") != nil })
	if e := retro("x-analyst"); e["agency"] != "border-x" {
		t.Fatalf("retro-encounter's agency = %v, want border-x (the screening agency, whatever the request said)", e["agency"])
	}
}

// TestEscalationPerAction is issue 15 item 7's escalation: the periods
// come from TRIPLINE_ESCALATE per action; an encounter unacknowledged
// past its period shows as overdue in the queue and in the metrics, and
// an acknowledged one does not.
func TestEscalationPerAction(t *testing.T) {
	dir := t.TempDir()
	n := startNodeEnv(t, dir, map[string]string{"TRIPLINE_ESCALATE": "detain=1ms,report=240h"})
	n.call("POST", "/v1/listings", `{"id":"local:d","source":"local","names":[{"full":"Ignatius Detainable","kind":"primary"}],
		"birth_dates":["1970-01-01"],"action":"detain","provenance":{"originator":"local"}}`)
	n.call("POST", "/v1/listings", `{"id":"local:r","source":"local","names":[{"full":"Philippa Reportable","kind":"primary"}],
		"birth_dates":["1971-01-01"],"action":"report","provenance":{"originator":"local"}}`)
	for _, who := range [][2]string{{"Ignatius Detainable", "1970-01-01"}, {"Philippa Reportable", "1971-01-01"}} {
		waitFor(t, func() bool {
			return n.as("officer").call("POST", "/v1/screen", fmt.Sprintf(`{"ref":"x","name":%q,"dob":%q}`, who[0], who[1]))["decision"] == "hit"
		})
	}
	overdue := func() map[string]bool {
		out := map[string]bool{}
		for _, e := range n.call("GET", "/v1/encounters", "")["encounters"].([]any) {
			e := e.(map[string]any)
			out[e["listing"].(string)] = out[e["listing"].(string)] || e["overdue"] == true
		}
		return out
	}
	waitFor(t, func() bool { o := overdue(); return o["local:d"] && !o["local:r"] })
	metrics := func() string {
		req, _ := http.NewRequest("GET", n.base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+n.tokens["admin"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if m := metrics(); !strings.Contains(m, `tripline_encounters_overdue{action="detain"}`) || strings.Contains(m, `tripline_encounters_overdue{action="report"}`) {
		t.Fatalf("metrics:\n%s", m)
	}
	for _, e := range n.call("GET", "/v1/encounters?listing=local:d", "")["encounters"].([]any) {
		n.call("POST", "/v1/encounters/"+e.(map[string]any)["id"].(string)+"/ack", "")
	}
	if o := overdue(); o["local:d"] {
		t.Fatal("acknowledged, still overdue")
	}
	if code, _, errs := runVars(t, t.TempDir(), map[string]string{"TRIPLINE_ESCALATE": "arrest=5m"}, "listings", "list"); code != 2 || !strings.Contains(errs, "TRIPLINE_ESCALATE") {
		t.Fatalf("a bad TRIPLINE_ESCALATE: exit %d: %s", code, errs)
	}
}
