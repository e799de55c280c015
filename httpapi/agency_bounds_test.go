package httpapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"tripline"
)

// TestOutcomeIsTheReportersOnly: the listing's originator sees an encounter
// another agency reported on its listing, and records nothing of it, as
// over federation (Encounter.MergeUpdate): the border post's decision and
// officer stand.
func TestOutcomeIsTheReportersOnly(t *testing.T) {
	w := newSecWorld(t)
	for _, tc := range []struct {
		name   string
		agency string
		role   tripline.Role
		want   int
	}{
		{"the originator's officer", "x", tripline.RoleOfficer, 403},
		{"the originator's supervisor", "x", tripline.RoleSupervisor, 403},
		{"a third agency's supervisor", "y", tripline.RoleSupervisor, 404},
		{"the reporting agency's officer", "s", tripline.RoleOfficer, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := w.user(t, "u-"+tc.agency+"-"+string(tc.role), tc.agency, tc.role)
			st, body := rawAs(t, tok, "POST", w.ts.URL+"/v1/encounters/"+w.enc+"/resolve", `{"outcome":"refused"}`)
			if st != tc.want {
				t.Fatalf("resolve: %d %s; want %d", st, body, tc.want)
			}
			e, err := w.srv.Encounters.Encounter(context.Background(), w.enc)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != 200 && (e.Outcome != tripline.OutcomePending || e.Officer != "u-officer") {
				t.Fatalf("refused, yet the encounter says %s by %s", e.Outcome, e.Officer)
			}
		})
	}
}

// TestAuditorReadsItsOwnAgency: an auditor of another agency than the one
// running the node reads what its own users did and who touched a listing
// it originated; asking for another agency's entries is refused, and
// asking for none gets its own only.
func TestAuditorReadsItsOwnAgency(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	for _, e := range []*tripline.AuditEntry{
		{User: "u-s", Agency: "s", Action: "tip.create", Subject: "tip-secret", Detail: "channel family"},
		{User: "u-s", Agency: "s", Action: "listing.read", Subject: "x:1"},
		{User: "u-y", Agency: "y", Action: "screen", Subject: "ref-y"},
	} {
		w.srv.Policy.Audit.Record(ctx, *e)
	}
	if err := w.srv.Audit.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	yTok, xTok := w.user(t, "aud-y", "y", tripline.RoleAuditor), w.user(t, "aud-x", "x", tripline.RoleAuditor)
	w.srv.Policy.Agency = "s" // the node's oversight reads it all
	sTok := w.user(t, "aud-s", "s", tripline.RoleAuditor)
	read := func(tok, query string) (int, []*tripline.AuditEntry) {
		t.Helper()
		st, body := rawAs(t, tok, "GET", w.ts.URL+"/v1/audit?"+query, "")
		var page struct{ Entries []*tripline.AuditEntry }
		if st == 200 {
			if err := json.Unmarshal([]byte(body), &page); err != nil {
				t.Fatal(err)
			}
		}
		return st, page.Entries
	}
	// The agencies whose entries a read returned, its auditors' own reads
	// (recorded too) aside.
	agencies := func(es []*tripline.AuditEntry) string {
		seen := map[string]bool{}
		for _, e := range es {
			if !strings.HasPrefix(e.Action, "audit.") {
				seen[e.Agency] = true
			}
		}
		var out []string
		for _, a := range []string{"s", "x", "y"} {
			if seen[a] {
				out = append(out, a)
			}
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name, tok, query string
		want             int
		agencies         string
	}{
		{"y asks for s's entries", yTok, "agency=s", 403, ""},
		{"y asks for everything", yTok, "", 200, "y"},
		{"y asks for a tip of s", yTok, "subject=tip-secret", 200, ""},
		{"y asks who touched x's listing", yTok, "subject=" + url.QueryEscape("x:1"), 200, ""},
		{"x asks who touched its listing", xTok, "subject=" + url.QueryEscape("x:1"), 200, "s"},
		{"x asks for s's entries", xTok, "agency=s&action=tip.create", 403, ""},
		{"s, running the node, asks for everything", sTok, "", 200, "s,y"},
		{"s asks for y's entries", sTok, "agency=y", 200, "y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, es := read(tc.tok, tc.query)
			if st != tc.want || agencies(es) != tc.agencies {
				t.Fatalf("GET /v1/audit?%s = %d, entries of %q; want %d, %q", tc.query, st, agencies(es), tc.want, tc.agencies)
			}
			for _, e := range es {
				if tc.tok != sTok && e.Subject == "tip-secret" && e.Agency != "y" {
					t.Fatalf("another agency's auditor read s's tip entry: %+v", e)
				}
			}
		})
	}
}
