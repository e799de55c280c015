package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/policy"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// TestAnswerWaitsForItsAuditEntry: when an answer arrives, its audit
// entry is already committed to the audit file; nothing is left to a
// background writer that a killed process would lose.
func TestAnswerWaitsForItsAuditEntry(t *testing.T) {
	ts := newServer(t)
	audit := serverOf(ts.URL + "/").srv.Audit.(*sqlstore.AuditLog)
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
	audit := srv.srv.Audit.(*sqlstore.AuditLog)
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
	m := scrape(t, ts.URL)
	if !strings.Contains(string(m), `tripline_http_requests_total{code="503",route="POST /v1/screen"} 1`) {
		t.Errorf("the refused screening is not counted as a 503:\n%s", m)
	}
	if _, err := audit.SQL().Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	// The writer retries the refused batch with back-off: wait until it has
	// caught up, then answers come again. On a busy machine one answer may
	// still miss the short AuditWait, so ask until one is answered.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := audit.Flush(ctx); err != nil {
		t.Fatalf("the audit writer did not catch up: %v", err)
	}
	for {
		st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"r2","name":"Listed Person"}`)
		if st == 200 {
			break
		}
		if st != http.StatusServiceUnavailable || ctx.Err() != nil {
			t.Fatalf("screen once the log is writable = %d %v", st, body)
		}
	}
}

// TestAuditCheckpointForAWitness: an auditor (or a witness holding an
// auditor's token) fetches the signed head of the audit log; it verifies
// with the node key and covers what was answered before it.
func TestAuditCheckpointForAWitness(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "t.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	audit, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Node: "n1", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	s := httpapi.NewServer()
	s.Screener, s.Identity = screening.NewService(fakeMatcher{}), sqlstore.NewIdentityService(db)
	s.Policy, s.Audit = policy.New(tripline.GroupMap{}, audit), audit
	s.Lookup = func(string) *tripline.Listing { return nil }
	s.Logger = discardLogger()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	tokens := map[tripline.Role]string{}
	for _, role := range []tripline.Role{tripline.RoleOfficer, tripline.RoleAuditor} {
		if err := s.Identity.CreateUser(t.Context(), &tripline.User{ID: "u-" + string(role), Agency: "s", Role: role}); err != nil {
			t.Fatal(err)
		}
		if tokens[role], err = s.Identity.IssueToken(t.Context(), "u-"+string(role), "api", "", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(role tripline.Role, path, body string) (int, []byte) {
		method := "GET"
		if body != "" {
			method = "POST"
		}
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokens[role])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if st, b := get(tripline.RoleOfficer, "/v1/screen", `{"ref":"w1","name":"Listed Person"}`); st != 200 {
		t.Fatalf("screen = %d %s", st, b)
	}
	if st, _ := get(tripline.RoleOfficer, "/v1/audit/checkpoint", ""); st != http.StatusForbidden {
		t.Fatalf("checkpoint as an officer = %d, want 403", st)
	}
	st, b := get(tripline.RoleAuditor, "/v1/audit/checkpoint", "")
	var c tripline.AuditCheckpoint
	if st != 200 || json.Unmarshal(b, &c) != nil || c.Seq < 1 || c.Node != "n1" || !c.Verify(key.Public().(ed25519.PublicKey)) {
		t.Fatalf("checkpoint = %d %s", st, b)
	}
	es, err := audit.Entries(t.Context(), tripline.AuditFilter{Subject: "w1"})
	if err != nil || len(es) != 1 || es[0].Seq > c.Seq {
		t.Fatalf("the screening's entry %+v (%v) is not covered by the checkpoint of entry %d", es, err, c.Seq)
	}
}

// TestMetricsRefusalWaitsForItsAuditEntry: a granted scrape of /metrics
// records nothing and answers while the audit log cannot be written, but
// a refused one is audited like any refusal, so it too is answered only
// once its entry is committed (503 meanwhile). Before, the refusal went
// out at once and a node killed the moment after lost its entry.
func TestMetricsRefusalWaitsForItsAuditEntry(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/")
	srv.srv.AuditWait = 300 * time.Millisecond
	audit := srv.srv.Audit.(*sqlstore.AuditLog)
	if _, err := audit.SQL().Exec(`CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	scrape(t, ts.URL) // granted: answered whatever the audit log
	if st, body := doAs(t, tripline.RoleOfficer, "GET", ts.URL+"/metrics", ""); st != http.StatusServiceUnavailable {
		t.Fatalf("an officer's scrape with the audit log unwritable = %d %v, want 503 (its refusal is not on record)", st, body)
	}
	if _, err := audit.SQL().Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		st, _ := doAs(t, tripline.RoleOfficer, "GET", ts.URL+"/metrics", "")
		if st == http.StatusForbidden {
			break
		}
		if st != http.StatusServiceUnavailable || ctx.Err() != nil {
			t.Fatalf("an officer's scrape once the audit log is back = %d, want 403", st)
		}
	}
	var n int
	if err := audit.SQL().QueryRow(`SELECT COUNT(*) FROM audit WHERE action = 'auth.forbidden'`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("auth.forbidden entries committed: %d (%v), want at least one", n, err)
	}
}
