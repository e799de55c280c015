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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"tripline"
)

// Store is what federation needs of the node's storage.
type Store interface {
	Partners(ctx context.Context) ([]*tripline.Partner, error)
	Cursor(ctx context.Context, origin string) (int64, error)
	ChainHead(ctx context.Context, origin string) (int64, string, error)
	ApplyForeign(ctx context.Context, via string, evs []*tripline.Event) (*tripline.ForeignResult, error)
	QueueReport(ctx context.Context, r *tripline.Report) error
	Reports(ctx context.Context, f tripline.ReportFilter) ([]*tripline.Report, error)
	// OpenReports returns the reports not yet acknowledged; Report one by
	// its key (ENOTFOUND when none). Delivery and acknowledgements use
	// these, so that their cost does not grow with the reports delivered.
	OpenReports(ctx context.Context) ([]*tripline.Report, error)
	Report(ctx context.Context, id string) (*tripline.Report, error)
	// AcknowledgeReport marks a report delivered, keeping of its body
	// only keep (delivered).
	AcknowledgeReport(ctx context.Context, id string, keep []byte) error
	MarkReport(ctx context.Context, id, status string, next time.Time) error
	// Bundles to and from air-gapped partners are numbered per direction,
	// so that a replayed or older bundle is refused (bundle.go).
	NextBundle(ctx context.Context, to string) (int64, error)
	LastBundle(ctx context.Context, from string) (int64, error)
	BundleImported(ctx context.Context, from string, seq int64) error
	// Partners' audit checkpoints, kept as their witness (witness.go).
	tripline.AuditWitness
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
	// Audit records each partner event the trust rules refused (nil: the
	// log line only).
	Audit tripline.Auditor
	// Sleep waits d or until ctx ends, reporting whether d passed; nil
	// waits on a timer. Follow's back-off goes through it, so that a test
	// can count the waits rather than time them.
	Sleep func(ctx context.Context, d time.Duration) bool
	// Notifier, if set, is woken whenever a partner's events are stored,
	// whatever their type: a relay's own partners long-poll for them, and
	// events that change nothing here (an acknowledgement, a refused
	// event) reach no subscriber that would wake them otherwise.
	Notifier *Notifier
	// Kinds handles signed reports of further kinds at their destination
	// (diffusions: diffusion.go); set before serving.
	Kinds map[string]KindHandler

	mu       sync.RWMutex
	keys     map[string]ed25519.PublicKey
	partners map[string]*tripline.Partner
	healths  map[string]*partnerHealth
	wake     chan struct{} // PartnersChanged: Run reconciles at once

	cmu     sync.Mutex
	clients map[string]*partnerClient // by partner id

	// RequestRate and RequestBurst bound each partner node's signed
	// requests (NodeIdentity): a hostile or broken partner cannot make
	// this node do, and audit, work at any rate it likes. Set before
	// serving.
	RequestRate  rate.Limit
	RequestBurst int
	lmu          sync.Mutex
	limits       map[string]*rate.Limiter // by partner id

	// MaxWitnessed bounds the checkpoints Witnessed takes from one partner
	// (0: DefaultMaxWitnessed).
	MaxWitnessed int
}

// Default per-partner request bounds: far above what following, reports,
// acknowledgements and blind screening send (a feed long-polls for 20 s;
// a catch-up reads pages of 2,000 events), far below what would make the
// node's work or its audit log grow at an attacker's pace.
const (
	DefaultRequestRate  = 100
	DefaultRequestBurst = 1000
)

