package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tripline"
	"tripline/postgres"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// testDSN returns $TRIPLINE_TEST_POSTGRES on a fresh schema
// (storetest.PostgresDSN), skipping tb without it.
func testDSN(tb testing.TB) string {
	return storetest.PostgresDSN(tb, os.Getenv("TRIPLINE_TEST_POSTGRES"))
}

// MustOpenDB opens a PostgreSQL store on a fresh schema, closed (and the
// schema dropped) when tb ends.
func MustOpenDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	return mustOpen(tb, testDSN(tb))
}

func mustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db := postgres.NewDB(dsn)
	db.Origin = "node-test"
	if err := db.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db := MustOpenDB(t)
		return storetest.Store{
			Listings:   sqlstore.NewListingService(db),
			Events:     sqlstore.NewEventService(db),
			Encounters: sqlstore.NewEncounterService(db),
			Alerts:     sqlstore.NewDocumentAlertService(db),
			Tips:       sqlstore.NewTipService(db),
			Diffusions: sqlstore.NewDiffusionService(db),
			Origin:     db.Origin,
			SetNow:     func(now time.Time) { db.Now = func() time.Time { return now } },
		}
	})
}

// TestContractStores runs the contract of every other store on
// PostgreSQL: audit chain, identity, consent, federation, travellers, links.
func TestContractStores(t *testing.T) {
	storetest.RunDB(t, storetest.Engine{Open: func(t *testing.T) *sqlstore.DB { return MustOpenDB(t) }})
}

func TestReopenKeepsData(t *testing.T) {
	dsn := testDSN(t)
	db := mustOpen(t, dsn)
	if _, err := sqlstore.NewListingService(db).PutListing(t.Context(), storetest.Listing("s", "1", "Ali Hassan")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = mustOpen(t, dsn)
	if _, err := sqlstore.NewListingService(db).Listing(t.Context(), "s:1"); err != nil {
		t.Fatalf("after reopen (migrations must be idempotent): %v", err)
	}
}

// Several writers, on two handles as two replicas would have, must get
// consecutive sequence numbers with no gap or duplicate, chained in order.
func TestConcurrentPutsGapFree(t *testing.T) {
	dsn := testDSN(t)
	dbs := []*postgres.DB{mustOpen(t, dsn), mustOpen(t, dsn)}
	const writers, each = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := sqlstore.NewListingService(dbs[w%len(dbs)])
			for i := 0; i < each; i++ {
				// Every other write touches a listing shared by all writers,
				// so versions race too, not only sequence numbers.
				l := storetest.Listing("src", fmt.Sprintf("w%d-%d", w, i), "Person")
				if i%2 == 1 {
					l = storetest.Listing("src", "shared", fmt.Sprintf("Person %d %d", w, i))
				}
				if _, err := s.PutListing(t.Context(), l); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs := allEvents(t, sqlstore.NewEventService(dbs[0]), dbs[0].Origin)
	if len(evs) != writers*each {
		t.Fatalf("events = %d, want %d", len(evs), writers*each)
	}
	prev := ""
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: gap or duplicate", i, ev.Seq)
		}
		if got, err := ev.ChainNext(prev); err != nil || got != ev.Chain {
			t.Fatalf("event %d: chain %s, recomputed %s (%v)", ev.Seq, ev.Chain, got, err)
		}
		prev = ev.Chain
	}
	shared, err := sqlstore.NewListingService(dbs[1]).Listing(t.Context(), "src:shared")
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(writers * (each / 2)); shared.Version != want {
		t.Fatalf("shared listing version = %d, want %d (one per put)", shared.Version, want)
	}
}

