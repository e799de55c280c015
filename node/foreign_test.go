package node

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
	"tripline/storetest"
)

// partnerEvents numbers a partner's events from seq 1, as the store takes
// them after its caller verified them (no signature needed here).
type partnerEvents struct {
	origin string
	seq    int64
}

func (p *partnerEvents) event(t *testing.T, typ tripline.EventType, subject string, payload any) *tripline.Event {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	p.seq++
	return &tripline.Event{Origin: p.origin, Seq: p.seq, Type: typ, Subject: subject, Payload: b, At: time.Now().UTC()}
}

// A partner's events the store refuses (the trust rules) change nothing in
// the running node either, though they stay in the log and the node tails
// it: this node's own listing still screens as itself, a listing planted
// under this node's agency never hits, this node's own document alert is
// not withdrawn, a clearance or refusal the partner may not make is not
// applied; after a restart from the index snapshot too. The partner's own
// listing, and later updates by each originator, are applied.
func TestRefusedPartnerEventsNotApplied(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	build := func(n *Node) { n.Build, n.StoreID = "build-test", "store-test" }
	n := startTestNodeWith(t, dir, build)
	own := storetest.Listing("agency-test", "1", "Original Person")
	if _, err := n.Listings.PutListing(ctx, own); err != nil {
		t.Fatal(err)
	}
	alert := &tripline.DocumentAlert{ID: tripline.DocumentAlertID("agency-test", "TUR", "U1234"), Source: "agency-test", Country: "TUR",
		Number: "U1234", Kind: tripline.AlertStolen, Action: tripline.ActionDetain, Provenance: tripline.Provenance{Originator: "agency-test"}}
	if _, err := n.Alerts.PutDocumentAlert(ctx, alert); err != nil {
		t.Fatal(err)
	}
	if err := n.Fed.PutPartner(ctx, &tripline.Partner{ID: "P", Agency: "agency-p", PublicKey: "k"}); err != nil {
		t.Fatal(err)
	}
	p := &partnerEvents{origin: "P"}
	listing := func(source, id, name, originator string, version int64) *tripline.Listing {
		l := storetest.Listing(source, id, name)
		l.Provenance.Originator, l.Version, l.Status = originator, version, tripline.StatusActive
		return l
	}
	forgedAlert := *alert
	forgedAlert.Status, forgedAlert.Version = tripline.StatusWithdrawn, 99
	clearance := &tripline.Clearance{ID: "clr-forged", Listing: own.ID, DocCountry: "IRQ", DocNumber: "A1", DOB: tripline.PartialDate{Year: 1975, Month: 3},
		Shared: true, ListingVersion: 1, At: time.Now().UTC()}
	refusal := &tripline.Refusal{ID: "ref-forged", Name: "Innocent Traveller", Document: tripline.Document{Type: "P", Number: "B1", Country: "IRQ"}, At: time.Now().UTC()}
	evs := []*tripline.Event{
		// Taken: the partner's own listing (published as it commits).
		p.event(t, tripline.EventListingUpserted, "agency-p:1", listing("agency-p", "1", "Partner Person", "agency-p", 1)),
		// Refused, and last in the batch: only the tail reads them.
		p.event(t, tripline.EventListingUpserted, own.ID, listing("agency-test", "1", "Forged Replacement", "agency-test", 99)),
		p.event(t, tripline.EventListingUpserted, "agency-test:planted", listing("agency-test", "planted", "Planted Innocent", "agency-test", 1)),
		p.event(t, tripline.EventDocumentAlertWithdrawn, alert.ID, &forgedAlert),
		p.event(t, tripline.EventClearance, clearance.ID, clearance),
		p.event(t, tripline.EventRefusal, refusal.ID, refusal),
	}
	res, err := n.Fed.ApplyForeign(ctx, "P", evs)
	if err != nil || len(res.Stored) != len(evs) || len(res.Rejected) != len(evs)-1 {
		t.Fatalf("ApplyForeign = %+v, %v; want %d stored, all but the first rejected", res, err, len(evs))
	}
	// The tail has read the partner's log to its head.
	waitFor(t, func() bool { cur, _ := n.foreign.next("P"); return cur == p.seq })

	officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: n.Agency, Role: tripline.RoleOfficer})
	hits := func(name string) []string {
		t.Helper()
		r, err := n.Screener.Screen(officer, &tripline.Traveller{Ref: "t", Name: name})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range r.Matches {
			ids = append(ids, m.Listing)
		}
		return ids
	}
	check := func(when, ownName string, ownVersion int64, partnerName string) {
		t.Helper()
		if l := n.Index.Listing(own.ID); l == nil || l.PrimaryName() != ownName || l.Version != ownVersion {
			t.Fatalf("%s: own listing indexed as %+v; want %q v%d", when, l, ownName, ownVersion)
		}
		if got := hits(ownName); !slices.Contains(got, own.ID) {
			t.Fatalf("%s: screening %q hits %v; want %s", when, ownName, got, own.ID)
		}
		if got := hits("Planted Innocent"); slices.Contains(got, "agency-test:planted") || n.Index.Listing("agency-test:planted") != nil {
			t.Fatalf("%s: the planted listing is indexed (screening hits %v)", when, got)
		}
		if l := n.Index.Listing("agency-p:1"); l == nil || l.PrimaryName() != partnerName {
			t.Fatalf("%s: the partner's own listing indexed as %+v; want %q", when, l, partnerName)
		}
		if a := n.Screener.Alerts.Get(alert.ID); a == nil || a.Status != tripline.StatusActive {
			t.Fatalf("%s: own document alert = %+v; want it active", when, a)
		}
		cs, rs := n.Screener.Redress.IDs()
		if slices.Contains(cs, clearance.ID) || slices.Contains(rs, refusal.ID) {
			t.Fatalf("%s: redress holds clearances %v, refusals %v; want neither of the partner's", when, cs, rs)
		}
	}
	check("after the refused events", "Original Person", 1, "Partner Person")

	// Each originator's later update applies: this node's own, and the
	// partner's of its listing.
	own.Names[0].Full = "Original Person Renamed"
	if _, err := n.Listings.PutListing(ctx, own); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Fed.ApplyForeign(ctx, "P", []*tripline.Event{
		p.event(t, tripline.EventListingUpserted, "agency-p:1", listing("agency-p", "1", "Partner Person Renamed", "agency-p", 2))}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { l := n.Index.Listing("agency-p:1"); return l != nil && l.Version == 2 })
	check("after the originators' updates", "Original Person Renamed", 2, "Partner Person Renamed")

	// The index snapshot written now, and a start from it, hold the same.
	head, err := sqlstore.NewListingChanges(n.DB).Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n.writeSnapshotLater(dir, n.Build, head, false, false)
	n.snapWG.Wait()
	n.Close()
	n = startTestNodeWith(t, dir, build)
	check("after a start from the snapshot", "Original Person Renamed", 2, "Partner Person Renamed")

	// A range of the partner's may drop what it gave this node, never what
	// another partner did: Q's document alert stays, though P's range
	// names it beside P's own listing.
	if err := n.Fed.PutPartner(ctx, &tripline.Partner{ID: "Q", Agency: "agency-q", PublicKey: "k"}); err != nil {
		t.Fatal(err)
	}
	qAlert := &tripline.DocumentAlert{ID: tripline.DocumentAlertID("agency-q", "TUR", "U5678"), Source: "agency-q", Country: "TUR", Number: "U5678",
		Kind: tripline.AlertStolen, Action: tripline.ActionDetain, Provenance: tripline.Provenance{Originator: "agency-q"}, Status: tripline.StatusActive, Version: 1}
	q := &partnerEvents{origin: "Q"}
	if _, err := n.Fed.ApplyForeign(ctx, "Q", []*tripline.Event{q.event(t, tripline.EventDocumentAlert, qAlert.ID, qAlert)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Screener.Alerts.Get(qAlert.ID) != nil })
	p.seq++
	rng := &tripline.Event{Origin: "P", Seq: p.seq, RangeFrom: p.seq, Type: tripline.EventListingUpserted, Subject: "agency-p:1", Redacted: true,
		Digest: "d", At: time.Now().UTC(), Drops: []tripline.EventRef{{Type: tripline.EventDocumentAlert, Subject: qAlert.ID}}}
	if _, err := n.Fed.ApplyForeign(ctx, "P", []*tripline.Event{rng}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing("agency-p:1") == nil })
	if n.Screener.Alerts.Get(qAlert.ID) == nil {
		t.Fatal("partner P's range dropped partner Q's document alert from screening")
	}
}