// NewPeer returns a Peer; call Reload to read the partners.
func NewPeer(self string, priv ed25519.PrivateKey, store Store, log *slog.Logger) *Peer {
	return &Peer{Self: self, Priv: priv, Store: store, HTTP: &http.Client{Timeout: 60 * time.Second}, Logger: log,
		Now: time.Now, keys: map[string]ed25519.PublicKey{self: priv.Public().(ed25519.PublicKey)}, wake: make(chan struct{}, 1),
		RequestRate: DefaultRequestRate, RequestBurst: DefaultRequestBurst, limits: map[string]*rate.Limiter{}}
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

// partnerList returns the known partners, by id.
func (p *Peer) partnerList() []*tripline.Partner {
	p.mu.RLock()
	out := make([]*tripline.Partner, 0, len(p.partners))
	for _, x := range p.partners {
		out = append(out, x)
	}
	p.mu.RUnlock()
	slices.SortFunc(out, func(a, b *tripline.Partner) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// PartnersChanged tells Run that the stored partners changed: it reloads
// and reconciles its followers at once rather than at its next tick.
func (p *Peer) PartnersChanged() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *Peer) changed() <-chan struct{} { return p.wake }

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
	node, err := VerifyRequest(r, body, p.partnerKey, p.Now())
	if err != nil {
		return nil, err
	}
	x, _ := p.Partner(node)
	if x.Suspended() {
		return nil, tripline.Errorf(tripline.EFORBIDDEN, "node request: partner %q is suspended", node)
	}
	if !p.allow(node) {
		return nil, tripline.Errorf(tripline.ERATELIMIT, "node request: partner %q is over its %v requests a second (burst %d); retry later",
			node, float64(p.RequestRate), p.RequestBurst)
	}
	return &tripline.Identity{User: "node:" + node, Agency: x.Agency, Role: tripline.RoleNode}, nil
}

// NodeHeaders checks a partner's signed request before its body is read
// (CheckRequestHeaders): from a known partner, not suspended, dated now.
func (p *Peer) NodeHeaders(r *http.Request) error {
	node, err := CheckRequestHeaders(r, func(id string) bool { _, ok := p.partnerKey(id); return ok }, p.Now())
	if err != nil {
		return err
	}
	if x, _ := p.Partner(node); x.Suspended() {
		return tripline.Errorf(tripline.EFORBIDDEN, "node request: partner %q is suspended", node)
	}
	return nil
}

// NodeActive reports whether node is still a partner and not suspended
// (EFORBIDDEN otherwise), whatever the time: a long-poll admitted by
// NodeHeaders is checked again with it before each answer.
func (p *Peer) NodeActive(node string) error {
	x, ok := p.Partner(node)
	if !ok {
		return tripline.Errorf(tripline.EFORBIDDEN, "node request: %q is no longer a partner", node)
	}
	if x.Suspended() {
		return tripline.Errorf(tripline.EFORBIDDEN, "node request: partner %q is suspended", node)
	}
	return nil
}

// partnerKey returns a configured partner's key.
func (p *Peer) partnerKey(id string) (ed25519.PublicKey, bool) {
	if _, ok := p.Partner(id); !ok {
		return nil, false
	}
	return p.Key(id)
}

// allow takes one of partner node's requests from its bucket.
func (p *Peer) allow(node string) bool {
	p.lmu.Lock()
	defer p.lmu.Unlock()
	l := p.limits[node]
	if l == nil {
		if p.limits == nil {
			p.limits = map[string]*rate.Limiter{}
		}
		l = rate.NewLimiter(p.RequestRate, p.RequestBurst)
		p.limits[node] = l
	}
	return l.AllowN(p.Now(), 1)
}

// FeedPage is the answer of GET /v1/feed.
type FeedPage struct {
	Origin string            `json:"origin"`
	Events []*tripline.Event `json:"events"`
	Last   int64             `json:"last"`
	// Head is the origin's last sequence number at the serving node (set
	// in FeedPages): how far behind the follower is.
	Head int64 `json:"head,omitempty"`
}

// do sends a signed request to partner x and decodes the JSON answer.
func (p *Peer) do(ctx context.Context, x *tripline.Partner, method, path string, body []byte, out any) error {
	_, err := p.doN(ctx, x, method, path, body, out)
	return err
}

// doN is do, also returning how many bytes of answer it read.
func (p *Peer) doN(ctx context.Context, x *tripline.Partner, method, path string, body []byte, out any) (int, error) {
	if x == nil || x.URL == "" {
		return 0, tripline.Errorf(tripline.ENOTFOUND, "%s %s: no partner with an address to send it to", method, path)
	}
	c, err := p.client(x)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, method, x.URL+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	SignRequest(req, p.Self, p.Priv, body, p.Now())
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// An error's words reach the logs, the partner's health and an
		// operator's terminal: a few hundred bytes of them, as plain text.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return len(b), fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, plainExcerpt(b, 300))
	}
	// Never more than a page may hold: a partner cannot make this node
	// read (and hold) an answer of any size.
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxPageBytes+1))
	if err != nil {
		return len(b), err
	}
	if len(b) > MaxPageBytes {
		return len(b), tripline.Errorf(tripline.EINVALID, "%s %s: answer over the %d-byte limit: refused", method, path, MaxPageBytes)
	}
	return len(b), json.Unmarshal(b, out)
}

