package httpapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
	"tripline/network"
)

// reportsOnly is a node's federation side that only answers the report
// outbox: two reports quoting encounters in full, one reported by s, one
// by another agency.
type reportsOnly struct{ httpapi.Federation }

func (reportsOnly) Reports(context.Context, tripline.ReportFilter) ([]*tripline.Report, error) {
	var out []*tripline.Report
	for _, agency := range []string{"s", "y"} {
		e := tripline.Encounter{ID: "enc-" + agency, Listing: "x:1", Originator: "x", Agency: agency, Action: tripline.ActionDetain,
			Explain: []tripline.Feature{{Feature: "name", Detail: "listed as Xhidden Screenonly"}}}
		enc, _ := json.Marshal(e)
		body, _ := json.Marshal(federation.SignedReport{From: "local", ToOrigin: "X", Encounter: enc})
		out = append(out, &tripline.Report{ID: e.ID, ToOrigin: "X", NextHop: "X", Status: "sent", Body: body})
	}
	return out, nil
}

// witnessNone keeps no partner's audit checkpoints.
type witnessNone struct{}

func (witnessNone) Witness(context.Context, *tripline.AuditCheckpoint) (bool, error) {
	return false, nil
}
func (witnessNone) Witnessed(context.Context, string, int64, int) ([]*tripline.AuditCheckpoint, error) {
	return nil, nil
}

// sweepCall is how the sweep calls one route: a path (with query) and a
// body, or why it does not.
type sweepCall struct {
	path, body string
	// skip says why the route is not swept here (and what covers it).
	skip string
}

