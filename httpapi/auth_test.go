package httpapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"tripline"
)

// publicRoutes are the only routes anyone may call without a token.
var publicRoutes = []string{"GET /healthz", "GET /readyz", "GET /openapi.json", "POST /v1/session", "DELETE /v1/session", "GET /v1/node"}

// TestEveryRouteRefuses walks the whole route table: every route that is
// not on the public list refuses no token, a wrong token and every role it
// does not name. A new route without a rule fails here. A bearer token of
// role node (one stored before such users were refused) is refused on
// every route, those for partner nodes included: a node signs its requests.
func TestEveryRouteRefuses(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/")
	for _, rt := range srv.srv.Routes() {
		name := rt.Method + " " + rt.Pattern
		t.Run(name, func(t *testing.T) {
			if rt.Public != slices.Contains(publicRoutes, name) {
				t.Fatalf("public = %v: the public list says otherwise", rt.Public)
			}
			if rt.Public {
				return
			}
			if len(rt.Roles) == 0 {
				t.Fatal("route names no role: add one to the route table")
			}
			url := ts.URL + strings.NewReplacer("{id}", "s:1").Replace(rt.Pattern)
			for _, tok := range []string{"", "tl_wrong", "not-even-a-token"} {
				if st, body := doToken(t, tok, rt.Method, url, "{}"); st != 401 {
					t.Errorf("token %q: %d %v, want 401", tok, st, body)
				}
			}
			if st, body := doAs(t, tripline.RoleNode, rt.Method, url, "{}"); st != 401 {
				t.Errorf("bearer token of role node: %d %v, want 401", st, body)
			}
			for _, role := range allRoles {
				if role == tripline.RoleNode {
					continue // never a bearer token: above
				}
				st, body := doAs(t, role, rt.Method, url, "{}")
				_, msg := errMsg(body)
				allowed := slices.Contains(rt.Roles, role)
				if !allowed && st != 403 {
					t.Errorf("role %s: %d %v, want 403", role, st, body)
				}
				if allowed && (st == 401 || strings.Contains(msg, "may not call")) {
					t.Errorf("role %s is allowed but got %d %v", role, st, body)
				}
			}
		})
	}
}

// TestRevocationTakesEffectAtOnce: a token or user disabled between two
// requests is refused on the second.
func TestRevocationTakesEffectAtOnce(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/")
	ctx := context.Background()
	u := &tripline.User{ID: "temp", Agency: "s", Role: tripline.RoleOfficer}
	if err := srv.srv.Identity.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok, _ := srv.srv.Identity.IssueToken(ctx, "temp", "api", "", timeZero)
	if st, _ := doToken(t, tok, "GET", ts.URL+"/v1/me", ""); st != 200 {
		t.Fatalf("first request = %d", st)
	}
	// Revoked through the API by an admin.
	if st, body := doAs(t, tripline.RoleAdmin, "POST", ts.URL+"/v1/tokens/revoke", `{"token":"`+tok+`"}`); st != 200 {
		t.Fatalf("revoke = %d %v", st, body)
	}
	if st, _ := doToken(t, tok, "GET", ts.URL+"/v1/me", ""); st != 401 {
		t.Fatalf("revoked token = %d, want 401", st)
	}
	// A disabled user's other token is refused too.
	tok2, _ := srv.srv.Identity.IssueToken(ctx, "temp", "api", "", timeZero)
	if st, _ := doToken(t, tok2, "POST", ts.URL+"/v1/screen", `{"ref":"a","name":"A B"}`); st != 200 {
		t.Fatalf("second token = %d", st)
	}
	if st, _ := doAs(t, tripline.RoleAdmin, "POST", ts.URL+"/v1/users/temp/disable", ""); st != 200 {
		t.Fatalf("disable = %d", st)
	}
	if st, _ := doToken(t, tok2, "POST", ts.URL+"/v1/screen", `{"ref":"a","name":"A B"}`); st != 401 {
		t.Fatalf("disabled user = %d, want 401", st)
	}
}

func TestSessionLogin(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/")
	st, body := doToken(t, "", "POST", ts.URL+"/v1/session", `{"token":"`+srv.tokens[tripline.RoleOfficer]+`"}`)
	if st != 200 || body["role"] != "officer" {
		t.Fatalf("login = %d %v", st, body)
	}
	if st, _ := doToken(t, "", "POST", ts.URL+"/v1/session", `{"token":"tl_bad"}`); st != 401 {
		t.Fatalf("bad login = %d", st)
	}
}

// TestAuditOfReads: a listing read is in the audit log, the auditor finds
// who saw it, and the chain verifies.
func TestAuditOfReads(t *testing.T) {
	ts := newServer(t)
	if st, _ := do(t, "POST", ts.URL+"/v1/listings", listingJSON(t, "9", "Ali Hassan")); st != 200 {
		t.Fatal("put failed")
	}
	doAs(t, tripline.RoleOfficer, "GET", ts.URL+"/v1/listings/s:9", "")
	doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"x","name":"Listed Person"}`)
	st, body := doAs(t, tripline.RoleAuditor, "GET", ts.URL+"/v1/audit?subject=s:9", "")
	if st != 200 {
		t.Fatalf("audit = %d %v", st, body)
	}
	var saw []string
	for _, e := range body["entries"].([]any) {
		e := e.(map[string]any)
		saw = append(saw, e["user"].(string)+" "+e["action"].(string))
	}
	if !slices.Contains(saw, "u-officer listing.read") || !slices.Contains(saw, "u-analyst listing.write") {
		t.Fatalf("who saw s:9: %v", saw)
	}
	st, body = doAs(t, tripline.RoleAuditor, "GET", ts.URL+"/v1/audit?agency=s&action=screen", "")
	if st != 200 || len(body["entries"].([]any)) != 1 {
		t.Fatalf("screenings by agency s: %d %v", st, body)
	}
	st, body = doAs(t, tripline.RoleAuditor, "GET", ts.URL+"/v1/audit/verify", "")
	if st != 200 || body["ok"] != true {
		t.Fatalf("verify = %d %v", st, body)
	}
}
