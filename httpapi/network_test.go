package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/network"
	"tripline/storetest"
)

// newNetworkServer is newServer with a network service holding two
// listings of agency "t": t:open grants details to everyone, t:closed only
// screening. The callers are of agency "s".
func newNetworkServer(t *testing.T) (*httptest.Server, *network.Service) {
	t.Helper()
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	svc := network.NewService(network.NewMemStore())
	srv.Network = svc
	for _, l := range []*tripline.Listing{
		withPhone(storetest.Listing("t", "open", "Open Person"), "+44 1753 637285", "*"),
		withPhone(storetest.Listing("t", "closed", "Closed Person"), "+1 555 0100", ""),
	} {
		l.Status = tripline.StatusActive
		if _, err := srv.Listings.PutListing(t.Context(), l); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetListing(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	}
	return ts, svc
}

func withPhone(l *tripline.Listing, phone, details string) *tripline.Listing {
	l.Phones = []string{phone}
	if details != "" {
		l.Handling.Details = []string{details}
	}
	return l
}

// raw sends a request as role and returns status, content type and body.
func raw(t *testing.T, role tripline.Role, method, u, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+serverOf(u).tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func pnr(t *testing.T, edit func(string) string) string {
	t.Helper()
	b, err := os.ReadFile("../network/testdata/pnrgov/gtas_pnrMessage.txt")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		return edit(string(b))
	}
	return string(b)
}

// TestNetworkRoutes walks every network route as an analyst: a PNR import
// links a passenger to a listed phone, the queries find the tie, the
// analytics summarise the graph, exports come as JSON and GraphML, bad
// queries are refused, and officers are refused.
func TestNetworkRoutes(t *testing.T) {
	ts, _ := newNetworkServer(t)
	base := ts.URL + "/v1/network/"
	q := url.QueryEscape

	st, body := do(t, "POST", base+"pnr", pnr(t, nil))
	if st != 200 || body["source"] != "pnrgov@s:DL324/2010-12-12" || body["bookings"] != 1.0 {
		t.Fatalf("import PNR = %d %v", st, body)
	}
	// A week later, the same two fly again: co-travellers.
	weekLater := strings.NewReplacer("101210", "171210", "121210", "191210").Replace
	if st, body = do(t, "POST", base+"pnr", pnr(t, weekLater)); st != 200 || body["co_travel"] != 1.0 {
		t.Fatalf("second PNR = %d %v", st, body)
	}

	smith := "document:GBR:123456789"
	st, body = do(t, "GET", base+"neighbourhood?k=1&entity="+q(smith), "")
	if st != 200 || !strings.Contains(fmtJSON(body["nodes"]), "person:JONES/WILLIAM/1964-07-12") {
		t.Fatalf("neighbourhood = %d %v", st, body)
	}
	st, body = do(t, "GET", base+"path?from="+q(smith)+"&to="+q("listing:t:open"), "")
	want := "document:GBR:123456789 -shared_contact- phone:+441753637285 -has_phone- listing:t:open"
	if st != 200 || body["hops"] != 2.0 || body["explain"] != want {
		t.Fatalf("path = %d %v, want %q", st, body, want)
	}
	st, body = do(t, "GET", base+"components", "")
	if st != 200 || body["components"] != 1.0 || body["snapshot"] == "" {
		t.Fatalf("components = %d %v", st, body)
	}
	for _, by := range []string{"", "pagerank", "betweenness"} {
		st, body = do(t, "GET", base+"facilitators?limit=5&by="+by, "")
		if list, _ := body["facilitators"].([]any); st != 200 || len(list) == 0 {
			t.Fatalf("facilitators by %q = %d %v", by, st, body)
		}
	}
	if st, body = do(t, "GET", base+"communities", ""); st != 200 || body["count"].(float64) < 1 {
		t.Fatalf("communities = %d %v", st, body)
	}
	st, body = do(t, "GET", base+"cotravel?min=2", "")
	if pairs, _ := body["pairs"].([]any); st != 200 || len(pairs) != 1 || !strings.Contains(fmtJSON(pairs), "JONES") {
		t.Fatalf("cotravel = %d %v", st, body)
	}

	// Exports.
	code, ctype, text := raw(t, tripline.RoleAnalyst, "GET", base+"export?format=graphml&k=2&entity="+q(smith), "")
	if code != 200 || !strings.HasPrefix(ctype, "application/graphml+xml") || !strings.Contains(text, "<graphml") ||
		!strings.Contains(text, ">phone:+441753637285<") || !strings.Contains(text, `<data key="link_source">pnrgov@s:DL324/2010-12-12</data>`) {
		t.Fatalf("GraphML export = %d %s\n%s", code, ctype, text)
	}
	st, body = do(t, "GET", base+"export?entity="+q(smith), "")
	if st != 200 || len(body["edges"].([]any)) == 0 || !strings.Contains(fmtJSON(body["edges"]), `"source":"pnrgov@s:`) {
		t.Fatalf("JSON export = %d %v", st, body)
	}

	// Analysts' links.
	in := `{"source": "case-7", "links": [{"from": {"kind": "person", "key": "P-17"}, "to": {"kind": "phone", "key": "0044 1753 637285"}, "type": "has_phone"}]}`
	if st, body = do(t, "POST", base+"links", in); st != 200 || body["added"] != 1.0 {
		t.Fatalf("add links = %d %v", st, body)
	}
	if st, body = do(t, "POST", base+"links", in); st != 200 || body["added"] != 0.0 {
		t.Fatalf("add links again = %d %v", st, body)
	}
	st, body = do(t, "GET", base+"path?from="+q("person:P-17")+"&to="+q(smith), "")
	if st != 200 || body["hops"] != 2.0 {
		t.Fatalf("path through the analyst's link = %d %v", st, body)
	}

	// Refusals.
	for _, c := range []struct{ method, path, body string }{
		{"GET", "neighbourhood", ""},                                 // entity missing
		{"GET", "neighbourhood?entity=fone:1", ""},                   // unknown kind
		{"GET", "neighbourhood?entity=" + q(smith) + "&k=9", ""},     // too far
		{"GET", "neighbourhood?entity=" + q(smith) + "&depth=2", ""}, // unknown parameter
		{"GET", "path?from=" + q(smith) + "&to=" + q(smith), ""},     // same entity
		{"GET", "facilitators?by=degree", ""},                        // unknown measure
		{"GET", "facilitators?kinds=people", ""},                     // unknown kind
		{"GET", "export?entity=" + q(smith) + "&format=dot", ""},     // unknown format
		{"POST", "links", `{"links": [{"from": {"kind": "person", "key": "A"}, "to": {"kind": "person", "key": "A"}, "type": "x"}]}`},
		{"POST", "links", `{"links": [{"from": {"kind": "person", "key": "A"}, "to": {"kind": "person", "key": "B"}, "type": "x", "source": "listing:t:open"}]}`},
		{"POST", "links", `{"links": [{"from": {"kind": "person", "key": "A"}, "to": {"kind": "person", "key": "B"}, "type": "x", "source": "pnrgov@y:DL1/2026-12-01"}]}`},
		{"POST", "pnr", "not edifact"},
	} {
		if st, body := do(t, c.method, base+c.path, c.body); st != 400 {
			t.Errorf("%s %s = %d %v, want 400", c.method, c.path, st, body)
		}
	}
	if st, body := do(t, "GET", base+"neighbourhood?entity="+q("phone:+999"), ""); st != 404 {
		t.Errorf("unknown entity = %d %v, want 404", st, body)
	}
	for _, role := range []tripline.Role{tripline.RoleOfficer, tripline.RoleAdmin, tripline.RoleAuditor} {
		if st, _ := doAs(t, role, "GET", base+"neighbourhood?entity="+q(smith), ""); st != 403 {
			t.Errorf("%s: neighbourhood = %d, want 403", role, st)
		}
	}
	if st, _ := doAs(t, tripline.RoleSupervisor, "GET", base+"neighbourhood?entity="+q(smith), ""); st != 200 {
		t.Errorf("supervisor: neighbourhood = %d, want 200", st)
	}
	// Every query was audited.
	st, body = doAs(t, tripline.RoleAuditor, "GET", ts.URL+"/v1/audit?action=network.query", "")
	if entries, _ := body["entries"].([]any); st != 200 || len(entries) < 10 {
		t.Fatalf("audited network queries = %d %v", st, body)
	}
}

// TestNetworkHidesListingsBeyondDetails: the links of a listing whose
// originator grants the caller's agency screening only are invisible to
// its analysts — not in neighbourhoods, paths, analytics or exports — and
// they cannot attach links to it.
func TestNetworkHidesListingsBeyondDetails(t *testing.T) {
	ts, svc := newNetworkServer(t)
	base := ts.URL + "/v1/network/"
	q := url.QueryEscape
	svc.AddLinks(t.Context(), []network.Link{{From: network.NewEntity(network.KindPerson, "P1"), To: network.Phone("+1 555 0100"),
		Type: network.LinkHasPhone, Source: "case-x"}})
	if st, body := do(t, "GET", base+"neighbourhood?entity="+q("listing:t:closed"), ""); st != 404 {
		t.Fatalf("closed listing's neighbourhood = %d %v, want 404", st, body)
	}
	if st, body := do(t, "GET", base+"path?from="+q("person:P1")+"&to="+q("listing:t:closed"), ""); st != 404 {
		t.Fatalf("path to the closed listing = %d %v, want 404", st, body)
	}
	for _, path := range []string{"neighbourhood?k=4&entity=" + q("person:P1"), "export?k=4&entity=" + q("person:P1"),
		"facilitators?kinds=listing,person", "communities"} {
		code, _, text := raw(t, tripline.RoleAnalyst, "GET", base+path, "")
		if code != 200 || strings.Contains(text, "t:closed") {
			t.Fatalf("%s = %d, shows the closed listing: %s", path, code, text)
		}
	}
	if _, _, text := raw(t, tripline.RoleAnalyst, "GET", base+"facilitators?kinds=listing", ""); !strings.Contains(text, "t:open") {
		t.Fatalf("the open listing is missing: %s", text)
	}
	in := `{"links": [{"from": {"kind": "person", "key": "P2"}, "to": {"kind": "listing", "key": "t:closed"}, "type": "associate"}]}`
	if st, body := do(t, "POST", base+"links", in); st != 404 {
		t.Fatalf("link to the closed listing = %d %v, want 404", st, body)
	}
}

// TestNetworkImportsStayWithTheirAgency (red-team hole 6): the links of
// a PNR agency s imported are s's: an analyst of agency y neither reads
// them (neighbourhood, path, export, analytics) nor, pushing a PNR of the
// same flight, replaces them; y's push is y's alone.
func TestNetworkImportsStayWithTheirAgency(t *testing.T) {
	ts, _ := newNetworkServer(t)
	srv := serverOf(ts.URL + "/").srv
	base := ts.URL + "/v1/network/"
	q := url.QueryEscape
	ctx := t.Context()
	if err := srv.Identity.CreateUser(ctx, &tripline.User{ID: "ana-y", Agency: "y", Role: tripline.RoleAnalyst}); err != nil {
		t.Fatal(err)
	}
	y, err := srv.Identity.IssueToken(ctx, "ana-y", "api", "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := do(t, "POST", base+"pnr", pnr(t, nil)); st != 200 {
		t.Fatalf("s's import = %d %v", st, body)
	}
	smith, jones := "document:GBR:123456789", "person:JONES/WILLIAM/1964-07-12"
	for _, path := range []string{"neighbourhood?entity=" + q(smith), "export?entity=" + q(smith),
		"path?from=" + q(smith) + "&to=" + q(jones), "path?from=" + q(smith) + "&to=" + q("listing:t:open")} {
		if st, body := doToken(t, y, "GET", base+path, ""); st != 404 {
			t.Errorf("y: %s = %d %v, want 404", path, st, body)
		}
	}
	for _, path := range []string{"facilitators?kinds=person,document,booking,phone", "communities", "cotravel"} {
		if st, body := doToken(t, y, "GET", base+path, ""); st != 200 || strings.Contains(fmtJSON(body), "123456789") ||
			strings.Contains(fmtJSON(body), "JONES") || strings.Contains(fmtJSON(body), "MFN4TI") {
			t.Errorf("y: %s = %d %v, shows s's passengers", path, st, body)
		}
	}

	// y pushes one passenger for the same flight: s's links stay.
	push := "UNA:+.?*'UNB+IATA:1+DL++101209:2100+Y1'UNH+1+PNRGOV:10:1:IA+Y1'MSG+:22'ORG+DL:ATL+1'" +
		"TVL+121210:0915+LHR+JFK+DL+324'EQN+1'SRC'RCI+DL:YYY111'TIF+DOE+JANEMS:A:1'" +
		"TVL+121210:0915+LHR+JFK+DL+324'UNT+11+1'UNZ+1+Y1'"
	if st, body := doToken(t, y, "POST", base+"pnr", push); st != 200 || body["source"] != "pnrgov@y:DL324/2010-12-12" {
		t.Fatalf("y's import = %d %v", st, body)
	}
	st, body := do(t, "GET", base+"neighbourhood?k=1&entity="+q(smith), "")
	if st != 200 || !strings.Contains(fmtJSON(body["nodes"]), jones) || strings.Contains(fmtJSON(body), "DOE") {
		t.Fatalf("s after y's push: neighbourhood = %d %v, want s's passengers only", st, body)
	}
	if st, body := doToken(t, y, "GET", base+"neighbourhood?entity="+q("booking:YYY111"), ""); st != 200 || strings.Contains(fmtJSON(body), "123456789") {
		t.Fatalf("y: its own booking = %d %v", st, body)
	}
	if st, body := do(t, "GET", base+"neighbourhood?entity="+q("booking:YYY111"), ""); st != 404 {
		t.Fatalf("s: y's booking = %d %v, want 404", st, body)
	}
}

func fmtJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return b.String()
}

