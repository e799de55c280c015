package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// fakeClock is a clock only the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// followFor runs p.Follow against partner until the fake clock has moved
// window: every wait of the follower is recorded and moves the clock
// instead of sleeping. It returns the waits.
func followFor(t *testing.T, p *federation.Peer, clock *fakeClock, partner *tripline.Partner, window time.Duration) []time.Duration {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	end := clock.Now().Add(window)
	var waits []time.Duration
	p.Now = clock.Now
	p.Sleep = func(ctx context.Context, d time.Duration) bool {
		waits = append(waits, d)
		clock.Add(d)
		if !clock.Now().Before(end) {
			cancel()
			return false
		}
		return true
	}
	p.Follow(ctx, partner, "A")
	return waits
}

// TestFollowBacksOffOnUselessPages: a partner that answers at once with a
// page bringing nothing new (a replayed old page, or an empty page without
// long-polling) is asked again after waits doubling from IdleBackoff up to
// MaxIdleBackoff: a few requests in ten minutes, not tens of thousands. A
// failing partner gets the error back-off. An honest long-poll that times
// out is followed by the next at once.
func TestFollowBacksOffOnUselessPages(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	old := signedEvents(t, "A", priv, 1, 3)
	idle := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute}
	errs := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second}
	for _, tc := range []struct {
		name  string
		serve func(w http.ResponseWriter)
		want  []time.Duration // the first waits
		most  int             // requests in ten minutes, at most
	}{
		{"replays an old page", func(w http.ResponseWriter) {
			json.NewEncoder(w).Encode(federation.FeedPage{Origin: "A", Events: old, Last: 3})
		}, idle, 20},
		{"answers empty without long-polling", func(w http.ResponseWriter) { json.NewEncoder(w).Encode(federation.FeedPage{Origin: "A", Last: 3}) }, idle, 20},
		{"fails", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) }, errs, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			requests := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				requests++
				mu.Unlock()
				tc.serve(w)
			}))
			defer srv.Close()
			db := mustDB(t, "C")
			p := peerFor(t, db, "A", pub, srv.URL)
			if n, err := p.Apply(context.Background(), "A", old); err != nil || n != 3 {
				t.Fatalf("apply = %d, %v", n, err)
			}
			partner, _ := p.Partner("A")
			clock := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
			waits := followFor(t, p, clock, partner, 10*time.Minute)
			mu.Lock()
			defer mu.Unlock()
			if len(waits) < len(tc.want) || fmt.Sprint(waits[:len(tc.want)]) != fmt.Sprint(tc.want) {
				t.Fatalf("waits = %v, want them to start %v", waits, tc.want)
			}
			// Every request is followed by a wait: none in a tight loop.
			if requests != len(waits) || requests > tc.most {
				t.Fatalf("%d requests and %d waits in ten minutes; want one wait after each, at most %d requests", requests, len(waits), tc.most)
			}
		})
	}
	t.Run("long-polls honestly", func(t *testing.T) {
		clock := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var requests atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if requests.Add(1) == 5 {
				cancel()
			}
			clock.Add(federation.LongPoll) // the partner waited the whole long-poll: nothing new
			json.NewEncoder(w).Encode(federation.FeedPage{Origin: "A", Last: 0})
		}))
		defer srv.Close()
		p := peerFor(t, mustDB(t, "C"), "A", pub, srv.URL)
		p.Now = clock.Now
		var waits []time.Duration
		p.Sleep = func(_ context.Context, d time.Duration) bool { waits = append(waits, d); return true }
		partner, _ := p.Partner("A")
		p.Follow(ctx, partner, "A")
		if len(waits) != 0 || requests.Load() != 5 {
			t.Fatalf("%d requests, waits %v: an honest long-poll needs no back-off", requests.Load(), waits)
		}
	})
}

// TestOversizedPageRefused: a partner streaming an endless page is cut off
// at MaxPageBytes, its page refused with a clear error, nothing applied:
// this node never reads it whole.
func TestOversizedPageRefused(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	const offered = 256 << 20
	var written int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"origin":"A","events":[{"origin":"A","seq":1,"type":"listing.upserted","subject":"agency-a:1","payload":{"narrative":"`))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for written < offered {
			n, err := w.Write(chunk)
			written += int64(n)
			if err != nil {
				return // the follower hung up
			}
		}
	}))
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", pub, srv.URL)
	partner, _ := p.Partner("A")
	_, err := p.Pull(context.Background(), partner, "A", 0)
	srv.Close() // waits for the handler
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(err.Error(), fmt.Sprint(federation.MaxPageBytes)) {
		t.Fatalf("pull err = %v, want the page refused for its size", err)
	}
	if written >= offered {
		t.Fatalf("the follower read all %d bytes offered", written)
	}
	if cur, _ := sqlstore.NewFederationStore(db).Cursor(context.Background(), "A"); cur != 0 {
		t.Fatalf("cursor %d after a refused page", cur)
	}
}

