package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"tripline"
	"tripline/httpapi"
)

// TestListingPageBounded: limit=0 read every listing of the node (the
// store takes 0 as no limit) and answered them all in one page: on a node
// of a million listings, one analyst's request held them all in memory.
// It now reads a page of one, like the document alerts.
func TestListingPageBounded(t *testing.T) {
	w := newSecWorld(t) // five listings the analyst of s sees
	st, body := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "GET", w.ts.URL+"/v1/listings?limit=0", "")
	var page httpapi.ListingPage
	if st != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil {
		t.Fatalf("limit=0: %d %s", st, body)
	}
	if len(page.Listings) != 1 || page.Next == "" {
		t.Fatalf("limit=0: %d listings, next %q; want one and a next page", len(page.Listings), page.Next)
	}
}
