package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tripline"
	"tripline/storetest"
)

// TestCoverage: counts per originator and source over the listings the
// caller may screen against, what expires soon, and nothing of a listing
// the caller's agency may not see; alike whether the active listings come
// from the store or from memory (a node's index).
func TestCoverage(t *testing.T) {
	for _, inMemory := range []bool{false, true} {
		t.Run(map[bool]string{false: "store", true: "in memory"}[inMemory], func(t *testing.T) { testCoverage(t, inMemory) })
	}
}

func testCoverage(t *testing.T, inMemory bool) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/")
	ctx := context.Background()
	if inMemory {
		srv.srv.Active = func() []*tripline.Listing {
			ls, err := srv.srv.Listings.Listings(ctx, tripline.ListingFilter{Status: tripline.StatusActive})
			if err != nil {
				t.Error(err)
			}
			return ls
		}
	}
	soon := time.Now().Add(10 * 24 * time.Hour).UTC()
	later := time.Now().Add(400 * 24 * time.Hour).UTC()
	put := func(l *tripline.Listing) {
		t.Helper()
		if _, err := srv.srv.Listings.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	a := storetest.Listing("s", "1", "Ali Hassan")
	a.ValidUntil, a.Provenance.ListedOn = &soon, "2001-01-25"
	put(a)
	b := storetest.Listing("s", "2", "Omar Farouk")
	b.ValidUntil = &later
	put(b)
	put(storetest.Listing("s", "3", "Withdrawn Person"))
	if _, err := srv.srv.Listings.WithdrawListing(ctx, "s:3", "test"); err != nil {
		t.Fatal(err)
	}
	hidden := storetest.Listing("x", "9", "Hidden Person")
	hidden.Handling.Screen = []string{"someone-else"}
	put(hidden)

	st, body := doAs(t, tripline.RoleAnalyst, "GET", ts.URL+"/v1/coverage?within=720h", "")
	if st != 200 {
		t.Fatalf("coverage = %d %v", st, body)
	}
	var cov struct {
		Total  int `json:"total"`
		Groups []struct {
			Originator, Source                              string
			Active, Withdrawn, ExpiringSoon, NeverConfirmed int
			ListedFirst                                     string `json:"listed_first"`
		} `json:"groups"`
		Expiring []struct{ ID, Name string } `json:"expiring"`
	}
	raw, _ := json.Marshal(body)
	if err := json.Unmarshal(raw, &cov); err != nil {
		t.Fatal(err)
	}
	if got, want := cov.Total, 3; got != want {
		t.Errorf("total = %d, want %d (the hidden listing must not count)", got, want)
	}
	if len(cov.Groups) != 1 {
		t.Fatalf("groups = %+v, want one (s, s)", cov.Groups)
	}
	g := cov.Groups[0]
	if g.Originator != "s" || g.Source != "s" || g.Active != 2 || g.Withdrawn != 1 || g.ListedFirst != "2001-01-25" {
		t.Errorf("group = %+v", g)
	}
	if len(cov.Expiring) != 1 || cov.Expiring[0].ID != "s:1" || cov.Expiring[0].Name != "Ali Hassan" {
		t.Errorf("expiring = %+v, want s:1 only", cov.Expiring)
	}
	if st, _ := doAs(t, tripline.RoleAnalyst, "GET", ts.URL+"/v1/coverage?within=soon", ""); st != 400 {
		t.Errorf("bad duration = %d, want 400", st)
	}
	if st, _ := doAs(t, tripline.RoleOfficer, "GET", ts.URL+"/v1/coverage", ""); st != 403 {
		t.Errorf("officer = %d, want 403", st)
	}
}
