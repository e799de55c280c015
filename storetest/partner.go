package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// A partner's TLS pins, CA, plain-HTTP permission and status are stored
// with it, and a second PutPartner replaces them (a rotated pin, a CA
// removed, a suspension).
func testPartnerTLSStored(t *testing.T, e Engine) {
	s := sqlstore.NewFederationStore(e.Open(t))
	ctx := t.Context()
	for _, want := range []*tripline.Partner{
		{ID: "B", Agency: "de-bka", PublicKey: "k", URL: "https://b.example", Follows: []string{"A"},
			TLSPins: []string{"sha256/one=", "sha256/two="}, TLSCA: "-----BEGIN CERTIFICATE-----\n...", Status: tripline.PartnerActive},
		{ID: "B", Agency: "de-bka", PublicKey: "k", URL: "http://10.0.0.2:8080", InsecureHTTP: true, Status: tripline.PartnerSuspended},
	} {
		if err := s.PutPartner(ctx, want); err != nil {
			t.Fatal(err)
		}
		ps, err := s.Partners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 1 || !reflect.DeepEqual(ps[0], want) {
			t.Fatalf("Partners = %+v, want %+v", ps[0], want)
		}
	}
}

// A partner's events are applied in order and once: the cursor is the
// highest held, the chain head is the partner's, an event held already is
// skipped, a gap or this node's own origin is refused and changes nothing.
func testFederationCursors(t *testing.T, e Engine) {
	ctx := t.Context()
	a, b := e.Open(t), e.Open(t)
	a.Origin, b.Origin = "node-a", "node-b"
	for i := 1; i <= 3; i++ {
		if _, err := sqlstore.NewListingService(b).PutListing(ctx, Listing("agency-b", fmt.Sprint(i), "Omar Khan")); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := sqlstore.NewEventService(b).Events(ctx, "node-b", 0, 0)
	if err != nil || len(evs) != 3 {
		t.Fatalf("partner's events: %d, %v", len(evs), err)
	}
	fed := sqlstore.NewFederationStore(a)
	if err := fed.PutPartner(ctx, &tripline.Partner{ID: "node-b", Agency: "agency-b", PublicKey: "k"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fed.ApplyForeign(ctx, "node-b", evs[:2]); err != nil {
		t.Fatal(err)
	}
	res, err := fed.ApplyForeign(ctx, "node-b", evs)
	if err != nil || len(res.Stored) != 1 || res.Stored[0].Seq != 3 {
		t.Fatalf("applying all three again: %+v, %v; want only event 3 stored", res, err)
	}
	if cur, err := fed.Cursor(ctx, "node-b"); err != nil || cur != 3 {
		t.Fatalf("cursor = %d, %v; want 3", cur, err)
	}
	if seq, head, err := fed.ChainHead(ctx, "node-b"); err != nil || seq != 3 || head != evs[2].Chain {
		t.Fatalf("chain head = %d %s, %v; want 3 %s", seq, head, err, evs[2].Chain)
	}
	if _, err := sqlstore.NewListingService(a).Listing(ctx, "agency-b:2"); err != nil {
		t.Fatalf("the partner's listing: %v", err)
	}
	gap := *evs[2]
	gap.Seq = 5
	if _, err := fed.ApplyForeign(ctx, "node-b", []*tripline.Event{&gap}); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("a gap: %v, want conflict", err)
	}
	own := *evs[0]
	own.Origin = "node-a"
	if _, err := fed.ApplyForeign(ctx, "node-b", []*tripline.Event{&own}); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("an event claiming this node's origin: %v, want invalid", err)
	}
	if cur, _ := fed.Cursor(ctx, "node-b"); cur != 3 {
		t.Fatalf("cursor after refusals = %d, want 3", cur)
	}
	if own, err := fed.OwnOrigins(ctx); err != nil || len(own) != 0 {
		t.Fatalf("own origins = %v, %v; want none (node-b is a partner)", own, err)
	}
}

// A partner's event the store did not take (refused by the trust rules)
// is kept in the log but read back Ignored, and is not published; the
// events it took are neither.
func testForeignIgnoredMarked(t *testing.T, e Engine) {
	ctx := t.Context()
	a, b := e.Open(t), e.Open(t)
	a.Origin, b.Origin = "node-a", "node-b"
	if _, err := sqlstore.NewListingService(a).PutListing(ctx, Listing("agency-a", "1", "Omar Khan")); err != nil {
		t.Fatal(err)
	}
	bs := sqlstore.NewListingService(b)
	forged := Listing("agency-a", "1", "Forged Name") // node-a's own listing
	forged.Provenance.Originator = "agency-b"
	for _, l := range []*tripline.Listing{Listing("agency-b", "1", "Omar Khan"), forged} {
		if _, err := bs.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := sqlstore.NewEventService(b).Events(ctx, "node-b", 0, 0)
	if err != nil || len(evs) != 2 {
		t.Fatalf("partner's events: %d, %v", len(evs), err)
	}
	fed := sqlstore.NewFederationStore(a)
	if err := fed.PutPartner(ctx, &tripline.Partner{ID: "node-b", Agency: "agency-b", PublicKey: "k"}); err != nil {
		t.Fatal(err)
	}
	var published []int64
	a.Subscribe(func(evs []*tripline.Event) {
		for _, ev := range evs {
			published = append(published, ev.Seq)
		}
	})
	res, err := fed.ApplyForeign(ctx, "node-b", evs)
	if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Event.Seq != 2 || !res.Stored[1].Ignored || res.Stored[0].Ignored {
		t.Fatalf("ApplyForeign = %+v, %v; want event 2 rejected and stored ignored", res, err)
	}
	held, err := sqlstore.NewEventService(a).Events(ctx, "node-b", 0, 0)
	if err != nil || len(held) != 2 || held[0].Ignored || !held[1].Ignored {
		t.Fatalf("the partner's events held: %+v, %v; want 2, the second ignored", held, err)
	}
	if len(published) != 1 || published[0] != 1 {
		t.Fatalf("published %v, want [1]", published)
	}
}

// Reports are queued once, listed by status with the oldest deadline
// first, and an acknowledged one stays acknowledged.
func testFederationReports(t *testing.T, e Engine) {
	ctx := t.Context()
	db := e.Open(t)
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	fed := sqlstore.NewFederationStore(db)
	for _, r := range []*tripline.Report{
		{ID: "enc-2", ToOrigin: "node-c", NextHop: "node-b", NextAttempt: now, Deadline: now.Add(2 * time.Hour), Body: []byte(`{"n":2}`)},
		{ID: "enc-1", ToOrigin: "node-c", NextHop: "node-b", FromNode: "node-d", NextAttempt: now, Deadline: now.Add(time.Hour), Body: []byte(`{"n":1}`)},
		{ID: "enc-1", ToOrigin: "node-x", NextHop: "node-x", NextAttempt: now, Deadline: now, Body: []byte(`{"n":"again"}`)},
	} {
		if err := fed.QueueReport(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := fed.Reports(ctx, tripline.ReportFilter{Status: "pending"})
	if err != nil || len(rs) != 2 || rs[0].ID != "enc-1" || rs[0].ToOrigin != "node-c" || rs[0].FromNode != "node-d" || string(rs[0].Body) != `{"n":1}` {
		t.Fatalf("pending reports = %+v, %v; want enc-1 (queued once) then enc-2", rs, err)
	}
	if err := fed.MarkReport(ctx, "enc-1", "acknowledged", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := fed.MarkReport(ctx, "enc-1", "pending", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rs, err = fed.Reports(ctx, tripline.ReportFilter{Status: "acknowledged"})
	if err != nil || len(rs) != 1 || rs[0].AckedAt == nil || !rs[0].AckedAt.Equal(now) || rs[0].Attempts != 1 {
		t.Fatalf("acknowledged reports = %+v, %v; want enc-1 acked at %s after one attempt", rs, err, now)
	}
	if rs, _ := fed.Reports(ctx, tripline.ReportFilter{}); len(rs) != 2 {
		t.Fatalf("all reports: %d, want 2", len(rs))
	}
	// Delivery works on the open reports only, acknowledgements on one.
	if r, err := fed.Report(ctx, "enc-1"); err != nil || string(r.Body) != `{"n":1}` || r.Status != tripline.ReportAcknowledged {
		t.Fatalf("Report(enc-1) = %+v, %v", r, err)
	}
	if _, err := fed.Report(ctx, "enc-9"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("Report(unknown) = %v, want not found", err)
	}
	if rs, err := fed.OpenReports(ctx); err != nil || len(rs) != 1 || rs[0].ID != "enc-2" || string(rs[0].Body) != `{"n":2}` {
		t.Fatalf("open reports = %+v, %v; want enc-2 alone, with its body", rs, err)
	}
	if n, err := fed.ReportCounts(ctx); err != nil || n[tripline.ReportPending] != 1 || n[tripline.ReportAcknowledged] != 1 || len(n) != 2 {
		t.Fatalf("report counts = %v, %v", n, err)
	}
	// Delivered, a report keeps only what it is given to keep, once.
	for _, keep := range []string{`{"kind":"update"}`, `{"n":"late"}`} {
		if err := fed.AcknowledgeReport(ctx, "enc-2", []byte(keep)); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := fed.Report(ctx, "enc-2"); err != nil || string(r.Body) != `{"kind":"update"}` || r.Status != tripline.ReportAcknowledged || r.AckedAt == nil {
		t.Fatalf("acknowledged enc-2 = %+v, %v; want its body cut to what it keeps", r, err)
	}
	if rs, err := fed.OpenReports(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("open reports after both acknowledged = %+v, %v", rs, err)
	}

	// Paged: the outbox of a busy node is read a page at a time, in
	// deadline order, ties by id, each report once.
	for i := range 7 {
		if err := fed.QueueReport(ctx, &tripline.Report{ID: fmt.Sprintf("p-%d", i), ToOrigin: "node-c", NextHop: "node-b", NextAttempt: now,
			Deadline: now.Add(time.Duration(i/2) * time.Minute), Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	got := readPages(t, 3, func(after string) ([]*tripline.Report, error) {
		return fed.Reports(ctx, tripline.ReportFilter{Status: tripline.ReportPending, After: after, Limit: 3})
	}, func(r *tripline.Report) string { return r.ID })
	if fmt.Sprint(got) != "[p-0 p-1 p-2 p-3 p-4 p-5 p-6]" {
		t.Fatalf("pages = %v", got)
	}
	if _, err := fed.Reports(ctx, tripline.ReportFilter{After: "p-none"}); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("after an unknown report: %v, want invalid", err)
	}
}

// A partner origin's new listings and document alerts past the store's
// bounds are refused (EFORBIDDEN, kept in the log, ignored) on both
// engines, counted from an index (migrations 50, 51) and across batches;
// an update of one held applies.
func testForeignRecordsBounded(t *testing.T, e Engine) {
	ctx := t.Context()
	a, b := e.Open(t), e.Open(t)
	a.Origin, b.Origin = "node-a", "node-b"
	bs := sqlstore.NewListingService(b)
	for i := range 4 {
		if _, err := bs.PutListing(ctx, Listing("agency-b", fmt.Sprint(i), "Omar Khan")); err != nil {
			t.Fatal(err)
		}
	}
	again := Listing("agency-b", "0", "Omar Khalid Khan")
	again.Version = 2
	if _, err := bs.PutListing(ctx, again); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"B1", "B2", "B3"} {
		a := alertOf("agency-b", n)
		a.Handling.Screen = []string{"*"}
		if _, err := sqlstore.NewDocumentAlertService(b).PutDocumentAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := sqlstore.NewEventService(b).Events(ctx, "node-b", 0, 0)
	if err != nil || len(evs) != 8 {
		t.Fatalf("partner's events: %d, %v", len(evs), err)
	}
	fed := sqlstore.NewFederationStore(a)
	fed.MaxOriginListings, fed.MaxOriginAlerts, fed.MaxOriginClearances = 2, 1, 1
	// Shared clearances for a listing it holds (counted through
	// migration 52), made as node-b's next events.
	for i := range 2 {
		id := fmt.Sprintf("shr-e%d", i)
		body, _ := json.Marshal(tripline.Clearance{ID: id, Listing: "agency-b:0", Shared: true, DocCountry: "NLD",
			DocNumber: fmt.Sprintf("NL%07d", i), DOB: tripline.PartialDate{Year: 1969}})
		evs = append(evs, &tripline.Event{Origin: "node-b", Seq: int64(len(evs) + 1), Type: tripline.EventClearance, Subject: id, Payload: body, At: evs[0].At})
	}
	if err := fed.PutPartner(ctx, &tripline.Partner{ID: "node-b", Agency: "agency-b", PublicKey: "k"}); err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, run := range [][]*tripline.Event{evs[:3], evs[3:6], evs[6:9], evs[9:]} {
		res, err := fed.ApplyForeign(ctx, "node-b", run)
		if err != nil || len(res.Stored) != len(run) {
			t.Fatalf("apply: %+v, %v", res, err)
		}
		for _, r := range res.Rejected {
			if tripline.ErrorCode(r.Err) != tripline.EFORBIDDEN || !r.Event.Ignored {
				t.Errorf("refusal of %s: %v (ignored %v), want forbidden and ignored", r.Event.Subject, r.Err, r.Event.Ignored)
			}
			refused = append(refused, r.Event.Subject)
		}
	}
	if fmt.Sprint(refused) != "[agency-b:2 agency-b:3 agency-b:IRQ:B2 agency-b:IRQ:B3 shr-e1]" {
		t.Errorf("refused %v, want agency-b:2 and 3 (past 2 listings), B2 and B3 (past 1 alert), shr-e1 (past 1 clearance)", refused)
	}
	if l, err := sqlstore.NewListingService(a).Listing(ctx, "agency-b:0"); err != nil || l.Version != 2 {
		t.Errorf("the update of a held listing: %+v, %v; want version 2", l, err)
	}
}
