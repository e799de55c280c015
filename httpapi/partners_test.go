package httpapi_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// partnerAdmin gives the test server the partner management of a node run
// by agency "s", on its own store; it returns a fresh partner key.
func partnerAdmin(t *testing.T, ts *testServer) string {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(nil)
	store := sqlstore.NewFederationStore(ts.db)
	ts.srv.Partners = &federation.Service{Peer: federation.NewPeer(ts.db.Origin, priv, store, discardLogger()), Agency: "s", PartnerStore: store,
		Notifier: federation.NewNotifier()}
	return newKey()
}

func newKey() string {
	pub, _, _ := ed25519.GenerateKey(nil)
	return federation.PublicKeyString(pub)
}

// TestPartnerRoutes is issue 15 item 10 over the API: an admin of the
// node's agency adds, suspends, resumes, re-keys and removes a partner,
// each change audited; analysts read the partners and their health; an
// admin of another agency and other roles are refused.
func TestPartnerRoutes(t *testing.T) {
	w := newSecWorld(t)
	key := partnerAdmin(t, w.test)
	admin := w.test.tokens[tripline.RoleAdmin]
	other := w.user(t, "other-admin", "y", tripline.RoleAdmin)
	call := func(token, method, path, body string) (int, map[string]any) {
		t.Helper()
		st, text := rawAs(t, token, method, w.ts.URL+path, body)
		var out map[string]any
		json.Unmarshal([]byte(text), &out)
		return st, out
	}
	add := `{"id":"B","agency":"de-bka","public_key":"` + key + `","url":"http://127.0.0.1:1/"}`
	for _, tc := range []struct {
		name, token, method, path, body string
		status                          int
		want                            string // in the answer
	}{
		{"another agency's admin may not add", other, "POST", "/v1/partners", add, 403, "agency running this node"},
		{"an analyst may not add", w.test.tokens[tripline.RoleAnalyst], "POST", "/v1/partners", add, 403, ""},
		{"a bad key", admin, "POST", "/v1/partners", `{"id":"B","agency":"de-bka","public_key":"xyz"}`, 400, "public key"},
		{"a bad address", admin, "POST", "/v1/partners", `{"id":"B","agency":"de-bka","public_key":"` + key + `","url":"ftp://x"}`, 400, "url"},
		{"a bad id", admin, "POST", "/v1/partners", `{"id":"B B","agency":"de-bka","public_key":"` + key + `"}`, 400, "partner id"},
		{"add", admin, "POST", "/v1/partners", add, 200, `"status":"active"`},
		{"suspend", admin, "POST", "/v1/partners/B/suspend", "", 200, `"status":"suspended"`},
		{"another agency's admin may not resume", other, "POST", "/v1/partners/B/resume", "", 403, ""},
		{"resume", admin, "POST", "/v1/partners/B/resume", "", 200, `"status":"active"`},
		{"rotate", admin, "POST", "/v1/partners/B/key", `{"public_key":"` + newKey() + `"}`, 200, `"id":"B"`},
		{"rotate to a bad key", admin, "POST", "/v1/partners/B/key", `{"public_key":"short"}`, 400, "public key"},
		{"an officer may not list", w.test.tokens[tripline.RoleOfficer], "GET", "/v1/partners", "", 403, ""},
		{"another agency's admin may not list", other, "GET", "/v1/partners", "", 403, ""},
		{"an analyst lists", w.test.tokens[tripline.RoleAnalyst], "GET", "/v1/partners", "", 200, `"id":"B"`},
		{"remove", admin, "DELETE", "/v1/partners/B", "", 200, "removed"},
		{"remove again", admin, "DELETE", "/v1/partners/B", "", 404, "not found"},
		{"suspend the unknown", admin, "POST", "/v1/partners/B/suspend", "", 404, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, text := rawAs(t, tc.token, tc.method, w.ts.URL+tc.path, tc.body)
			if st != tc.status || !strings.Contains(text, tc.want) {
				t.Fatalf("= %d %s, want %d with %q", st, text, tc.status, tc.want)
			}
		})
	}
	// Each change, and each refusal, is in the audit log.
	for user, actions := range map[string][]string{"u-admin": {"partner.add", "partner.suspend", "partner.resume", "partner.key", "partner.remove"},
		"other-admin": {"partner.add.refused", "partner.resume.refused", "partner.list.refused"}, "u-analyst": {"partner.list"}} {
		es, err := w.srv.Audit.Entries(t.Context(), tripline.AuditFilter{User: user, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, e := range es {
			got[e.Action] = true
		}
		for _, a := range actions {
			if !got[a] {
				t.Errorf("%s: no %s entry in the audit log (%v)", user, a, got)
			}
		}
	}
	if st, out := call(admin, "GET", "/v1/partners", ""); st != 200 || len(out["partners"].([]any)) != 0 {
		t.Fatalf("after remove: %d %v", st, out)
	}
}
