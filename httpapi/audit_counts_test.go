package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
	"tripline/storetest"
)

// TestAuditNamesNoCountOfHidden: the audit entry of a list read said how
// many records the page read as well as how many it showed ("1 of 57
// encounters shown"), and another agency's auditor reads what its own
// users did. So agency y's officer polling GET /v1/encounters, and y's
// auditor reading the entries, learnt each time another agency on the
// node had a hit (the leak the encounter pages were closed against), and
// y's analysts' listing, alert, consent and report reads counted the
// records hidden from y. An entry now counts what the caller was shown.
func TestAuditNamesNoCountOfHidden(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	w.srv.Federation = reportsOnly{}
	yOfficer := w.user(t, "y:officer", "y", tripline.RoleOfficer)
	yAnalyst := w.user(t, "y:analyst", "y", tripline.RoleAnalyst)
	yAuditor := w.user(t, "y:auditor", "y", tripline.RoleAuditor)
	reads := []struct{ token, path, action string }{
		{yOfficer, "/v1/encounters?limit=1", "encounter.list"},
		{yAnalyst, "/v1/listings?limit=1", "listing.list"},
		{yAnalyst, "/v1/document-alerts?limit=1", "alert.list"},
		{yAnalyst, "/v1/consents?listing=s:1", "consent.list"},
		{yAnalyst, "/v1/reports", "report.list"},
	}
	details := func() map[string]string {
		t.Helper()
		for _, rd := range reads {
			if st, text := rawAs(t, rd.token, "GET", w.ts.URL+rd.path, ""); st != 200 {
				t.Fatalf("%s: %d %s", rd.path, st, text)
			}
		}
		st, text := rawAs(t, yAuditor, "GET", w.ts.URL+"/v1/audit?limit=10000", "")
		var page struct{ Entries []*tripline.AuditEntry }
		if err := json.Unmarshal([]byte(text), &page); st != 200 || err != nil {
			t.Fatalf("audit: %d %s", st, text)
		}
		last := map[string]string{}
		for _, e := range page.Entries {
			if strings.HasSuffix(e.Action, ".list") {
				last[e.Action] = e.Subject + " | " + e.Detail
			}
		}
		return last
	}
	before := details()
	// Agency s writes what y may not see: listings, alerts, encounters,
	// consent requests.
	for i := range 3 {
		l := storetest.Listing("s", fmt.Sprintf("h%d", i), "Hidden Person")
		l.Handling = tripline.Handling{Screen: []string{"someone-else"}}
		if _, err := w.srv.Listings.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
		a := &tripline.DocumentAlert{Source: "s", Country: "IRQ", Number: fmt.Sprintf("H%d", i), Kind: tripline.AlertStolen,
			Action: tripline.ActionSecondaryCheck, Provenance: tripline.Provenance{Originator: "s"}}
		a.ID = tripline.DocumentAlertID(a.Source, a.Country, a.Number)
		if _, err := w.srv.Alerts.PutDocumentAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: "s:1", Originator: "s", Agency: "s",
			Decision: tripline.DecisionHit, Score: 0.95, Action: tripline.ActionDetain, Officer: "u-officer",
			Traveller: tripline.Traveller{Ref: "t-h", Name: "Traveller Hit"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.Consents.RequestConsent(ctx, &tripline.Consent{Listing: "s:1", Originator: "s", Requester: "x", Recipient: fmt.Sprintf("z%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	after := details()
	for _, rd := range reads {
		if before[rd.action] == "" {
			t.Errorf("%s: no entry", rd.action)
		}
		if before[rd.action] != after[rd.action] {
			t.Errorf("%s: y's auditor read %q, then %q once s had more records hidden from y", rd.action, before[rd.action], after[rd.action])
		}
	}
}

// TestPageReadIsOneAuditEntry: a page of listings or document alerts
// reads the store in batches of 500 past the records hidden from the
// caller, up to 10,000, and each batch wrote its own audit entry: up to
// 20 entries a request, kept for good, and their number told another
// agency's auditor how many hidden records lay in the range. A page is
// one entry now.
func TestPageReadIsOneAuditEntry(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	var ls []*tripline.Listing
	var as []*tripline.DocumentAlert
	for i := range 1200 {
		l := storetest.Listing("s", fmt.Sprintf("0h%04d", i), "Hidden Person")
		l.Handling = tripline.Handling{Screen: []string{"someone-else"}}
		ls = append(ls, l)
		a := &tripline.DocumentAlert{Source: "s", Country: "IRQ", Number: fmt.Sprintf("H%04d", i), Kind: tripline.AlertStolen,
			Action: tripline.ActionSecondaryCheck, Handling: tripline.Handling{Screen: []string{"someone-else"}}, Provenance: tripline.Provenance{Originator: "s"}}
		a.ID = tripline.DocumentAlertID(a.Source, a.Country, a.Number)
		as = append(as, a)
	}
	if _, err := w.srv.Listings.ImportListings(ctx, "s", tripline.Records(ls)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Alerts.ImportDocumentAlerts(ctx, "s", as); err != nil {
		t.Fatal(err)
	}
	yAnalyst := w.user(t, "y:analyst", "y", tripline.RoleAnalyst)
	for _, c := range []struct{ path, action string }{{"/v1/listings?limit=1", "listing.list"}, {"/v1/document-alerts?limit=1", "alert.list"}} {
		count := func() int {
			es, err := w.srv.Audit.Entries(ctx, tripline.AuditFilter{User: "y:analyst", Action: c.action, Limit: 10000})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		before := count()
		if st, text := rawAs(t, yAnalyst, "GET", w.ts.URL+c.path, ""); st != 200 {
			t.Fatalf("%s: %d %.200s", c.path, st, text)
		}
		if n := count() - before; n != 1 {
			t.Errorf("%s past 1,200 hidden records wrote %d %s entries, want 1", c.path, n, c.action)
		}
	}
}

// diffusionsHere is a DiffusionTransport that sends nothing.
type diffusionsHere struct{}

func (diffusionsHere) SendDiffusion(context.Context, *tripline.Diffusion) error { return nil }
func (diffusionsHere) SendDiffusionAck(context.Context, *tripline.Diffusion, *tripline.DiffusionAck) error {
	return nil
}
func (diffusionsHere) PartnerNodes(context.Context) (map[string]string, error) { return nil, nil }
func (diffusionsHere) Self() string                                            { return "A" }

// TestDiffusionListIsOneAuditEntry: GET /v1/diffusions, which the console
// calls at each look at its diffusions, wrote an audit entry for every
// diffusion listed (up to 1000, kept for good), and one "refused" entry
// for every other agency's diffusion read. The list is one entry now,
// naming what was shown.
func TestDiffusionListIsOneAuditEntry(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	w.srv.Diffusions, w.srv.DiffusionTransport = sqlstore.NewDiffusionService(w.test.db), diffusionsHere{}
	now := time.Now().UTC()
	for i := range 30 {
		sender := []string{"s", "y"}[i%2]
		d := &tripline.Diffusion{ID: fmt.Sprintf("A-d%02d", i), Sender: sender, SenderNode: "A", Kind: tripline.DiffuseLocateReport,
			Subject: tripline.TipSubject{Name: "Ayse Kaya"}, Status: tripline.DiffusionActive, Sent: now, AckDue: now.Add(time.Hour), Version: 1,
			Recipients: []tripline.DiffusionRecipient{{Agency: "z", Node: "Z"}}}
		if _, err := w.srv.Diffusions.PutDiffusion(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	entries := func() []*tripline.AuditEntry {
		es, err := w.srv.Audit.Entries(ctx, tripline.AuditFilter{User: "u-analyst", Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	before := len(entries())
	st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "GET", w.ts.URL+"/v1/diffusions", "")
	var page struct{ Diffusions []*tripline.Diffusion }
	if err := json.Unmarshal([]byte(text), &page); st != 200 || err != nil || len(page.Diffusions) != 15 {
		t.Fatalf("list: %d %.300s, want s's 15", st, text)
	}
	if es := entries(); len(es)-before != 1 {
		t.Errorf("GET /v1/diffusions wrote %d audit entries, want 1", len(es)-before)
	} else if e := es[len(es)-1]; e.Action != "diffusion.list" || !strings.Contains(e.Detail, "15") {
		t.Errorf("entry: %s %s %s, want diffusion.list of 15", e.Action, e.Subject, e.Detail)
	}
}

// TestEncounterPageRecordsWhatItShows: GET /v1/encounters reads the store
// in batches of 500 and recorded an "encounter.read" for every encounter
// of the batch the caller might see, shown or not: a page of one wrote
// 500 entries, kept for good, naming encounters the officer never saw.
// Only the encounters shown are recorded now.
func TestEncounterPageRecordsWhatItShows(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	for i := range 520 {
		if _, err := w.srv.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: "s:1", Originator: "s", Agency: "s",
			Decision: tripline.DecisionHit, Score: 0.95, Action: tripline.ActionDetain, Officer: "u-officer",
			Traveller: tripline.Traveller{Ref: fmt.Sprintf("t-%d", i), Name: "Traveller One"}}); err != nil {
			t.Fatal(err)
		}
	}
	reads := func() []*tripline.AuditEntry {
		es, err := w.srv.Audit.Entries(ctx, tripline.AuditFilter{User: "u-officer", Action: "encounter.read", Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	before := len(reads())
	st, text := rawAs(t, w.test.tokens[tripline.RoleOfficer], "GET", w.ts.URL+"/v1/encounters?limit=1", "")
	var page struct{ Encounters []*tripline.Encounter }
	if err := json.Unmarshal([]byte(text), &page); st != 200 || err != nil || len(page.Encounters) != 1 {
		t.Fatalf("page: %d %.200s", st, text)
	}
	es := reads()
	if len(es)-before != 1 {
		t.Fatalf("a page of one wrote %d encounter.read entries, want 1", len(es)-before)
	}
	if got := es[len(es)-1].Subject; got != page.Encounters[0].ID {
		t.Errorf("entry names %s, the page showed %s", got, page.Encounters[0].ID)
	}
}

// TestEventsGiveNoFieldDigests: GET /v1/events gave each event trimmed to
// the caller with the digests of the fields left out, so that the
// origin's signature verified. A field's digest is SHA-256 of its JSON,
// so an admin of agency y read the hidden action of s's listing by
// hashing the six actions, its birth dates and nationalities as quickly,
// and could confirm a guessed name. An event now carries the payload's
// digest (what the signature covers) and none of its fields'.
func TestEventsGiveNoFieldDigests(t *testing.T) {
	w := newSecWorld(t)
	yAdmin := w.user(t, "y:admin", "y", tripline.RoleAdmin)
	st, text := rawAs(t, yAdmin, "GET", w.ts.URL+"/v1/events?limit=10000", "")
	var page struct{ Events []*tripline.Event }
	if err := json.Unmarshal([]byte(text), &page); st != 200 || err != nil {
		t.Fatalf("events: %d %.300s", st, text)
	}
	guesses := map[string]bool{}
	for _, g := range []string{`"detain"`, `"refuse_entry"`, `"secondary_check"`, `"report"`, `"info"`, `"prevent_departure"`, `["IRQ"]`, `["1975-03"]`} {
		d := sha256.Sum256([]byte(g))
		guesses[hex.EncodeToString(d[:])] = true
	}
	trimmed := 0
	for _, ev := range page.Events {
		if !ev.Redacted {
			trimmed++
		}
		for field, d := range ev.Omitted {
			if guesses[d] {
				t.Errorf("event %d: field %s found by trying its values", ev.Seq, field)
			}
		}
		if len(ev.Omitted) > 0 {
			t.Errorf("event %d gives the digests of %d fields left out", ev.Seq, len(ev.Omitted))
		}
	}
	if trimmed == 0 {
		t.Fatal("no trimmed event to check: the world changed")
	}
}

// nodesOf is diffusionsHere with partner agencies x and y.
type nodesOf struct{ diffusionsHere }

func (nodesOf) PartnerNodes(context.Context) (map[string]string, error) {
	return map[string]string{"x": "X", "y": "Y", "z": "Z"}, nil
}

// TestDiffusionTellsNoHandling: a diffusion naming a listing goes only to
// the agencies the listing's handling rules let see it, and the answer
// says who they are (its recipients with "*", a refusal naming one that
// may not). An analyst of s, granted only screening on x's listing x:1,
// read from them whom x shares x:1 with, a detail. Naming a listing now
// needs its details.
func TestDiffusionTellsNoHandling(t *testing.T) {
	w := newSecWorld(t)
	w.srv.Diffusions, w.srv.DiffusionTransport = sqlstore.NewDiffusionService(w.test.db), nodesOf{}
	for _, recipients := range []string{`["*"]`, `["y"]`, `["x"]`} {
		body := `{"kind":"locate_and_report","subject":{"name":"Xhidden Screenonly"},"listing":"x:1","recipients":` + recipients + `}`
		st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/diffusions", body)
		if st != 403 || strings.Contains(text, `"recipients"`) {
			t.Errorf("naming x:1 to %s: %d %.300s, want 403", recipients, st, text)
		}
	}
	// Its own listing, seen in detail, still goes to those who may see it.
	body := `{"kind":"locate_and_report","subject":{"name":"Listed Person"},"listing":"s:1","recipients":["*"]}`
	if st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/diffusions", body); st != 200 {
		t.Errorf("naming s:1: %d %.300s", st, text)
	}
}
