package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
)

// pollCounter is a partner protocol whose log never has anything new for
// B; it counts the feed pages read and the long-polls waiting.
type pollCounter struct {
	signedNodes
	changed chan struct{}
	reads   atomic.Int64
}

func (p *pollCounter) Changed() <-chan struct{} { return p.changed }

func (p *pollCounter) FeedPage(context.Context, string, string, int64, int) ([]*tripline.Event, error) {
	p.reads.Add(1)
	return nil, nil
}

// TestLongPollsPerPartnerBounded: a partner holds at most
// httpapi.MaxLongPolls feed long-polls at once; another is answered at
// once, as if it asked no wait. Each long-poll reads the feed again at
// every change of the event log, so one partner holding a thousand of them
// (its request rate allows a burst of 1,000, and each waits 30 s) made
// every event of this node cost a thousand feed reads.
func TestLongPollsPerPartnerBounded(t *testing.T) {
	ts := newServer(t)
	w := serverOf(ts.URL + "/")
	pub, priv, _ := ed25519.GenerateKey(nil)
	fed := &pollCounter{signedNodes: signedNodes{keys: map[string]ed25519.PublicKey{"B": pub}}, changed: make(chan struct{})}
	w.srv.Federation = fed
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	poll := func(wait int) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/v1/feed?origin=s&after=0&wait=%d", ts.URL, wait), nil)
		federation.SignRequest(req, "B", priv, nil, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	for range httpapi.MaxLongPolls {
		go poll(30000)
	}
	deadline := time.Now().Add(20 * time.Second)
	for fed.reads.Load() < int64(httpapi.MaxLongPolls) {
		if time.Now().After(deadline) {
			t.Fatalf("%d long-polls read the feed, want %d", fed.reads.Load(), httpapi.MaxLongPolls)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// One more: answered at once, not held until the 30 s are out (the
	// test's own deadline would pass first).
	answered := make(chan int, 1)
	go func() {
		st, _ := poll(30000)
		answered <- st
	}()
	select {
	case st := <-answered:
		if st != http.StatusOK {
			t.Fatalf("the long-poll past the bound: %d, want 200 with what there is", st)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("a long-poll past the bound of %d per partner was held", httpapi.MaxLongPolls)
	}
}
