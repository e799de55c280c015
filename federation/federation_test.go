package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
	"tripline/sqlstore"
)

func mustDB(tb testing.TB, origin string) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "t.db"))
	db.Origin = origin
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// signedEvents makes n signed listing events of origin with key priv,
// salted as a node's own events are and sent as a partner receives them
// (each field's salt, not the origin's key).
func signedEvents(tb testing.TB, origin string, priv ed25519.PrivateKey, from, n int) []*tripline.Event {
	tb.Helper()
	out := make([]*tripline.Event, 0, n)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	prev := ""
	for i := from; i < from+n; i++ {
		l := tripline.Listing{ID: fmt.Sprintf("agency-a:%d", i), Source: "agency-a", Status: tripline.StatusActive, Version: 1,
			Names:      []tripline.Name{{Full: fmt.Sprintf("Person %d", i), Kind: tripline.NamePrimary}},
			Action:     tripline.ActionRefuseEntry,
			Handling:   tripline.Handling{Screen: []string{"*"}, Reshare: tripline.ReshareAllowed},
			Provenance: tripline.Provenance{Originator: "agency-a"}}
		body, _ := json.Marshal(l)
		ev := &tripline.Event{Origin: origin, Seq: int64(i), Type: tripline.EventListingUpserted, Subject: l.ID, Payload: body, At: at,
			SaltKey: tripline.NewSaltKey()}
		chain, err := ev.ChainNext(prev)
		if err != nil {
			tb.Fatal(err)
		}
		ev.Chain, prev = chain, chain
		// Signed as a node signs: every 256th event and the last of a run.
		if i%256 == 0 || i == from+n-1 {
			ev.Sig = ed25519.Sign(priv, ev.SigningBytes())
		}
		sent, err := ev.Trim(nil)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, sent)
	}
	return out
}

// signAt signs the events at the given positions, as the last events of
// their transactions would be.
func signAt(evs []*tripline.Event, priv ed25519.PrivateKey, at ...int) {
	for _, i := range at {
		evs[i].Sig = ed25519.Sign(priv, evs[i].SigningBytes())
	}
}

func peerFor(tb testing.TB, db *sqlite.DB, partnerID string, partnerKey ed25519.PublicKey, url string) *federation.Peer {
	tb.Helper()
	_, priv, _ := ed25519.GenerateKey(nil)
	store := sqlstore.NewFederationStore(db)
	if err := store.PutPartner(context.Background(), &tripline.Partner{ID: partnerID, Agency: "agency-a",
		PublicKey: federation.PublicKeyString(partnerKey), URL: url}); err != nil {
		tb.Fatal(err)
	}
	p := federation.NewPeer(db.Origin, priv, store, quiet())
	if _, err := p.Reload(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestTamperedEventRejected: a partner serving one altered event: the
// events before it apply, it and everything after it do not.
func TestTamperedEventRejected(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	evs := signedEvents(t, "A", priv, 1, 5)
	signAt(evs, priv, 1) // a transaction ended at event 2
	evs[2].Payload = []byte(strings.Replace(string(evs[2].Payload), "refuse_entry", "info", 1))
	unsigned := signedEvents(t, "A", priv, 1, 5)
	unsigned[4].Sig = nil // no signature vouches for any of them
	for name, serve := range map[string][]*tripline.Event{"tampered": evs, "unsigned": unsigned} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				json.NewEncoder(w).Encode(federation.FeedPage{Origin: "A", Events: serve})
			}))
			defer srv.Close()
			db := mustDB(t, "C")
			p := peerFor(t, db, "A", pub, srv.URL)
			partner, _ := p.Partner("A")
			n, err := p.Pull(context.Background(), partner, "A", 0)
			if err == nil || tripline.ErrorCode(err) != tripline.EINVALID {
				t.Fatalf("pull err = %v, want the bad event rejected", err)
			}
			cur, _ := sqlstore.NewFederationStore(db).Cursor(context.Background(), "A")
			good := int64(2)
			if name == "unsigned" {
				good = 0
			}
			if int64(n) != good || cur != good {
				t.Fatalf("applied %d, cursor %d; want %d (only the events before the bad one)", n, cur, good)
			}
			if _, err := sqlstore.NewListingService(db).Listing(context.Background(), fmt.Sprintf("agency-a:%d", good+1)); tripline.ErrorCode(err) != tripline.ENOTFOUND {
				t.Fatalf("the bad event was applied: %v", err)
			}
		})
	}
}

