package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlite"
)

// TestAnswerWaitsForItsAuditEntry: when an answer arrives, its audit
// entry is already committed to the audit file; nothing is left to a
// background writer that a killed process would lose.
func TestAnswerWaitsForItsAuditEntry(t *testing.T) {
	ts := newServer(t)
	audit := serverOf(ts.URL + "/").srv.Audit.(*sqlite.AuditLog)
	for i := range 20 {
		ref := fmt.Sprint("durable-", i)
		if st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"`+ref+`","name":"Listed Person"}`); st != 200 {
			t.Fatalf("screen = %d %v", st, body)
		}
		var n int
		if err := audit.SQL().QueryRow(`SELECT COUNT(*) FROM audit WHERE action = 'screen' AND subject = ?`, ref).Scan(&n); err != nil || n != 1 {
			t.Fatalf("screening %s answered with %d audit entries committed (%v), want 1", ref, n, err)
		}
	}
}

// TestNoAnswerWithoutAudit: while the audit log cannot be written, a
// request gets 503 and none of the data (nor a session cookie); health
// still answers; once the log can be written, so can the answers.
func TestNoAnswerWithoutAudit(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/")
	srv.srv.AuditWait = 300 * time.Millisecond
	audit := srv.srv.Audit.(*sqlite.AuditLog)
	if _, err := audit.SQL().Exec(`CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"r1","name":"Listed Person"}`)
	if st != http.StatusServiceUnavailable || strings.Contains(fmt.Sprint(body), "s:1") || strings.Contains(fmt.Sprint(body), "disk full") {
		t.Fatalf("screen with the audit log unwritable = %d %v, want 503 without the result or internals", st, body)
	}
	resp, err := http.Post(ts.URL+"/v1/session", "application/json", strings.NewReader(`{"token":"`+srv.tokens[tripline.RoleOfficer]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || len(resp.Cookies()) != 0 {
		t.Fatalf("login with the audit log unwritable = %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	if st, _ := do(t, "GET", ts.URL+"/healthz", ""); st != 200 {
		t.Fatalf("healthz = %d", st)
	}
	if _, err := audit.SQL().Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	if st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"r2","name":"Listed Person"}`); st != 200 {
		t.Fatalf("screen once the log is writable = %d %v", st, body)
	}
}
