package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/paxlst"
	"tripline/policy"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// fakeMatcher hits every traveller called "Listed Person"; the matcher has
// its own tests, here only the HTTP edge and the screening service are under test.
type fakeMatcher struct{}

func (fakeMatcher) Screen(t *tripline.Traveller, _ time.Time, _ func(*tripline.Listing) bool) []tripline.Match {
	if strings.EqualFold(t.FullName(), "Listed Person") {
		return []tripline.Match{{Listing: "s:1", Score: 0.95, Decision: tripline.DecisionHit, Action: tripline.ActionRefuseEntry}}
	}
	return nil
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "t.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := httpapi.NewServer()
	s.Listings, s.Events, s.Screener, s.Origin = sqlstore.NewListingService(db), sqlstore.NewEventService(db), screening.NewService(fakeMatcher{}), db.Origin
	s.Encounters, s.Alerts = sqlstore.NewEncounterService(db), sqlstore.NewDocumentAlertService(db)
	s.Consents, s.Identity = sqlstore.NewConsentService(db), sqlstore.NewIdentityService(db)
	s.Tips = sqlstore.NewTipService(db)
	// A signing audit log, as a node has, so that checkpoints are served.
	_, key, _ := ed25519.GenerateKey(nil)
	audit, err := sqlstore.NewAuditLogWith(db, sqlstore.AuditOptions{Node: db.Origin, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { audit.Close() })
	s.Audit, s.Policy = audit, policy.New(tripline.GroupMap{}, audit)
	s.Policy.Agency = "s"
	s.Lookup = func(id string) *tripline.Listing {
		l, err := s.Listings.Listing(context.Background(), id)
		if err != nil {
			return nil
		}
		return l
	}
	s.Logger = discardLogger()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	tokens := map[tripline.Role]string{}
	for _, role := range allRoles {
		u := &tripline.User{ID: "u-" + string(role), Agency: "s", Role: role}
		if role == tripline.RoleNode {
			// No user may have role node any more; one stored before that
			// rule must still be refused, so the test stores one directly.
			if _, err := db.SQL().Exec(`INSERT INTO users (id, agency, role, disabled, created) VALUES (?, 's', 'node', 0, '2026-01-01T00:00:00Z')`, u.ID); err != nil {
				t.Fatal(err)
			}
		} else if err := s.Identity.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		if tokens[role], err = s.Identity.IssueToken(context.Background(), u.ID, "api", "", time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	servers.Store(ts.URL, &testServer{tokens: tokens, srv: s, db: db})
	return ts
}

var timeZero time.Time

// allRoles are the roles the test server has a bearer token of: a node's
// is one stored before role node was refused, and authenticates nowhere.
var allRoles = []tripline.Role{tripline.RoleOfficer, tripline.RoleAnalyst, tripline.RoleSupervisor, tripline.RoleAdmin, tripline.RoleAuditor, tripline.RoleNode}

// testServer is what a test knows of a server: a token per role (users of
// agency "s") and the server itself.
type testServer struct {
	tokens map[tripline.Role]string
	srv    *httpapi.Server
	db     *sqlite.DB
}

var servers sync.Map // base URL → *testServer

func serverOf(url string) *testServer {
	var found *testServer
	servers.Range(func(k, v any) bool {
		if strings.HasPrefix(url, k.(string)+"/") {
			found = v.(*testServer)
			return false
		}
		return true
	})
	return found
}

// do sends a request as the analyst of agency "s".
func do(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	return doAs(t, tripline.RoleAnalyst, method, url, body)
}

// doAs sends a request with the token of role ("" for none).
func doAs(t *testing.T, role tripline.Role, method, url, body string) (int, map[string]any) {
	t.Helper()
	return doToken(t, serverOf(url).tokens[role], method, url, body)
}

func doToken(t *testing.T, token, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func errMsg(body map[string]any) (string, string) {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	return code, msg
}

func listingJSON(t *testing.T, id, name string) string {
	b, err := json.Marshal(storetest.Listing("s", id, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestListingLifecycle(t *testing.T) {
	ts := newServer(t)
	st, body := do(t, "POST", ts.URL+"/v1/listings", listingJSON(t, "1", "Ali Hassan"))
	if st != 200 || body["version"].(float64) != 1 {
		t.Fatalf("put = %d %v", st, body)
	}
	st, body = do(t, "GET", ts.URL+"/v1/listings/s:1", "")
	if st != 200 || body["id"] != "s:1" {
		t.Fatalf("get = %d %v", st, body)
	}
	st, body = do(t, "GET", ts.URL+"/v1/listings?source=s&limit=10", "")
	if st != 200 || len(body["listings"].([]any)) != 1 {
		t.Fatalf("list = %d %v", st, body)
	}
	st, body = do(t, "POST", ts.URL+"/v1/listings/s:1/withdraw", `{"reason":"obsolete"}`)
	if st != 200 || body["status"] != "withdrawn" {
		t.Fatalf("withdraw = %d %v", st, body)
	}
	st, body = doAs(t, tripline.RoleAdmin, "GET", ts.URL+"/v1/events", "")
	if st != 200 || body["last"].(float64) != 2 || len(body["events"].([]any)) != 2 {
		t.Fatalf("events = %d %v", st, body)
	}
}

func TestErrors(t *testing.T) {
	ts := newServer(t)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"malformed json", "POST", "/v1/screen", `{"ref": "x", "name": `, 400, "invalid", "JSON ends early"},
		{"syntax", "POST", "/v1/screen", `{"ref": x}`, 400, "invalid", "malformed JSON at byte"},
		{"unknown field", "POST", "/v1/screen", `{"ref":"x","name":"A B","passport":"1"}`, 400, "invalid", `unknown field "passport"`},
		{"protected attribute", "POST", "/v1/screen", `{"ref":"x","name":"A B","ethnicity":"x"}`, 400, "invalid", `field "ethnicity": Tripline does not store religion`},
		{"protected attribute in a listing", "POST", "/v1/listings", `{"id":"local:9","source":"local","names":[{"full":"A B","kind":"primary"}],"action":"report","religious_affiliation":"x"}`, 400, "invalid", `field "religious_affiliation": Tripline does not store`},
		{"wrong type", "POST", "/v1/screen", `{"ref":"x","name":42}`, 400, "invalid", `field "name"`},
		{"dob not a string", "POST", "/v1/screen", `{"ref":"x","name":"A B","dob":1975}`, 400, "invalid", "date: want a string"},
		{"no name", "POST", "/v1/screen", `{"ref":"x"}`, 400, "invalid", "name: required"},
		{"empty body", "POST", "/v1/screen", ``, 400, "invalid", "empty"},
		{"trailing data", "POST", "/v1/screen", `{"ref":"x","name":"A B"} {}`, 400, "invalid", "unexpected data"},
		{"array body", "POST", "/v1/listings", `[1,2]`, 400, "invalid", "want"},
		{"invalid listing", "POST", "/v1/listings", `{"id":"s:1","source":"s","names":[{"full":"A","kind":"primary"}],"action":"shoot","provenance":{"originator":"s"}}`, 400, "invalid", "action:"},
		{"not found", "GET", "/v1/listings/s:404", ``, 404, "not_found", "not found"},
		{"no route", "GET", "/v1/nothing", ``, 404, "not_found", "no route"},
		{"withdraw missing", "POST", "/v1/listings/s:404/withdraw", ``, 404, "not_found", "not found"},
		{"unknown query", "GET", "/v1/listings?sorce=x", ``, 400, "invalid", `unknown parameter "sorce"`},
		{"bad limit", "GET", "/v1/listings?limit=-1", ``, 400, "invalid", "limit"},
		{"null batch entry", "POST", "/v1/screen", `{"travellers":[null]}`, 400, "invalid", "travellers[0]"},
		{"bad batch entry", "POST", "/v1/screen", `{"travellers":[{"ref":"a","name":"A B"},{"ref":"b"}]}`, 400, "invalid", "travellers[1].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := do(t, tc.method, ts.URL+tc.path, tc.body)
			code, msg := errMsg(body)
			if st != tc.status || code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Fatalf("got %d %s %q, want %d %s containing %q", st, code, msg, tc.status, tc.code, tc.msg)
			}
		})
	}
}

// TestScreenImpossibleBirthDate (issue 16): a traveller whose birth date is
// impossible is screened on the name and the rest, the date ignored and
// the result saying so, as `tripline screen` does: a 400 would leave the
// traveller unscreened.
func TestScreenImpossibleBirthDate(t *testing.T) {
	ts := newServer(t)
	if _, err := serverOf(ts.URL+"/").srv.Listings.PutListing(context.Background(), storetest.Listing("s", "1", "Listed Person")); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"ref":"x","name":"Listed Person","dob":"1975-13"}`,
		`{"travellers":[{"ref":"x","name":"Listed Person","dob":"1975-02-30"}]}`,
	} {
		st, res := do(t, "POST", ts.URL+"/v1/screen", body)
		if results, ok := res["results"].([]any); ok && len(results) == 1 {
			res = results[0].(map[string]any)
		}
		if st != 200 || res["decision"] != "hit" || !strings.Contains(fmt.Sprint(res["notes"]), "ignored") {
			t.Errorf("%s = %d %v, want a hit on the name with a note that the date was ignored", body, st, res)
		}
	}
}

func TestOversizedBody(t *testing.T) {
	ts := newServer(t)
	big := `{"ref":"x","name":"` + strings.Repeat("A", httpapi.MaxBodyBytes) + `"}`
	st, body := do(t, "POST", ts.URL+"/v1/screen", big)
	if _, msg := errMsg(body); st != 400 || !strings.Contains(msg, "larger than") {
		t.Fatalf("got %d %q", st, msg)
	}
}

type failingStore struct{ tripline.ListingService }

func (failingStore) Listing(context.Context, string) (*tripline.Listing, error) {
	return nil, errors.New("disk I/O error at /var/secret/path")
}

func TestInternalErrorHidesDetail(t *testing.T) {
	ts := newServer(t)
	serverOf(ts.URL + "/").srv.Listings = failingStore{}
	st, body := do(t, "GET", ts.URL+"/v1/listings/x:1", "")
	code, msg := errMsg(body)
	if st != 500 || code != "internal" || strings.Contains(msg, "secret") {
		t.Fatalf("got %d %s %q", st, code, msg)
	}
}

type busyStore struct{ tripline.ListingService }

func (busyStore) Listing(context.Context, string) (*tripline.Listing, error) {
	return nil, tripline.Errorf(tripline.EUNAVAILABLE, "the store is busy with another write (an import?); retry shortly")
}

// A busy store is 503 with Retry-After: a client (or a partner node)
// knows to try again, and the message says why.
func TestBusyStoreAnswers503(t *testing.T) {
	ts := newServer(t)
	serverOf(ts.URL + "/").srv.Listings = busyStore{}
	req, _ := http.NewRequest("GET", ts.URL+"/v1/listings/x:1", nil)
	req.Header.Set("Authorization", "Bearer "+serverOf(ts.URL + "/").tokens[tripline.RoleAnalyst])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestScreen(t *testing.T) {
	ts := newServer(t)
	// The fake matcher's hit is on s:1, which must be held to be disclosed.
	if _, err := serverOf(ts.URL+"/").srv.Listings.PutListing(context.Background(), storetest.Listing("s", "1", "Listed Person")); err != nil {
		t.Fatal(err)
	}
	st, body := do(t, "POST", ts.URL+"/v1/screen", `{"ref":"t-1","name":"Listed Person","dob":"1975-03"}`)
	if st != 200 || body["decision"] != "hit" || body["action"] != "refuse_entry" || body["ref"] != "t-1" {
		t.Fatalf("screen = %d %v", st, body)
	}
	st, body = do(t, "POST", ts.URL+"/v1/screen", `{"travellers":[{"ref":"a","name":"Listed Person"},{"ref":"b","given_names":"Jane","surname":"Doe"}]}`)
	res, _ := body["results"].([]any)
	if st != 200 || len(res) != 2 || res[0].(map[string]any)["decision"] != "hit" || res[1].(map[string]any)["decision"] != "clear" {
		t.Fatalf("batch = %d %v", st, body)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ts := newServer(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if st, _ := do(t, "GET", ts.URL+p, ""); st != 200 {
			t.Fatalf("%s = %d", p, st)
		}
	}
	do(t, "GET", ts.URL+"/healthz", "")
	b := []byte(scrape(t, ts.URL))
	if !bytes.Contains(b, []byte(`tripline_http_requests_total{code="200",route="GET /healthz"}`)) {
		t.Fatalf("metrics lack the request counter:\n%.2000s", b)
	}
}

// TestOpenAPIMatchesRoutes fails when a handler is added without a route
// entry (it would 404 through the catch-all) or the document loses a path.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := newServer(t)
	st, doc := do(t, "GET", ts.URL+"/openapi.json", "")
	if st != 200 || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %d", st)
	}
	paths := doc["paths"].(map[string]any)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	n := 0
	for path, ops := range paths {
		for method, op := range ops.(map[string]any) {
			n++
			// Every documented operation is served: it must not fall to the catch-all.
			url := ts.URL + strings.NewReplacer("{id}", "s:doc").Replace(path)
			req, _ := http.NewRequest(strings.ToUpper(method), url, strings.NewReader("{}"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if _, msg := errMsg(body); strings.Contains(msg, "no route") {
				t.Errorf("%s %s documented but not served", method, path)
			}
			// Every operation says who may call it: the route table's roles.
			roles, ok := op.(map[string]any)["x-roles"].([]any)
			if !ok {
				t.Errorf("%s %s: no x-roles", method, path)
			}
			desc, _ := op.(map[string]any)["description"].(string)
			for _, r := range roles {
				if !strings.Contains(desc, r.(string)) {
					t.Errorf("%s %s: description %q does not name role %s", method, path, desc, r)
				}
			}
			// Every referenced schema exists.
			b, _ := json.Marshal(op)
			for _, part := range strings.Split(string(b), `"#/components/schemas/`)[1:] {
				name := part[:strings.Index(part, `"`)]
				if _, ok := schemas[name]; !ok {
					t.Errorf("%s %s refers to missing schema %s", method, path, name)
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d operations documented", n)
	}
	// Officers may not browse the list (least disclosure), and the document says so.
	if roles := paths["/v1/listings"].(map[string]any)["get"].(map[string]any)["x-roles"].([]any); slices.Contains(roles, any("officer")) {
		t.Errorf("GET /v1/listings x-roles = %v, want no officer", roles)
	}
	listing := schemas["Listing"].(map[string]any)["properties"].(map[string]any)
	for _, f := range []string{"id", "names", "birth_dates", "handling", "provenance", "valid_until"} {
		if _, ok := listing[f]; !ok {
			t.Errorf("Listing schema lacks %s", f)
		}
	}
}

func TestScreenMRZ(t *testing.T) {
	ts := newServer(t)
	mrzText := "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	body, _ := json.Marshal(map[string]any{"ref": "m1", "mrz": mrzText})
	st, res := do(t, "POST", ts.URL+"/v1/screen", string(body))
	if st != 200 || res["decision"] != "clear" || res["mrz"].(map[string]any)["surname"] != "ERIKSSON" {
		t.Fatalf("mrz screen = %d %v", st, res)
	}
	// A wrong check digit cannot be corrected: review, with a note.
	body, _ = json.Marshal(map[string]any{"ref": "m2", "mrz": strings.Replace(mrzText, "C36", "C37", 1)})
	st, res = do(t, "POST", ts.URL+"/v1/screen", string(body))
	if st != 200 || res["decision"] != "review" || !strings.Contains(fmt.Sprint(res["notes"]), "MRZ checks fail") {
		t.Fatalf("bad mrz = %d %v", st, res)
	}
	st, res = do(t, "POST", ts.URL+"/v1/screen", `{"ref":"m3","mrz":"garbage"}`)
	if code, msg := errMsg(res); st != 400 || code != "invalid" || !strings.Contains(msg, "mrz") {
		t.Fatalf("garbage mrz = %d %v", st, res)
	}
}

func TestManifestJSONAndPAXLST(t *testing.T) {
	ts := newServer(t)
	st, res := do(t, "POST", ts.URL+"/v1/manifests", `{"direction":"in","flight":"TK1980","port":"IST","travellers":[
		{"ref":"a","name":"Listed Person"},{"ref":"b","name":"Jane Doe"}]}`)
	if st != 200 || res["summary"].(map[string]any)["hit"] != 1.0 || len(res["results"].([]any)) != 2 {
		t.Fatalf("json manifest = %d %v", st, res)
	}
	var buf bytes.Buffer
	if err := paxlst.Generate(&buf, 40, 7); err != nil {
		t.Fatal(err)
	}
	code, out := do(t, "POST", ts.URL+"/v1/manifests?direction=transit", buf.String())
	if code != 200 || len(out["results"].([]any)) != 40 || out["summary"].(map[string]any)["clear"] != 40.0 {
		t.Fatalf("paxlst manifest = %d %v", code, out["summary"])
	}
	st, res = do(t, "POST", ts.URL+"/v1/manifests", "UNA:+.? 'UNB+garbage")
	if code, _ := errMsg(res); st != 400 || code != "invalid" {
		t.Fatalf("broken paxlst = %d %v", st, res)
	}
	st, res = do(t, "POST", ts.URL+"/v1/manifests", `{"travellers":[]}`)
	if code, msg := errMsg(res); st != 400 || code != "invalid" || !strings.Contains(msg, "travellers") {
		t.Fatalf("empty manifest = %d %v", st, res)
	}
}
