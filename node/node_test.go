package node

import (
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/match"
	"tripline/retro"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// testNode is a started runtime on a SQLite store in dir, wired as the
// command wires it (less policy and federation).
type testNode struct {
	*Node
	t *testing.T
	// at, when set, is the node's clock: the runtime's goroutines read
	// it while a test moves it (setNow).
	at *atomic.Pointer[time.Time]
}

// setNow sets the node's clock to at, safely for its running goroutines.
func (n *testNode) setNow(at time.Time) { n.at.Store(&at) }

// startTestNode opens dir's store and starts a runtime on it; retroQueue
// 0 is the default.
func startTestNode(t *testing.T, dir string, retroQueue int) *testNode {
	t.Helper()
	return startTestNodeWith(t, dir, func(n *Node) { n.RetroQueue = retroQueue })
}

// startTestNodeWith is startTestNode with set applied before the start.
func startTestNodeWith(t *testing.T, dir string, set func(*Node)) *testNode {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(dir, "tripline.db"))
	db.Origin = "node-test"
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	n := New(db, slog.New(slog.DiscardHandler))
	n.Agency = "agency-test"
	n.Index = match.NewIndex(match.Options{})
	n.Retro = retro.New(match.TableKeys, match.Variants, match.Score, n.Index.Thresholds().Review)
	n.Screener = screening.NewService(n.Index)
	n.Screener.Listing = n.Index.Listing
	n.Screener.Redress = screening.NewRedress(match.CompareNames)
	n.Screener.Encounters = n.Encounters
	n.Screener.Origin = db.Origin
	n.Screener.Now = func() time.Time { return n.Now() }
	at := new(atomic.Pointer[time.Time])
	n.Now = func() time.Time {
		if t := at.Load(); t != nil {
			return *t
		}
		return time.Now()
	}
	set(n)
	if err := n.Start(t.Context(), dir); err != nil {
		db.Close()
		t.Fatal(err)
	}
	tn := &testNode{n, t, at}
	t.Cleanup(func() { tn.Close() })
	return tn
}

// Close stops the runtime and closes its store; a second Close does nothing.
func (n *testNode) Close() {
	if n.DB == nil {
		return
	}
	n.Stop()
	n.DB.Close()
	n.DB = nil
}

// waitFor polls cond until it holds, failing t after a generous deadline
// (the machine is busy: no fixed sleeps).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 30 s")
		}
	}
}

// The index follows the log: a listing put by this process is indexed as
// it commits, a withdrawal takes it out, and a change written by another
// process on the same store (a command-line import) arrives by the tail.
func TestIndexFollowsTheLog(t *testing.T) {
	ctx := t.Context()
	n := startTestNode(t, t.TempDir(), 0)
	if !n.Ready() {
		t.Fatal("a started node is not ready")
	}
	if _, err := n.Listings.PutListing(ctx, storetest.Listing("local", "1", "Zebulon Quartermaine")); err != nil {
		t.Fatal(err)
	}
	if n.Index.Listing("local:1") == nil {
		t.Fatal("a committed listing is not in the index")
	}
	other := storetest.Reopen(t, n.DB)
	if _, err := sqlstore.NewListingService(other).PutListing(ctx, storetest.Listing("local", "2", "Ottoline Barnaby")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing("local:2") != nil })
	if _, err := sqlstore.NewListingService(other).WithdrawListing(ctx, "local:1", "delisted"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing("local:1") == nil })
	// An older version arriving late (events of two transactions published
	// out of order) does not bring the withdrawn listing back.
	old := storetest.Listing("local", "1", "Zebulon Quartermaine")
	old.Version = 1
	if n.upsert(old) || n.Index.Listing("local:1") != nil {
		t.Fatal("a stale version was applied over the withdrawal")
	}
}

