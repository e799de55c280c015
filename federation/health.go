package federation

import (
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
)

// partnerHealth is how following one partner goes: kept in memory by its
// follower, read by /v1/partners, the coverage view and the metrics.
type partnerHealth struct {
	mu          sync.Mutex
	lastPull    time.Time
	lastError   string
	lastErrorAt time.Time
	pulls       int64
	errors      int64
	bytes       int64
	events      int64
	heads       map[string]int64     // what the partner announced it holds
	hops        map[string]int       // and how far it is from each origin
	announceTag string               // AnnounceTag of heads
	cursors     map[string]int64     // what this node holds, after the last pull
	behind      map[string]time.Time // since when each origin has been behind
	witnessed   int64                // the newest entry of its audit log kept (witness.go)
	conflicts   int64                // its checkpoints that contradicted one kept
}

// health returns partner's health record, making it on first use.
func (p *Peer) health(partner string) *partnerHealth {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.healths == nil {
		p.healths = map[string]*partnerHealth{}
	}
	h := p.healths[partner]
	if h == nil {
		h = &partnerHealth{heads: map[string]int64{}, cursors: map[string]int64{}, behind: map[string]time.Time{}}
		p.healths[partner] = h
	}
	return h
}

func (h *partnerHealth) read(n int) {
	h.mu.Lock()
	h.bytes += int64(n)
	h.mu.Unlock()
}

func (h *partnerHealth) applied(n int) {
	h.mu.Lock()
	h.events += int64(n)
	h.mu.Unlock()
}

func (h *partnerHealth) pulled(now time.Time) {
	h.mu.Lock()
	h.lastPull = now
	h.pulls++
	h.mu.Unlock()
}

func (h *partnerHealth) failed(err error, now time.Time) {
	h.mu.Lock()
	h.lastError, h.lastErrorAt = tripline.ErrorMessage(err), now
	if tripline.ErrorCode(err) == tripline.EINTERNAL {
		h.lastError = err.Error() // an operator's view: the transport's own words
	}
	h.errors++
	h.pulls++
	h.mu.Unlock()
}

// announce records the origins partner said it holds. Its distance from
// another origin is at least 1 (0 is its own log) and at most unknownHops,
// whatever it says: a partner announcing a relayed origin at 0 or -5 hops
// would take the route from every honest relay (and could then hold the
// origin's events back), and this node would pass the lie on.
func (h *partnerHealth) announce(partner string, heads []OriginHead) {
	h.mu.Lock()
	h.heads, h.hops = make(map[string]int64, len(heads)), make(map[string]int, len(heads))
	for _, x := range heads {
		hops := min(max(x.Hops, 1), unknownHops)
		if x.Origin == partner {
			hops = 0
		}
		h.heads[x.Origin], h.hops[x.Origin] = x.Head, hops
	}
	h.announceTag = AnnounceTag(heads)
	h.mu.Unlock()
}

// tag returns the tag of the last announcement ("" before the first).
func (h *partnerHealth) tag() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.announceTag
}