// TestOversizedEventRefused: a page within the page limit holding an event
// over MaxEventBytes is refused whole, naming the event and the limit.
func TestOversizedEventRefused(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	a := &signer{id: "A", priv: priv}
	big := listingOf("agency-a", "agency-a:2", "Big Narrative", 1, tripline.StatusActive)
	big.Narrative = strings.Repeat("n", federation.MaxEventBytes)
	evs := []*tripline.Event{
		a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Small Listing", 1, tripline.StatusActive)),
		a.event(t, tripline.EventListingUpserted, "agency-a:2", big),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(federation.FeedPage{Origin: "A", Events: evs, Last: 2})
	}))
	defer srv.Close()
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", pub, srv.URL)
	partner, _ := p.Partner("A")
	_, err := p.Pull(context.Background(), partner, "A", 0)
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(err.Error(), "event A/2") || !strings.Contains(err.Error(), fmt.Sprint(federation.MaxEventBytes)) {
		t.Fatalf("pull err = %v, want event A/2 refused for its size", err)
	}
	if cur, _ := sqlstore.NewFederationStore(db).Cursor(context.Background(), "A"); cur != 0 {
		t.Fatalf("cursor %d after a refused page", cur)
	}
}

// memLog is an event log in memory.
type memLog []*tripline.Event

func (m memLog) Events(_ context.Context, origin string, after int64, limit int) ([]*tripline.Event, error) {
	var out []*tripline.Event
	for _, ev := range m {
		if ev.Origin == origin && ev.Seq > after && len(out) < limit {
			c := *ev
			out = append(out, &c)
		}
	}
	return out, nil
}

func (m memLog) LastSeq(context.Context, string) (int64, error) { return int64(len(m)), nil }

// TestFeedPagesBounded: the feed serves pages of about PageBudget bytes
// that still verify: this node's own page is signed where it ends, another
// origin's is cut at a signature it holds, and an event over MaxEventBytes
// is served as a placeholder that keeps the chain.
func TestFeedPagesBounded(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	key := func(string) (ed25519.PublicKey, bool) { return priv.Public().(ed25519.PublicKey), true }
	// 600 events of 50 KB in one transaction: signed only every 256th and
	// at the end, as a node signs (30 MB in all).
	a := &signer{id: "A", priv: priv}
	var log memLog
	for i := 1; i <= 600; i++ {
		l := listingOf("agency-a", fmt.Sprintf("agency-a:%d", i), "Person Bulk", 1, tripline.StatusActive)
		l.Handling.Details = []string{"*"}
		l.Narrative = strings.Repeat("n", 50_000)
		if i == 300 {
			l.Narrative = strings.Repeat("n", federation.MaxEventBytes+1)
		}
		ev := a.event(t, tripline.EventListingUpserted, l.ID, l)
		if i%256 != 0 && i != 600 {
			ev.Sig = nil
		}
		log = append(log, ev)
	}
	bytesOf := func(evs []*tripline.Event) int {
		n := 0
		for _, ev := range evs {
			n += len(ev.Payload)
		}
		return n
	}
	ctx := context.Background()

	own := &federation.Feed{Events: log, Self: "A", Sign: func(m []byte) []byte { return ed25519.Sign(priv, m) }}
	var all []*tripline.Event
	prev := ""
	for after := int64(0); after < 600; {
		page, err := own.Page(ctx, "agency-b", "A", after, 5000)
		if err != nil || len(page) == 0 {
			t.Fatalf("page after %d: %d events, %v", after, len(page), err)
		}
		if n := bytesOf(page); n > federation.PageBudget+federation.MaxEventBytes {
			t.Fatalf("page after %d: %d bytes, over the budget of %d", after, n, federation.PageBudget)
		}
		if n, err := federation.VerifyRun(page, prev, key); err != nil || n != len(page) {
			t.Fatalf("page after %d does not verify: %d of %d, %v", after, n, len(page), err)
		}
		prev = page[len(page)-1].Chain
		all = append(all, page...)
		after = page[len(page)-1].Seq
	}
	if len(all) != 600 || !all[299].Redacted || all[298].Redacted || len(all[299].Payload) != 0 {
		t.Fatalf("%d events served; event 300 (over the limit) redacted %v; event 299 redacted %v", len(all), all[299].Redacted, all[298].Redacted)
	}

	// The same events relayed by a node that cannot sign for A: the page
	// runs to A's first signature, not to the page limit.
	relay := &federation.Feed{Events: log, Self: "B"}
	page, err := relay.Page(ctx, "agency-c", "A", 0, 5000)
	if err != nil || len(page) != 256 {
		t.Fatalf("relayed page: %d events, %v; want the 256 up to A's signature", len(page), err)
	}
	if n, err := federation.VerifyRun(page, "", key); err != nil || n != 256 {
		t.Fatalf("relayed page does not verify: %d, %v", n, err)
	}
}