// TestLinksInAnotherAnalystsName: a link's source analyst:USER says which
// analyst asserted it, and any analyst could send it: one of agency y
// posted links as "analyst:u-analyst", and s's analysts read them as
// their colleague's (and a repeated link rewrote the weight of what
// u-analyst had asserted). Only USER writes analyst:USER now.
func TestLinksInAnotherAnalystsName(t *testing.T) {
	w := newSecWorld(t)
	w.srv.Network = network.NewService(network.NewMemStore())
	yAnalyst := w.user(t, "y:analyst", "y", tripline.RoleAnalyst)
	link := func(source string) string {
		return `{"source":"` + source + `","links":[{"from":{"kind":"person","key":"P1"},"to":{"kind":"person","key":"P2"},"type":"associate"}]}`
	}
	for _, src := range []string{"analyst:u-analyst", "analyst:u-supervisor", "analyst:"} {
		if st, text := rawAs(t, yAnalyst, "POST", w.ts.URL+"/v1/network/links", link(src)); st != 400 {
			t.Errorf("y's analyst adding links as %q: %d %s, want 400", src, st, text)
		}
	}
	st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "GET", w.ts.URL+"/v1/network/neighbourhood?entity=person:P1", "")
	if st != 404 {
		t.Errorf("s's analyst reads person:P1: %d %s, want 404 (no link)", st, text)
	}
	// The caller's own name, a case, or none (its own name) are taken.
	for _, src := range []string{"analyst:y:analyst", "case-17", ""} {
		if st, text := rawAs(t, yAnalyst, "POST", w.ts.URL+"/v1/network/links", link(src)); st != 200 {
			t.Errorf("y's analyst adding links as %q: %d %s", src, st, text)
		}
	}
}