// maxErrorBody is how much of a partner's error answer is read.
const maxErrorBody = 4 << 10

// plainExcerpt returns up to max bytes of b as one line of plain text:
// invalid UTF-8, control and format characters (a newline, a terminal
// escape, a bidi override) become spaces, so that a partner's error text
// forges no log line and no display.
func plainExcerpt(b []byte, max int) string {
	s := strings.ToValidUTF8(string(bytes.TrimSpace(b)), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
}

// Pull fetches one page of origin's events from partner (long-polling up
// to wait), verifies every event and applies them, returning how many
// events were new. A tampered or unsigned event is rejected and logged;
// nothing from it on is applied. A page over MaxPageBytes, with more than
// MaxPageEvents events or an event over MaxEventBytes, or of another
// origin than asked, is refused whole.
func (p *Peer) Pull(ctx context.Context, partner *tripline.Partner, origin string, wait time.Duration) (int, error) {
	cur, err := p.Store.Cursor(ctx, origin)
	if err != nil {
		return 0, err
	}
	q := url.Values{"origin": {origin}, "after": {strconv.FormatInt(cur, 10)}, "limit": {"2000"},
		"wait": {strconv.Itoa(int(wait / time.Millisecond))}}
	var page FeedPage
	if err := p.do(ctx, partner, "GET", "/v1/feed?"+q.Encode(), nil, &page); err != nil {
		return 0, err
	}
	if err := checkPage(partner.ID, origin, page.Events); err != nil {
		return 0, err
	}
	return p.Apply(ctx, partner.ID, page.Events)
}

// checkPage refuses a page that breaks the limits or carries events of
// another origin than the one asked for.
func checkPage(partner, origin string, evs []*tripline.Event) error {
	if len(evs) > MaxPageEvents {
		return tripline.Errorf(tripline.EINVALID, "feed page from %s: %d events, over the limit of %d", partner, len(evs), MaxPageEvents)
	}
	for _, ev := range evs {
		if ev.Origin != origin {
			return tripline.Errorf(tripline.EINVALID, "feed page from %s: event %s/%d is not of origin %s, as asked", partner, ev.Origin, ev.Seq, origin)
		}
		if err := checkEventSize(ev); err != nil {
			return err
		}
	}
	return nil
}

// checkEventSize refuses an event whose payload is over MaxEventBytes.
func checkEventSize(ev *tripline.Event) error {
	if n := len(ev.Payload); n > MaxEventBytes {
		return tripline.Errorf(tripline.EINVALID, "event %s/%d: payload of %d bytes, over the limit of %d", ev.Origin, ev.Seq, n, MaxEventBytes)
	}
	return nil
}

// Apply verifies and applies events of one origin received from node via
// (a pull or a bundle), returning how many were new. Only events a verified
// signature vouches for are applied: a tampered event is rejected and
// logged, never applied, and neither is anything after it; an unsigned
// tail waits for the next page. A verified event the trust rules refuse
// (tripline.CheckForeign) is kept in the log but changes nothing; the
// refusal is logged and audited, and the rest of the page applies, so
// that a partner cannot wedge the feed.
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
	if first := evs[0]; first.RangeFrom > 0 && first.RangeFrom <= cur {
		// A range reaching back into what this node holds (a bundle from
		// the start of the log): what it adds starts after the cursor.
		clipped := *first
		clipped.RangeFrom = cur + 1
		if clipped.RangeFrom == clipped.Seq {
			clipped.RangeFrom, clipped.RangeChain, clipped.Drops = 0, "", nil
		}
		evs = append([]*tripline.Event{&clipped}, evs[1:]...)
	}
	for _, ev := range evs {
		if ev.Origin != origin {
			return 0, tripline.Errorf(tripline.EINVALID, "event %s/%d: a page mixes origins", ev.Origin, ev.Seq)
		}
	}
	// Events and ranges follow each other without gap or overlap.
	if err := checkRun(evs, cur); err != nil {
		return 0, err
	}
	evs = p.vouchedDrops(via, evs)
	vouched, bad := VerifyRun(evs, head, p.Key)
	if bad != nil {
		p.Logger.Error("rejected events from partner", "via", via, "origin", origin, "err", tripline.ErrorMessage(bad))
	}
	res, err := p.Store.ApplyForeign(ctx, via, evs[:vouched])
	if err != nil {
		return 0, err
	}
	for _, r := range res.Rejected {
		p.refused(ctx, via, r)
	}
	if p.Notifier != nil && len(res.Stored) > 0 {
		p.Notifier.Notify()
	}
	return len(res.Stored), bad
}

