package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tripline"
)

// testTips: a tip and its provisional listing are stored together; the
// queue lists it; confirm stores the full listing, reject withdraws it,
// neither twice; a provisional tip past its expiry cannot be decided.
func testTips(t *testing.T, s Store) {
	if s.Tips == nil {
		t.Skip("no tip store")
	}
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s.SetNow(now)
	take := func(name string) *tripline.Tip {
		tip := &tripline.Tip{ID: tripline.NewTipID(), Agency: "agency-x", Channel: tripline.ChannelHotline, Text: "seen at the port",
			Reporter: tripline.Reporter{Name: "Anonymous caller"}, Subject: tripline.TipSubject{Name: name}, Received: now}
		got, err := s.Tips.CreateTip(ctx, tip, tip.ProvisionalListing(now, tripline.DefaultTipTTL))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	a, b, c := take("Ayse Kaya"), take("Omar Farouk Nasser"), take("Lena Vogel")
	if a.Status != tripline.TipProvisional || a.Listing != "agency-x:"+a.ID || !a.Expires.Equal(now.Add(tripline.DefaultTipTTL)) {
		t.Fatalf("stored tip %+v", a)
	}
	l, err := s.Listings.Listing(ctx, a.Listing)
	if err != nil || !l.Provisional || l.Status != tripline.StatusActive {
		t.Fatalf("provisional listing %+v %v", l, err)
	}
	// An import of agency-x's list replaces what the list holds, not the
	// listings its tips made.
	if sum, err := s.Listings.ImportListings(ctx, "agency-x", tripline.Records([]*tripline.Listing{Listing("agency-x", "1", "Karl Brandt")})); err != nil || sum.Withdrawn != 0 {
		t.Fatalf("import of agency-x's list: %+v, %v; want nothing withdrawn", sum, err)
	}
	if ts, err := s.Tips.Tips(ctx, tripline.TipFilter{Agency: "agency-x", Status: tripline.TipProvisional}); err != nil || len(ts) != 3 {
		t.Fatalf("queue: %d %v", len(ts), err)
	}
	if ts, _ := s.Tips.Tips(ctx, tripline.TipFilter{Agency: "agency-y"}); len(ts) != 0 {
		t.Fatalf("another agency's queue holds %d", len(ts))
	}
	full := *l
	full.Provisional, full.Action, full.Instruction, full.ValidUntil = false, tripline.ActionDetain, "", nil
	if got, err := s.Tips.DecideTip(ctx, a.ID, tripline.TipConfirmed, "sup-1", "checked", &full); err != nil || got.Status != tripline.TipConfirmed || got.DecidedBy != "sup-1" {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	if l, _ := s.Listings.Listing(ctx, a.Listing); l.Provisional || l.Action != tripline.ActionDetain {
		t.Fatalf("confirmed listing %+v", l)
	}
	// Confirmed, it is the supervisor's decision: the agency's next upload
	// of its list, which never held it, leaves it, and one naming it is
	// refused.
	if sum, err := s.Listings.ImportListings(ctx, "agency-x", tripline.Records([]*tripline.Listing{Listing("agency-x", "1", "Karl Brandt")})); err != nil || sum.Withdrawn != 0 {
		t.Fatalf("import of agency-x's list after the confirmation: %+v, %v; want nothing withdrawn", sum, err)
	}
	if l, _ := s.Listings.Listing(ctx, a.Listing); l.Status != tripline.StatusActive {
		t.Fatalf("the import withdrew the confirmed tip's listing: %s", l.Status)
	}
	renamed := full
	renamed.Names = []tripline.Name{{Full: "Someone Else", Kind: tripline.NamePrimary}}
	if _, err := s.Listings.ImportListings(ctx, "agency-x", tripline.Records([]*tripline.Listing{Listing("agency-x", "1", "Karl Brandt"), &renamed})); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("an import rewriting the confirmed tip's listing: %v, want invalid", err)
	}
	if _, err := s.Tips.DecideTip(ctx, a.ID, tripline.TipRejected, "sup-1", "", nil); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("decided twice: %v", err)
	}
	if _, err := s.Tips.DecideTip(ctx, b.ID, tripline.TipRejected, "sup-1", "malicious", nil); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Listings.Listing(ctx, b.Listing); l.Status != tripline.StatusWithdrawn {
		t.Fatalf("rejected tip's listing is %s", l.Status)
	}
	s.SetNow(now.Add(tripline.DefaultTipTTL + time.Second))
	if _, err := s.Tips.DecideTip(ctx, c.ID, tripline.TipConfirmed, "sup-1", "", &full); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("expired tip decided: %v", err)
	}
	if got, _ := s.Tips.Tip(ctx, c.ID); got.StatusAt(now.Add(tripline.DefaultTipTTL)) != tripline.TipExpired || got.Reporter.Name != "Anonymous caller" {
		t.Fatalf("expired tip %+v", got)
	}
	if _, err := s.Tips.Tip(ctx, "tip-none"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("missing tip: %v", err)
	}

	// Retention: a rejected or expired tip loses its reporter, subject and
	// text after a false positive's 90 days, a confirmed one after two
	// years; the record of it stays.
	erase := func(at time.Time, r tripline.EncounterRetention, want int) {
		t.Helper()
		s.SetNow(at)
		if n, err := s.Tips.EraseTips(ctx, r); err != nil || n != want {
			t.Fatalf("erase tips at %s = %d, %v; want %d", at.Format(time.DateOnly), n, err, want)
		}
	}
	erase(now.AddDate(0, 0, 89), tripline.DefaultEncounterRetention, 0)
	erase(now.AddDate(0, 0, 91), tripline.EncounterRetention{}, 0)
	// The expired tip's listing still in force (nobody expired it): the
	// tip waits for it, then goes with the rejected one.
	erase(now.AddDate(0, 0, 91), tripline.DefaultEncounterRetention, 1)
	if _, err := s.Listings.ExpireListings(ctx, now.AddDate(0, 0, 91)); err != nil {
		t.Fatal(err)
	}
	erase(now.AddDate(0, 0, 91), tripline.DefaultEncounterRetention, 1)
	// Their provisional listings no longer name the subject, in any event,
	// and the log still verifies; the confirmed tip's listing does.
	for _, tip := range []*tripline.Tip{b, c} {
		l, err := s.Listings.Listing(ctx, tip.Listing)
		if err != nil || len(l.Names) != 0 || l.Narrative != "" || l.Status == tripline.StatusActive {
			t.Fatalf("listing %s of an erased tip = %+v, %v", tip.Listing, l, err)
		}
	}
	for _, ev := range allEvents(t, s) {
		if p := string(ev.Payload); strings.Contains(p, "Omar Farouk Nasser") || strings.Contains(p, "Lena Vogel") {
			t.Fatalf("event %d (%s %s) still names an erased tip's subject", ev.Seq, ev.Type, ev.Subject)
		}
	}
	verifyChain(t, s)
	if l, _ := s.Listings.Listing(ctx, a.Listing); len(l.Names) == 0 || l.Names[0].Full != "Ayse Kaya" {
		t.Fatalf("the confirmed tip's listing lost its name: %+v", l)
	}
	for _, id := range []string{b.ID, c.ID} {
		got, err := s.Tips.Tip(ctx, id)
		if err != nil || got.Erased == nil || got.Reporter.Name != "" || got.Subject.Name != "" || got.Text != "" || got.Note != "" {
			t.Fatalf("tip %s past its retention = %+v, %v", id, got, err)
		}
		if got.Agency != "agency-x" || got.Listing == "" || got.Received.IsZero() {
			t.Fatalf("erased tip lost its record: %+v", got)
		}
	}
	if got, _ := s.Tips.Tip(ctx, a.ID); got.Erased != nil || got.Reporter.Name == "" {
		t.Fatalf("a confirmed tip erased at 91 days: %+v", got)
	}
	erase(now.AddDate(0, 0, 92), tripline.DefaultEncounterRetention, 0)
	erase(now.AddDate(2, 0, 1), tripline.DefaultEncounterRetention, 1)

	// A tip taken with "erased" already set (a hostile body) does not
	// escape the retention: the store keeps no such mark from its input.
	s.SetNow(now)
	forged := take("Forged Erasure")
	marked := *forged
	marked.ID, marked.Erased = tripline.NewTipID(), &now
	if _, err := s.Tips.CreateTip(ctx, &marked, marked.ProvisionalListing(now, tripline.DefaultTipTTL)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Tips.Tip(ctx, marked.ID); got.Erased != nil {
		t.Fatalf("a tip stored as erased from its input: %+v", got)
	}
	if _, err := s.Listings.ExpireListings(ctx, now.AddDate(0, 0, 91)); err != nil {
		t.Fatal(err)
	}
	erase(now.AddDate(0, 0, 91), tripline.DefaultEncounterRetention, 2) // both expired: the forged mark erased like the other
}

