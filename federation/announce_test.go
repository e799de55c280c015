package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"tripline/federation"
)

// TestFollowBacksOffOnChangingAnnouncements: a partner that answers at once
// with nothing new but a different announcement each time (an origin this
// node does not follow, a hop count) was taken to make progress, and asked
// again at once: tens of thousands of requests in ten minutes, each
// answer (up to 16 MiB) read and its origins sorted. Only an announcement
// that changes what this node follows through the partner is progress.
func TestFollowBacksOffOnChangingAnnouncements(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		json.NewEncoder(w).Encode(federation.FeedPages{Pages: []federation.FeedPage{},
			Origins: []federation.OriginHead{{Origin: "A", Head: 0, Hops: 0}, {Origin: fmt.Sprintf("X%d", n), Head: 1, Hops: int(n % 5)}}})
	}))
	defer srv.Close()
	p := peerFor(t, mustDB(t, "C"), "A", pub, srv.URL)
	partner, _ := p.Partner("A")
	clock := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	end := clock.Now().Add(10 * time.Minute)
	waits := 0
	p.Now = clock.Now
	p.Sleep = func(ctx context.Context, d time.Duration) bool {
		waits++
		clock.Add(d)
		if !clock.Now().Before(end) || requests.Load() > 1000 {
			cancel()
			return false
		}
		return true
	}
	go func() {
		<-time.After(30 * time.Second) // a guard: the follower must stop by itself well before
		cancel()
	}()
	p.FollowPartner(ctx, partner)
	if n := requests.Load(); n > 20 {
		t.Fatalf("%d requests in ten minutes of changing announcements (%d waits); want at most 20", n, waits)
	}
}
