package storetest

import (
	"context"
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
}