// testDiffusions: a diffusion stored, an older version ignored, a newer one
// keeping the acknowledgements recorded, one acknowledgement per agency.
func testDiffusions(t *testing.T, s Store) {
	if s.Diffusions == nil {
		t.Skip("no diffusion store")
	}
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	d := &tripline.Diffusion{ID: "A-d1", Sender: "agency-a", SenderNode: "A", Kind: tripline.DiffuseLocateReport,
		Subject: tripline.TipSubject{Name: "Ayse Kaya"}, Status: tripline.DiffusionActive, Sent: now, AckDue: now.Add(time.Hour), Version: 1,
		Recipients: []tripline.DiffusionRecipient{{Agency: "agency-b", Node: "B"}, {Agency: "agency-c", Node: "C"}}}
	if _, err := s.Diffusions.PutDiffusion(ctx, d); err != nil {
		t.Fatal(err)
	}
	// This node is agency-b's: the diffusion made a listing here, which an
	// import of agency-b's own list (replacing what the list holds) leaves.
	s.SetNow(now)
	received := d.ReceivedListing("agency-b")
	if _, err := s.Listings.PutListing(ctx, received); err != nil {
		t.Fatal(err)
	}
	if sum, err := s.Listings.ImportListings(ctx, "agency-b", tripline.Records([]*tripline.Listing{Listing("agency-b", "1", "Karl Brandt")})); err != nil || sum.Withdrawn != 0 {
		t.Fatalf("import of agency-b's list: %+v, %v; want nothing withdrawn", sum, err)
	}
	if l, _ := s.Listings.Listing(ctx, received.ID); l.Status != tripline.StatusActive {
		t.Fatalf("the import withdrew the diffusion's listing: %s", l.Status)
	}
	got, err := s.Diffusions.AckDiffusion(ctx, "A-d1", "agency-b", "ana-1", now.Add(time.Minute))
	if err != nil || got.Recipients[0].AckedAt == nil || got.Recipients[1].AckedAt != nil {
		t.Fatalf("ack: %+v %v", got, err)
	}
	if again, _ := s.Diffusions.AckDiffusion(ctx, "A-d1", "agency-b", "ana-2", now.Add(2*time.Minute)); again.Recipients[0].AckedBy != "ana-1" {
		t.Fatalf("second acknowledgement replaced the first: %+v", again.Recipients[0])
	}
	if _, err := s.Diffusions.AckDiffusion(ctx, "A-d1", "agency-z", "x", now); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("a stranger's acknowledgement: %v", err)
	}
	cancelled := *d
	cancelAt := now.Add(time.Hour)
	cancelled.Status, cancelled.Version, cancelled.CancelledAt = tripline.DiffusionCancelled, 2, &cancelAt
	if got, _ := s.Diffusions.PutDiffusion(ctx, &cancelled); got.Status != tripline.DiffusionCancelled || got.Recipients[0].AckedAt == nil {
		t.Fatalf("newer version: %+v", got)
	}
	if got, _ := s.Diffusions.PutDiffusion(ctx, d); got.Status != tripline.DiffusionCancelled {
		t.Fatalf("an older version overrode the newer: %+v", got)
	}
	hijack := cancelled
	hijack.Sender, hijack.SenderNode, hijack.Status, hijack.Version = "agency-c", "C", tripline.DiffusionActive, 3
	if _, err := s.Diffusions.PutDiffusion(ctx, &hijack); tripline.ErrorCode(err) != tripline.EFORBIDDEN {
		t.Fatalf("another sender's version of the diffusion: %v, want forbidden", err)
	}
	for _, agency := range []string{"agency-a", "agency-b"} {
		if ds, err := s.Diffusions.Diffusions(ctx, agency); err != nil || len(ds) != 1 || ds[0].MarkOverdue(now.Add(2*time.Hour)) != 0 {
			t.Fatalf("list of %s: %d %v", agency, len(ds), err)
		}
	}
	// Another agency's diffusions, newer and more than a list holds, hide
	// none of agency-b's: the list read the node's newest 1000 and kept
	// the caller's, so agency-b saw none of what it received.
	for i := range tripline.MaxDiffusionsListed + 1 {
		y := &tripline.Diffusion{ID: fmt.Sprintf("A-y%04d", i), Sender: "agency-y", SenderNode: "A", Kind: tripline.DiffuseLocateReport,
			Subject: tripline.TipSubject{Name: "Ayse Kaya"}, Status: tripline.DiffusionActive, Sent: now.Add(time.Minute), AckDue: now.Add(time.Hour), Version: 1,
			Recipients: []tripline.DiffusionRecipient{{Agency: "agency-z", Node: "Z"}}}
		if _, err := s.Diffusions.PutDiffusion(ctx, y); err != nil {
			t.Fatal(err)
		}
	}
	if ds, err := s.Diffusions.Diffusions(ctx, "agency-b"); err != nil || len(ds) != 1 || ds[0].ID != "A-d1" {
		t.Fatalf("agency-b's list behind agency-y's diffusions: %d %v", len(ds), err)
	}
	if ds, err := s.Diffusions.Diffusions(ctx, "agency-y"); err != nil || len(ds) != tripline.MaxDiffusionsListed || ds[0].ID != "A-y1000" {
		t.Fatalf("agency-y's list: %d %v, want the newest %d", len(ds), err, tripline.MaxDiffusionsListed)
	}
	if ds, err := s.Diffusions.Diffusions(ctx, "agency-q"); err != nil || len(ds) != 0 {
		t.Fatalf("a stranger's list: %d %v", len(ds), err)
	}
	if _, err := s.Diffusions.Diffusion(ctx, "none"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}

	// Retention: a cancelled diffusion loses its subject and text two years
	// after its cancellation; an active one is an instruction in force.
	active := &tripline.Diffusion{ID: "A-d2", Sender: "agency-a", SenderNode: "A", Kind: tripline.DiffuseDetain,
		Subject: tripline.TipSubject{Name: "Lena Vogel"}, Status: tripline.DiffusionActive, Sent: now, AckDue: now.Add(time.Hour), Version: 1,
		Recipients: []tripline.DiffusionRecipient{{Agency: "agency-b", Node: "B"}}}
	if _, err := s.Diffusions.PutDiffusion(ctx, active); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at       time.Time
		want     int
		withdraw bool // its listing here, after the pass
	}{
		{cancelAt.AddDate(2, 0, -1), 0, false},
		{cancelAt.AddDate(2, 0, 1), 0, true}, // its listing here still in force: it waits
		{cancelAt.AddDate(2, 0, 1), 1, false},
		{cancelAt.AddDate(9, 0, 0), 0, false},
	} {
		s.SetNow(tc.at)
		if n, err := s.Diffusions.EraseDiffusions(ctx, tripline.DefaultEncounterRetention); err != nil || n != tc.want {
			t.Fatalf("erase diffusions at %s = %d, %v; want %d", tc.at.Format(time.DateOnly), n, err, tc.want)
		}
		if tc.withdraw {
			if _, err := s.Listings.WithdrawListing(ctx, received.ID, tripline.DiffusionWithdrawn); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The listing no longer names the subject, in any event, and the log
	// still verifies.
	if l, err := s.Listings.Listing(ctx, received.ID); err != nil || len(l.Names) != 0 || l.Narrative != "" {
		t.Fatalf("listing of an erased diffusion = %+v, %v", l, err)
	}
	for _, ev := range allEvents(t, s) {
		if strings.Contains(string(ev.Payload), "Ayse Kaya") {
			t.Fatalf("event %d (%s %s) still names an erased diffusion's subject", ev.Seq, ev.Type, ev.Subject)
		}
	}
	verifyChain(t, s)
	if got, _ := s.Diffusions.Diffusion(ctx, "A-d1"); got.Erased == nil || got.Subject.Name != "" || got.Recipients[0].AckedAt == nil {
		t.Fatalf("cancelled diffusion past its retention: %+v", got)
	}
	if got, _ := s.Diffusions.PutDiffusion(ctx, &cancelled); got.Erased == nil || got.Subject.Name != "" {
		t.Fatalf("the sender's retry brought the subject back: %+v", got)
	}
	if got, _ := s.Diffusions.Diffusion(ctx, "A-d2"); got.Erased != nil || got.Subject.Name != "Lena Vogel" {
		t.Fatalf("an active diffusion erased: %+v", got)
	}
	// A sender's diffusion that says it is "erased" does not escape the
	// retention at the recipient.
	forged := cancelled
	forged.ID, forged.Erased = "A-d3", &cancelAt
	if got, err := s.Diffusions.PutDiffusion(ctx, &forged); err != nil || got.Erased != nil {
		t.Fatalf("a diffusion stored as erased from its input: %+v, %v", got, err)
	}
	s.SetNow(cancelAt.AddDate(9, 0, 0))
	if n, err := s.Diffusions.EraseDiffusions(ctx, tripline.DefaultEncounterRetention); err != nil || n != 1 {
		t.Fatalf("erasing the forged one = %d, %v; want 1", n, err)
	}
}
