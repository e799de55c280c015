package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tripline"
)

func encounter(originator, listing string, doc string) *tripline.Encounter {
	t := tripline.Traveller{Ref: "t", Name: "Ali Hassan", DOB: tripline.PartialDate{Year: 1975, Month: 3, Day: 1}}
	if doc != "" {
		t.Document = &tripline.Document{Type: "P", Number: doc, Country: "IRQ"}
	}
	return &tripline.Encounter{Listing: listing, Originator: originator, Decision: tripline.DecisionReview,
		Score: 0.8, Traveller: t}
}

func testEncounters(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s.SetNow(now)
	a, err := s.Encounters.CreateEncounter(ctx, encounter("agency-a", "a:1", "A1"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.Outcome != tripline.OutcomePending || !a.At.Equal(now) {
		t.Fatalf("created = %+v", a)
	}
	s.SetNow(now.Add(time.Minute))
	b, _ := s.Encounters.CreateEncounter(ctx, encounter("agency-b", "b:1", ""))
	s.SetNow(now.Add(2 * time.Minute))
	c, _ := s.Encounters.CreateEncounter(ctx, encounter("agency-a", "a:2", "C3"))
	if _, err := s.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: "x"}); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("no originator: %v", err)
	}

	queue, err := s.Encounters.Encounters(ctx, tripline.EncounterFilter{Originator: "agency-a"})
	if err != nil || len(queue) != 2 || queue[0].ID != c.ID || queue[1].ID != a.ID {
		t.Fatalf("agency-a queue = %v, %v; want c, a (newest first)", queue, err)
	}
	page, _ := s.Encounters.Encounters(ctx, tripline.EncounterFilter{Before: c.ID, Limit: 1})
	if len(page) != 1 || page[0].ID != b.ID {
		t.Fatalf("page before c = %v, want b", page)
	}

	// A false positive with a document creates a clearance.
	e, clr, err := s.Encounters.ResolveEncounter(ctx, a.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive, By: "analyst-1"}, "hash-1")
	if err != nil || e.Outcome != tripline.OutcomeFalsePositive || clr == nil {
		t.Fatalf("resolve = %+v %+v %v", e, clr, err)
	}
	if clr.DocNumber != "A1" || clr.ListingHash != "hash-1" || clr.Listing != "a:1" || clr.Analyst != "analyst-1" {
		t.Fatalf("clearance = %+v", clr)
	}
	// Without a document there is nothing safe to key a clearance on.
	if _, clr, err := s.Encounters.ResolveEncounter(ctx, b.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive}, "h"); err != nil || clr != nil {
		t.Fatalf("resolve without document = %+v, %v; want no clearance", clr, err)
	}
	if _, _, err := s.Encounters.ResolveEncounter(ctx, c.ID, tripline.Resolution{Outcome: tripline.OutcomeRefused}, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Encounters.ResolveEncounter(ctx, c.ID, tripline.Resolution{Outcome: "vanished"}, ""); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("bad outcome: %v", err)
	}
	if _, _, err := s.Encounters.ResolveEncounter(ctx, "nope", tripline.Resolution{Outcome: tripline.OutcomeRefused}, ""); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("missing encounter: %v", err)
	}
	clrs, err := s.Encounters.Clearances(ctx)
	if err != nil || len(clrs) != 1 {
		t.Fatalf("clearances = %v, %v", clrs, err)
	}
	refs, err := s.Encounters.Refusals(ctx)
	if err != nil || len(refs) != 1 || refs[0].Document.Number != "C3" || refs[0].Encounter != c.ID {
		t.Fatalf("refusals = %v, %v", refs, err)
	}
	ack, err := s.Encounters.AcknowledgeEncounter(ctx, c.ID)
	if err != nil || ack.Acknowledged == nil {
		t.Fatalf("ack = %+v, %v", ack, err)
	}
	before := len(allEvents(t, s))
	if _, err := s.Encounters.AcknowledgeEncounter(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if after := len(allEvents(t, s)); after != before {
		t.Fatalf("second acknowledgement appended %d events", after-before)
	}
	// 3 created, 3 resolved, 1 clearance, 1 refusal, 1 acknowledgement.
	if n := len(allEvents(t, s)); n != 9 {
		t.Fatalf("events = %d, want 9", n)
	}
}

