package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
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

func (s *suspendable) NodeActive(node string) error {
	if s.suspended.Load() {
		return tripline.Errorf(tripline.EFORBIDDEN, "node request: partner %q is suspended", node)
	}
	return s.signedNodes.NodeActive(node)
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

// clocked is suspendable with the node checks on a clock of its own, as
// a partner's clock lags this node's within federation.MaxClockSkew.
type clocked struct {
	*suspendable
	now atomic.Pointer[time.Time]
}

func (c *clocked) NodeHeaders(r *http.Request) error {
	_, err := federation.CheckRequestHeaders(r, func(n string) bool { _, ok := c.keys[n]; return ok }, *c.now.Load())
	return err
}

func (c *clocked) NodeIdentity(r *http.Request, body []byte) (*tripline.Identity, error) {
	node, err := federation.VerifyRequest(r, body, func(n string) (ed25519.PublicKey, bool) { k, ok := c.keys[n]; return k, ok }, *c.now.Load())
	if err != nil {
		return nil, err
	}
	return &tripline.Identity{User: "node:" + node, Agency: "agency-" + strings.ToLower(node), Role: tripline.RoleNode}, nil
}

// TestLongPollOutlivesItsDate: a long-poll's request is dated when it is
// sent, and checked as such when it comes; what is checked again before
// each answer is only that the partner is still one, not suspended. Before,
// the date was checked again too: a partner whose clock lags this node's
// by most of federation.MaxClockSkew (allowed) had its long-polls
// refused 401 when an event came after the date went stale.
func TestLongPollOutlivesItsDate(t *testing.T) {
	ts := newServer(t)
	w := serverOf(ts.URL + "/")
	pub, priv, _ := ed25519.GenerateKey(nil)
	fed := &clocked{suspendable: &suspendable{signedNodes: signedNodes{keys: map[string]ed25519.PublicKey{"B": pub}},
		changed: make(chan struct{}), polled: make(chan struct{})}}
	sent := time.Now()
	fed.now.Store(&sent)
	w.srv.Federation = fed
	got := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("GET", ts.URL+"/v1/feed?origin=s&after=0&wait=30000", nil)
		federation.SignRequest(req, "B", priv, nil, sent)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- fmt.Sprint(resp.StatusCode, " ", string(b))
	}()
	<-fed.polled // B waits in its long-poll
	later := sent.Add(federation.MaxClockSkew + time.Second)
	fed.now.Store(&later)
	fed.store()
	if a := <-got; !strings.HasPrefix(a, "200 ") || !strings.Contains(a, "s:1") {
		t.Fatalf("B's long-poll answered after its date went stale: %s; want 200 and the event", a)
	}
}
