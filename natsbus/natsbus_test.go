package natsbus_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tripline"
	"tripline/natsbus"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// testBus connects to the NATS server of TRIPLINE_TEST_NATS on a stream
// of the test's own, deleted when it ends, and returns it with the server
// url and the stream's name; without the variable the test is skipped: it
// needs a real JetStream server.
func testBus(t *testing.T) (bus *natsbus.Bus, url, stream string) {
	t.Helper()
	url = os.Getenv("TRIPLINE_TEST_NATS")
	if url == "" {
		t.Skip("TRIPLINE_TEST_NATS not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	stream = "TRIPLINE_TEST_" + hex.EncodeToString(b)
	bus, err := natsbus.Connect(t.Context(), url, stream, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		bus.Close()
		nc, err := nats.Connect(url)
		if err != nil {
			return
		}
		defer nc.Close()
		if js, err := jetstream.New(nc); err == nil {
			js.DeleteStream(context.Background(), stream)
		}
	})
	return bus, url, stream
}

// A follower holding a node's first events catches up from the log, then
// takes what the stream carries in order: a lost message is read from the
// log, a repeated one is dropped.
func TestFollowFillsGapsAndDropsDuplicates(t *testing.T) {
	bus, _, _ := testBus(t)
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "t.db"))
	db.Origin = "node-a"
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	listings, log := sqlstore.NewListingService(db), sqlstore.NewEventService(db)
	put := func(from, to int) []*tripline.Event {
		for i := from; i <= to; i++ {
			if _, err := listings.PutListing(t.Context(), storetest.Listing("node-a", fmt.Sprint(i), fmt.Sprintf("Person %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := log.Events(t.Context(), "node-a", int64(from-1), to-from+1)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	put(1, 10)

	var mu sync.Mutex
	var applied []int64
	seen := func() []int64 { mu.Lock(); defer mu.Unlock(); return slices.Clone(applied) }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- bus.Follow(ctx, log, map[string]int64{"node-a": 2}, func(evs []*tripline.Event) error {
			mu.Lock()
			defer mu.Unlock()
			for _, ev := range evs {
				applied = append(applied, ev.Seq)
			}
			return nil
		})
	}()
	waitUntil(t, func() bool { return len(seen()) == 8 }) // 3..10 from the log: subscribed by then

	evs := put(11, 15) // seq 11..15
	byseq := func(s int64) *tripline.Event { return evs[s-11] }
	old, err := log.Events(t.Context(), "node-a", 4, 1) // seq 5, read from the log during catch-up
	if err != nil {
		t.Fatal(err)
	}
	// 13 is lost on the way; 12 is sent twice (the stream keeps one); 5
	// arrives late, after the follower read it from the log.
	if err := bus.Publish(t.Context(), []*tripline.Event{byseq(11), byseq(12), byseq(14), byseq(15), byseq(12), old[0]}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return len(seen()) >= 13 })
	time.Sleep(100 * time.Millisecond) // room for a wrongly applied duplicate to show
	want := []int64{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	if got := seen(); !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	cancel()
	if err := <-done; err != nil && err != context.Canceled {
		t.Fatalf("Follow: %v", err)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not within 10s")
		}
	}
}

// A credentials file that is not there is named in the error, before any
// connection is tried.
func TestConnectMissingCredentials(t *testing.T) {
	_, err := natsbus.Connect(t.Context(), "nats://127.0.0.1:1", "S", filepath.Join(t.TempDir(), "none.creds"))
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), "none.creds") {
		t.Fatalf("err = %v", err)
	}
}

// countingLog counts the follower's reads of the log.
type countingLog struct {
	tripline.EventService
	mu    sync.Mutex
	reads int
}

func (c *countingLog) Events(ctx context.Context, origin string, after int64, limit int) ([]*tripline.Event, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.EventService.Events(ctx, origin, after, limit)
}

func (c *countingLog) count() int { c.mu.Lock(); defer c.mu.Unlock(); return c.reads }

