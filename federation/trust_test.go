package federation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// signer makes one origin's events as its node would: numbered, chained and
// each signed with the origin's real key.
type signer struct {
	id    string
	priv  ed25519.PrivateKey
	seq   int64
	chain string
}

func newSigner(id string) *signer {
	_, priv, _ := ed25519.GenerateKey(nil)
	return &signer{id: id, priv: priv}
}

func (s *signer) pub() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

func (s *signer) event(tb testing.TB, typ tripline.EventType, subject string, payload any) *tripline.Event {
	tb.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		tb.Fatal(err)
	}
	return s.sign(tb, &tripline.Event{Type: typ, Subject: subject, Payload: body})
}

func (s *signer) sign(tb testing.TB, ev *tripline.Event) *tripline.Event {
	tb.Helper()
	s.seq++
	ev.Origin, ev.Seq, ev.At = s.id, s.seq, time.Date(2026, 11, 25, 9, 0, 0, int(s.seq), time.UTC)
	chain, err := ev.ChainNext(s.chain)
	if err != nil {
		tb.Fatal(err)
	}
	ev.Chain, s.chain = chain, chain
	ev.Sig = ed25519.Sign(s.priv, ev.SigningBytes())
	return ev
}

func listingOf(agency, id, name string, version int64, status tripline.Status) *tripline.Listing {
	return &tripline.Listing{ID: id, Source: agency, Status: status, Version: version,
		Names:      []tripline.Name{{Full: name, Kind: tripline.NamePrimary}},
		BirthDates: []tripline.PartialDate{{Year: 1970, Month: 1, Day: 2}},
		Action:     tripline.ActionRefuseEntry, Instruction: "Refuse entry.",
		Handling:   tripline.Handling{Screen: []string{"*"}, Action: []string{"*"}, Reshare: tripline.ReshareAllowed},
		Provenance: tripline.Provenance{Originator: agency}}
}

// auditSpy keeps the audit entries recorded.
type auditSpy struct {
	mu      sync.Mutex
	entries []tripline.AuditEntry
}

func (a *auditSpy) Record(_ context.Context, e tripline.AuditEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
}

func (a *auditSpy) refused() []tripline.AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []tripline.AuditEntry
	for _, e := range a.entries {
		if e.Action == "federation.event.refused" {
			out = append(out, e)
		}
	}
	return out
}

// detailError is the refusal's reason, as the audit entry records it.
func detailError(e tripline.AuditEntry) string {
	var d struct{ Error string }
	json.Unmarshal([]byte(e.Detail), &d)
	return d.Error
}

// trustWorld is node C with its own listing, the UN entry it imported, and
// partner B's listing and document alert; partner A is the attacker, with
// its own valid key.
type trustWorld struct {
	db        *sqlite.DB
	peer      *federation.Peer
	a, b      *signer
	audit     *auditSpy
	logs      *bytes.Buffer
	published []*tripline.Event
}