// A restart loads what the store holds: active listings into the index,
// withdrawn ones not.
func TestStartLoadsTheStore(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	n := startTestNode(t, dir, 0)
	ls := []*tripline.Listing{storetest.Listing("local", "1", "Zebulon Quartermaine"), storetest.Listing("local", "2", "Ottoline Barnaby")}
	if _, err := n.Listings.ImportListings(ctx, "local", tripline.Records(ls)); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listings.WithdrawListing(ctx, "local:2", "delisted"); err != nil {
		t.Fatal(err)
	}
	n.Close()
	n = startTestNode(t, dir, 0)
	if n.Index.Listing("local:1") == nil || n.Index.Listing("local:2") != nil {
		t.Fatalf("after a restart: local:1 indexed %v, local:2 indexed %v; want true, false",
			n.Index.Listing("local:1") != nil, n.Index.Listing("local:2") != nil)
	}
}

// Expiry: a listing past its valid-until date leaves the index with an
// event of its own, from the runtime's expiry pass.
func TestExpiry(t *testing.T) {
	ctx := t.Context()
	n := startTestNode(t, t.TempDir(), 0)
	l := storetest.Listing("local", "1", "Zebulon Quartermaine")
	until := time.Now().Add(time.Hour)
	l.ValidUntil = &until
	if _, err := n.Listings.PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	n.setNow(until.Add(time.Minute))
	n.expire(ctx)
	if n.Index.Listing("local:1") != nil {
		t.Fatal("an expired listing is still in the index")
	}
	got, err := n.Listings.Listing(ctx, "local:1")
	if err != nil || got.Status != tripline.StatusExpired {
		t.Fatalf("stored listing = %+v, %v; want expired", got, err)
	}
}

// Purge: travellers past the retention window leave memory and the store.
func TestPurge(t *testing.T) {
	ctx := t.Context()
	n := startTestNode(t, t.TempDir(), 0)
	now := time.Now()
	old := now.Add(-n.Retro.Window - time.Hour)
	if err := n.Travellers.Save(ctx, []sqlstore.Seen{{Traveller: &tripline.Traveller{Ref: "old", Name: "Ottoline Barnaby"}, At: old},
		{Traveller: &tripline.Traveller{Ref: "new", Name: "Zebulon Quartermaine"}, At: now}}); err != nil {
		t.Fatal(err)
	}
	n.Retro.Add(&tripline.Traveller{Ref: "old", Name: "Ottoline Barnaby"}, old)
	n.purge(ctx)
	var refs []string
	if err := n.Travellers.Each(ctx, old.Add(-time.Hour), func(s sqlstore.Seen) { refs = append(refs, s.Traveller.Ref) }); err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0] != "new" {
		t.Fatalf("stored travellers after the purge: %v, want [new]", refs)
	}
}

// A node with a short retention window (an agency whose law allows hours,
// not 30 days) purges as often as a segment of it fills, not hourly: a
// traveller past the window leaves memory and disk within seconds.
func TestPurgeFollowsTheWindow(t *testing.T) {
	ctx := t.Context()
	n := startTestNodeWith(t, t.TempDir(), func(n *Node) { n.Retro.Window, n.Retro.Segment = time.Minute, 2*time.Second })
	officer := tripline.WithIdentity(ctx, &tripline.Identity{User: "o", Agency: n.Agency, Role: tripline.RoleOfficer})
	if _, err := n.Screener.Screen(officer, &tripline.Traveller{Ref: "t1", Name: "Ottoline Barnaby"}); err != nil {
		t.Fatal(err)
	}
	stored := func() int {
		k := 0
		if err := n.Travellers.Each(ctx, time.Now().Add(-time.Hour), func(sqlstore.Seen) { k++ }); err != nil {
			t.Fatal(err)
		}
		return k
	}
	waitFor(t, func() bool { return stored() == 1 && n.Retro.Len() == 1 })
	n.setNow(time.Now().Add(5 * time.Minute)) // the traveller is past the window
	waitFor(t, func() bool { return stored() == 0 && n.Retro.Len() == 0 })
}

