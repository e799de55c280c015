package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tripline"
)

// auditLines runs `audit query` and returns its entries.
func auditLines(t *testing.T, dir string) []tripline.AuditEntry {
	t.Helper()
	code, out, errs := run(t, dir, "", "audit", "query")
	if code != 0 {
		t.Fatalf("audit query: exit %d: %s", code, errs)
	}
	var es []tripline.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e tripline.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		es = append(es, e)
	}
	return es
}

// TestCLIActionsAudited: what the command line changes is in the audit
// log like what the API changes: imports, withdrawals, users, agencies.
func TestCLIActionsAudited(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	for _, args := range [][]string{
		{"listings", "withdraw", "un-sc:TAi.005", "--reason", "delisted"},
		{"users", "add", "ana-1", "--role", "analyst"},
		{"agencies", "add", "de-bka", "--country", "DE"},
		{"agencies", "group", "eu", "de-bka", "local"},
	} {
		if code, _, errs := run(t, dir, "", args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	want := map[string]string{ // action → subject
		"listing.import":   "un-sc",
		"listing.withdraw": "un-sc:TAi.005",
		"user.create":      "ana-1",
		"token.issue":      "ana-1",
		"agency.put":       "de-bka",
		"agency.group":     "eu",
	}
	for _, e := range auditLines(t, dir) {
		if want[e.Action] == e.Subject && e.User == "cli" && e.Role == tripline.RoleSupervisor {
			if e.Action == "listing.import" && !strings.Contains(e.Detail, "682 listings: 682 added") {
				t.Errorf("import entry = %+v, want its summary", e)
			}
			delete(want, e.Action)
		}
	}
	if len(want) > 0 {
		t.Fatalf("actions without an audit entry: %v", want)
	}
	code, out, errs := run(t, dir, "", "audit", "verify")
	if code != 0 || !strings.Contains(out, "audit log intact") || !strings.Contains(out, "anchored by the checkpoint of entry") {
		t.Fatalf("audit verify = %d %s %s", code, out, errs)
	}
}

// TestAuditVerifyCLIShowsTruncation: deleting the newest audit entries
// fails `audit verify` naming the checkpoint; deleting the checkpoints
// too still fails against the copy a witness kept (`audit checkpoint`).
func TestAuditVerifyCLIShowsTruncation(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"a-1", "a-2", "a-3"} {
		if code, _, errs := run(t, dir, "", "users", "add", id, "--role", "analyst"); code != 0 {
			t.Fatal(errs)
		}
	}
	code, out, errs := run(t, dir, "", "audit", "checkpoint")
	if code != 0 {
		t.Fatalf("audit checkpoint: exit %d: %s", code, errs)
	}
	var witnessed tripline.AuditCheckpoint
	if err := json.Unmarshal([]byte(out), &witnessed); err != nil || witnessed.Seq < 6 || len(witnessed.Sig) == 0 || witnessed.Node != "local" {
		t.Fatalf("audit checkpoint printed %q (%v)", out, err)
	}
	witness := filepath.Join(t.TempDir(), "witness.json")
	if err := os.WriteFile(witness, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "tripline-audit.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cut := witnessed.Seq - 3
	if _, err := db.Exec(`DELETE FROM audit WHERE seq > ?`, cut); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, dir, "", "audit", "verify")
	if code != 1 || !strings.Contains(out, "truncated") || !strings.Contains(out, "checkpoint of entry") {
		t.Fatalf("verify after deleting the newest entries = %d %s", code, out)
	}
	// The careful attacker deletes the local checkpoints too (and what
	// the verification just appended).
	if _, err := db.Exec(`DELETE FROM audit WHERE seq > ?`, cut); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM audit_checkpoints WHERE seq > ?`, cut); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, dir, "", "audit", "verify"); code != 0 {
		t.Fatalf("verify without the checkpoints = %d %s: the test needs the local ones gone", code, out)
	}
	code, out, _ = run(t, dir, "", "audit", "verify", "--checkpoint", witness)
	if code != 1 || !strings.Contains(out, "checkpoint of entry") {
		t.Fatalf("verify against the witness copy = %d %s", code, out)
	}
	// A witness copy that was tampered with is refused, not trusted.
	forged := strings.Replace(strings.TrimSpace(string(mustRead(t, witness))), `"hash":"`, `"hash":"0`, 1)
	os.WriteFile(witness, []byte(forged), 0o600)
	code, out, _ = run(t, dir, "", "audit", "verify", "--checkpoint", witness)
	if code != 1 || !strings.Contains(out, "signature does not verify") {
		t.Fatalf("verify against a forged witness copy = %d %s", code, out)
	}
	os.WriteFile(witness, []byte(`{"seq":"x"}`), 0o600)
	if code, _, errs := run(t, dir, "", "audit", "verify", "--checkpoint", witness); code != 1 || !strings.Contains(errs, "not an audit checkpoint") {
		t.Fatalf("verify against a malformed file = %d %s", code, errs)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