// vouchedDrops returns evs with the origin's signature of each range's
// drops (DropsSig) kept only where it verifies, so that the store takes it
// as the origin's word (FederationStore.ApplyForeign): a relay names what
// a range drops, and the events inside it are not sent.
func (p *Peer) vouchedDrops(via string, evs []*tripline.Event) []*tripline.Event {
	var out []*tripline.Event
	for i, ev := range evs {
		if len(ev.DropsSig) == 0 || via == ev.Origin {
			continue
		}
		if pub, ok := p.Key(ev.Origin); ok && ed25519.Verify(pub, ev.DropsSigningBytes(), ev.DropsSig) {
			continue
		}
		if out == nil {
			out = slices.Clone(evs)
		}
		c := *ev
		c.DropsSig = nil
		out[i] = &c
	}
	if out == nil {
		return evs
	}
	return out
}

// refused makes a refused partner event visible to the operators: an
// error in the log and an entry in the audit log.
func (p *Peer) refused(ctx context.Context, via string, r *tripline.Rejection) {
	ev := r.Event
	p.Logger.Error("rejected a partner's event: the trust rules refuse it", "via", via, "origin", ev.Origin, "seq", ev.Seq,
		"type", ev.Type, "subject", ev.Subject, "err", tripline.ErrorMessage(r.Err))
	if p.Audit == nil {
		return
	}
	agency := ""
	if x, ok := p.Partner(ev.Origin); ok {
		agency = x.Agency
	}
	p.Audit.Record(ctx, tripline.AuditEntry{User: "node:" + ev.Origin, Agency: agency, Role: tripline.RoleNode, Action: "federation.event.refused",
		Subject: ev.Subject, Detail: jsonDetail(map[string]any{"origin": ev.Origin, "seq": ev.Seq, "type": ev.Type, "via": via,
			"error": tripline.ErrorMessage(r.Err)})})
}

// Follow's waits between pulls. A pull that fails waits ErrorBackoff,
// doubling up to MaxErrorBackoff. A pull that brings nothing new although
// it returned well before its long-poll ended (a partner replaying an old
// page, or not long-polling) waits IdleBackoff, doubling up to
// MaxIdleBackoff: such a partner gets a few requests a minute, not
// thousands. A pull that brings new events, or that long-polled its whole
// wait, resets both.
const (
	LongPoll        = 20 * time.Second
	ErrorBackoff    = 500 * time.Millisecond
	MaxErrorBackoff = 15 * time.Second
	IdleBackoff     = time.Second
	MaxIdleBackoff  = time.Minute
)

// Follow pulls origin through partner until ctx ends: long-polls, applies,
// and backs off after errors (the partner down, a partition) and after
// early answers with nothing new, without losing its place — the cursor is
// the store's.
func (p *Peer) Follow(ctx context.Context, partner *tripline.Partner, origin string) {
	p.followLoop(ctx, partner.ID, origin, func() (int, error) { return p.Pull(ctx, partner, origin, LongPoll) })
}

// followLoop runs pull until ctx ends, with the waits above, and keeps the
// partner's health.
func (p *Peer) followLoop(ctx context.Context, partner, origin string, pull func() (int, error)) {
	backoff, idle := ErrorBackoff, IdleBackoff
	h := p.health(partner)
	for ctx.Err() == nil {
		start := p.Now()
		n, err := pull()
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			h.failed(err, p.Now())
			p.Logger.Warn("pull failed", "partner", partner, "origin", origin, "err", err, "retry_in", backoff)
			if !p.sleep(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, MaxErrorBackoff)
		case n > 0:
			h.pulled(p.Now())
			backoff, idle = ErrorBackoff, IdleBackoff
			p.Logger.Debug("applied partner events", "partner", partner, "origin", origin, "n", n)
		case p.Now().Sub(start) >= LongPoll/2:
			h.pulled(p.Now())
			backoff, idle = ErrorBackoff, IdleBackoff // an honest long-poll that timed out
		default:
			h.pulled(p.Now())
			p.Logger.Debug("partner answered early with nothing new", "partner", partner, "origin", origin, "retry_in", idle)
			if !p.sleep(ctx, idle) {
				return
			}
			idle = min(idle*2, MaxIdleBackoff)
		}
	}
}

func (p *Peer) sleep(ctx context.Context, d time.Duration) bool {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
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
