package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"tripline"
	"tripline/importer"
	"tripline/screening"
	"tripline/storetest"
)

func get(t *testing.T, role tripline.Role, url string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+serverOf(url).tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestExports: listings leave as the caller may see them, in FtM (read
// back by the importer) and STIX; encounters as CSV; officers export
// nothing, and a bad format is named.
func TestExports(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	ctx := context.Background()
	own := storetest.Listing("s", "1", "Listed Person")
	own.Reason, own.Narrative = "terrorism", "SECRET-NARRATIVE"
	foreign := storetest.Listing("other", "9", "Hidden Partner Person")
	foreign.Narrative = "PARTNER-SECRET"
	foreign.Handling = tripline.Handling{Screen: []string{"s"}} // hit/no-hit for s
	for _, l := range []*tripline.Listing{own, foreign} {
		if _, err := srv.Listings.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	st, h, body := get(t, tripline.RoleAnalyst, ts.URL+"/v1/exports/listings?format=ftm")
	if st != 200 || h.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("ftm: %d %v %s", st, h, body)
	}
	if strings.Contains(body, "Hidden Partner Person") || strings.Contains(body, "PARTNER-SECRET") || !strings.Contains(body, "SECRET-NARRATIVE") {
		t.Fatalf("ftm export shows what policy hides, or hides the caller's own:\n%s", body)
	}
	back, err := importer.ReadFTM(strings.NewReader(body), "export", "ftm")
	if err != nil || len(back) != 1 || back[0].PrimaryName() != "Listed Person" {
		t.Fatalf("round trip: %v %v", back, err)
	}
	st, h, body = get(t, tripline.RoleAnalyst, ts.URL+"/v1/exports/listings?format=stix&source=s")
	if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/stix+json") || !strings.Contains(body, `"type":"bundle"`) {
		t.Fatalf("stix: %d %v %s", st, h, body)
	}

	// A hit at this node gives an encounter to export.
	sc := screening.NewService(fakeMatcher{})
	sc.Encounters, sc.Listing = srv.Encounters, srv.Lookup
	srv.Screener = sc
	if _, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"=cmd|' /C calc'!A0","name":"Listed Person"}`); body["decision"] != "hit" {
		t.Fatalf("screen: %v", body)
	}
	st, h, body = get(t, tripline.RoleSupervisor, ts.URL+"/v1/exports/encounters")
	if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || strings.Count(body, "\n") != 2 || !strings.Contains(body, `'=cmd|`) {
		t.Fatalf("encounters: %d %v\n%s", st, h, body)
	}

	for _, tc := range []struct {
		role tripline.Role
		url  string
		want int
	}{
		{tripline.RoleOfficer, "/v1/exports/listings?format=ftm", 403},
		{tripline.RoleOfficer, "/v1/exports/encounters", 403},
		{tripline.RoleAuditor, "/v1/exports/listings?format=stix", 403},
		{tripline.RoleAnalyst, "/v1/exports/listings?format=xml", 400},
		{tripline.RoleAnalyst, "/v1/exports/listings", 400},
		{tripline.RoleAnalyst, "/v1/exports/listings?format=ftm&evil=1", 400},
		{"", "/v1/exports/encounters", 401},
	} {
		if st, _, body := get(t, tc.role, ts.URL+tc.url); st != tc.want {
			t.Errorf("%s %s = %d %s, want %d", tc.role, tc.url, st, body, tc.want)
		}
	}
}