// TestApplyIdempotentInOrder: the same events twice change nothing; a gap
// is refused; an event claiming this node's origin is refused.
func TestApplyIdempotentInOrder(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", pub, "")
	ctx := context.Background()
	evs := signedEvents(t, "A", priv, 1, 10)
	signAt(evs, priv, 5)
	if n, err := p.Apply(ctx, "A", evs[:6]); err != nil || n != 6 {
		t.Fatalf("first apply = %d, %v", n, err)
	}
	if n, err := p.Apply(ctx, "A", evs); err != nil || n != 4 {
		t.Fatalf("overlapping apply = %d, %v; want only the 4 new", n, err)
	}
	if n, err := p.Apply(ctx, "A", evs); err != nil || n != 0 {
		t.Fatalf("repeat apply = %d, %v; want 0", n, err)
	}
	gap := signedEvents(t, "A", priv, 12, 1)[:1]
	if _, err := p.Apply(ctx, "A", gap); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("gap: %v, want conflict", err)
	}
	own := signedEvents(t, "C", priv, 1, 1)
	if _, err := sqlstore.NewFederationStore(db).ApplyForeign(ctx, "A", own); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("own origin: %v", err)
	}
	ls, _ := sqlstore.NewListingService(db).Listings(ctx, tripline.ListingFilter{})
	if len(ls) != 10 {
		t.Fatalf("%d listings, want 10", len(ls))
	}
}

// TestBundleRoundTrip: an air-gapped partner imports a signed bundle; a
// bundle altered in transit applies nothing.
func TestBundleRoundTrip(t *testing.T) {
	pubA, privA, _ := ed25519.GenerateKey(nil)
	ctx := context.Background()
	sender := federation.NewPeer("A", privA, sqlstore.NewFederationStore(mustDB(t, "A")), quiet())
	var buf strings.Builder
	if err := sender.WriteBundle(&buf, &federation.Bundle{To: "C", Seq: 1, Events: signedEvents(t, "A", privA, 1, 20)}); err != nil {
		t.Fatal(err)
	}
	db := mustDB(t, "C")
	p := peerFor(t, db, "A", pubA, "")
	tampered := strings.Replace(buf.String(), "Person 7", "Person 8", 1)
	if _, err := p.ReadBundle(ctx, strings.NewReader(tampered), "b.tlb", nil); err == nil {
		t.Fatal("tampered bundle accepted")
	}
	if res, err := p.ReadBundle(ctx, strings.NewReader(buf.String()), "b.tlb", nil); err != nil || res.Events != 20 {
		t.Fatalf("bundle = %v, %v", res, err)
	}
	if _, err := p.ReadBundle(ctx, strings.NewReader(buf.String()), "b.tlb", nil); tripline.ErrorCode(err) != tripline.ECONFLICT {
		t.Fatalf("same bundle again = %v, want it refused as a replay", err)
	}
}

// BenchmarkCatchUp applies a partner's backlog of signed events, page by
// page: recompute the chain, verify the page's signatures, store.
//
//	go test ./federation -run x -bench CatchUp -benchtime 1x
func BenchmarkCatchUp(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint("events=", n), func(b *testing.B) {
			pub, priv, _ := ed25519.GenerateKey(nil)
			evs := signedEvents(b, "A", priv, 1, n)
			runtime.GC()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := mustDB(b, "C")
				p := peerFor(b, db, "A", pub, "")
				b.StartTimer()
				// Pages of 2,048 end at a signed event, as a feed's do.
				for j := 0; j < len(evs); j += 2048 {
					if _, err := p.Apply(context.Background(), "A", evs[j:min(j+2048, len(evs))]); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-MB")
			}
		})
	}
}

