package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/match"
	"tripline/screening"
	"tripline/storetest"
)

// scrape reads /metrics of the test server at base as its admin, as
// Prometheus does with the token of its scrape config.
func scrape(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+serverOf(base + "/").tokens[tripline.RoleAdmin])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics as admin = %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// screenOnly stores l and makes srv screen against it alone.
func screenOnly(t *testing.T, srv *httpapi.Server, l *tripline.Listing) {
	t.Helper()
	stored, err := srv.Listings.PutListing(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	ix := match.NewIndex(match.Options{})
	ix.Upsert(stored)
	sc := screening.NewService(ix)
	sc.Listing, sc.Now = ix.Listing, func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	srv.Screener = sc
}

// TestMetricsNeedOperator: /metrics counts hits live by the action the
// officer was told, so right after a hit an anonymous scrape would tell a
// watcher a traveller just hit and what happens to them. Only an admin or
// auditor of the node's agency (or a superuser) reads it; anyone else is
// refused like on any other route, and sees no figure.
func TestMetricsNeedOperator(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/")
	screenOnly(t, srv.srv, storetest.Listing("s", "m-1", "Karim Benali Haddad"))
	if st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"w-1","name":"Karim Benali Haddad","travel":{"direction":"in"}}`); st != 200 || body["decision"] != "hit" {
		t.Fatalf("screen: %d %v", st, body)
	}
	token := func(u *tripline.User) string {
		t.Helper()
		ctx := context.Background()
		if err := srv.srv.Identity.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		tok, err := srv.srv.Identity.IssueToken(ctx, u.ID, "api", "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	otherAdmin := token(&tripline.User{ID: "other-admin", Agency: "t", Role: tripline.RoleAdmin})
	otherAuditor := token(&tripline.User{ID: "other-auditor", Agency: "t", Role: tripline.RoleAuditor})
	root := token(&tripline.User{ID: "root", Agency: "t", Role: tripline.RoleAdmin, Superuser: true})
	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"no token", "", 401},
		{"bad token", "not-a-token", 401},
		{"officer", srv.tokens[tripline.RoleOfficer], 403},
		{"analyst", srv.tokens[tripline.RoleAnalyst], 403},
		{"supervisor", srv.tokens[tripline.RoleSupervisor], 403},
		{"another agency's admin", otherAdmin, 403},
		{"another agency's auditor", otherAuditor, 403},
		{"admin", srv.tokens[tripline.RoleAdmin], 200},
		{"auditor", srv.tokens[tripline.RoleAuditor], 200},
		{"superuser", root, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			hit := strings.Contains(string(b), `tripline_screening_hits_total{action="refuse_entry"} 1`)
			if resp.StatusCode != c.want || hit != (c.want == 200) {
				t.Fatalf("GET /metrics = %d, shows the hit: %v; want %d", resp.StatusCode, hit, c.want)
			}
		})
	}
}
