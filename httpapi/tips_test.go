package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/storetest"
)

const tipBody = `{"channel":"family","reporter":{"name":"Amina Haddad","contact":"+90 555 0100","relation":"mother"},
	"text":"My son Karim (17) plans to fly to Istanbul on Friday to join a group.",
	"subject":{"name":"Karim Benali Haddad","dob":"2009-04-02","sex":"M","nationalities":["TR"]}}`

// TestTipLife: intake makes a provisional listing (secondary check, tip
// instruction, screened by the receiving agency only, expiring); the
// reporter shows to analysts and supervisors only; a supervisor confirms
// one tip into a full listing and rejects another (its listing
// withdrawn); a third expires unconfirmed; decided and expired tips
// cannot be decided again.
func TestTipLife(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	ctx := context.Background()

	st, tip := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/tips", tipBody)
	if st != 200 || tip["status"] != "provisional" || tip["minor"] != true || tip["reporter"].(map[string]any)["name"] != "Amina Haddad" {
		t.Fatalf("intake: %d %v", st, tip)
	}
	id, lid := tip["id"].(string), tip["listing"].(string)
	l, err := srv.Listings.Listing(ctx, lid)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Provisional || l.Action != tripline.ActionSecondaryCheck || l.Instruction != tripline.TipInstruction || l.ValidUntil == nil ||
		l.LevelFor("other-agency", tripline.GroupMap{}) != tripline.LevelNone || l.Handling.Reshare != tripline.ReshareNever {
		t.Fatalf("provisional listing %+v", l)
	}
	if exp := time.Until(*l.ValidUntil); exp < 29*24*time.Hour || exp > 31*24*time.Hour {
		t.Errorf("expires in %s, want 30 days", exp)
	}
	// Nothing of the reporter is in the listing (which partners may get).
	if b, _ := srv.Listings.Listing(ctx, lid); strings.Contains(b.Narrative+b.Provenance.SourceRef+b.Contact, "Amina") {
		t.Fatalf("reporter in the listing: %+v", b)
	}
	// Source protection: an admin of the agency sees the tip without the reporter.
	if st, got := doAs(t, tripline.RoleAdmin, "GET", ts.URL+"/v1/tips/"+id, ""); st != 200 || got["reporter"] != nil && len(got["reporter"].(map[string]any)) > 0 {
		t.Errorf("admin sees %d %v", st, got)
	}
	// The supervisor queue.
	if st, q := doAs(t, tripline.RoleSupervisor, "GET", ts.URL+"/v1/tips?status=provisional", ""); st != 200 || len(q["tips"].([]any)) != 1 {
		t.Fatalf("queue: %d %v", st, q)
	}
	// Only a supervisor decides; a provisional listing cannot be given
	// another action behind the tip's back.
	if st, _ := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/tips/"+id+"/confirm", `{"action":"detain"}`); st != 403 {
		t.Errorf("analyst confirms: %d", st)
	}
	l.Action = tripline.ActionDetain
	if _, err := srv.Listings.PutListing(ctx, l); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("provisional listing given detain: %v", err)
	}

	// Confirm: a full listing with its own action and handling.
	st, done := doAs(t, tripline.RoleSupervisor, "POST", ts.URL+"/v1/tips/"+id+"/confirm",
		`{"action":"secondary_check","directions":{"out":{"action":"prevent_departure"}},"contact":"CT desk","handling":{"screen":["*"],"action":["*"]},"note":"confirmed by school"}`)
	if st != 200 || done["status"] != "confirmed" || done["decided_by"] != "u-supervisor" {
		t.Fatalf("confirm: %d %v", st, done)
	}
	l, _ = srv.Listings.Listing(ctx, lid)
	if l.Provisional || l.Directions["out"].Action != tripline.ActionPreventDeparture || l.ValidUntil != nil || l.LevelFor("other-agency", tripline.GroupMap{}) < tripline.LevelAction {
		t.Fatalf("confirmed listing %+v", l)
	}
	if st, _ := doAs(t, tripline.RoleSupervisor, "POST", ts.URL+"/v1/tips/"+id+"/reject", `{"note":"twice"}`); st != 409 {
		t.Errorf("decided twice: %d", st)
	}

	// Reject: the listing is withdrawn.
	_, tip2 := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/tips", strings.Replace(tipBody, "Karim Benali Haddad", "Yusuf Demir", 1))
	if st, done := doAs(t, tripline.RoleSupervisor, "POST", ts.URL+"/v1/tips/"+tip2["id"].(string)+"/reject", `{"note":"malicious call"}`); st != 200 || done["status"] != "rejected" {
		t.Fatalf("reject: %d %v", st, done)
	}
	if l, _ := srv.Listings.Listing(ctx, tip2["listing"].(string)); l.Status != tripline.StatusWithdrawn {
		t.Fatalf("rejected tip's listing is %s", l.Status)
	}

	// Expiry: a tip taken for a short time lapses unconfirmed.
	_, tip3 := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/tips", strings.Replace(tipBody, `"text"`, `"ttl":"50ms","text"`, 1))
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, got := doAs(t, tripline.RoleSupervisor, "GET", ts.URL+"/v1/tips/"+tip3["id"].(string), "")
		if got["status"] == "expired" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tip not expired: %v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if l, _ := srv.Listings.Listing(ctx, tip3["listing"].(string)); l.ActiveAt(time.Now()) {
		t.Error("expired tip's listing still matches")
	}
	if st, _ := doAs(t, tripline.RoleSupervisor, "POST", ts.URL+"/v1/tips/"+tip3["id"].(string)+"/confirm", `{"action":"detain"}`); st != 409 {
		t.Errorf("expired tip confirmed: %d", st)
	}
	if st, q := doAs(t, tripline.RoleSupervisor, "GET", ts.URL+"/v1/tips?status=expired", ""); st != 200 || len(q["tips"].([]any)) != 1 {
		t.Errorf("expired queue: %d %v", st, q)
	}
}