func newTrustWorld(t *testing.T) *trustWorld {
	t.Helper()
	ctx := context.Background()
	w := &trustWorld{db: mustDB(t, "C"), a: newSigner("A"), b: newSigner("B"), audit: &auditSpy{}, logs: &bytes.Buffer{}}
	store := sqlstore.NewFederationStore(w.db)
	for _, p := range []*tripline.Partner{
		{ID: "A", Agency: "agency-a", PublicKey: federation.PublicKeyString(w.a.pub())},
		{ID: "B", Agency: "agency-b", PublicKey: federation.PublicKeyString(w.b.pub())},
	} {
		if err := store.PutPartner(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	_, priv, _ := ed25519.GenerateKey(nil)
	w.peer = federation.NewPeer("C", priv, store, slog.New(slog.NewTextHandler(w.logs, nil)))
	w.peer.Audit = w.audit
	if _, err := w.peer.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewListingService(w.db).PutListing(ctx, listingOf("agency-c", "agency-c:1", "Casimir Local", 0, "")); err != nil {
		t.Fatal(err)
	}
	un := listingOf("un-sc", "un-sc:QDi.1", "Ulrich Unlisted", 0, "")
	if _, err := sqlstore.NewListingService(w.db).ImportListings(ctx, "un-sc", tripline.Records([]*tripline.Listing{un})); err != nil {
		t.Fatal(err)
	}
	w.apply(t, "B", w.b.event(t, tripline.EventListingUpserted, "agency-b:1", listingOf("agency-b", "agency-b:1", "Bartholomew Partner", 1, tripline.StatusActive)))
	w.apply(t, "B", w.b.event(t, tripline.EventDocumentAlert, "agency-b:TUR:U1234", alertOf("agency-b", 1, tripline.StatusActive)))
	w.db.Subscribe(func(evs []*tripline.Event) { w.published = append(w.published, evs...) })
	return w
}

func alertOf(agency string, version int64, status tripline.Status) *tripline.DocumentAlert {
	return &tripline.DocumentAlert{ID: tripline.DocumentAlertID(agency, "TUR", "U1234"), Source: agency, Country: "TUR", Number: "U1234",
		Kind: tripline.AlertStolen, Action: tripline.ActionDetain, Provenance: tripline.Provenance{Originator: agency},
		Status: status, Version: version}
}

func (w *trustWorld) apply(t *testing.T, via string, evs ...*tripline.Event) {
	t.Helper()
	n, err := w.peer.Apply(context.Background(), via, evs)
	if err != nil || n != len(evs) {
		t.Fatalf("apply %d events via %s = %d, %v; want all taken into the log", len(evs), via, n, err)
	}
}

// state is everything C holds, as its listing and alert pages show it.
func (w *trustWorld) state(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	ls, err := sqlstore.NewListingService(w.db).Listings(ctx, tripline.ListingFilter{})
	if err != nil {
		t.Fatalf("listings page: %v", err)
	}
	as, err := sqlstore.NewDocumentAlertService(w.db).DocumentAlerts(ctx, tripline.AlertFilter{})
	if err != nil {
		t.Fatalf("alerts page: %v", err)
	}
	b, _ := json.Marshal(map[string]any{"listings": ls, "alerts": as})
	return string(b)
}

// TestPartnerCannotRewriteOthersRecords: a partner signing with its own
// valid key events about records it does not own gets none of them
// applied: the state is unchanged, nothing reaches the index, the refusal
// is logged and audited, the rest of the feed still applies, and the real
// originator's later update applies.
func TestPartnerCannotRewriteOthersRecords(t *testing.T) {
	renamed := func(l *tripline.Listing, name string) *tripline.Listing {
		l.Names = []tripline.Name{{Full: name, Kind: tripline.NamePrimary}}
		return l
	}
	claim := func(l *tripline.Listing, originator string) *tripline.Listing {
		l.Provenance.Originator = originator
		return l
	}
	badDate := listingOf("agency-a", "agency-a:7", "Invalid Birthdate", 1, tripline.StatusActive)
	badDate.BirthDates = []tripline.PartialDate{{Year: 2026, Month: 13, Day: 45}}
	for _, tc := range []struct {
		name    string
		events  func(t *testing.T, a *signer) []*tripline.Event
		refused string // in the refusal; "" = quietly nothing to do
	}{
		{"withdraws a local listing of the receiver", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingWithdrawn, "agency-c:1", listingOf("agency-c", "agency-c:1", "Casimir Local", 9, tripline.StatusWithdrawn))}
		}, "this node's own"},
		{"withdraws a local listing, claiming to originate it", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingWithdrawn, "agency-c:1", claim(listingOf("agency-c", "agency-c:1", "Casimir Local", 9, tripline.StatusWithdrawn), "agency-a"))}
		}, "this node's own"},
		{"rewrites another partner's listing", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-b:1", renamed(listingOf("agency-b", "agency-b:1", "", 2, tripline.StatusActive), "Innocent Person"))}
		}, "owned by origin \"B\""},
		{"rewrites another partner's listing as its originator", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-b:1", claim(renamed(listingOf("agency-b", "agency-b:1", "", 2, tripline.StatusActive), "Innocent Person"), "agency-a"))}
		}, "owned by origin \"B\""},
		{"replaces a UN entry's names", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "un-sc:QDi.1", renamed(listingOf("un-sc", "un-sc:QDi.1", "", 5, tripline.StatusActive), "Innocent Person"))}
		}, "this node's own"},
		{"plants a UN entry the receiver does not hold", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "un-sc:QDi.99", claim(listingOf("un-sc", "un-sc:QDi.99", "Innocent Person", 1, tripline.StatusActive), "agency-a"))}
		}, "is not its originator's"},
		{"plants a listing under another agency's name", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-d:1", listingOf("agency-d", "agency-d:1", "Innocent Person", 1, tripline.StatusActive))}
		}, "is not \"agency-a\""},
		{"sends a high version of a listing its originator has not sent yet", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-b:2", claim(listingOf("agency-b", "agency-b:2", "Innocent Person", 1000, tripline.StatusActive), "agency-a"))}
		}, "is not its originator's"},
		{"sends a high version of another partner's listing", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-b:1", listingOf("agency-b", "agency-b:1", "Bartholomew Partner", 1000, tripline.StatusActive))}
		}, "owned by origin \"B\""},
		{"withdraws another partner's document alert", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventDocumentAlertWithdrawn, "agency-b:TUR:U1234", alertOf("agency-b", 9, tripline.StatusWithdrawn))}
		}, "owned by origin \"B\""},
		{"a payload that is not the event's subject", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-a:5", listingOf("agency-a", "agency-a:6", "Someone Else", 1, tripline.StatusActive))}
		}, "not the event's subject"},
		{"an upsert event carrying a withdrawn listing", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-a:5", listingOf("agency-a", "agency-a:5", "Someone Else", 1, tripline.StatusWithdrawn))}
		}, "contradicts the event type"},
		{"an invalid payload: birth date 2026-13-45", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventListingUpserted, "agency-a:7", badDate)}
		}, "birth_dates[0]: month 13 out of range"},
		{"a clearance that would silence a hit here", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventClearance, "cl-1", tripline.Clearance{ID: "cl-1", Listing: "agency-b:1", Name: "Bartholomew Partner"})}
		}, "not a shared clearance"},
		{"a shared clearance for another origin's listing", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.event(t, tripline.EventClearance, "shr-1", tripline.Clearance{ID: "shr-1", Listing: "agency-b:1", Shared: true,
				DocCountry: "NLD", DocNumber: "X1", DOB: tripline.PartialDate{Year: 1970}})}
		}, "only its originator shares a clearance"},
		{"a placeholder for another partner's listing", func(t *testing.T, a *signer) []*tripline.Event {
			return []*tripline.Event{a.sign(t, &tripline.Event{Type: tripline.EventListingUpserted, Subject: "agency-b:1", Redacted: true, Digest: strings.Repeat("ab", 32)})}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newTrustWorld(t)
			before := w.state(t)
			w.apply(t, "A", tc.events(t, w.a)...)
			if after := w.state(t); after != before {
				t.Fatalf("state changed:\nbefore %s\nafter  %s", before, after)
			}
			if len(w.published) != 0 {
				t.Fatalf("%d refused events reached the index: %v", len(w.published), w.published[0].Subject)
			}
			refused := w.audit.refused()
			switch {
			case tc.refused == "" && len(refused) != 0:
				t.Fatalf("a quiet no-op was audited as refused: %+v", refused)
			case tc.refused != "" && (len(refused) != 1 || !strings.Contains(detailError(refused[0]), tc.refused)):
				t.Fatalf("audited refusals = %+v, want one saying %q", refused, tc.refused)
			case tc.refused != "" && !strings.Contains(w.logs.String(), "rejected a partner's event"):
				t.Fatalf("the refusal is not logged:\n%s", w.logs.String())
			}

			// The feed goes on: A's own next listing applies, and so do the
			// real originator's updates.
			w.apply(t, "A", w.a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Abelard Attacker", 1, tripline.StatusActive)))
			w.apply(t, "B",
				w.b.event(t, tripline.EventListingUpserted, "agency-b:1", listingOf("agency-b", "agency-b:1", "Bartholomew Renamed", 2, tripline.StatusActive)),
				w.b.event(t, tripline.EventListingUpserted, "agency-b:2", listingOf("agency-b", "agency-b:2", "Second Listing", 1, tripline.StatusActive)),
				w.b.event(t, tripline.EventDocumentAlertWithdrawn, "agency-b:TUR:U1234", alertOf("agency-b", 2, tripline.StatusWithdrawn)))
			ctx := context.Background()
			for id, want := range map[string]string{"agency-a:1": "Abelard Attacker", "agency-b:1": "Bartholomew Renamed", "agency-b:2": "Second Listing",
				"agency-c:1": "Casimir Local", "un-sc:QDi.1": "Ulrich Unlisted"} {
				l, err := sqlstore.NewListingService(w.db).Listing(ctx, id)
				if err != nil || l.PrimaryName() != want || l.Status != tripline.StatusActive {
					t.Errorf("%s = %v, %v; want %q, active", id, l, err, want)
				}
			}
			as, _ := sqlstore.NewDocumentAlertService(w.db).DocumentAlerts(ctx, tripline.AlertFilter{})
			if len(as) != 1 || as[0].Status != tripline.StatusWithdrawn || as[0].Version != 2 {
				t.Errorf("B's alert after B withdrew it: %+v", as)
			}
		})
	}
}

