package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// testEncounterErasure: a resolved encounter past its retention loses the
// traveller's identity, in the encounter and in its events, and the event
// chain still verifies; pending encounters, recent ones and clearances
// stay, and a refusal stays for its own retention.
func testEncounterErasure(t *testing.T, s Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	s.SetNow(t0)
	create := func(doc string) *tripline.Encounter {
		t.Helper()
		e := encounter("agency-a", "a:1", doc)
		e.Explain = []tripline.Feature{{Feature: "name", Score: 0.9, Detail: "Ali Hassan ~ Ali Hasan"}}
		c, err := s.Encounters.CreateEncounter(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	resolve := func(id string, o tripline.Outcome) {
		t.Helper()
		if _, _, err := s.Encounters.ResolveEncounter(ctx, id, tripline.Resolution{Outcome: o, By: "analyst-1", Note: "spoke to Ali Hassan"}, "h"); err != nil {
			t.Fatal(err)
		}
	}
	// A partner's report saying its encounter is already "erased" does not
	// escape this store's retention.
	forged := encounter("agency-a", "a:1", "X0")
	forged.Erased = &t0
	if c, err := s.Encounters.CreateEncounter(ctx, forged); err != nil || c.Erased != nil {
		t.Fatalf("an encounter stored as erased from its input: %+v, %v", c, err)
	}
	fp, adm, pend, ref := create("F1"), create("A2"), create("P3"), create("R4")
	resolve(fp.ID, tripline.OutcomeFalsePositive)
	resolve(adm.ID, tripline.OutcomeAdmitted)
	resolve(ref.ID, tripline.OutcomeRefused)
	if _, err := s.Encounters.AcknowledgeEncounter(ctx, fp.ID); err != nil {
		t.Fatal(err)
	}
	// More false positives than one erasure batch, two months later.
	s.SetNow(t0.AddDate(0, 2, 0))
	var later []string
	for range 105 {
		e := create("L")
		resolve(e.ID, tripline.OutcomeFalsePositive)
		later = append(later, e.ID)
	}

	var refusals []string
	erase := func(at time.Time, r tripline.EncounterRetention, want int) {
		t.Helper()
		s.SetNow(at)
		x, err := s.Encounters.EraseEncounters(ctx, r)
		if err != nil || x.Encounters != want {
			t.Fatalf("erase at %s = %+v, %v; want %d encounters", at.Format(time.DateOnly), x, err, want)
		}
		refusals = append(refusals, x.Refusals...)
		verifyChain(t, s)
	}
	erase(t0.AddDate(0, 0, 91), tripline.EncounterRetention{}, 0) // zero keeps for good
	erase(t0.AddDate(0, 0, 91), tripline.DefaultEncounterRetention, 1)
	erased, err := s.Encounters.Encounter(ctx, fp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if erased.Erased == nil || erased.Traveller.Name != "" || erased.Traveller.Document != nil || !erased.Traveller.DOB.IsZero() ||
		erased.Explain != nil || erased.Note != "" {
		t.Fatalf("erased encounter keeps the traveller: %+v", erased)
	}
	if erased.Outcome != tripline.OutcomeFalsePositive || erased.Listing != "a:1" || erased.Originator != "agency-a" ||
		erased.Acknowledged == nil || erased.Officer != "analyst-1" || !erased.At.Equal(t0) {
		t.Fatalf("erased encounter lost what oversight needs: %+v", erased)
	}
	if n := identityEvents(t, s, fp.ID); n != 0 {
		t.Fatalf("%d events of the erased encounter still name the traveller", n)
	}
	if n := identityEvents(t, s, adm.ID); n == 0 {
		t.Fatal("an encounter within its retention lost its events' identity")
	}
	if _, _, err := s.Encounters.ResolveEncounter(ctx, fp.ID, tripline.Resolution{Outcome: tripline.OutcomeRefused}, ""); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("resolving an erased encounter: %v, want conflict", err)
	}
	// The clearance spares the namesake the next stop: kept.
	if clrs, err := s.Encounters.Clearances(ctx); err != nil || len(clrs) != 106 {
		t.Fatalf("clearances = %d, %v; want all 106 kept", len(clrs), err)
	}
	erase(t0.AddDate(0, 0, 92), tripline.DefaultEncounterRetention, 0) // once only

	// A lapsed clearance is removed on request, with its event's identity.
	if identityEvents(t, s, "clr-"+fp.ID) == 0 {
		t.Fatal("the clearance's event holds no name: the check below proves nothing")
	}
	if n, err := s.Encounters.RemoveClearances(ctx, []string{"clr-" + fp.ID, "clr-none"}); err != nil || n != 1 {
		t.Fatalf("remove clearances = %d, %v; want 1", n, err)
	}
	if n := identityEvents(t, s, "clr-"+fp.ID); n != 0 {
		t.Fatalf("%d events of the removed clearance still name the traveller", n)
	}
	verifyChain(t, s)

	// Past the later false positives' 90 days, in batches; the admitted
	// one waits for its two years, the pending one for a decision.
	erase(t0.AddDate(0, 2, 91), tripline.DefaultEncounterRetention, 105)
	for _, id := range later[:3] {
		if e, _ := s.Encounters.Encounter(ctx, id); e == nil || e.Erased == nil {
			t.Fatalf("later false positive %s not erased: %+v", id, e)
		}
	}
	erase(t0.AddDate(2, 0, 1), tripline.DefaultEncounterRetention, 2) // admitted and refused
	if e, _ := s.Encounters.Encounter(ctx, adm.ID); e == nil || e.Erased == nil || e.Outcome != tripline.OutcomeAdmitted {
		t.Fatalf("admitted encounter after two years: %+v", e)
	}
	// The refusal keeps the identity for its own five years, to catch a
	// return under another document; then it goes, from its event too.
	if fs, err := s.Encounters.Refusals(ctx); err != nil || len(fs) != 1 || fs[0].Name != "Ali Hassan" || len(refusals) != 0 {
		t.Fatalf("refusals after two years = %+v, %v (removed %v)", fs, err, refusals)
	}
	if identityEvents(t, s, tripline.RefusalPrefix+ref.ID) == 0 {
		t.Fatal("the refusal's event lost the identity before its retention")
	}
	erase(t0.AddDate(5, 0, 1), tripline.DefaultEncounterRetention, 0)
	if fs, err := s.Encounters.Refusals(ctx); err != nil || len(fs) != 0 || len(refusals) != 1 || refusals[0] != tripline.RefusalPrefix+ref.ID {
		t.Fatalf("refusals after five years = %+v, %v (removed %v)", fs, err, refusals)
	}
	if n := identityEvents(t, s, tripline.RefusalPrefix+ref.ID); n != 0 {
		t.Fatalf("%d events of the removed refusal still name the traveller", n)
	}
	erase(t0.AddDate(10, 0, 0), tripline.DefaultEncounterRetention, 0)
	if e, _ := s.Encounters.Encounter(ctx, pend.ID); e == nil || e.Erased != nil || e.Traveller.Name != "Ali Hassan" {
		t.Fatalf("pending encounter erased: %+v", e)
	}
}

// identityEvents counts the events of encounter id whose payload still
// holds the traveller's name.
func identityEvents(t *testing.T, s Store, id string) int {
	t.Helper()
	n := 0
	for _, ev := range allEvents(t, s) {
		if ev.Subject == id && strings.Contains(string(ev.Payload), "Ali Hassan") {
			n++
		}
	}
	return n
}

// verifyChain recomputes every event's chain value from its payload digest:
// a trimmed payload must still verify. An event trimmed to digests keeps
// neither its salt key nor an erased field's salt, with which the erased
// values could be found again by trying them.
func verifyChain(t *testing.T, s Store) {
	t.Helper()
	prev := ""
	for _, ev := range allEvents(t, s) {
		got, err := ev.ChainNext(prev)
		if err != nil || got != ev.Chain {
			t.Fatalf("event %d (%s %s): chain %s, want %s (%v)", ev.Seq, ev.Type, ev.Subject, got, ev.Chain, err)
		}
		prev = ev.Chain
		if len(ev.Omitted) == 0 {
			continue
		}
		if ev.SaltKey != nil || len(ev.Salts) == 0 {
			t.Fatalf("event %d (%s %s) trimmed keeps its salt key (%d bytes), salts %v", ev.Seq, ev.Type, ev.Subject, len(ev.SaltKey), ev.Salts)
		}
		for p := range ev.Omitted {
			if _, ok := ev.Salts[p]; ok {
				t.Fatalf("event %d (%s %s) keeps the salt of %s, erased", ev.Seq, ev.Type, ev.Subject, p)
			}
		}
	}
}

// testReportsExpire: an undelivered outbox report of an erased encounter
// (the report and its updates) expires with it, keeping only whose it
// was; any other undelivered report expires once it has waited longer
// than a resolved encounter is kept; delivered ones and the rest stay.
func testReportsExpire(t *testing.T, e Engine) {
	ctx := t.Context()
	db := e.Open(t)
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	enc, fed := sqlstore.NewEncounterService(db), sqlstore.NewFederationStore(db)
	fp, err := enc.CreateEncounter(ctx, encounter("agency-c", "c:1", "F1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := enc.ResolveEncounter(ctx, fp.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive, By: "analyst-1"}, "h"); err != nil {
		t.Fatal(err)
	}
	signed := func(kind string, v any) []byte {
		b, _ := json.Marshal(v)
		out, _ := json.Marshal(map[string]any{"from": "node-a", "to_origin": "node-c", "kind": kind, "encounter": json.RawMessage(b), "sig": "c2ln"})
		return out
	}
	report := signed("", map[string]any{"id": fp.ID, "agency": "agency-a", "originator": "agency-c", "traveller": map[string]string{"name": "Ali Hassan"}})
	update := signed("update", map[string]any{"id": fp.ID, "note": "Ali Hassan was let through"})
	queue := func(id string, deadline time.Time, body []byte) {
		t.Helper()
		if err := fed.QueueReport(ctx, &tripline.Report{ID: id, ToOrigin: "node-c", NextHop: "node-b", NextAttempt: deadline, Deadline: deadline, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	queue(fp.ID, t0.Add(time.Hour), report)
	queue(fp.ID+"#outcome:false_positive", t0.Add(time.Hour), update)
	queue(fp.ID+"x", t0.Add(time.Hour), report) // another id sharing its prefix
	queue("relay-old", t0, report)
	queue("relay-new", t0.AddDate(1, 0, 0), report)
	queue("delivered", t0, report)
	if err := fed.AcknowledgeReport(ctx, "delivered", []byte(`{"kind":"kept"}`)); err != nil {
		t.Fatal(err)
	}
	status := func(id string) *tripline.Report {
		t.Helper()
		r, err := fed.Report(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	erase := func(at time.Time, want int) {
		t.Helper()
		now = at
		x, err := enc.EraseEncounters(ctx, tripline.DefaultEncounterRetention)
		if err != nil || x.Reports != want {
			t.Fatalf("erase at %s = %+v, %v; want %d reports expired", at.Format(time.DateOnly), x, err, want)
		}
	}
	erase(t0.AddDate(0, 0, 89), 0)
	erase(t0.AddDate(0, 0, 91), 2)
	if r := status(fp.ID); r.Status != tripline.ReportExpired || strings.Contains(string(r.Body), "Ali Hassan") ||
		!strings.Contains(string(r.Body), `"originator":"agency-c"`) {
		t.Fatalf("the erased encounter's report = %s %s; want expired, keeping whose it was only", r.Status, r.Body)
	}
	if r := status(fp.ID + "#outcome:false_positive"); r.Status != tripline.ReportExpired || string(r.Body) != `{"kind":"update"}` {
		t.Fatalf("the erased encounter's update = %s %s; want expired, its kind only", r.Status, r.Body)
	}
	for _, id := range []string{fp.ID + "x", "relay-old", "relay-new"} {
		if r := status(id); r.Status != tripline.ReportPending || !strings.Contains(string(r.Body), "Ali Hassan") {
			t.Fatalf("report %s = %s %s; want pending, whole", id, r.Status, r.Body)
		}
	}
	erase(t0.AddDate(2, 0, 1), 2) // fp.ID+"x" and relay-old waited two years
	if rs, err := fed.OpenReports(ctx); err != nil || len(rs) != 1 || rs[0].ID != "relay-new" {
		t.Fatalf("open reports = %+v, %v; want relay-new alone", rs, err)
	}
	if r := status("delivered"); r.Status != tripline.ReportAcknowledged || string(r.Body) != `{"kind":"kept"}` {
		t.Fatalf("a delivered report changed: %s %s", r.Status, r.Body)
	}
	if rs, err := fed.Reports(ctx, tripline.ReportFilter{Status: tripline.ReportExpired}); err != nil || len(rs) != 4 {
		t.Fatalf("expired reports = %d, %v; want 4", len(rs), err)
	}
	// A late delivery attempt's outcome does not revive an expired report.
	if err := fed.MarkReport(ctx, "relay-old", tripline.ReportSent, now); err != nil {
		t.Fatal(err)
	}
	if r := status("relay-old"); r.Status != tripline.ReportExpired {
		t.Fatalf("an expired report marked %s", r.Status)
	}
}