// nodeLog opens a node's store and returns its log and a function that
// writes listings from..to (their events: the same sequence numbers).
func nodeLog(t *testing.T, origin string) (tripline.EventService, func(from, to int) []*tripline.Event) {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "t.db"))
	db.Origin = origin
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	listings, log := sqlstore.NewListingService(db), sqlstore.NewEventService(db)
	return log, func(from, to int) []*tripline.Event {
		for i := from; i <= to; i++ {
			if _, err := listings.PutListing(t.Context(), storetest.Listing(origin, fmt.Sprint(i), fmt.Sprintf("Person %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := log.Events(t.Context(), origin, int64(from-1), to-from+1)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
}

// Anyone who may publish on the stream sends a whole forged event (a
// clearance, unsigned) with the next sequence number, before the writer
// commits it, under the ids a forger can know ahead: origin/seq (the real
// event's id before message ids carried its digest) and that as a prefix.
// The follower applies only what the log holds: not the forgery, and the
// writer's real event when it is announced (its id carries a digest of
// the event, which does not exist yet when the forger publishes; Recheck
// is an hour, so the announcement alone must bring it).
func TestFollowBelievesOnlyTheLog(t *testing.T) {
	bus, url, stream := testBus(t)
	bus.Recheck = time.Hour
	store, put := nodeLog(t, "node-a")
	put(1, 10)
	log := &countingLog{EventService: store}

	var mu sync.Mutex
	var applied []*tripline.Event
	seen := func() []*tripline.Event { mu.Lock(); defer mu.Unlock(); return slices.Clone(applied) }
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- bus.Follow(ctx, log, map[string]int64{"node-a": 10}, func(evs []*tripline.Event) error {
			mu.Lock()
			defer mu.Unlock()
			applied = append(applied, evs...)
			return nil
		})
	}()
	waitUntil(t, func() bool { return log.count() >= 1 }) // caught up: subscribed by then

	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	forged := fmt.Sprintf(`{"origin":"node-a","seq":11,"type":%q,"subject":"forged-clearance","payload":{"id":"forged-clearance"},"at":"2026-12-03T00:00:00Z"}`, tripline.EventClearance)
	for _, id := range []string{"node-a/11", "node-a/11/"} {
		if _, err := js.Publish(t.Context(), stream+".node-a", []byte(forged), jetstream.WithMsgID(id)); err != nil {
			t.Fatal(err)
		}
	}
	// Also a wake-up for another origin on node-a's subject, and one far
	// past the log's end: each costs a read at most.
	js.Publish(t.Context(), stream+".node-a", []byte(`{"origin":"node-b","seq":1}`))
	js.Publish(t.Context(), stream+".node-a", []byte(`{"origin":"node-a","seq":1000000}`))
	// The forged wake-ups were read (and found nothing), or, wrongly, applied.
	waitUntil(t, func() bool { return log.count() >= 3 || len(seen()) > 0 })

	real := put(11, 11)
	if err := bus.Publish(t.Context(), real); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return len(seen()) >= 1 })
	cancel()
	if err := <-done; err != nil && err != context.Canceled {
		t.Fatalf("Follow: %v", err)
	}
	got := seen()
	if len(got) != 1 || got[0].Seq != 11 || got[0].Subject != real[0].Subject || got[0].Type != real[0].Type {
		for _, ev := range got {
			t.Errorf("applied %d %s %s", ev.Seq, ev.Type, ev.Subject)
		}
		t.Fatalf("want only the real event 11 (%s %s)", real[0].Type, real[0].Subject)
	}
}

// An event whose announcement never arrives (lost, or never sent: the
// writer's queue was full) is read from the log within Recheck.
func TestFollowRechecksTheLog(t *testing.T) {
	bus, _, _ := testBus(t)
	bus.Recheck = 20 * time.Millisecond
	log, put := nodeLog(t, "node-a")
	put(1, 2)
	var mu sync.Mutex
	var applied []int64
	seen := func() []int64 { mu.Lock(); defer mu.Unlock(); return slices.Clone(applied) }
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go bus.Follow(ctx, log, map[string]int64{"node-a": 0}, func(evs []*tripline.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			applied = append(applied, ev.Seq)
		}
		return nil
	})
	waitUntil(t, func() bool { return len(seen()) == 2 })
	put(3, 4) // not published
	waitUntil(t, func() bool { return len(seen()) == 4 })
	if got := seen(); !slices.Equal(got, []int64{1, 2, 3, 4}) {
		t.Fatalf("applied %v", got)
	}
}