func testDocumentAlerts(t *testing.T, s Store) {
	ctx := context.Background()
	alert := func(num string) *tripline.DocumentAlert { return alertOf("agency-x", num) }
	sum, err := s.Alerts.ImportDocumentAlerts(ctx, "agency-x", []*tripline.DocumentAlert{alert("A1"), alert("A2")})
	if err != nil || sum.Added != 2 {
		t.Fatalf("import = %+v, %v", sum, err)
	}
	sum, err = s.Alerts.ImportDocumentAlerts(ctx, "agency-x", []*tripline.DocumentAlert{alert("A2")})
	if err != nil || sum.Withdrawn != 1 || sum.Unchanged != 1 {
		t.Fatalf("re-import = %+v, %v", sum, err)
	}
	bad := alert("A3")
	bad.Kind = "misplaced"
	if _, err := s.Alerts.PutDocumentAlert(ctx, bad); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("bad kind: %v", err)
	}
	all, err := s.Alerts.DocumentAlerts(ctx, tripline.AlertFilter{})
	if err != nil || len(all) != 2 || all[0].Status != tripline.StatusWithdrawn || all[1].Status != tripline.StatusActive {
		t.Fatalf("alerts = %v, %v", all, err)
	}
	if _, err := s.Alerts.WithdrawDocumentAlert(ctx, all[1].ID); err != nil {
		t.Fatal(err)
	}
	// One read by id, and pages by id.
	if a, err := s.Alerts.DocumentAlert(ctx, all[1].ID); err != nil || a.Number != "A2" || a.Status != tripline.StatusWithdrawn {
		t.Fatalf("alert %s = %+v, %v", all[1].ID, a, err)
	}
	if _, err := s.Alerts.DocumentAlert(ctx, "agency-x:IRQ:none"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("unknown alert: %v, want not found", err)
	}
	if _, err := s.Alerts.ImportDocumentAlerts(ctx, "agency-y", []*tripline.DocumentAlert{alertOf("agency-y", "B1"), alertOf("agency-y", "B2"), alertOf("agency-y", "B3")}); err != nil {
		t.Fatal(err)
	}
	got := readPages(t, 2, func(after string) ([]*tripline.DocumentAlert, error) {
		return s.Alerts.DocumentAlerts(ctx, tripline.AlertFilter{Source: "agency-y", After: after, Limit: 2})
	}, func(a *tripline.DocumentAlert) string { return a.ID })
	if fmt.Sprint(got) != "[agency-y:IRQ:B1 agency-y:IRQ:B2 agency-y:IRQ:B3]" {
		t.Fatalf("pages of agency-y = %v", got)
	}
}

func alertOf(source, num string) *tripline.DocumentAlert {
	return &tripline.DocumentAlert{ID: tripline.DocumentAlertID(source, "IRQ", num), Source: source, Country: "IRQ",
		Number: num, Kind: tripline.AlertRevoked, Action: tripline.ActionRefuseEntry, Provenance: tripline.Provenance{Originator: source}}
}

func testExpiry(t *testing.T, s Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	s.SetNow(now)
	day := func(d int) *time.Time { v := now.AddDate(0, 0, d); return &v }
	a, b, c := Listing("x", "a", "Ali Hassan"), Listing("x", "b", "Omar Khan"), Listing("x", "c", "Ivan Petrov")
	a.ValidUntil, a.ReviewBy = day(10), day(3)
	b.ValidUntil, b.ReviewBy = day(40), day(20)
	if _, err := s.Listings.ImportListings(ctx, "x", tripline.Records([]*tripline.Listing{a, b, c})); err != nil {
		t.Fatal(err)
	}
	// Another agency's listings due sooner, more than the limit, take
	// none of x's reminders (they filled the store's page before).
	var ys []*tripline.Listing
	for i := range 5 {
		y := Listing("y", fmt.Sprint("y", i), "Yusuf Demir")
		y.ValidUntil, y.ReviewBy = day(40), day(1)
		ys = append(ys, y)
	}
	if _, err := s.Listings.ImportListings(ctx, "y", tripline.Records(ys)); err != nil {
		t.Fatal(err)
	}
	due, err := s.Listings.ReviewDue(ctx, "x", now.AddDate(0, 0, 7), 2)
	if err != nil || len(due) != 1 || due[0].ID != a.ID {
		t.Fatalf("review due = %v, %v; want only a", due, err)
	}
	if due, err = s.Listings.ReviewDue(ctx, "y", now.AddDate(0, 0, 7), 2); err != nil || len(due) != 2 || due[0].Provenance.Originator != "y" || due[1].Provenance.Originator != "y" {
		t.Fatalf("y's review due, limit 2 = %v, %v; want 2 of y's", due, err)
	}
	ids, err := s.Listings.ExpireListings(ctx, now.AddDate(0, 0, 5))
	if err != nil || len(ids) != 0 {
		t.Fatalf("nothing to expire yet: %v, %v", ids, err)
	}
	ids, err = s.Listings.ExpireListings(ctx, now.AddDate(0, 0, 11))
	if err != nil || len(ids) != 1 || ids[0] != a.ID {
		t.Fatalf("expired %v, %v; want a", ids, err)
	}
	got, _ := s.Listings.Listing(ctx, a.ID)
	if got.Status != tripline.StatusExpired {
		t.Fatalf("a is %s", got.Status)
	}
	evs := allEvents(t, s)
	if last := evs[len(evs)-1]; last.Type != tripline.EventListingExpired || last.Subject != a.ID {
		t.Fatalf("last event = %+v, want the expiry", last)
	}
	// Re-confirmed by the originator: a new valid-until makes it active again.
	a.ValidUntil = day(100)
	if back, err := s.Listings.PutListing(ctx, a); err != nil || back.Status != tripline.StatusActive {
		t.Fatalf("re-confirm = %v, %v", back, err)
	}
}