// The same changes at the same times must give the same events, chain
// values (with the same salt keys) and signatures on both engines:
// partners verify either.
func TestChainMatchesSQLite(t *testing.T) {
	pg := MustOpenDB(t)
	lite := sqlite.NewDB(filepath.Join(t.TempDir(), "tripline.db"))
	lite.Origin = pg.Origin
	if err := lite.Open(); err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	sign := func(msg []byte) []byte { return []byte(fmt.Sprintf("sig:%x", msg)) }
	pg.Sign, lite.Sign = sign, sign
	// Nanoseconds: the chain hashes them, so the store must keep them.
	now := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	setNow := func(t time.Time) {
		pg.Now = func() time.Time { return t }
		lite.Now = func() time.Time { return t }
	}
	type stores struct {
		l tripline.ListingService
		a tripline.DocumentAlertService
	}
	run := func(s stores) {
		t.Helper()
		ctx := t.Context()
		setNow(now)
		if _, err := s.l.ImportListings(ctx, "un-sc", tripline.Records([]*tripline.Listing{storetest.Listing("un-sc", "b", "Omar Khan"),
			storetest.Listing("un-sc", "a", "Ali Hassan"), storetest.Listing("un-sc", "c", "Ivan Petrov")})); err != nil {
			t.Fatal(err)
		}
		setNow(now.Add(time.Second))
		l := storetest.Listing("x", "1", "Muhammad Abd al-Rahman")
		until := now.AddDate(0, 0, 1)
		l.ValidUntil = &until
		if _, err := s.l.PutListing(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.l.WithdrawListing(ctx, "un-sc:b", "gone"); err != nil {
			t.Fatal(err)
		}
		setNow(now.Add(time.Minute))
		if _, err := s.l.ExpireListings(ctx, now.AddDate(0, 0, 2)); err != nil {
			t.Fatal(err)
		}
		a := &tripline.DocumentAlert{ID: tripline.DocumentAlertID("agency-x", "IRQ", "A1"), Source: "agency-x", Country: "IRQ",
			Number: "A1", Kind: tripline.AlertStolen, Action: tripline.ActionRefuseEntry, Provenance: tripline.Provenance{Originator: "agency-x"}}
		if _, err := s.a.PutDocumentAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	run(stores{sqlstore.NewListingService(pg), sqlstore.NewDocumentAlertService(pg)})
	run(stores{sqlstore.NewListingService(lite), sqlstore.NewDocumentAlertService(lite)})

	got := allEvents(t, sqlstore.NewEventService(pg), pg.Origin)
	want := allEvents(t, sqlstore.NewEventService(lite), lite.Origin)
	if len(got) != len(want) || len(got) != 7 {
		t.Fatalf("events: postgres %d, sqlite %d; want 7 each", len(got), len(want))
	}
	prev := ""
	for i, ev := range got {
		chain, err := ev.ChainNext(prev)
		if err != nil || chain != ev.Chain {
			t.Fatalf("event %d: stored chain %s, recomputed %s (%v)", ev.Seq, ev.Chain, chain, err)
		}
		// Each event's salt key is drawn at random: SQLite's event, salted
		// with PostgreSQL's key, must chain to PostgreSQL's value.
		w := *want[i]
		w.SaltKey = ev.SaltKey
		wchain, err := w.ChainNext(prev)
		prev = chain
		if err != nil || wchain != ev.Chain || string(ev.Payload) != string(w.Payload) || !ev.At.Equal(w.At) ||
			(ev.Sig == nil) != (w.Sig == nil) || ev.Sig != nil && string(ev.Sig) != string(sign(ev.SigningBytes())) {
			t.Fatalf("event %d differs:\npostgres %+v\nsqlite   %+v", ev.Seq, ev, w)
		}
	}
	if got[len(got)-1].Sig == nil {
		t.Fatal("last event of a transaction is unsigned")
	}
	seq, head, err := sqlstore.NewEventService(pg).ChainHead(t.Context(), pg.Origin)
	if err != nil || seq != 7 || head != prev {
		t.Fatalf("ChainHead = %d %s, %v; want 7 %s", seq, head, err, prev)
	}
}

// Subscribers see a transaction's events after it commits, and never the
// events of one that rolled back.
func TestSubscribeAfterCommit(t *testing.T) {
	db := MustOpenDB(t)
	var got []*tripline.Event
	db.Subscribe(func(evs []*tripline.Event) { got = append(got, evs...) })
	s := sqlstore.NewListingService(db)
	if _, err := s.ImportListings(t.Context(), "x", tripline.Records([]*tripline.Listing{storetest.Listing("x", "1", "A B"), storetest.Listing("x", "2", "C D")})); err != nil {
		t.Fatal(err)
	}
	bad := storetest.Listing("x", "3", "E F")
	bad.Action = "shoot"
	if _, err := s.ImportListings(t.Context(), "x", tripline.Records([]*tripline.Listing{bad})); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Fatalf("bad import: %v", err)
	}
	if len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 2 {
		t.Fatalf("published %v, want events 1 and 2", got)
	}
}

func allEvents(t *testing.T, s tripline.EventService, origin string) []*tripline.Event {
	t.Helper()
	evs, err := s.Events(context.Background(), origin, 0, 0)
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	return evs
}

// A write that waits for another process's write lock longer than the
// store's BusyTimeout fails as unavailable (503 with Retry-After at the
// API), as on SQLite, and succeeds once the lock is gone.
func TestBusyStoreIsUnavailable(t *testing.T) {
	dsn := testDSN(t)
	holder := mustOpen(t, dsn)
	db := postgres.NewDB(dsn)
	db.Origin = "node-test"
	db.BusyTimeout = 100 * time.Millisecond
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := holder.BeginTx(t.Context(), nil) // holds the store's write lock
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqlstore.NewListingService(db).PutListing(t.Context(), storetest.Listing("s", "1", "Ali Hassan"))
	if tripline.ErrorCode(err) != tripline.EUNAVAILABLE {
		t.Fatalf("err = %v, want unavailable", err)
	}
	tx.Rollback()
	if _, err := sqlstore.NewListingService(db).PutListing(t.Context(), storetest.Listing("s", "1", "Ali Hassan")); err != nil {
		t.Fatalf("after the lock is gone: %v", err)
	}
}
