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
// of the test's own, deleted when it ends; without the variable the test
// is skipped: it needs a real JetStream server.
func testBus(t *testing.T) *natsbus.Bus {
	t.Helper()
	url := os.Getenv("TRIPLINE_TEST_NATS")
	if url == "" {
		t.Skip("TRIPLINE_TEST_NATS not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	stream := "TRIPLINE_TEST_" + hex.EncodeToString(b)
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
	return bus
}

// A follower holding a node's first events catches up from the log, then
// takes what the stream carries in order: a lost message is read from the
// log, a repeated one is dropped.
func TestFollowFillsGapsAndDropsDuplicates(t *testing.T) {
	bus := testBus(t)
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