// TestBundleEventOverLimit: a bundle holding an event over MaxEventBytes
// is refused, naming the line, and applies nothing.
func TestBundleEventOverLimit(t *testing.T) {
	pubA, privA, _ := ed25519.GenerateKey(nil)
	a := &signer{id: "A", priv: privA}
	big := listingOf("agency-a", "agency-a:2", "Big Narrative", 1, tripline.StatusActive)
	big.Narrative = strings.Repeat("n", 2*federation.MaxEventBytes)
	evs := []*tripline.Event{
		a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Small Listing", 1, tripline.StatusActive)),
		a.event(t, tripline.EventListingUpserted, "agency-a:2", big),
	}
	sender := federation.NewPeer("A", privA, sqlstore.NewFederationStore(mustDB(t, "A")), quiet())
	var buf strings.Builder
	if err := sender.WriteBundle(&buf, &federation.Bundle{To: "C", Seq: 1, Events: evs}); err != nil {
		t.Fatal(err)
	}
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", pubA, "")
	res, err := p.ReadBundle(context.Background(), strings.NewReader(buf.String()), "b.tlb", nil)
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(err.Error(), "b.tlb") || res != nil {
		t.Fatalf("bundle with a %d-byte event = %v, %v; want it refused", len(evs[1].Payload), res, err)
	}
	if cur, _ := sqlstore.NewFederationStore(db).Cursor(context.Background(), "A"); cur != 0 {
		t.Fatalf("cursor %d after a refused bundle", cur)
	}
}

// TestPartnerErrorTextBounded: a partner's error answer was read up to a
// page (16 MiB) and its first 300 bytes kept as they came, in the logs,
// the partner's health and the operator's terminal (tripline partners
// list): a terminal escape, a newline forging a log line, a bidi override.
// Now at most 4 KiB is read and the words kept are plain text.
func TestPartnerErrorTextBounded(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("\x1b[2J\x1b[31mdown\nlevel=ERROR msg=forged \u202etxt.exe\xff "))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for written.Load() < 64<<20 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return // the follower hung up
			}
		}
	}))
	p := peerFor(t, mustDB(t, "C"), "A", pub, srv.URL)
	partner, _ := p.Partner("A")
	_, err := p.Pull(context.Background(), partner, "A", 0)
	srv.Close() // waits for the handler
	if err == nil {
		t.Fatal("a 502 pulled without error")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\x1b\n\u202e\ufffd") || !utf8.ValidString(msg) || !strings.Contains(msg, "502") || !strings.Contains(msg, "down") || len(msg) > 500 {
		t.Fatalf("error text %q: want one bounded line of plain text naming the status", msg)
	}
	// What the sockets buffer once this node hangs up (a few MiB), not
	// a page.
	if w := written.Load(); w >= federation.MaxPageBytes {
		t.Fatalf("the partner wrote %d bytes of its error before this node hung up: read as a page", w)
	}
}