// TestTrimmedListingApplies: a listing trimmed for a partner allowed only
// to screen (no action) is still valid input there.
func TestTrimmedListingApplies(t *testing.T) {
	w := newTrustWorld(t)
	ev := w.a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Abelard Screened", 1, tripline.StatusActive))
	trimmed, err := ev.Trim(tripline.PartnerTrim(tripline.LevelScreen))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(trimmed.Payload), "refuse_entry") {
		t.Fatalf("not trimmed: %s", trimmed.Payload)
	}
	w.apply(t, "A", trimmed)
	if _, err := sqlstore.NewListingService(w.db).Listing(context.Background(), "agency-a:1"); err != nil || len(w.audit.refused()) != 0 {
		t.Fatalf("trimmed listing: %v, refusals %+v", err, w.audit.refused())
	}
}

// TestRelayedEventJudgedByItsOrigin: B relays A's events; they are judged
// by A's agency (the signer), so B cannot pass off its own events as A's,
// and A's relayed listing applies.
func TestRelayedEventJudgedByItsOrigin(t *testing.T) {
	w := newTrustWorld(t)
	w.apply(t, "B", w.a.event(t, tripline.EventListingUpserted, "agency-a:1", listingOf("agency-a", "agency-a:1", "Relayed Person", 1, tripline.StatusActive)))
	l, err := sqlstore.NewListingService(w.db).Listing(context.Background(), "agency-a:1")
	if err != nil || l.PrimaryName() != "Relayed Person" || len(l.Provenance.Chain) == 0 || l.Provenance.Chain[0] != "B" {
		t.Fatalf("relayed listing = %+v, %v", l, err)
	}
	// A relaying B's listing under A's name is refused: B's key did not sign it.
	w.apply(t, "B", w.a.event(t, tripline.EventListingUpserted, "agency-b:9", listingOf("agency-b", "agency-b:9", "Not By B", 1, tripline.StatusActive)))
	if _, err := sqlstore.NewListingService(w.db).Listing(context.Background(), "agency-b:9"); tripline.ErrorCode(err) != tripline.ENOTFOUND {
		t.Fatalf("agency-b:9 signed by A applied: %v", err)
	}
}

// TestStoredEventsWakeTheFeed: a relay stores a partner's events that change
// nothing here (an acknowledgement of an encounter); its own partners
// long-polling for that origin must still be woken, or they wait out the
// whole long-poll for them.
func TestStoredEventsWakeTheFeed(t *testing.T) {
	w := newTrustWorld(t)
	w.peer.Notifier = federation.NewNotifier()
	woken := w.peer.Notifier.Wait()
	w.apply(t, "A", w.a.event(t, tripline.EventEncounterUpdated, "enc-1", map[string]string{"id": "enc-1", "outcome": "admitted"}))
	select {
	case <-woken:
	default:
		t.Fatal("storing a partner's event did not wake the feed")
	}
}
