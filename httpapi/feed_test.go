package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
)

// suspendable is a partner protocol whose partner B can be suspended and
// whose log gains an event B may see when told.
type suspendable struct {
	signedNodes
	suspended atomic.Bool
	mu        sync.Mutex
	changed   chan struct{}
	event     bool
	polled    chan struct{} // B's long-poll asked once
	once      sync.Once
}

func (s *suspendable) NodeHeaders(r *http.Request) error {
	if s.suspended.Load() {
		return tripline.Errorf(tripline.EFORBIDDEN, "node request: partner %q is suspended", "B")
	}
	return s.signedNodes.NodeHeaders(r)
}

func (s *suspendable) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *suspendable) FeedPage(ctx context.Context, agency, origin string, after int64, limit int) ([]*tripline.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.once.Do(func() { close(s.polled) })
	if !s.event {
		return nil, nil
	}
	return []*tripline.Event{{Origin: "s", Seq: 1, Type: "listing.put", Subject: "s:1"}}, nil
}

// store adds the event and wakes the long-polls.
func (s *suspendable) store() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.event = true
	close(s.changed)
	s.changed = make(chan struct{})
}

// TestSuspendedPartnerLongPollGetsNothing: a partner suspended while its
// long-poll of the feed waits gets 403 when the next event comes, not the
// event. Before, a long-poll begun before the suspension was answered up
// to 30 s after it.
func TestSuspendedPartnerLongPollGetsNothing(t *testing.T) {
	ts := newServer(t)
	w := serverOf(ts.URL + "/")
	pub, priv, _ := ed25519.GenerateKey(nil)
	fed := &suspendable{signedNodes: signedNodes{keys: map[string]ed25519.PublicKey{"B": pub}}, changed: make(chan struct{}), polled: make(chan struct{})}
	w.srv.Federation = fed
	type answer struct {
		status int
		body   string
	}
	got := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest("GET", ts.URL+"/v1/feed?origin=s&after=0&wait=20000", nil)
		federation.SignRequest(req, "B", priv, nil, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- answer{0, err.Error()}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- answer{resp.StatusCode, string(b)}
	}()
	<-fed.polled // B waits in its long-poll
	fed.suspended.Store(true)
	fed.store()
	a := <-got
	if a.status != http.StatusForbidden || strings.Contains(a.body, "s:1") {
		t.Fatalf("B suspended during its long-poll: %d %s; want 403 and no event", a.status, a.body)
	}
}