// The purge also erases the traveller from resolved encounters past their
// retention, and a rejected tip's reporter and subject, and removes the
// clearances that lapsed (their listing
// changed) once older than a false positive's retention; the store's
// contract suite covers the details.
func TestPurgeErasesEncounters(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	n := startTestNode(t, dir, 0)
	l := storetest.Listing("local", "1", "Ottoline Barnaby")
	if _, err := n.Listings.PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing(l.ID) != nil })
	traveller := tripline.Traveller{Ref: "fp", Name: "Ottoline Barnaby", DOB: tripline.PartialDate{Year: 1975, Month: 3, Day: 1},
		Document: &tripline.Document{Type: "P", Number: "N1", Country: "GBR"}}
	e, err := n.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: l.ID, Originator: "local", Decision: tripline.DecisionHit, Traveller: traveller})
	if err != nil {
		t.Fatal(err)
	}
	if _, clr, err := n.Encounters.ResolveEncounter(ctx, e.ID, tripline.Resolution{Outcome: tripline.OutcomeFalsePositive},
		n.Index.Listing(l.ID).ContentHash()); err != nil || clr == nil {
		t.Fatalf("resolve = %v, %v; want a clearance", clr, err)
	}
	n.purge(ctx) // the node's default keeps them
	if got, _ := n.Encounters.Encounter(ctx, e.ID); got == nil || got.Erased != nil {
		t.Fatalf("erased without a retention: %+v", got)
	}
	tips := sqlstore.NewTipService(n.DB)
	tip := &tripline.Tip{ID: tripline.NewTipID(), Agency: "local", Channel: tripline.ChannelHotline, Text: "seen at the port",
		Reporter: tripline.Reporter{Name: "a neighbour"}, Subject: tripline.TipSubject{Name: "Ottoline Barnaby"}}
	if _, err := tips.CreateTip(ctx, tip, tip.ProvisionalListing(time.Now(), tripline.DefaultTipTTL)); err != nil {
		t.Fatal(err)
	}
	if _, err := tips.DecideTip(ctx, tip.ID, tripline.TipRejected, "sup", "unfounded", nil); err != nil {
		t.Fatal(err)
	}
	n.Close()
	n = startTestNodeWith(t, dir, func(n *Node) {
		n.EncounterRetention = tripline.EncounterRetention{FalsePositive: time.Nanosecond}
		n.Tips = sqlstore.NewTipService(n.DB)
	})
	n.purge(ctx)
	if got, err := n.Tips.Tip(ctx, tip.ID); err != nil || got.Erased == nil || got.Reporter.Name != "" {
		t.Fatalf("rejected tip past its retention: %+v, %v", got, err)
	}
	if got, _ := n.Encounters.Encounter(ctx, e.ID); got == nil || got.Erased == nil || got.Traveller.Name != "" {
		t.Fatalf("false positive past its retention: %+v", got)
	}
	clearances := func() int {
		cs, err := n.Encounters.Clearances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	if clearances() != 1 || n.Screener.Redress.Clearance(&traveller, n.Index.Listing(l.ID), n.Agency) == nil {
		t.Fatal("a clearance that still applies was removed")
	}
	l.Names[0].Full = "Ottoline Barnaby-Smythe"
	if _, err := n.Listings.PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing(l.ID).Names[0].Full != "Ottoline Barnaby" })
	n.purge(ctx)
	if clearances() != 0 {
		t.Fatal("a lapsed clearance older than the retention is kept")
	}
}