// TestPartnerListingFloodBounded: a partner origin may bring listings
// without end, each stored and indexed here; past the node's bound
// (MaxOriginListings) its new listings are refused and audited, while
// those held still change, and one it drops makes room again. Before, a
// partner filled the disk and the matching index as fast as it published.
func TestPartnerListingFloodBounded(t *testing.T) {
	a := newSigner("A")
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", a.pub(), "")
	spy := &auditSpy{}
	p.Audit = spy
	p.Store.(*sqlstore.FederationStore).MaxOriginListings = 5
	ctx := t.Context()
	listing := func(i int, version int64) *tripline.Event {
		id := fmt.Sprintf("agency-a:%d", i)
		return a.event(t, tripline.EventListingUpserted, id, listingOf("agency-a", id, fmt.Sprintf("Person %d", i), version, tripline.StatusActive))
	}
	held := func() []string {
		t.Helper()
		ls, err := sqlstore.NewListingService(db).Listings(ctx, tripline.ListingFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, l := range ls {
			ids = append(ids, fmt.Sprintf("%s@%d", l.ID, l.Version))
		}
		return ids
	}
	var flood []*tripline.Event
	for i := 1; i <= 8; i++ {
		flood = append(flood, listing(i, 1))
	}
	if n, err := p.Apply(ctx, "A", flood); err != nil || n != 8 {
		t.Fatalf("apply = %d, %v; want the 8 events stored", n, err)
	}
	want := "[agency-a:1@1 agency-a:2@1 agency-a:3@1 agency-a:4@1 agency-a:5@1]"
	if got := fmt.Sprint(held()); got != want {
		t.Fatalf("held %s, want %s", got, want)
	}
	refused := spy.refused()
	if len(refused) != 3 {
		t.Fatalf("%d refusals audited, want 3 (agency-a:6 to 8)", len(refused))
	}
	if msg := detailError(refused[0]); refused[0].Subject != "agency-a:6" ||
		!strings.Contains(msg, `listing "agency-a:6" of origin A: this node already holds 5 listings of that origin`) {
		t.Errorf("refusal %s: %q", refused[0].Subject, msg)
	}
	// Later pages count from the store; held listings still change.
	if _, err := p.Apply(ctx, "A", []*tripline.Event{listing(9, 1), listing(2, 2)}); err != nil {
		t.Fatal(err)
	}
	want = "[agency-a:1@1 agency-a:2@2 agency-a:3@1 agency-a:4@1 agency-a:5@1]"
	if got := fmt.Sprint(held()); got != want || len(spy.refused()) != 4 {
		t.Fatalf("held %s with %d refusals, want %s and 4", got, len(spy.refused()), want)
	}
	// A listing the partner takes back makes room for another.
	drop := a.sign(t, &tripline.Event{Type: tripline.EventListingUpserted, Subject: "agency-a:1", Redacted: true, Digest: strings.Repeat("ab", 32)})
	if _, err := p.Apply(ctx, "A", []*tripline.Event{drop, listing(10, 1), listing(11, 1)}); err != nil {
		t.Fatal(err)
	}
	want = "[agency-a:10@1 agency-a:2@2 agency-a:3@1 agency-a:4@1 agency-a:5@1]"
	if got := fmt.Sprint(held()); got != want || len(spy.refused()) != 5 {
		t.Fatalf("held %s with %d refusals, want %s and 5", got, len(spy.refused()), want)
	}
}

// TestPartnerClearanceFloodBounded: a partner may share clearances for its
// own listings without end, each stored and held in memory by the
// screener; past the node's bound (MaxOriginClearances) a new one is
// refused and audited, a held one may still be revoked, and that makes
// room again.
func TestPartnerClearanceFloodBounded(t *testing.T) {
	a := newSigner("A")
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", a.pub(), "")
	spy := &auditSpy{}
	p.Audit = spy
	p.Store.(*sqlstore.FederationStore).MaxOriginClearances = 3
	ctx := t.Context()
	clearance := func(i int, revoked bool) *tripline.Event {
		id := fmt.Sprintf("shr-e%d", i)
		return a.event(t, tripline.EventClearance, id, tripline.Clearance{ID: id, Listing: "agency-a:1", Shared: true, Revoked: revoked,
			DocCountry: "NLD", DocNumber: fmt.Sprintf("NL%07d", i), DOB: tripline.PartialDate{Year: 1969}})
	}
	held := func() string {
		t.Helper()
		var ids []string
		rows, err := db.SQL().QueryContext(ctx, `SELECT id FROM clearances ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		return fmt.Sprint(ids)
	}
	evs := []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Person One", 1, tripline.StatusActive))}
	for i := 1; i <= 5; i++ {
		evs = append(evs, clearance(i, false))
	}
	if _, err := p.Apply(ctx, "A", evs); err != nil {
		t.Fatal(err)
	}
	if got := held(); got != "[shr-e1 shr-e2 shr-e3]" {
		t.Fatalf("held %s, want the first 3", got)
	}
	refused := spy.refused()
	if len(refused) != 2 || !strings.Contains(detailError(refused[0]), `shared clearance "shr-e4" of origin A: this node already holds 3 shared clearances of that origin`) {
		t.Fatalf("%d refusals audited (%v), want shr-e4 and shr-e5 refused", len(refused), refused)
	}
	if _, err := p.Apply(ctx, "A", []*tripline.Event{clearance(2, true), clearance(6, false), clearance(7, false)}); err != nil {
		t.Fatal(err)
	}
	if got := held(); got != "[shr-e1 shr-e3 shr-e6]" || len(spy.refused()) != 3 {
		t.Fatalf("held %s with %d refusals, want [shr-e1 shr-e3 shr-e6] and 3", got, len(spy.refused()))
	}
}
