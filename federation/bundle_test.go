package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// gapped is a node that knows its partners by key only: everything
// between them travels by bundle.
type gapped struct {
	peer    *federation.Peer
	store   *sqlstore.FederationStore
	reports map[string]*tripline.Encounter // what reached it as the originator
	updates []*tripline.EncounterUpdate
}

func newGapped(t *testing.T, id string) (*gapped, ed25519.PublicKey) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	store := sqlstore.NewFederationStore(mustDB(t, id))
	return &gapped{peer: federation.NewPeer(id, priv, store, quiet()), store: store, reports: map[string]*tripline.Encounter{}}, pub
}

func (g *gapped) know(t *testing.T, id, agency string, pub ed25519.PublicKey) {
	t.Helper()
	if err := g.store.PutPartner(context.Background(), &tripline.Partner{ID: id, Agency: agency, PublicKey: federation.PublicKeyString(pub)}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.peer.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// recv takes reports as a node's Service does.
func (g *gapped) recv(ctx context.Context, from string, sr *federation.SignedReport) (string, error) {
	return g.peer.Receive(ctx, from, sr, func(e *tripline.Encounter) error {
		g.reports[e.ID] = e
		return nil
	}, func(u *tripline.EncounterUpdate, _ string) error {
		g.updates = append(g.updates, u)
		return nil
	})
}

// export writes g's next bundle for partner to.
func (g *gapped) export(t *testing.T, to string, evs []*tripline.Event) string {
	t.Helper()
	b, err := g.peer.PrepareBundle(context.Background(), to, evs)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := g.peer.WriteBundle(&buf, b); err != nil {
		t.Fatal(err)
	}
	if err := g.peer.BundleWritten(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func (g *gapped) read(bundle string) (*federation.BundleResult, error) {
	return g.peer.ReadBundle(context.Background(), strings.NewReader(bundle), "b.tlb", g.recv)
}

func (g *gapped) status(t *testing.T, id string) string {
	t.Helper()
	rs, err := g.store.Reports(context.Background(), tripline.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ID == id {
			return r.Status
		}
	}
	return ""
}

// TestBundleBothWays: A's listings reach air-gapped B by bundle; B's
// encounter report comes back by bundle; A's acknowledgement goes to B the
// same way with A's receipt, and B's outcome returns to A. Nothing needs
// a network link, and each node learns its report was delivered.
func TestBundleBothWays(t *testing.T) {
	ctx := context.Background()
	a, pubA := newGapped(t, "A")
	b, pubB := newGapped(t, "B")
	a.know(t, "B", "agency-b", pubB)
	b.know(t, "A", "agency-a", pubA)

	// Events out, A → B.
	evs := signedEvents(t, "A", a.peer.Priv, 1, 3)
	res, err := b.read(a.export(t, "B", evs))
	if err != nil || res.Events != 3 || res.Seq != 1 {
		t.Fatalf("A's first bundle at B = %+v, %v", res, err)
	}

	// B hits agency-a:2: its report waits in B's outbox for a bundle.
	e := &tripline.Encounter{ID: "enc-b-1", Listing: "agency-a:2", Agency: "agency-b", Originator: "agency-a", Node: "B"}
	if err := b.peer.QueueEncounter(ctx, e, "A", "A"); err != nil {
		t.Fatal(err)
	}
	b.peer.Deliver(ctx) // no address: nothing tried, nothing lost
	if got := b.status(t, "enc-b-1"); got != tripline.ReportPending {
		t.Fatalf("B's report before any bundle: %q", got)
	}
	back := b.export(t, "A", nil)
	if got := b.status(t, "enc-b-1"); got != tripline.ReportSent {
		t.Fatalf("B's report once bundled: %q, want sent", got)
	}
	if res, err := a.read(back); err != nil || res.Reports != 1 {
		t.Fatalf("B's bundle at A = %+v, %v", res, err)
	}
	if a.reports["enc-b-1"] == nil {
		t.Fatal("B's report is not in A's queue")
	}

	// A acknowledges: the update is routed to B by bundle, with the receipt.
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ack := &tripline.EncounterUpdate{ID: "enc-b-1", Kind: tripline.UpdateAck, Acknowledged: &at}
	if err := a.peer.QueueUpdate(ctx, ack.Key(), ack, "B"); err != nil {
		t.Fatalf("an update for an air-gapped partner: %v", err)
	}
	res, err = b.read(a.export(t, "B", nil))
	if err != nil || res.Reports != 1 || res.Receipt != 1 || res.Seq != 2 {
		t.Fatalf("A's second bundle at B = %+v, %v", res, err)
	}
	if len(b.updates) != 1 || b.updates[0].Kind != tripline.UpdateAck {
		t.Fatalf("B's updates: %+v", b.updates)
	}
	if got := b.status(t, "enc-b-1"); got != tripline.ReportAcknowledged {
		t.Fatalf("B's report after A's receipt: %q", got)
	}

	// B's outcome goes back; A's update is receipted; B's next bundle no
	// longer carries its report.
	out := &tripline.EncounterUpdate{ID: "enc-b-1", Kind: tripline.UpdateOutcome, Outcome: tripline.OutcomeDetained, Note: "held"}
	if err := b.peer.QueueUpdate(ctx, out.Key(), out, "A"); err != nil {
		t.Fatal(err)
	}
	third := b.export(t, "A", nil)
	if strings.Contains(third, `"kind":"update"`) != true || strings.Count(third, `"report":`) != 2 {
		t.Fatalf("B's bundle should hold its outcome and its receipt only:\n%s", third)
	}
	if res, err := a.read(third); err != nil || res.Reports != 1 || res.Receipt != 1 {
		t.Fatalf("B's outcome at A = %+v, %v", res, err)
	}
	if len(a.updates) != 1 || a.updates[0].Outcome != tripline.OutcomeDetained {
		t.Fatalf("A's updates: %+v", a.updates)
	}
	if got := a.status(t, ack.Key()); got != tripline.ReportAcknowledged {
		t.Fatalf("A's acknowledgement after B's receipt: %q", got)
	}

	// Replayed: refused, naming the numbers; nothing applied twice.
	if _, err := a.read(back); tripline.ErrorCode(err) != tripline.ECONFLICT || !strings.Contains(err.Error(), "last imported: 2") {
		t.Fatalf("an old bundle again = %v", err)
	}
	if len(a.updates) != 1 {
		t.Fatalf("a refused replay changed A: %+v", a.updates)
	}
}

// TestBundleHostile: bundles altered, cut, misaddressed, from a stranger
// or a suspended partner, or carrying a report someone else signed, are
// refused with an error naming what is wrong, and apply nothing.
func TestBundleHostile(t *testing.T) {
	ctx := context.Background()
	a, pubA := newGapped(t, "A")
	b, pubB := newGapped(t, "B")
	c, pubC := newGapped(t, "C")
	a.know(t, "B", "agency-b", pubB)
	b.know(t, "A", "agency-a", pubA)
	c.know(t, "A", "agency-a", pubA)

	e := &tripline.Encounter{ID: "enc-b-9", Listing: "agency-a:1", Agency: "agency-b", Originator: "agency-a", Node: "B"}
	if err := b.peer.QueueEncounter(ctx, e, "A", "A"); err != nil {
		t.Fatal(err)
	}
	good := b.export(t, "A", nil)
	// A report B cannot have signed (C's, altered), in a bundle B signs.
	forged := func() string {
		rs, _ := b.store.Reports(ctx, tripline.ReportFilter{})
		var sr federation.SignedReport
		if err := json.Unmarshal(rs[0].Body, &sr); err != nil {
			t.Fatal(err)
		}
		sr.From = "C"
		raw, _ := json.Marshal(&sr)
		var buf strings.Builder
		if err := b.peer.WriteBundle(&buf, &federation.Bundle{To: "A", Seq: 50, Reports: []*tripline.Report{{ID: "f", Body: raw}}}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}()
	a.know(t, "C", "agency-c", pubC)
	stranger, _ := newGapped(t, "C")
	stranger.know(t, "A", "agency-a", pubA)
	cToA := stranger.export(t, "A", nil) // signed with a key A does not know for C
	cases := []struct {
		name, bundle, want string
	}{
		{"tampered", strings.Replace(good, `"enc-b-9"`, `"enc-b-8"`, 1), "does not verify"},
		{"truncated", good[:strings.LastIndex(strings.TrimSuffix(good, "\n"), "\n")+1], "truncated"},
		{"empty", "", "not a Tripline bundle"},
		{"not a bundle", "hello\n", "not a Tripline bundle"},
		{"old format", `{"tripline_bundle":1,"from":"B","to":"A"}` + "\n", "format 1"},
		{"from a stranger", cToA, `signature of "C"`},
		{"report forged inside", forged, `report: signature of "C" does not verify`},
		{"data after the trailer", good + "{}\n", "no trailer at the end"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := a.read(tc.bundle)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "b.tlb") {
				t.Fatalf("= %+v, %v; want an error naming the file and %q", res, err, tc.want)
			}
			if len(a.reports) != 0 {
				t.Fatalf("a refused bundle delivered %v", a.reports)
			}
		})
	}
	// Addressed to another node: refused at C, which knows B's signer not.
	c.know(t, "B", "agency-b", pubB)
	if _, err := c.read(good); err == nil || !strings.Contains(err.Error(), `addressed to "A", this node is "C"`) {
		t.Fatalf("A's bundle at C = %v", err)
	}
	// A suspended partner's bundle is refused; resumed, it applies.
	if err := a.store.SetPartnerStatus(ctx, "B", tripline.PartnerSuspended); err != nil {
		t.Fatal(err)
	}
	if _, err := a.read(good); tripline.ErrorCode(err) != tripline.EFORBIDDEN {
		t.Fatalf("a suspended partner's bundle = %v", err)
	}
	if err := a.store.SetPartnerStatus(ctx, "B", tripline.PartnerActive); err != nil {
		t.Fatal(err)
	}
	if res, err := a.read(good); err != nil || res.Reports != 1 {
		t.Fatalf("the good bundle = %+v, %v", res, err)
	}
	// A's receipt reaches B in A's next bundle.
	if _, err := b.read(a.export(t, "B", nil)); err != nil {
		t.Fatal(err)
	}
	if got := b.status(t, "enc-b-9"); got != tripline.ReportAcknowledged {
		t.Fatalf("enc-b-9 at B: %q", got)
	}
}

// TestBundleReceiptOnlyFromNextHop: a receipt marks delivered only a report
// this node handed to the receipt's sender: A's receipt for a report B
// routed to D changes nothing at B.
func TestBundleReceiptOnlyFromNextHop(t *testing.T) {
	ctx := context.Background()
	a, pubA := newGapped(t, "A")
	b, pubB := newGapped(t, "B")
	a.know(t, "B", "agency-b", pubB)
	b.know(t, "A", "agency-a", pubA)
	if err := b.peer.QueueEncounter(ctx, &tripline.Encounter{ID: "enc-x", Node: "B"}, "D", "D"); err != nil {
		t.Fatal(err)
	}
	// The same id handed to A (by B's key, from another store), so that A
	// owes B a receipt for it.
	other := federation.NewPeer("B", b.peer.Priv, sqlstore.NewFederationStore(mustDB(t, "B")), quiet())
	twin := &gapped{peer: other, store: other.Store.(*sqlstore.FederationStore)}
	twin.know(t, "A", "agency-a", pubA)
	if err := other.QueueEncounter(ctx, &tripline.Encounter{ID: "enc-x", Node: "B"}, "A", "A"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.read(twin.export(t, "A", nil)); err != nil {
		t.Fatal(err)
	}
	res, err := b.read(a.export(t, "B", nil))
	if err != nil || res.Receipt != 1 {
		t.Fatalf("A's receipt at B = %+v, %v", res, err)
	}
	if got := b.status(t, "enc-x"); got == tripline.ReportAcknowledged {
		t.Fatal("A's receipt acknowledged a report B routed to D")
	}
}