// TestEveryRouteGoesThroughPolicyAndAudit walks the whole route table
// (issue 13, item 3): every route but the public ones must be listed
// here with a call that succeeds, or a reason it is not swept. Each
// call is made by every role the route admits, and every answer that
// succeeds must have left an audit entry by its caller, and carry
// nothing beyond what the policy layer grants that caller: nothing of
// x's listings beyond screening, none of s's details to a role whose
// ceiling is below them. A read path that skips the policy layer or the
// audit log fails here, and so does a new route nobody added.
func TestEveryRouteGoesThroughPolicyAndAudit(t *testing.T) {
	w := newSecWorld(t)
	ctx := context.Background()
	// Network and federation services, so that their routes answer.
	svc := network.NewService(network.NewMemStore())
	w.srv.Network = svc
	for _, id := range []string{"s:1", "x:1", "x:h"} {
		l, err := w.srv.Listings.Listing(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	w.srv.Federation = reportsOnly{}
	w.srv.Witness = witnessNone{}
	partnerKey := partnerAdmin(t, w.test)
	// What the write routes act on.
	alert := &tripline.DocumentAlert{Source: "s", Country: "IRQ", Number: "D1", Kind: tripline.AlertStolen, Action: tripline.ActionSecondaryCheck,
		Handling: tripline.Handling{Screen: []string{"*"}}, Provenance: tripline.Provenance{Originator: "s"}}
	alertJSON, _ := json.Marshal(alert)
	alertID := tripline.DocumentAlertID(alert.Source, alert.Country, alert.Number)
	consent, err := w.srv.Consents.RequestConsent(ctx, &tripline.Consent{Listing: "s:1", Originator: "s", Requester: "y", Recipient: "z"})
	if err != nil {
		t.Fatal(err)
	}
	victim := w.user(t, "victim", "s", tripline.RoleOfficer)
	// Two tips of s: one to confirm, one to reject.
	var tips [2]string
	for i := range tips {
		st, text := rawAs(t, w.test.tokens[tripline.RoleAnalyst], "POST", w.ts.URL+"/v1/tips", tipBody)
		var tip struct{ ID string }
		if json.Unmarshal([]byte(text), &tip); st != 200 || tip.ID == "" {
			t.Fatalf("tip: %d %s", st, text)
		}
		tips[i] = tip.ID
	}
	// s's officer met a traveller on x's listing, found a false positive:
	// s proposes sharing the clearance with x (the first step; the others
	// are x's, and x is a partner node: TestFederationSharedClearance).
	dob, _ := tripline.ParsePartialDate("1980-02-03")
	fp, err := w.srv.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: "x:1", Originator: "x", Agency: "s",
		Decision: tripline.DecisionReview, Score: 0.8, Action: tripline.ActionSecondaryCheck, Officer: "u-officer",
		Traveller: tripline.Traveller{Ref: "t-fp", Name: "Namesake Traveller", DOB: dob, Document: &tripline.Document{Number: "FP123456", Country: "GBR"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.srv.Encounters.ResolveEncounter(ctx, fp.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive, By: "u-analyst"}, ""); err != nil {
		t.Fatal(err)
	}
	put := listingJSON(t, "2", "Put Person")
	put = put[:len(put)-1] + `,"narrative":"SECRET-S-PUT"}`
	q := url.QueryEscape
	phone := svc.Canon(network.Phone("+44 20 7946 0958"))
	phoneKey := q(string(phone.Kind) + ":" + phone.Key)
	diffusions := "diffusions need partner nodes: TestDiffusionThreeNodes (cmd/tripline) sends, acknowledges and cancels across three; policy/diffusion.go audits each"
	signed := "partner nodes only: signed requests, refused to every bearer token (TestEveryRouteRefuses); the federation tests cover them"

	calls := map[string]sweepCall{
		"GET /v1/listings":                       {path: "/v1/listings?limit=1000"},
		"POST /v1/listings":                      {path: "/v1/listings", body: put},
		"GET /v1/listings/{id}":                  {path: "/v1/listings/x:1"},
		"POST /v1/listings/{id}/withdraw":        {path: "/v1/listings/s:w/withdraw", body: `{"reason":"done"}`},
		"POST /v1/listings/{id}/confirm":         {path: "/v1/listings/s:c/confirm", body: `{"valid_until":"2099-01-01T00:00:00Z"}`},
		"GET /v1/review-due":                     {path: "/v1/review-due?within=87600h"},
		"POST /v1/screen":                        {path: "/v1/screen", body: `{"ref":"t-2","name":"Listed Person"}`},
		"POST /v1/manifests":                     {path: "/v1/manifests", body: `{"direction":"in","travellers":[{"ref":"m-1","name":"Listed Person"}]}`},
		"GET /v1/encounters":                     {path: "/v1/encounters"},
		"GET /v1/exports/listings":               {path: "/v1/exports/listings?format=stix"},
		"GET /v1/exports/encounters":             {path: "/v1/exports/encounters"},
		"POST /v1/tips":                          {path: "/v1/tips", body: tipBody},
		"POST /v1/diffusions":                    {skip: diffusions},
		"GET /v1/diffusions":                     {skip: diffusions},
		"GET /v1/diffusions/{id}":                {skip: diffusions},
		"POST /v1/diffusions/{id}/ack":           {skip: diffusions},
		"POST /v1/diffusions/{id}/cancel":        {skip: diffusions},
		"GET /v1/tips":                           {path: "/v1/tips?status=provisional"},
		"GET /v1/tips/{id}":                      {path: "/v1/tips/" + tips[0]},
		"POST /v1/tips/{id}/confirm":             {path: "/v1/tips/" + tips[0] + "/confirm", body: `{"action":"report","handling":{"screen":["y"]}}`},
		"POST /v1/tips/{id}/reject":              {path: "/v1/tips/" + tips[1] + "/reject", body: `{"note":"no"}`},
		"GET /v1/encounters/{id}":                {path: "/v1/encounters/" + w.enc},
		"POST /v1/encounters/{id}/resolve":       {path: "/v1/encounters/" + w.enc + "/resolve", body: `{"outcome":"admitted"}`},
		"POST /v1/encounters/{id}/ack":           {path: "/v1/encounters/" + w.own + "/ack"},
		"POST /v1/encounters/{id}/clearance":     {path: "/v1/encounters/" + fp.ID + "/clearance", body: `{"step":"propose","reason":"namesake"}`},
		"GET /v1/document-alerts":                {path: "/v1/document-alerts"},
		"POST /v1/document-alerts":               {path: "/v1/document-alerts", body: string(alertJSON)},
		"POST /v1/document-alerts/{id}/withdraw": {path: "/v1/document-alerts/" + alertID + "/withdraw"},
		"GET /v1/me":                             {skip: "the caller's own identity, from its token: no stored record is read"},
		"POST /v1/users":                         {path: "/v1/users", body: `{"id":"s:new-officer","role":"officer"}`},
		"POST /v1/users/{id}/tokens":             {path: "/v1/users/victim/tokens"},
		"POST /v1/users/{id}/disable":            {path: "/v1/users/victim/disable"},
		"POST /v1/users/{id}/enable":             {path: "/v1/users/victim/enable"},
		"POST /v1/tokens/revoke":                 {path: "/v1/tokens/revoke", body: `{"token":"` + victim + `"}`},
		"GET /v1/audit":                          {path: "/v1/audit?limit=10000"},
		"GET /v1/audit/verify":                   {path: "/v1/audit/verify"},
		"GET /v1/audit/checkpoint":               {path: "/v1/audit/checkpoint"},
		"GET /v1/audit/witnessed":                {path: "/v1/audit/witnessed?node=B"},
		"GET /v1/consents":                       {path: "/v1/consents"},
		"POST /v1/consents":                      {path: "/v1/consents", body: `{"listing":"x:1","recipient":"z"}`},
		"POST /v1/consents/{id}/decide":          {path: "/v1/consents/" + consent.ID + "/decide", body: `{"grant":true}`},
		"POST /v1/consents/{id}/withdraw":        {path: "/v1/consents/" + consent.ID + "/withdraw"},
		"GET /v1/events":                         {path: "/v1/events?limit=10000"},
		"GET /v1/network/neighbourhood":          {path: "/v1/network/neighbourhood?entity=" + q("listing:s:1")},
		"GET /v1/network/path":                   {path: "/v1/network/path?from=" + q("listing:s:1") + "&to=" + phoneKey},
		"GET /v1/network/components":             {path: "/v1/network/components"},
		"GET /v1/network/facilitators":           {path: "/v1/network/facilitators?kinds=listing,phone"},
		"GET /v1/network/communities":            {path: "/v1/network/communities"},
		"GET /v1/network/cotravel":               {path: "/v1/network/cotravel"},
		"GET /v1/network/export":                 {path: "/v1/network/export?entity=" + phoneKey},
		"POST /v1/network/links":                 {path: "/v1/network/links", body: `{"links":[{"from":{"kind":"person","key":"P1"},"to":{"kind":"person","key":"P2"},"type":"associate"}]}`},
		"POST /v1/network/pnr":                   {skip: "a write of a PNRGOV message: the parser's tests, and TestNetworkRoutes for its audit entry"},
		"GET /v1/feed":                           {skip: signed},
		"POST /v1/reports":                       {skip: signed},
		"POST /v1/reports/ack":                   {skip: signed},
		"GET /v1/reports":                        {path: "/v1/reports"},
		"GET /v1/coverage":                       {path: "/v1/coverage?within=720h"},
		"GET /v1/partners":                       {path: "/v1/partners"},
		"GET /metrics":                           {skip: "counts naming no one, not recorded when granted (Prometheus scrapes every few seconds); TestMetricsNeedOperator checks who reads them"},
		"POST /v1/partners":                      {path: "/v1/partners", body: `{"id":"B","agency":"b","public_key":"` + partnerKey + `"}`},
		"POST /v1/partners/{id}/suspend":         {path: "/v1/partners/B/suspend"},
		"POST /v1/partners/{id}/resume":          {path: "/v1/partners/B/resume"},
		"POST /v1/partners/{id}/key":             {path: "/v1/partners/B/key", body: `{"public_key":"` + partnerKey + `"}`},
		"DELETE /v1/partners/{id}":               {skip: "removes what the other partner routes act on; TestPartnerRoutes checks its audit entry"},
		"POST /v1/imports":                       {skip: "a write (the caller's own list); audited as listing.import (imports_test)"},
		"GET /v1/blind/table":                    {skip: signed + "; TestBlindRoutes checks their audit entries"},
		"POST /v1/blind/evaluate":                {skip: signed + "; TestBlindRoutes checks their audit entries"},
	}
	for _, rt := range w.srv.Routes() {
		if rt.Public {
			continue
		}
		name := rt.Method + " " + rt.Pattern
		c, ok := calls[name]
		if !ok {
			t.Errorf("%s is not in the sweep: add a call that shows it goes through the policy layer and the audit log", name)
			continue
		}
		if c.skip != "" {
			continue
		}
		answered := false
		for _, role := range rt.Roles {
			before := w.auditCount(t, "u-"+string(role))
			st, text := rawAs(t, w.test.tokens[role], rt.Method, w.ts.URL+c.path, c.body)
			if st/100 != 2 {
				continue
			}
			answered = true
			if !w.auditedAfter(t, "u-"+string(role), before) {
				t.Errorf("%s as %s answered %d without an audit entry", name, role, st)
			}
			assertNoSentinel(t, name, role, text)
		}
		if !answered {
			t.Errorf("%s never succeeded for any of %v: fix its call so that the sweep checks it", name, rt.Roles)
		}
	}
	for name := range calls {
		found := false
		for _, rt := range w.srv.Routes() {
			found = found || rt.Method+" "+rt.Pattern == name
		}
		if !found {
			t.Errorf("the sweep lists %s, which is no route", name)
		}
	}
}
