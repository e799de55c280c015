package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/storetest"
)

// secWorld is a server of agency "s" holding its own listings and those
// of agency "x", with sentinels in every field a caller may not see:
//
//	s:1  s's own, "Listed Person" (the fake matcher's hit), details SECRET-S-*,
//	     due for review and expiring soon
//	s:c  s's own, to confirm; s:w  s's own, to withdraw
//	x:1  x's, screen-only for s: name "Xhidden Screenonly", details SECRET-X-*,
//	     expiring soon
//	x:a  x's, action level for s, expired yesterday
//	x:h  x's, hidden from s: name "Xtotally Hidden"
//
// and encounters reported by s on x:1 (enc), x:a (encExpired) and s:1 (own).
type secWorld struct {
	ts                    *httptest.Server
	srv                   *httpapi.Server
	test                  *testServer
	enc, encExpired, own  string
	soon, later, lastWeek time.Time
}

func newSecWorld(t *testing.T) *secWorld {
	t.Helper()
	ts := newServer(t)
	w := &secWorld{ts: ts, test: serverOf(ts.URL + "/")}
	w.srv = w.test.srv
	now := time.Now().UTC()
	w.soon, w.later, w.lastWeek = now.Add(10*24*time.Hour), now.Add(400*24*time.Hour), now.Add(-7*24*time.Hour)
	yesterday := now.Add(-24 * time.Hour)
	ctx := context.Background()
	secret := func(l *tripline.Listing, tag string) *tripline.Listing {
		l.Narrative, l.Phones, l.Provenance.SourceRef = "SECRET-"+tag+"-NARRATIVE", []string{"+44 20 7946 0958"}, "SECRET-"+tag+"-SOURCE"
		l.Instruction = "Detain and call the desk"
		return l
	}
	s1 := secret(storetest.Listing("s", "1", "Listed Person"), "S")
	s1.ValidUntil, s1.ReviewBy = &w.soon, &w.lastWeek
	x1 := secret(storetest.Listing("x", "1", "Xhidden Screenonly"), "X")
	x1.Handling.Screen, x1.ValidUntil = []string{"s"}, &w.soon
	xa := secret(storetest.Listing("x", "a", "Xaction Expired"), "X")
	xa.Handling.Action, xa.ValidUntil = []string{"s"}, &yesterday
	xh := secret(storetest.Listing("x", "h", "Xtotally Hidden"), "X")
	xh.Handling.Screen = []string{"someone-else"}
	for _, l := range []*tripline.Listing{s1, secret(storetest.Listing("s", "c", "Confirm Me"), "S"),
		secret(storetest.Listing("s", "w", "Withdraw Me"), "S"), x1, xa, xh} {
		if _, err := w.srv.Listings.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	encounter := func(l *tripline.Listing) string {
		t.Helper()
		e, err := w.srv.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: l.ID, Originator: l.Provenance.Originator, Agency: "s",
			Decision: tripline.DecisionHit, Score: 0.95, Action: tripline.ActionDetain, Officer: "u-officer",
			Traveller: tripline.Traveller{Ref: "t-1", Name: "Traveller One"},
			Explain:   []tripline.Feature{{Feature: "name", Score: 0.95, Weight: 1, Detail: "listed as " + l.Names[0].Full}}})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	w.enc, w.encExpired, w.own = encounter(x1), encounter(xa), encounter(s1)
	return w
}