// TestReportRetriedThenOverdue: a report whose next hop is down is retried
// with backoff and, past its deadline, raises an alert and is marked
// overdue; once the hop answers, it is acknowledged.
func TestReportRetriedThenOverdue(t *testing.T) {
	pubB, _, _ := ed25519.GenerateKey(nil)
	up := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(federation.ReportReceipt{Status: tripline.ReportAcknowledged})
	}))
	defer srv.Close()
	db := mustDB(t, "C")
	p := peerFor(t, db, "B", pubB, srv.URL)
	var logs strings.Builder
	p.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	p.Now = func() time.Time { return now }
	ctx := context.Background()
	e := &tripline.Encounter{ID: "C-e1", Listing: "agency-b:1", Originator: "agency-b", Decision: tripline.DecisionHit,
		Traveller: tripline.Traveller{Ref: "t1", Name: "Zebulon Quartermaine"}}
	if err := p.QueueEncounter(ctx, e, "B", "B"); err != nil {
		t.Fatal(err)
	}
	status := func() *tripline.Report {
		rs, _ := sqlstore.NewFederationStore(db).Reports(ctx, tripline.ReportFilter{})
		return rs[0]
	}
	p.Deliver(ctx)
	if r := status(); r.Status != tripline.ReportPending || r.Attempts != 1 || !r.NextAttempt.After(now) {
		t.Fatalf("after a failed attempt: %+v", r)
	}
	now = now.Add(federation.ReportDeadline + time.Minute)
	p.Deliver(ctx)
	if r := status(); r.Status != tripline.ReportOverdue || !strings.Contains(logs.String(), "ALERT: encounter report not acknowledged") {
		t.Fatalf("past the deadline: %+v\n%s", r, logs.String())
	}
	up = true
	now = now.Add(time.Hour)
	p.Deliver(ctx)
	if r := status(); r.Status != tripline.ReportAcknowledged || r.AckedAt == nil {
		t.Fatalf("once delivered: %+v", r)
	}
	// Delivered, the outbox keeps whose report it was, not the traveller.
	if r := status(); strings.Contains(string(r.Body), "Zebulon") || !strings.Contains(string(r.Body), `"originator":"agency-b"`) {
		t.Fatalf("the delivered report's body: %s", r.Body)
	}
}

// The feed shapes document alerts by their handling as it does listings:
// groups count, a partner allowed only to screen gets the document but not
// the action, and one not named gets a placeholder that still verifies.
func TestFeedShapesAlertsByHandling(t *testing.T) {
	ctx := context.Background()
	db := mustDB(t, "node-a")
	_, priv, _ := ed25519.GenerateKey(nil)
	db.Sign = func(msg []byte) []byte { return ed25519.Sign(priv, msg) }
	alerts := sqlstore.NewDocumentAlertService(db)
	alert := &tripline.DocumentAlert{ID: "agency-a:TUR:U1234S678", Source: "agency-a", Country: "TUR", Number: "U1234S678",
		Kind: tripline.AlertStolen, Action: tripline.ActionDetain, Instruction: "INSTR-secret",
		Handling:   tripline.Handling{Screen: []string{"de-bka"}, Action: []string{"eu"}},
		Provenance: tripline.Provenance{Originator: "agency-a", SourceRef: "SOURCE-ref"}}
	if _, err := alerts.PutDocumentAlert(ctx, alert); err != nil {
		t.Fatal(err)
	}
	feed := &federation.Feed{Events: sqlstore.NewEventService(db), Self: "node-a", Groups: tripline.GroupMap{"fr-dgsi": {"eu"}}}
	for _, tc := range []struct {
		partner          string
		redacted, action bool
	}{
		{"fr-dgsi", false, true}, // through the eu group
		{"de-bka", false, false},
		{"uk-nca", true, false},
	} {
		evs, err := feed.Page(ctx, tc.partner, "node-a", 0, 10)
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: page = %v, %v", tc.partner, evs, err)
		}
		ev := evs[0]
		if ev.Redacted != tc.redacted {
			t.Errorf("%s: redacted = %v, want %v", tc.partner, ev.Redacted, tc.redacted)
		}
		if got := strings.Contains(string(ev.Payload), "INSTR-secret"); got != tc.action {
			t.Errorf("%s: action disclosed = %v, want %v: %s", tc.partner, got, tc.action, ev.Payload)
		}
		if strings.Contains(string(ev.Payload), "SOURCE-ref") {
			t.Errorf("%s: source reference disclosed: %s", tc.partner, ev.Payload)
		}
		if !tc.redacted && !strings.Contains(string(ev.Payload), "U1234S678") {
			t.Errorf("%s: the document number is missing: %s", tc.partner, ev.Payload)
		}
		if chain, err := ev.ChainNext(""); err != nil || chain != ev.Chain {
			t.Errorf("%s: shaped event does not continue the chain: %v", tc.partner, err)
		}
	}
}
