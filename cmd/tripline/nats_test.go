package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tripline"
	"tripline/natsbus"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// dropStreamAtEnd deletes a test's JetStream stream once the test ends:
// registered before the processes that use it, it runs after they stop,
// and the server keeps no stream of a finished test.
func dropStreamAtEnd(t testing.TB, url, stream string) {
	t.Cleanup(func() {
		if nc, err := nats.Connect(url); err == nil {
			if js, err := jetstream.New(nc); err == nil {
				js.DeleteStream(context.Background(), stream)
			}
			nc.Close()
		}
	})
}

// TestServePublishesToJetStream: a node serving with TRIPLINE_NATS puts
// each committed event on the stream, where a follower (a replica would)
// applies it; the follower reads what it missed from the node's log.
func TestServePublishesToJetStream(t *testing.T) {
	url := os.Getenv("TRIPLINE_TEST_NATS")
	if url == "" {
		t.Skip("TRIPLINE_TEST_NATS not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	stream := "TRIPLINE_E2E_" + hex.EncodeToString(b)
	dropStreamAtEnd(t, url, stream)
	dir := t.TempDir()
	n := startNodeEnv(t, dir, map[string]string{"TRIPLINE_NATS": url, "TRIPLINE_NATS_STREAM": stream})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listing := func(id string) string {
		return `{"id":"local:` + id + `","source":"local","names":[{"full":"Ali Hassan ` + id + `","kind":"primary"}],
			"action":"refuse_entry","handling":{"screen":["*"]},"provenance":{"originator":"local"}}`
	}
	n.call("POST", "/v1/listings", listing("1"))

	// The follower: the node's log, opened as a replica on the same host
	// would, and the stream.
	logDB := sqlite.NewDB(filepath.Join(dir, "tripline.db"))
	if err := logDB.Open(); err != nil {
		t.Fatal(err)
	}
	defer logDB.Close()
	bus, err := natsbus.Connect(ctx, url, stream, "")
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	var mu sync.Mutex
	got := map[string]bool{}
	has := func(id string) bool { mu.Lock(); defer mu.Unlock(); return got[id] }
	go bus.Follow(ctx, sqlstore.NewEventService(logDB), map[string]int64{"local": 0}, func(evs []*tripline.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			got[ev.Subject] = true
		}
		return nil
	})
	// The first listing comes from the log, read once the follower has
	// subscribed; the second can then only come through the stream.
	waitFor(t, func() bool { return has("local:1") })
	n.call("POST", "/v1/listings", listing("2"))
	waitFor(t, func() bool { return has("local:2") })
	// A command-line import on the same data directory: the node finds it
	// in the log and puts it on the stream too.
	csv := filepath.Join(t.TempDir(), "list.csv")
	os.WriteFile(csv, []byte("id,primary_name,action\n7,Omar Khan,report\n"), 0o600)
	if code, _, errs := run(t, dir, "", "import", "--format", "csv", "--source", "cli", csv); code != 0 {
		t.Fatal(errs)
	}
	waitFor(t, func() bool { return has("cli:7") })

	// tripline events follow: what the log holds, then what the stream brings.
	var out syncBuffer
	fctx, stop := context.WithCancel(ctx)
	vars := map[string]string{"TRIPLINE_DATA": dir, "TRIPLINE_NATS": url, "TRIPLINE_NATS_STREAM": stream}
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard, Getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() { done <- Run(fctx, env, []string{"events", "follow", "--after", "1"}) }()
	waitFor(t, func() bool { return strings.Contains(out.String(), `"subject":"local:2"`) })
	// Someone who may publish on the stream sends a forged event with the
	// next sequence number, under the message id of the old format, before
	// the node commits it: it is not printed, and the real one is.
	last, err := sqlstore.NewEventService(logDB).LastSeq(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	forger, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer forger.Close()
	js, err := jetstream.New(forger)
	if err != nil {
		t.Fatal(err)
	}
	forged := fmt.Sprintf(`{"origin":"local","seq":%d,"type":"listing.withdrawn","subject":"forged-withdrawal","at":"2026-12-03T00:00:00Z"}`, last+1)
	if _, err := js.Publish(ctx, stream+".local", []byte(forged), jetstream.WithMsgID(fmt.Sprintf("local/%d", last+1))); err != nil {
		t.Fatal(err)
	}
	n.call("POST", "/v1/listings", listing("3"))
	waitFor(t, func() bool { return strings.Contains(out.String(), `"subject":"local:3"`) })
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("events follow exit %d", code)
	}
	if strings.Contains(out.String(), "forged") {
		t.Fatalf("events follow passed on the forged event:\n%s", out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var seqs []int64
	for _, l := range lines {
		var ev tripline.Event
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not a JSON event line: %q", l)
		}
		seqs = append(seqs, ev.Seq)
	}
	if len(seqs) < 2 || seqs[0] != 2 || !slices.IsSorted(seqs) {
		t.Fatalf("followed sequence numbers %v: want from 2 on, in order", seqs)
	}
}