// user creates a user and returns its API token.
func (w *secWorld) user(t *testing.T, id, agency string, role tripline.Role) string {
	t.Helper()
	ctx := context.Background()
	if err := w.srv.Identity.CreateUser(ctx, &tripline.User{ID: id, Agency: agency, Role: role}); err != nil {
		t.Fatal(err)
	}
	tok, err := w.srv.Identity.IssueToken(ctx, id, "api", "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// rawAs sends a request with a bearer token and returns status and body text.
func rawAs(t *testing.T, token, method, url, body string) (int, string) {
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
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// auditCount returns how many audit entries user has.
func (w *secWorld) auditCount(t *testing.T, user string) int {
	t.Helper()
	es, err := w.srv.Audit.Entries(context.Background(), tripline.AuditFilter{User: user, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// auditedAfter reports whether user has more than before audit entries,
// polling: the audit log's writer may hold the newest entries in a batch
// it is still committing.
func (w *secWorld) auditedAfter(t *testing.T, user string, before int) bool {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if w.auditCount(t, user) > before {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// forbiddenFor returns the sentinels no answer to a user of agency s in
// role may carry: nothing of x's listings beyond screening (x:1's name,
// x:h altogether, x's details), and s's own details only up to the role's
// ceiling.
func forbiddenFor(role tripline.Role) []string {
	out := []string{"Xhidden", "Xtotally", "SECRET-X"}
	if tripline.RoleCeiling(role) < tripline.LevelDetails {
		out = append(out, "SECRET-S")
	}
	return out
}

func assertNoSentinel(t *testing.T, what string, role tripline.Role, text string) {
	t.Helper()
	for _, s := range forbiddenFor(role) {
		if strings.Contains(text, s) {
			t.Errorf("%s as %s discloses %s: %.600s", what, role, s, text)
		}
	}
}

// TestEventsShowOnlyWhatTheCallerMaySee (issue 13, item 3): GET
// /v1/events gave every admin full payloads. Now each event carries what
// reading its listing would show the caller, trimmed so that the origin's
// signature still verifies; what the caller may not see is a placeholder
// without payload or subject; each page is audited.
func TestEventsShowOnlyWhatTheCallerMaySee(t *testing.T) {
	w := newSecWorld(t)
	st, text := rawAs(t, w.test.tokens[tripline.RoleAdmin], "GET", w.ts.URL+"/v1/events?limit=10000", "")
	if st != 200 {
		t.Fatalf("events = %d %s", st, text)
	}
	assertNoSentinel(t, "GET /v1/events", tripline.RoleAdmin, text)
	if strings.Contains(text, "x:h") {
		t.Errorf("events name x:h, hidden from s")
	}
	if !strings.Contains(text, "Listed Person") {
		t.Errorf("events lack the identity of s's own listing, which an admin of s may see")
	}
	var page httpapi.EventPage
	if err := json.Unmarshal([]byte(text), &page); err != nil {
		t.Fatal(err)
	}
	stored, err := w.srv.Events.Events(context.Background(), w.srv.Origin, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != len(stored) {
		t.Fatalf("%d events shown of %d: the sequence must stay gap-free", len(page.Events), len(stored))
	}
	for i, ev := range page.Events {
		want, err := stored[i].PayloadDigest()
		if err != nil {
			t.Fatal(err)
		}
		// The digest the origin signed: a placeholder's and a trimmed
		// event's alike (TestEventsGiveNoFieldDigests).
		if ev.Digest != want || ev.Seq != stored[i].Seq {
			t.Errorf("event %d: digest %s, want the origin's %s: its signature no longer verifies", ev.Seq, ev.Digest, want)
		}
		if ev.Redacted && (ev.Subject != "" || len(ev.Payload) > 0) {
			t.Errorf("placeholder %d shows subject %q or a payload", ev.Seq, ev.Subject)
		}
	}
	if !w.auditedAfter(t, "u-admin", 0) {
		t.Errorf("the events page left no audit entry")
	}
	// An admin of another agency sees none of s's listings.
	st, text = rawAs(t, w.user(t, "y-admin", "y", tripline.RoleAdmin), "GET", w.ts.URL+"/v1/events", "")
	if st != 200 || strings.Contains(text, "Listed Person") || strings.Contains(text, "SECRET") {
		t.Fatalf("events to an admin of y = %d %.600s", st, text)
	}
}

// TestAdminsManageOnlyTheirAgency (issue 13, item 4): an admin of agency y
// created users of agency s and issued, revoked and disabled theirs; a
// bearer user of role node could be made. Now an admin manages its own
// agency's users, another agency's users do not exist for it, and role
// node never holds a token; a superuser is made only by the CLI.
func TestAdminsManageOnlyTheirAgency(t *testing.T) {
	w := newSecWorld(t)
	yAdmin := w.user(t, "y-admin", "y", tripline.RoleAdmin)
	officer := w.test.tokens[tripline.RoleOfficer]
	for _, c := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"create a user of s", "POST", "/v1/users", `{"id":"planted","agency":"s","role":"admin"}`, 403},
		{"token for s's officer", "POST", "/v1/users/u-officer/tokens", ``, 404},
		{"disable s's officer", "POST", "/v1/users/u-officer/disable", ``, 404},
		{"enable s's officer", "POST", "/v1/users/u-officer/enable", ``, 404},
		{"revoke s's officer's token", "POST", "/v1/tokens/revoke", `{"token":"` + officer + `"}`, 404},
		{"a user of role node", "POST", "/v1/users", `{"id":"y:fake-node","role":"node"}`, 400},
		{"a superuser over the API", "POST", "/v1/users", `{"id":"root","role":"admin","superuser":true}`, 400},
	} {
		if st, text := rawAs(t, yAdmin, c.method, w.ts.URL+c.path, c.body); st != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, st, text, c.status)
		}
	}
	// The officer of s is untouched, and none of the refused users exists.
	if st, _ := rawAs(t, officer, "GET", w.ts.URL+"/v1/me", ""); st != 200 {
		t.Errorf("s's officer = %d after y's admin tried to revoke and disable it", st)
	}
	us, err := w.srv.Identity.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.ID == "planted" || u.ID == "fake-node" || u.ID == "root" {
			t.Errorf("user %s (%s of %s) was created", u.ID, u.Role, u.Agency)
		}
	}
	// An admin still manages its own agency: a new user defaults to it.
	st, text := rawAs(t, yAdmin, "POST", w.ts.URL+"/v1/users", `{"id":"y:officer","role":"officer"}`)
	var issued httpapi.IssuedToken
	if json.Unmarshal([]byte(text), &issued); st != 200 || issued.Token == "" {
		t.Fatalf("own agency's user = %d %s", st, text)
	}
	if st, text := rawAs(t, issued.Token, "GET", w.ts.URL+"/v1/me", ""); st != 200 || !strings.Contains(text, `"agency":"y"`) {
		t.Fatalf("new user = %d %s, want an officer of y", st, text)
	}
	for _, path := range []string{"/v1/users/y:officer/tokens", "/v1/users/y:officer/disable"} {
		if st, text := rawAs(t, yAdmin, "POST", w.ts.URL+path, ""); st != 200 {
			t.Errorf("%s on its own agency's user = %d %s", path, st, text)
		}
	}
	// A stored user of role node gets no token, and its token is refused.
	if st, text := rawAs(t, w.test.tokens[tripline.RoleAdmin], "POST", w.ts.URL+"/v1/users/u-node/tokens", ""); st != 400 {
		t.Errorf("token for a node user = %d %s, want 400", st, text)
	}
	if st, _ := rawAs(t, "", "POST", w.ts.URL+"/v1/session", `{"token":"`+w.test.tokens[tripline.RoleNode]+`"}`); st != 401 {
		t.Errorf("console login with a node token = %d, want 401", st)
	}
	// A superuser (made by `tripline users add --superuser`) manages every agency.
	if _, err := w.test.db.SQL().Exec(`UPDATE users SET superuser = 1 WHERE id = 'y-admin'`); err != nil {
		t.Fatal(err)
	}
	if st, text := rawAs(t, yAdmin, "POST", w.ts.URL+"/v1/users", `{"id":"s-new","agency":"s","role":"officer"}`); st != 200 {
		t.Errorf("superuser creating a user of s = %d %s", st, text)
	}
	if st, text := rawAs(t, yAdmin, "POST", w.ts.URL+"/v1/users/u-officer/tokens", ""); st != 200 {
		t.Errorf("superuser issuing a token for s = %d %s", st, text)
	}
}

// TestSuperuserManagedBySuperusersOnly: a plain admin of the superuser's
// own agency issued itself a token for the superuser (POST
// /v1/users/root/tokens) and was then node-wide: it created admins of
// every agency. It could also disable the node's own admin. Only a
// superuser manages a superuser now.
func TestSuperuserManagedBySuperusersOnly(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	superuser := func(id string) string {
		t.Helper()
		if err := w.srv.Identity.CreateUser(ctx, &tripline.User{ID: id, Agency: "s", Role: tripline.RoleAdmin, Superuser: true}); err != nil {
			t.Fatal(err)
		}
		tok, err := w.srv.Identity.IssueToken(ctx, id, "api", "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	root := superuser("root")
	admin := w.test.tokens[tripline.RoleAdmin] // a plain admin of s, root's agency
	for _, c := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"a token for the superuser", "POST", "/v1/users/root/tokens", ``, 403},
		{"disable the superuser", "POST", "/v1/users/root/disable", ``, 403},
		{"enable the superuser", "POST", "/v1/users/root/enable", ``, 403},
		{"revoke the superuser's token", "POST", "/v1/tokens/revoke", `{"token":"` + root + `"}`, 404},
	} {
		if st, text := rawAs(t, admin, c.method, w.ts.URL+c.path, c.body); st != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, st, text, c.status)
		}
	}
	if st, text := rawAs(t, root, "GET", w.ts.URL+"/v1/me", ""); st != 200 || !strings.Contains(text, `"superuser":true`) {
		t.Fatalf("the superuser after a plain admin's attempts: %d %s", st, text)
	}
	if n := w.auditCount(t, "u-admin"); n == 0 {
		t.Error("the refused attempts left no audit entry")
	}
	// The plain admin still manages its agency's other users, and a
	// superuser manages another.
	if st, text := rawAs(t, admin, "POST", w.ts.URL+"/v1/users/u-officer/tokens", ""); st != 200 {
		t.Errorf("a plain admin's token for its own officer = %d %s", st, text)
	}
	superuser("root2")
	if st, text := rawAs(t, root, "POST", w.ts.URL+"/v1/users/root2/disable", ""); st != 200 {
		t.Errorf("a superuser disabling another = %d %s", st, text)
	}
}

// TestEncounterOfListingGoneShowsLeast (issue 13, item 5): once the
// listing of an encounter was withdrawn or expired, the reporting
// officer saw its action and an explanation quoting the listed name.
// Now a listing that is gone, or no longer in force, means least
// disclosure; the originator still sees its own.
func TestEncounterOfListingGoneShowsLeast(t *testing.T) {
	w := newSecWorld(t)
	// As a node's index: only listings in force are found.
	w.srv.Lookup = func(id string) *tripline.Listing {
		l, err := w.srv.Listings.Listing(context.Background(), id)
		if err != nil || l.Status != tripline.StatusActive {
			return nil
		}
		return l
	}
	if _, err := w.srv.Listings.WithdrawListing(context.Background(), "x:1", "delisted"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Listings.WithdrawListing(context.Background(), "s:1", "delisted"); err != nil {
		t.Fatal(err)
	}
	for _, role := range []tripline.Role{tripline.RoleOfficer, tripline.RoleAnalyst} {
		for _, id := range []string{w.enc, w.encExpired} {
			st, body := doAs(t, role, "GET", w.ts.URL+"/v1/encounters/"+id, "")
			if b, _ := json.Marshal(body); st != 200 || body["action"] != nil || strings.Contains(string(b), "Xhidden") || strings.Contains(string(b), "Xaction") {
				t.Errorf("%s: encounter %s of a listing gone = %d %s", role, id, st, b)
			}
		}
		st, text := rawAs(t, w.test.tokens[role], "GET", w.ts.URL+"/v1/encounters", "")
		if st != 200 || strings.Contains(text, "Xhidden") || strings.Contains(text, "Xaction") || strings.Contains(text, `"action":"detain","traveller":{"ref":"t-1","name":"Traveller One"},"officer":"u-officer","outcome":"pending","explain":[{"feature":"name","score":0.95,"weight":1,"detail":"listed as X`) {
			t.Errorf("%s: encounter list = %d %.800s", role, st, text)
		}
	}
	// s's own listing, withdrawn: its analysts still see the action.
	if st, body := doAs(t, tripline.RoleAnalyst, "GET", w.ts.URL+"/v1/encounters/"+w.own, ""); st != 200 || body["action"] != "detain" {
		t.Errorf("originator's own encounter = %d %v", st, body)
	}
}

// TestCoverageExpiringShowsOnlyWhatTheCallerMaySee (issue 13, item 6): the
// expiring list named listings the caller may only screen against.
func TestCoverageExpiringShowsOnlyWhatTheCallerMaySee(t *testing.T) {
	w := newSecWorld(t)
	st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "GET", w.ts.URL+"/v1/coverage?within=720h", "")
	if st != 200 {
		t.Fatalf("coverage = %d %s", st, text)
	}
	assertNoSentinel(t, "coverage", tripline.RoleAnalyst, text)
	var cov httpapi.Coverage
	if err := json.Unmarshal([]byte(text), &cov); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range cov.Expiring {
		ids = append(ids, x.ID)
	}
	// x:a (action level) and s:1 are named; x:1 (screen-only) is not.
	if slices.Sort(ids); !slices.Equal(ids, []string{"s:1", "x:a"}) {
		t.Errorf("expiring = %v, want s:1 and x:a, not the screen-only x:1", ids)
	}
	soon := 0
	for _, g := range cov.Groups {
		soon += g.ExpiringSoon
	}
	if soon != 3 {
		t.Errorf("%d counted as expiring soon, want 3: the counts still cover x:1", soon)
	}
}

// login starts a console session with token and returns the status and
// the session cookie's value.
func login(t *testing.T, base, token string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+"/v1/session", "application/json", strings.NewReader(`{"token":"`+token+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == httpapi.SessionCookie {
			return resp.StatusCode, c.Value
		}
	}
	return resp.StatusCode, ""
}

func withCookie(t *testing.T, session, url string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: session})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSessionEndsWithItsToken (issue 13, item 7): revoking a token did not
// end the console sessions made from it, and a session could be exchanged
// for a fresh one forever.
func TestSessionEndsWithItsToken(t *testing.T) {
	w := newSecWorld(t)
	tok := w.user(t, "sess-1", "s", tripline.RoleAnalyst)
	st, sess := login(t, w.ts.URL, tok)
	if st != 200 || sess == "" {
		t.Fatalf("login = %d", st)
	}
	if st := withCookie(t, sess, w.ts.URL+"/v1/me"); st != 200 {
		t.Fatalf("session = %d", st)
	}
	if st, again := login(t, w.ts.URL, sess); st != 401 || again != "" {
		t.Errorf("a session exchanged for a new one = %d", st)
	}
	if st, text := rawAs(t, w.test.tokens[tripline.RoleAdmin], "POST", w.ts.URL+"/v1/tokens/revoke", `{"token":"`+tok+`"}`); st != 200 {
		t.Fatalf("revoke = %d %s", st, text)
	}
	if st := withCookie(t, sess, w.ts.URL+"/v1/me"); st != 401 {
		t.Errorf("session of a revoked token = %d, want 401", st)
	}
	// Disabling the user ends its sessions too.
	tok2, _ := w.srv.Identity.IssueToken(context.Background(), "sess-1", "api", "", time.Time{})
	_, sess2 := login(t, w.ts.URL, tok2)
	if st := withCookie(t, sess2, w.ts.URL+"/v1/me"); st != 200 {
		t.Fatalf("second session = %d", st)
	}
	if st, _ := rawAs(t, w.test.tokens[tripline.RoleAdmin], "POST", w.ts.URL+"/v1/users/sess-1/disable", ""); st != 200 {
		t.Fatalf("disable = %d", st)
	}
	if st := withCookie(t, sess2, w.ts.URL+"/v1/me"); st != 401 {
		t.Errorf("session of a disabled user = %d, want 401", st)
	}
}

// TestChangesOfHiddenRecordsAnswerAsMissing (issue 13, item 12): withdraw
// and confirm answered 403 naming the originator for a listing the caller
// may not see, and 404 for one that does not exist: an existence oracle.
// Now both are the same 404; a listing the caller may see but not change
// is still 403. The same holds for document alerts and consent requests.
func TestChangesOfHiddenRecordsAnswerAsMissing(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	hiddenAlert := &tripline.DocumentAlert{Source: "x", Country: "IRQ", Number: "H1", Kind: tripline.AlertStolen, Action: tripline.ActionSecondaryCheck,
		Handling: tripline.Handling{Screen: []string{"someone-else"}}, Provenance: tripline.Provenance{Originator: "x"}}
	hiddenAlert.ID = tripline.DocumentAlertID(hiddenAlert.Source, hiddenAlert.Country, hiddenAlert.Number)
	if _, err := w.srv.Alerts.PutDocumentAlert(ctx, hiddenAlert); err != nil {
		t.Fatal(err)
	}
	consent, err := w.srv.Consents.RequestConsent(ctx, &tripline.Consent{Listing: "x:h", Originator: "x", Requester: "y", Recipient: "z"})
	if err != nil {
		t.Fatal(err)
	}
	confirm := `{"valid_until":"2099-01-01T00:00:00Z"}`
	for _, c := range []struct{ name, hidden, missing, body string }{
		{"withdraw", "/v1/listings/x:h/withdraw", "/v1/listings/x:nothere/withdraw", `{"reason":"r"}`},
		{"confirm", "/v1/listings/x:h/confirm", "/v1/listings/x:nothere/confirm", confirm},
		{"withdraw alert", "/v1/document-alerts/" + hiddenAlert.ID + "/withdraw", "/v1/document-alerts/x:IRQ:NOTHERE/withdraw", ``},
		{"decide consent", "/v1/consents/" + consent.ID + "/decide", "/v1/consents/nothere/decide", `{"grant":true}`},
	} {
		stH, bodyH := do(t, "POST", w.ts.URL+c.hidden, c.body)
		stM, bodyM := do(t, "POST", w.ts.URL+c.missing, c.body)
		codeH, msgH := errMsg(bodyH)
		codeM, msgM := errMsg(bodyM)
		// The same answer, but for the id the caller sent.
		msgH = strings.NewReplacer("x:h", "ID", hiddenAlert.ID, "ID", consent.ID, "ID").Replace(msgH)
		msgM = strings.NewReplacer("x:nothere", "ID", "x:IRQ:NOTHERE", "ID", "nothere", "ID").Replace(msgM)
		if stH != 404 || stH != stM || codeH != codeM || msgH != msgM {
			t.Errorf("%s: hidden %d %s %q, missing %d %s %q: want the same 404", c.name, stH, codeH, msgH, stM, codeM, msgM)
		}
	}
	// Visible (screen-only) but not the caller's: 403 is fine.
	if st, body := do(t, "POST", w.ts.URL+"/v1/listings/x:1/withdraw", `{"reason":"r"}`); st != 403 {
		t.Errorf("withdraw a visible listing of x = %d %v, want 403", st, body)
	}
	if l, err := w.srv.Listings.Listing(ctx, "x:h"); err != nil || l.Status != tripline.StatusActive {
		t.Fatalf("x:h after the refused calls: %v %v", l, err)
	}
}

// TestAlertOfAnotherSourceRefused: an analyst of agency s named itself the
// originator but sent the id of agency x's alert: the write replaced x's
// alert. Only the agency's own source may be written.
func TestAlertOfAnotherSourceRefused(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	theirs := &tripline.DocumentAlert{Source: "x", Country: "IRQ", Number: "X1", Kind: tripline.AlertStolen, Action: tripline.ActionDetain,
		Handling: tripline.Handling{Screen: []string{"*"}}, Provenance: tripline.Provenance{Originator: "x"}}
	theirs.ID = tripline.DocumentAlertID(theirs.Source, theirs.Country, theirs.Number)
	if _, err := w.srv.Alerts.PutDocumentAlert(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	forged := `{"id":"` + theirs.ID + `","source":"x","country":"IRQ","number":"X1","kind":"lost","action":"info","provenance":{"originator":"s"}}`
	own := `{"source":"s","country":"IRQ","number":"S1","kind":"lost","action":"info","provenance":{"originator":"s"}}`
	for _, c := range []struct {
		name, body string
		want       int
	}{
		{"another agency's source", forged, 403},
		{"own source", own, 200},
	} {
		if st, body := do(t, "POST", w.ts.URL+"/v1/document-alerts", c.body); st != c.want {
			t.Errorf("%s: %d %v, want %d", c.name, st, body, c.want)
		}
	}
	as, err := w.srv.Alerts.DocumentAlerts(ctx, tripline.AlertFilter{Source: "x"})
	if err != nil || len(as) != 1 || as[0].Kind != tripline.AlertStolen || as[0].Action != tripline.ActionDetain || as[0].Provenance.Originator != "x" {
		t.Fatalf("x's alert after the forged write: %+v %v", as, err)
	}
}

// A node id in a query string is checked before anything records it: an
// auditor, or a partner node, cannot write what it likes into the audit
// log (which is kept for good) through it.
func TestWitnessedNodeChecked(t *testing.T) {
	w := newSecWorld(t)
	for _, node := range []string{"", strings.Repeat("x", 100_000), "a/b", "A\x00"} {
		st, body := rawAs(t, w.test.tokens[tripline.RoleAuditor], "GET", w.ts.URL+"/v1/audit/witnessed?node="+url.QueryEscape(node), "")
		if st != http.StatusBadRequest || !strings.Contains(body, "node") || len(body) > 2000 {
			t.Errorf("node %.20q: %d %.200s; want a short 400 naming node", node, st, body)
		}
	}
}

// TestWithdrawalReasonAudited: the reason given for a withdrawal over the
// API was decoded and dropped, so oversight saw who withdrew a listing but
// never why (the command line recorded it). It is now the detail of a
// listing.withdraw entry; a reason that would forge the log (a newline, a
// bidi override) or fill it is refused and the listing stays active.
func TestWithdrawalReasonAudited(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	for _, bad := range []string{"source burned\nlisting.withdraw by admin", "ok\u202ereversed", strings.Repeat("x", httpapi.MaxWithdrawalReason+1)} {
		body, _ := json.Marshal(httpapi.Withdrawal{Reason: bad})
		if st, out := do(t, "POST", w.ts.URL+"/v1/listings/s:w/withdraw", string(body)); st != 400 {
			t.Errorf("reason %.40q: %d %v, want 400", bad, st, out)
		}
	}
	if l, err := w.srv.Listings.Listing(ctx, "s:w"); err != nil || l.Status != tripline.StatusActive {
		t.Fatalf("after refused withdrawals: %v %v", l, err)
	}
	if st, out := do(t, "POST", w.ts.URL+"/v1/listings/s:w/withdraw", `{"reason":"duplicate of s:1"}`); st != 200 {
		t.Fatalf("withdraw: %d %v", st, out)
	}
	es, err := w.srv.Audit.Entries(ctx, tripline.AuditFilter{Action: "listing.withdraw", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Subject != "s:w" || es[0].Detail != "duplicate of s:1" || es[0].User != "u-analyst" {
		t.Fatalf("listing.withdraw entries: %+v", es)
	}
}

// TestConsentRequestBounded: a consent request's reason and recipient were
// stored as sent and shown to the originating agency (and sent to it in an
// event): a forged line, a bidi override, megabytes. Now refused, nothing
// stored.
func TestConsentRequestBounded(t *testing.T) {
	w := newSecWorld(t)
	for _, body := range []string{
		`{"listing":"x:1","recipient":"z","reason":"ok\nGRANTED by x"}`,
		`{"listing":"x:1","recipient":"z\u202e","reason":"ok"}`,
		`{"listing":"x:1","recipient":"z","reason":"` + strings.Repeat("x", 100_000) + `"}`,
	} {
		if st, out := do(t, "POST", w.ts.URL+"/v1/consents", body); st != 400 {
			t.Errorf("%.60s: %d %v, want 400", body, st, out)
		}
	}
	cs, err := w.srv.Consents.Consents(context.Background(), tripline.ConsentFilter{})
	if err != nil || len(cs) != 0 {
		t.Fatalf("stored: %v %v", cs, err)
	}
	if st, out := do(t, "POST", w.ts.URL+"/v1/consents", `{"listing":"x:1","recipient":"z","reason":"joint case"}`); st != 200 {
		t.Fatalf("a plain request: %d %v", st, out)
	}
}