// TestTipAbuse: hostile intake is refused naming the field, officers and
// other agencies get nothing.
func TestTipAbuse(t *testing.T) {
	ts := newServer(t)
	for _, tc := range []struct {
		role tripline.Role
		body string
		want int
		msg  string
	}{
		{tripline.RoleOfficer, tipBody, 403, ""},
		{tripline.RoleAnalyst, strings.Replace(tipBody, `"family"`, `"rumour"`, 1), 400, "channel"},
		{tripline.RoleAnalyst, strings.Replace(tipBody, `"Karim Benali Haddad"`, `"\u200b\u200b"`, 1), 400, "subject.name"},
		{tripline.RoleAnalyst, strings.Replace(tipBody, `"My son`, `"`+strings.Repeat("x", 9000), 1), 400, "text"},
		{tripline.RoleAnalyst, strings.Replace(tipBody, `"2009-04-02"`, `"2009-13-40"`, 1), 400, "subject.dob"},
		{tripline.RoleAnalyst, strings.Replace(tipBody, `"text"`, `"ttl":"8760h","text"`, 1), 400, "ttl"},
		{tripline.RoleAnalyst, strings.Replace(tipBody, `"text"`, `"listing":"s:1","text"`, 1), 400, "unknown field"},
	} {
		st, body := doAs(t, tc.role, "POST", ts.URL+"/v1/tips", tc.body)
		if _, msg := errMsg(body); st != tc.want || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %v, want %d naming %q", tc.role, st, body, tc.want, tc.msg)
		}
	}
	_, tip := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/tips", tipBody)
	id := tip["id"].(string)
	if st, _ := doAs(t, tripline.RoleOfficer, "GET", ts.URL+"/v1/tips/"+id, ""); st != 403 {
		t.Errorf("officer reads a tip: %d", st)
	}
	// Another agency's supervisor: the tip does not exist for it.
	srv := serverOf(ts.URL + "/").srv
	u := &tripline.User{ID: "sup-y", Agency: "y", Role: tripline.RoleSupervisor}
	if err := srv.Identity.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	tok, _ := srv.Identity.IssueToken(context.Background(), u.ID, "api", "", time.Time{})
	for _, p := range []string{"GET /v1/tips/" + id, "POST /v1/tips/" + id + "/reject"} {
		m, path, _ := strings.Cut(p, " ")
		if st, body := doToken(t, tok, m, ts.URL+path, `{"note":"x"}`); st != 404 || strings.Contains(body["error"].(map[string]any)["message"].(string), "Amina") {
			t.Errorf("%s by another agency: %d %v", p, st, body)
		}
	}
	if _, q := doToken(t, tok, "GET", ts.URL+"/v1/tips", ""); len(q["tips"].([]any)) != 0 {
		t.Errorf("another agency lists %v", q)
	}
}