// announced returns the origins the partner announced, sorted.
func (h *partnerHealth) announced() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.heads))
	for o := range h.heads {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

// hopsOf returns how far the partner announced it is from origin, and
// whether it announced origin at all.
func (h *partnerHealth) hopsOf(origin string) (int, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	hops, ok := h.hops[origin]
	return hops, ok
}

// position records what this node holds of origin after a pull.
func (h *partnerHealth) position(origin string, cursor int64, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cursors[origin] = cursor
	if cursor >= h.heads[origin] {
		delete(h.behind, origin)
	} else if _, ok := h.behind[origin]; !ok {
		h.behind[origin] = now
	}
}

// snapshot returns the health as the API shows it; known says which
// origins this node has a key for.
func (h *partnerHealth) snapshot(now time.Time, known func(origin string) bool) *tripline.PartnerHealth {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := &tripline.PartnerHealth{Pulls: h.pulls, Errors: h.errors, Bytes: h.bytes, Events: h.events, LastError: h.lastError,
		Witnessed: h.witnessed, WitnessConflicts: h.conflicts}
	if !h.lastPull.IsZero() {
		t := h.lastPull
		out.LastPull = &t
	}
	if !h.lastErrorAt.IsZero() {
		t := h.lastErrorAt
		out.LastErrorAt = &t
	}
	for o, cur := range h.cursors {
		oh := tripline.OriginHealth{Origin: o, Cursor: cur, Head: max(cur, h.heads[o])}
		oh.LagEvents = oh.Head - cur
		if since, ok := h.behind[o]; ok && oh.LagEvents > 0 {
			oh.LagSeconds = now.Sub(since).Seconds()
		}
		out.Origins = append(out.Origins, oh)
	}
	sort.Slice(out.Origins, func(i, j int) bool { return out.Origins[i].Origin < out.Origins[j].Origin })
	for o := range h.heads {
		if _, pulled := h.cursors[o]; !pulled && !known(o) {
			out.Unknown = append(out.Unknown, o)
		}
	}
	sort.Strings(out.Unknown)
	return out
}

// Health returns each partner with how following it goes (nil health for
// one never pulled: known by key only, or not pulled yet).
func (p *Peer) Health() []*tripline.PartnerView {
	now := p.Now()
	known := func(o string) bool { _, ok := p.Key(o); return ok }
	var out []*tripline.PartnerView
	for _, x := range p.partnerList() {
		v := &tripline.PartnerView{Partner: x}
		p.mu.RLock()
		h := p.healths[x.ID]
		p.mu.RUnlock()
		if h != nil {
			v.Health = h.snapshot(now, known)
		}
		out = append(out, v)
	}
	return out
}

// Collector returns the partners' health as Prometheus metrics, read at
// each scrape.
func (p *Peer) Collector() prometheus.Collector { return (*healthCollector)(p) }

type healthCollector Peer

var (
	mUp        = prometheus.NewDesc("tripline_partner_up", "1 for an active partner, 0 for a suspended one.", []string{"partner"}, nil)
	mLastPull  = prometheus.NewDesc("tripline_partner_last_pull_timestamp_seconds", "When the last pull from the partner succeeded.", []string{"partner"}, nil)
	mErrors    = prometheus.NewDesc("tripline_partner_pull_errors_total", "Pulls from the partner that failed.", []string{"partner"}, nil)
	mBytes     = prometheus.NewDesc("tripline_partner_bytes_total", "Bytes of feed pages read from the partner.", []string{"partner"}, nil)
	mEvents    = prometheus.NewDesc("tripline_partner_events_total", "New events applied from the partner.", []string{"partner"}, nil)
	mLagEvents = prometheus.NewDesc("tripline_partner_lag_events", "Events of an origin the partner holds and this node does not yet.", []string{"partner", "origin"}, nil)
	mLagSecs   = prometheus.NewDesc("tripline_partner_lag_seconds", "For how long this node has been behind the partner on an origin.", []string{"partner", "origin"}, nil)
	mConflicts = prometheus.NewDesc("tripline_partner_audit_witness_conflicts_total",
		"Audit checkpoints the partner signed that contradict one kept of it: its audit log was rewritten or cut back.", []string{"partner"}, nil)
)

// Describe implements prometheus.Collector.
func (c *healthCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{mUp, mLastPull, mErrors, mBytes, mEvents, mLagEvents, mLagSecs, mConflicts} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *healthCollector) Collect(ch chan<- prometheus.Metric) {
	for _, v := range (*Peer)(c).Health() {
		up := 1.0
		if v.Suspended() {
			up = 0
		}
		ch <- prometheus.MustNewConstMetric(mUp, prometheus.GaugeValue, up, v.ID)
		h := v.Health
		if h == nil {
			continue
		}
		if h.LastPull != nil {
			ch <- prometheus.MustNewConstMetric(mLastPull, prometheus.GaugeValue, float64(h.LastPull.Unix()), v.ID)
		}
		ch <- prometheus.MustNewConstMetric(mErrors, prometheus.CounterValue, float64(h.Errors), v.ID)
		ch <- prometheus.MustNewConstMetric(mBytes, prometheus.CounterValue, float64(h.Bytes), v.ID)
		ch <- prometheus.MustNewConstMetric(mEvents, prometheus.CounterValue, float64(h.Events), v.ID)
		ch <- prometheus.MustNewConstMetric(mConflicts, prometheus.CounterValue, float64(h.WitnessConflicts), v.ID)
		for _, o := range h.Origins {
			ch <- prometheus.MustNewConstMetric(mLagEvents, prometheus.GaugeValue, float64(o.LagEvents), v.ID, o.Origin)
			ch <- prometheus.MustNewConstMetric(mLagSecs, prometheus.GaugeValue, o.LagSeconds, v.ID, o.Origin)
		}
	}
}
