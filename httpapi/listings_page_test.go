package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
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

// TestPagesNameNothingHidden: a page's next was the last id the store
// read, seen or not. Paging with limit=1, an analyst read the id of every
// listing hidden from its agency, and an officer the id of every hidden
// document alert, which holds the document's country and number. Now
// every page ends on what the caller was shown (or a sealed cursor), and
// paging still reaches everything the caller may see.
func TestPagesNameNothingHidden(t *testing.T) {
	w := newSecWorld(t) // x:h is hidden from s
	alert := func(number string, screen ...string) *tripline.DocumentAlert {
		return &tripline.DocumentAlert{ID: tripline.DocumentAlertID("x", "IRQ", number), Source: "x", Country: "IRQ", Number: number,
			Kind: tripline.AlertStolen, Action: tripline.ActionDetain, Handling: tripline.Handling{Screen: screen},
			Provenance: tripline.Provenance{Originator: "x"}}
	}
	for _, a := range []*tripline.DocumentAlert{alert("A1SEEN", "s"), alert("HIDDEN99", "someone-else"), alert("Z9SEEN", "s")} {
		if _, err := w.srv.Alerts.PutDocumentAlert(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name, token, path, hidden, want string
	}{
		{"listings", w.test.tokens[tripline.RoleAnalyst], "/v1/listings", "x:h", "[s:1 s:c s:w x:1 x:a]"},
		{"document alerts", w.test.tokens[tripline.RoleOfficer], "/v1/document-alerts", "HIDDEN99", "[x:IRQ:A1SEEN x:IRQ:Z9SEEN]"},
	} {
		seen, _ := pageAll(t, c.token, w.ts.URL+c.path+"?limit=1", "after", c.hidden)
		if got := fmt.Sprint(seen); got != c.want {
			t.Errorf("%s: paged through %s, want %s", c.name, got, c.want)
		}
	}
}

// TestEncounterPagesNameNothingHidden: the encounter list is newest first
// and its next was the last encounter the store read, seen or not: with
// limit=1 an officer read the id of the node's newest encounter whatever
// agency's it was, and by polling it learnt the moment another agency had
// a hit. A page now ends on an encounter the caller was shown, paging
// still reaches all of them, and limit=0 is a page of one, not the whole
// table.
func TestEncounterPagesNameNothingHidden(t *testing.T) {
	w := newSecWorld(t) // three encounters agency s sees
	hidden, err := w.srv.Encounters.CreateEncounter(t.Context(), &tripline.Encounter{Listing: "x:h", Originator: "x", Agency: "x",
		Decision: tripline.DecisionHit, Score: 0.95, Action: tripline.ActionDetain, Traveller: tripline.Traveller{Ref: "t-9", Name: "Someone Else"}})
	if err != nil {
		t.Fatal(err)
	}
	seen, _ := pageAll(t, w.test.tokens[tripline.RoleAnalyst], w.ts.URL+"/v1/encounters?limit=1", "before", hidden.ID)
	if len(seen) != 3 {
		t.Errorf("paged through %d encounters %v, want the 3 agency s sees", len(seen), seen)
	}
	st, body := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "GET", w.ts.URL+"/v1/encounters?limit=0", "")
	var page httpapi.EncounterPage
	if st != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil || len(page.Encounters) != 1 {
		t.Errorf("limit=0: %d, %d encounters; want a page of one", st, len(page.Encounters))
	}
}

// TestConsentListPaged: GET /v1/consents read every consent request of the
// node and answered all the caller's in one, and any analyst may ask for
// thousands: each reader's call then read and sent them all. It now pages
// as the other lists do (limit, after), naming nothing hidden; limit=0 is
// a page of one.
func TestConsentListPaged(t *testing.T) {
	w := newSecWorld(t)
	ctx := t.Context()
	var hidden []string
	for i := range 600 { // s asks x 560 times, y 40 (none of s's business)
		requester := "s"
		if i%15 == 0 {
			requester = "y"
		}
		c, err := w.srv.Consents.RequestConsent(ctx, &tripline.Consent{Listing: "x:1", Originator: "x", Requester: requester, Recipient: fmt.Sprintf("z%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if requester == "y" {
			hidden = append(hidden, c.ID)
		}
	}
	all, err := w.srv.Consents.Consents(ctx, tripline.ConsentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range all {
		if c.Originator == "s" || c.Requester == "s" {
			want = append(want, c.ID)
		}
	}
	token := w.test.tokens[tripline.RoleAnalyst]
	for _, c := range []struct {
		query string
		n     int
	}{{"", 500}, {"?limit=0", 1}, {"?limit=7", 7}, {"?status=pending&limit=7", 7}} {
		st, body := rawAs(t, token, "GET", w.ts.URL+"/v1/consents"+c.query, "")
		var page httpapi.ConsentPage
		if st != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("%q: %d %.300s", c.query, st, body)
		}
		if len(page.Consents) != c.n || page.Next == "" {
			t.Errorf("%q: %d requests, next %q; want %d and a next page", c.query, len(page.Consents), page.Next, c.n)
		}
	}
	seen, _ := pageAll(t, token, w.ts.URL+"/v1/consents?limit=100", "after", hidden...)
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("paged through %d requests, want the %d agency s is party to, once each, by id", len(seen), len(want))
	}
	// By state: none granted yet; a state that is none is named.
	if st, body := rawAs(t, token, "GET", w.ts.URL+"/v1/consents?status=granted", ""); st != http.StatusOK || !strings.Contains(body, `"consents":[]`) && !strings.Contains(body, `"consents":null`) {
		t.Errorf("granted: %d %.200s; want none", st, body)
	}
	if st, body := rawAs(t, token, "GET", w.ts.URL+"/v1/consents?status=maybe", ""); st != http.StatusBadRequest || !strings.Contains(body, "status") {
		t.Errorf("status=maybe: %d %.200s; want 400 naming status", st, body)
	}
}