// TestTipListingOnlyThroughTheTip: a tip's provisional listing changes only
// with the supervisor's decision. An analyst may not rewrite it (to a
// shared detain, say), confirm it past the tip's expiry, withdraw it, or
// replace it by an import; once a supervisor rejects the tip, nobody
// brings the listing back by confirming it. A withdrawn listing of any
// kind is not re-confirmed either.
func TestTipListingOnlyThroughTheTip(t *testing.T) {
	ts := newServer(t)
	_, tip := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/tips", tipBody)
	id, lid := tip["id"].(string), tip["listing"].(string)
	_, own, _ := strings.Cut(lid, ":")
	detain := `{"id":"` + lid + `","source":"s","names":[{"full":"Karim Benali Haddad","kind":"primary"}],"action":"detain",
		"handling":{"screen":["*"],"details":["*"],"reshare":"allowed"},"provenance":{"originator":"s"}}`
	confirm := `{"valid_until":"2099-01-01T00:00:00Z"}`
	// Nor may anyone make a listing look like one the node made, which no
	// listing route would then change.
	lookalike := `{"id":"s:own","source":"s","names":[{"full":"Some One","kind":"primary"}],"action":"detain","reason":"diffusion",
		"handling":{"screen":["*"]},"provenance":{"originator":"s","source_ref":"own"}}`
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
		msg                      string
	}{
		{"a look-alike diffusion's listing", "POST", "/v1/listings", lookalike, 400, "only the node makes"},
		{"a provisional listing", "POST", "/v1/listings", strings.Replace(lookalike, `"reason":"diffusion"`, `"provisional":true`, 1), 400, "only the node makes"},
		{"a look-alike by import", "POST", "/v1/imports", "id,primary_name,action,screen_agencies,reason,source_ref\nown,Some One,detain,*,diffusion,own\n", 400, "only the node makes"},
		{"rewrite", "POST", "/v1/listings", detain, 403, "made from a tip"},
		{"confirm", "POST", "/v1/listings/" + lid + "/confirm", confirm, 403, "made from a tip"},
		{"withdraw", "POST", "/v1/listings/" + lid + "/withdraw", `{"reason":"x"}`, 403, "made from a tip"},
		{"import", "POST", "/v1/imports", "id,primary_name,action,screen_agencies\n" + own + ",Karim Benali Haddad,detain,*\n", 400, "made by the node"},
	} {
		st, body := doAs(t, tripline.RoleAnalyst, tc.method, ts.URL+tc.path, tc.body)
		if _, msg := errMsg(body); st != tc.want || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %v, want %d naming %q", tc.name, st, body, tc.want, tc.msg)
		}
	}
	check := func(status tripline.Status) {
		t.Helper()
		l, err := serverOf(ts.URL+"/").srv.Listings.Listing(context.Background(), lid)
		if err != nil || l.Status != status || l.Action != tripline.ActionSecondaryCheck || !l.Provisional || l.Version != 1 && status == tripline.StatusActive {
			t.Fatalf("tip listing after the attempts: %+v, %v; want %s, unchanged", l, err, status)
		}
	}
	check(tripline.StatusActive)
	if st, body := doAs(t, tripline.RoleSupervisor, "POST", ts.URL+"/v1/tips/"+id+"/reject", `{"note":"malicious"}`); st != 200 {
		t.Fatalf("reject: %d %v", st, body)
	}
	if st, body := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/listings/"+lid+"/confirm", confirm); st != 403 {
		t.Errorf("confirming a rejected tip's listing: %d %v", st, body)
	}
	check(tripline.StatusWithdrawn)

	// Any withdrawn listing: written again, not re-confirmed.
	if _, err := serverOf(ts.URL+"/").srv.Listings.PutListing(context.Background(), storetest.Listing("s", "1", "Ali Hassan")); err != nil {
		t.Fatal(err)
	}
	if st, body := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/listings/s:1/withdraw", `{"reason":"left the list"}`); st != 200 {
		t.Fatalf("withdraw s:1: %d %v", st, body)
	}
	if st, body := doAs(t, tripline.RoleAnalyst, "POST", ts.URL+"/v1/listings/s:1/confirm", confirm); st != 409 {
		t.Errorf("confirming a withdrawn listing: %d %v", st, body)
	}
}
