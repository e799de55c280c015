package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"tripline"
)

// Store is what federation needs of the node's storage.
type Store interface {
	Partners(ctx context.Context) ([]*tripline.Partner, error)
	Cursor(ctx context.Context, origin string) (int64, error)
	ChainHead(ctx context.Context, origin string) (int64, string, error)
	ApplyForeign(ctx context.Context, via string, evs []*tripline.Event) ([]*tripline.Event, error)
	QueueReport(ctx context.Context, r *tripline.Report) error
	Reports(ctx context.Context, status string) ([]*tripline.Report, error)
	MarkReport(ctx context.Context, id, status string, next time.Time) error
}

// Peer is this node's side of federation: pulling partners' feeds,
// delivering encounter reports, and the keys of every known node.
type Peer struct {
	Self   string
	Priv   ed25519.PrivateKey
	Store  Store
	HTTP   *http.Client
	Logger *slog.Logger
	Now    func() time.Time

	mu       sync.RWMutex
	keys     map[string]ed25519.PublicKey
	partners map[string]*tripline.Partner
}

// NewPeer returns a Peer; call Reload to read the partners.
func NewPeer(self string, priv ed25519.PrivateKey, store Store, log *slog.Logger) *Peer {
	return &Peer{Self: self, Priv: priv, Store: store, HTTP: &http.Client{Timeout: 60 * time.Second}, Logger: log,
		Now: time.Now, keys: map[string]ed25519.PublicKey{self: priv.Public().(ed25519.PublicKey)}}
}

// Reload reads the partners' keys.
func (p *Peer) Reload(ctx context.Context) ([]*tripline.Partner, error) {
	ps, err := p.Store.Partners(ctx)
	if err != nil {
		return nil, err
	}
	keys := map[string]ed25519.PublicKey{p.Self: p.Priv.Public().(ed25519.PublicKey)}
	byID := map[string]*tripline.Partner{}
	for _, x := range ps {
		k, err := ParsePublicKey(x.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("partner %s: %w", x.ID, err)
		}
		keys[x.ID], byID[x.ID] = k, x
	}
	p.mu.Lock()
	p.keys, p.partners = keys, byID
	p.mu.Unlock()
	return ps, nil
}

// Key returns the public key of a known node.
func (p *Peer) Key(node string) (ed25519.PublicKey, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	k, ok := p.keys[node]
	return k, ok
}

// Partner returns a known partner.
func (p *Peer) Partner(id string) (*tripline.Partner, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	x, ok := p.partners[id]
	return x, ok
}

// NodeIdentity authenticates a signed request from a partner node: the
// caller is the partner's agency in the node role.
func (p *Peer) NodeIdentity(r *http.Request, body []byte) (*tripline.Identity, error) {
	node, err := VerifyRequest(r, body, func(id string) (ed25519.PublicKey, bool) {
		if _, ok := p.Partner(id); !ok {
			return nil, false
		}
		return p.Key(id)
	}, p.Now())
	if err != nil {
		return nil, err
	}
	x, _ := p.Partner(node)
	return &tripline.Identity{User: "node:" + node, Agency: x.Agency, Role: tripline.RoleNode}, nil
}

// FeedPage is the answer of GET /v1/feed.
type FeedPage struct {
	Origin string            `json:"origin"`
	Events []*tripline.Event `json:"events"`
	Last   int64             `json:"last"`
}

// do sends a signed request to a partner and decodes the JSON answer.
func (p *Peer) do(ctx context.Context, method, base, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	SignRequest(req, p.Self, p.Priv, body, p.Now())
	resp, err := p.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b[:min(len(b), 300)]))
	}
	return json.Unmarshal(b, out)
}

// Pull fetches one page of origin's events from partner (long-polling up
// to wait), verifies every event and applies them. A tampered or unsigned
// event is rejected and logged; nothing from it on is applied.
func (p *Peer) Pull(ctx context.Context, partner *tripline.Partner, origin string, wait time.Duration) (int, error) {
	cur, err := p.Store.Cursor(ctx, origin)
	if err != nil {
		return 0, err
	}
	q := url.Values{"origin": {origin}, "after": {strconv.FormatInt(cur, 10)}, "limit": {"2000"},
		"wait": {strconv.Itoa(int(wait / time.Millisecond))}}
	var page FeedPage
	if err := p.do(ctx, "GET", partner.URL, "/v1/feed?"+q.Encode(), nil, &page); err != nil {
		return 0, err
	}
	return p.Apply(ctx, partner.ID, page.Events)
}

// Apply verifies and applies events of one origin received from node via
// (a pull or a bundle). Only events a verified signature vouches for are
// applied: a tampered event is rejected and logged, never applied, and
// neither is anything after it; an unsigned tail waits for the next page.
func (p *Peer) Apply(ctx context.Context, via string, evs []*tripline.Event) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	origin := evs[0].Origin
	cur, head, err := p.Store.ChainHead(ctx, origin)
	if err != nil {
		return 0, err
	}
	for len(evs) > 0 && evs[0].Seq <= cur {
		evs = evs[1:] // already held
	}
	if len(evs) == 0 {
		return 0, nil
	}
	for _, ev := range evs {
		if ev.Origin != origin {
			return 0, tripline.Errorf(tripline.EINVALID, "event %s/%d: a page mixes origins", ev.Origin, ev.Seq)
		}
	}
	if evs[0].Seq != cur+1 {
		return 0, tripline.Errorf(tripline.ECONFLICT, "event %s/%d: expected %d next (a gap)", origin, evs[0].Seq, cur+1)
	}
	vouched, bad := VerifyRun(evs, head, p.Key)
	if bad != nil {
		p.Logger.Error("rejected events from partner", "via", via, "origin", origin, "err", tripline.ErrorMessage(bad))
	}
	applied, err := p.Store.ApplyForeign(ctx, via, evs[:vouched])
	if err != nil {
		return 0, err
	}
	return len(applied), bad
}

// Follow pulls origin through partner until ctx ends: long-polls, applies,
// and backs off after errors (the partner down, a partition) without losing
// its place — the cursor is the store's.
func (p *Peer) Follow(ctx context.Context, partner *tripline.Partner, origin string) {
	backoff := 500 * time.Millisecond
	for ctx.Err() == nil {
		n, err := p.Pull(ctx, partner, origin, 20*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.Logger.Warn("pull failed", "partner", partner.ID, "origin", origin, "err", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 15*time.Second)
			continue
		}
		backoff = 500 * time.Millisecond
		if n > 0 {
			p.Logger.Debug("applied partner events", "partner", partner.ID, "origin", origin, "n", n)
		}
	}
}

// Notifier wakes long-polling feed requests when new events are stored.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewNotifier returns a Notifier.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// Notify wakes every waiter.
func (n *Notifier) Notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// Wait returns a channel closed at the next Notify.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}
