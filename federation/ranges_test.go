package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// rangeScenario is A's log: a listing shared with agency-b, ten internal
// ones, the shared listing revoked, five more internal ones, and a second
// shared listing. B pulls it in one page.
func rangeScenario(t *testing.T) (a *sqlite.DB, priv ed25519.PrivateKey, feed *federation.Feed) {
	t.Helper()
	ctx := context.Background()
	a, priv = signingDB(t, "A")
	feed = &federation.Feed{Events: sqlstore.NewEventService(a), Self: "A", Sign: a.Sign, Groups: tripline.GroupMap{}}
	put := func(i int, grant ...string) {
		l := &tripline.Listing{ID: fmt.Sprintf("agency-a:%d", i), Source: "agency-a", Status: tripline.StatusActive, Action: tripline.ActionDetain,
			Names:      []tripline.Name{{Full: fmt.Sprintf("Ranged Person%d", i), Kind: tripline.NamePrimary}},
			Handling:   tripline.Handling{Screen: grant, Action: grant},
			Provenance: tripline.Provenance{Originator: "agency-a"}}
		if _, err := sqlstore.NewListingService(a).PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	put(1, "agency-b")
	for i := 100; i < 110; i++ {
		put(i, "agency-a")
	}
	put(1, "agency-c") // revoked for B
	for i := 110; i < 115; i++ {
		put(i, "agency-a")
	}
	put(2, "agency-b")
	return a, priv, feed
}

// follower is node id following A with its own key.
func follower(t *testing.T, id string, privA ed25519.PrivateKey) (*sqlite.DB, *federation.Peer) {
	t.Helper()
	db := mustDB(t, id)
	store := partnerOf(t, db, "A", "agency-a", privA)
	_, priv, _ := ed25519.GenerateKey(nil)
	p := federation.NewPeer(id, priv, store, quiet())
	if _, err := p.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, p
}

// TestRangesServedAndApplied is issue 15 item 12: the events B may not see
// travel as one range, not one placeholder each; B verifies the page, ends
// at A's head, and drops the listing whose share was revoked inside the
// range; B serves A's log on to D (which may see none of it) as one range.
func TestRangesServedAndApplied(t *testing.T) {
	ctx := context.Background()
	a, privA, feed := rangeScenario(t)
	head, _ := sqlstore.NewEventService(a).LastSeq(ctx, "A")
	page, err := feed.Page(ctx, "agency-b", "A", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[1].RangeFrom != 2 || page[1].Seq != head-1 || page[0].Redacted || page[2].Redacted {
		t.Fatalf("page for B: %d events, want [listing, range 2..%d, listing]: %s", len(page), head-1, brief(page))
	}
	if len(page[1].Drops) == 0 || !strings.Contains(fmt.Sprint(page[1].Drops), "agency-a:1") {
		t.Fatalf("the range does not name the revoked listing: %+v", page[1].Drops)
	}
	feed.NoRanges = true
	each, err := feed.Page(ctx, "agency-b", "A", 0, 1000)
	feed.NoRanges = false
	if err != nil || int64(len(each)) != head {
		t.Fatalf("placeholders: %d events, %v", len(each), err)
	}
	ranged, _ := json.Marshal(page)
	placeholders, _ := json.Marshal(each)
	t.Logf("B's page: %d bytes with ranges, %d with one placeholder each", len(ranged), len(placeholders))
	if len(ranged)*2 > len(placeholders) {
		t.Fatalf("ranges (%d bytes) are not compact against placeholders (%d bytes)", len(ranged), len(placeholders))
	}

	b, peerB := follower(t, "B", privA)
	// B first takes the shared listing alone, then the rest.
	if n, err := peerB.Apply(ctx, "A", page[:1]); err != nil || n != 1 {
		t.Fatalf("first event at B: %d, %v", n, err)
	}
	if _, err := sqlstore.NewListingService(b).Listing(ctx, "agency-a:1"); err != nil {
		t.Fatalf("B before the revocation: %v", err)
	}
	rest, _ := feed.Page(ctx, "agency-b", "A", 1, 1000)
	if n, err := peerB.Apply(ctx, "A", rest); err != nil || n != 2 {
		t.Fatalf("the rest at B: %d, %v (%s)", n, err, brief(rest))
	}
	if cur, _ := sqlstore.NewFederationStore(b).Cursor(ctx, "A"); cur != head {
		t.Fatalf("B's cursor %d, A's head %d", cur, head)
	}
	if _, err := sqlstore.NewListingService(b).Listing(ctx, "agency-a:1"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("revoked inside a range: B still holds agency-a:1 (%v)", err)
	}
	if _, err := sqlstore.NewListingService(b).Listing(ctx, "agency-a:2"); err != nil {
		t.Fatalf("B lacks agency-a:2: %v", err)
	}
	// B relays A's log to D, which may see none of it: one range.
	relay := &federation.Feed{Events: sqlstore.NewEventService(b), Self: "B", Groups: tripline.GroupMap{}}
	toD, err := relay.Page(ctx, "agency-d", "A", 0, 1000)
	if err != nil || len(toD) != 1 || toD[0].RangeFrom != 1 || toD[0].Seq != head {
		t.Fatalf("B's page of A for D: %s, %v", brief(toD), err)
	}
	d, peerD := follower(t, "D", privA)
	if _, err := peerD.Apply(ctx, "A", toD); err != nil {
		t.Fatalf("D applies B's range: %v", err)
	}
	if cur, _ := sqlstore.NewFederationStore(d).Cursor(ctx, "A"); cur != head {
		t.Fatalf("D's cursor %d, A's head %d", cur, head)
	}
	// From a cursor inside B's stored range, the range is cut to start after it.
	mid, err := relay.Page(ctx, "agency-d", "A", 5, 1000)
	if err != nil || len(mid) != 1 || mid[0].RangeFrom != 6 {
		t.Fatalf("from inside a range: %s, %v", brief(mid), err)
	}
}

// TestHostileRanges: a range that runs backwards, overlaps another, covers
// an event also sent, leaves a gap, claims another sequence number (a
// huge one), carries a payload, lacks its chain or names too many records
// is refused, and B's cursor does not move.
func TestHostileRanges(t *testing.T) {
	ctx := context.Background()
	_, privA, feed := rangeScenario(t)
	good, err := feed.Page(ctx, "agency-b", "A", 0, 1000)
	if err != nil || len(good) != 3 {
		t.Fatalf("page: %s, %v", brief(good), err)
	}
	alter := func(i int, f func(ev *tripline.Event)) []*tripline.Event {
		out := make([]*tripline.Event, len(good))
		for j, ev := range good {
			c := *ev
			out[j] = &c
		}
		f(out[i])
		return out
	}
	cases := []struct {
		name string
		page []*tripline.Event
		want string
	}{
		{"reversed", alter(1, func(ev *tripline.Event) { ev.RangeFrom = ev.Seq + 3 }), "reversed"},
		{"overlapping", []*tripline.Event{good[0], good[1], good[1], good[2]}, "overlaps"},
		{"covers an event sent", alter(1, func(ev *tripline.Event) { ev.RangeFrom = 1 }), "overlaps"},
		{"a gap", alter(1, func(ev *tripline.Event) { ev.RangeFrom = 4 }), "a gap"},
		{"huge", alter(1, func(ev *tripline.Event) { ev.Seq = 1 << 40 })[:2], "does not follow its origin's chain"},
		{"with a payload", alter(1, func(ev *tripline.Event) { ev.Payload = json.RawMessage(`{"id":"x"}`) }), "payload"},
		{"no chain", alter(1, func(ev *tripline.Event) { ev.RangeChain = "" }), "without the chain"},
		{"forged chain", alter(1, func(ev *tripline.Event) { ev.RangeChain = strings.Repeat("0", 64) }), "chain"},
		{"too many drops", alter(1, func(ev *tripline.Event) {
			ev.Drops = make([]tripline.EventRef, federation.MaxDrops+1)
		}), "over the limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, peer := follower(t, "B", privA)
			_, err := peer.Apply(ctx, "A", tc.page)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("= %v, want refused (%q)", err, tc.want)
			}
			cur, _ := sqlstore.NewFederationStore(db).Cursor(ctx, "A")
			if cur > good[0].Seq {
				t.Fatalf("B's cursor moved to %d past the hostile range", cur)
			}
		})
	}
}

func brief(evs []*tripline.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		switch {
		case ev.RangeFrom > 0:
			fmt.Fprintf(&b, "[%d..%d] ", ev.RangeFrom, ev.Seq)
		case ev.Redacted:
			fmt.Fprintf(&b, "(%d) ", ev.Seq)
		default:
			fmt.Fprintf(&b, "%d ", ev.Seq)
		}
	}
	return b.String()
}