// TestLinkSourceChecked: an analyst's link source is shown with every
// link it holds (the console's graph, exports) and recorded as the audit
// entry's subject, and was taken as sent: a bidi override and a newline
// passed for another source, and 100,000 bytes went into every entry.
func TestLinkSourceChecked(t *testing.T) {
	w := newSecWorld(t)
	w.srv.Network = network.NewService(network.NewMemStore())
	for _, src := range []string{"\u202ecase\nfake", strings.Repeat("c", 100000)} {
		body := `{"source":"` + src + `","links":[{"from":{"kind":"person","key":"P1"},"to":{"kind":"person","key":"P2"},"type":"associate"}]}`
		if st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/network/links", body); st != 400 {
			t.Errorf("source %.20q: %d %.200s, want 400", src, st, text)
		}
	}
	if st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "GET", w.ts.URL+"/v1/network/neighbourhood?entity=person:P1", ""); st != 404 {
		t.Errorf("person:P1: %d %.200s, want no link", st, text)
	}
	body := `{"source":"case 2024/17","links":[{"from":{"kind":"person","key":"P1"},"to":{"kind":"person","key":"P2"},"type":"associate"}]}`
	if st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/network/links", body); st != 200 {
		t.Errorf("a case reference: %d %.200s", st, text)
	}
}