// A replica drops the clearances and refusals the writer's retention
// removed: the removal writes no event for it to tail.
func TestReplicaDropsWhatTheWriterRemoved(t *testing.T) {
	ctx := t.Context()
	n := startTestNodeWith(t, t.TempDir(), func(n *Node) { n.Replica = true })
	l := storetest.Listing("local", "1", "Ottoline Barnaby")
	if _, err := n.Listings.PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing(l.ID) != nil })
	traveller := func(doc string) tripline.Traveller {
		return tripline.Traveller{Ref: doc, Name: "Ottoline Barnaby", DOB: tripline.PartialDate{Year: 1975, Month: 3, Day: 1},
			Document: &tripline.Document{Type: "P", Number: doc, Country: "GBR"}}
	}
	resolve := func(doc string, o tripline.Outcome) {
		t.Helper()
		e, err := n.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: l.ID, Originator: "local", Decision: tripline.DecisionHit, Traveller: traveller(doc)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := n.Encounters.ResolveEncounter(ctx, e.ID, tripline.Resolution{Outcome: o}, n.Index.Listing(l.ID).ContentHash()); err != nil {
			t.Fatal(err)
		}
	}
	resolve("C1", tripline.OutcomeFalsePositive)
	resolve("R1", tripline.OutcomeRefused)
	resolve("C2", tripline.OutcomeFalsePositive)
	cleared := func(doc string) bool {
		tr := traveller(doc)
		return n.Screener.Redress.Clearance(&tr, n.Index.Listing(l.ID), n.Agency) != nil
	}
	returning := func() bool {
		tr := traveller("NEW")
		return n.Screener.Redress.Returning(&tr) != nil
	}
	waitFor(t, func() bool { return cleared("C1") && cleared("C2") && returning() }) // tailed from the log
	// The writer removes one clearance and the refusal, as its retention
	// does: in the store, with no event.
	cs, err := n.Encounters.Clearances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var c1 string
	for _, c := range cs {
		if c.DocNumber == "C1" {
			c1 = c.ID
		}
	}
	if k, err := n.Encounters.RemoveClearances(ctx, []string{c1}); err != nil || k != 1 {
		t.Fatalf("remove clearance %q = %d, %v", c1, k, err)
	}
	if x, err := n.Encounters.EraseEncounters(ctx, tripline.EncounterRetention{Refusal: time.Nanosecond}); err != nil || len(x.Refusals) != 1 {
		t.Fatalf("erase = %+v, %v; want the refusal removed", x, err)
	}
	if !cleared("C1") || !returning() {
		t.Fatal("the replica lost them before it synced: the check below proves nothing")
	}
	n.syncRedress(ctx)
	if cleared("C1") || returning() {
		t.Fatalf("after the sync: cleared %v, returning %v; want neither", cleared("C1"), returning())
	}
	if !cleared("C2") {
		t.Fatal("a clearance still in the store was dropped")
	}
}

// An encounter the store cannot take in time (busy with an import) goes
// to the pending queue and is recorded once the store is free.
func TestPendingEncounterRecordedLater(t *testing.T) {
	ctx := t.Context()
	n := startTestNode(t, t.TempDir(), 0)
	n.Screener.Pending(&tripline.Encounter{Listing: "local:1", Originator: "local", Decision: tripline.DecisionHit,
		Traveller: tripline.Traveller{Ref: "queued", Name: "Zebulon Quartermaine"}, At: time.Now(), Agency: "agency-test"})
	waitFor(t, func() bool {
		es, err := n.Encounters.Encounters(ctx, tripline.EncounterFilter{Listing: "local:1"})
		return err == nil && len(es) == 1 && es[0].Traveller.Ref == "queued"
	})
}

// Hooks see what the runtime applies: the listings (link analysis) and
// this node's encounters as they commit (federation reports).
func TestHooks(t *testing.T) {
	ctx := t.Context()
	n := startTestNode(t, t.TempDir(), 0)
	listings := make(chan string, 16)
	encounters := make(chan string, 16)
	n.OnListing = func(l *tripline.Listing) { listings <- l.ID }
	n.OnEncounter = func(e *tripline.Encounter) { encounters <- e.Listing }
	if _, err := n.Listings.PutListing(ctx, storetest.Listing("local", "1", "Zebulon Quartermaine")); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Encounters.CreateEncounter(ctx, &tripline.Encounter{Listing: "local:1", Originator: "local", Decision: tripline.DecisionHit,
		Traveller: tripline.Traveller{Ref: "t", Name: "Zebulon Quartermaine"}, At: time.Now(), Agency: "agency-test"}); err != nil {
		t.Fatal(err)
	}
	for ch, want := range map[chan string]string{listings: "local:1", encounters: "local:1"} {
		select {
		case got := <-ch:
			if got != want {
				t.Errorf("hook got %s, want %s", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("a hook never saw %s", want)
		}
	}
}
