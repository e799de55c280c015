package federation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"tripline"
)

// One pull per partner: a follower asks a partner for every origin it
// follows through it in one long-poll (GET /v1/feed?cursors=A:10,C:5), and
// the partner answers with a page per origin that has something new and
// announces every origin whose log it holds (FeedPages.Origins). An
// announced origin this node knows the key of, and that no partner with
// an address of its own serves, is followed through the partner that
// announces it, from the next pull on: a relayed origin needs no manual
// --follows and no restart.

// OriginHead is an origin whose log a node holds, and its last sequence
// number there.
type OriginHead struct {
	Origin string `json:"origin"`
	Head   int64  `json:"head"`
	// Hops is how many pulls away from the origin the announcing node is
	// (0 for its own log): a follower takes an origin from the partner
	// nearest to it, so that relays never wait on each other in a ring.
	Hops int `json:"hops"`
}

// unknownHops is the distance announced for an origin held but not being
// followed: any partner that follows it is nearer.
const unknownHops = 64

// FeedPages is the answer of GET /v1/feed?cursors=...: a page for each
// asked origin with new events, within one page budget, and the origins
// the node announces to the caller.
type FeedPages struct {
	Pages   []FeedPage   `json:"pages"`
	Origins []OriginHead `json:"origins"`
}

// EncodeCursors writes cursors as the feed's cursors parameter
// ("A:10,C:5", by origin).
func EncodeCursors(cursors map[string]int64) string {
	parts := make([]string, 0, len(cursors))
	for o, c := range cursors {
		parts = append(parts, o+":"+strconv.FormatInt(c, 10))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// ParseCursors reads the feed's cursors parameter; EINVALID names the part
// at fault. At most 1,000 origins.
func ParseCursors(s string) (map[string]int64, error) {
	out := map[string]int64{}
	if s == "" {
		return out, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > 1000 {
		return nil, tripline.Errorf(tripline.EINVALID, "cursors: %d origins, at most 1000", len(parts))
	}
	for _, part := range parts {
		o, n, ok := strings.Cut(part, ":")
		seq, err := strconv.ParseInt(n, 10, 64)
		if !ok || err != nil || seq < 0 || tripline.CheckNodeID(o) != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "cursors: %.80q is not ORIGIN:SEQ", part)
		}
		out[o] = seq
	}
	return out, nil
}

// AnnounceTag is a short digest of an announcement (its origins and their
// distances): a follower sends the tag of the last one it saw, and the
// feed answers at once when its own differs, so that a new origin or a
// nearer path is taken up without waiting out a long-poll.
func AnnounceTag(heads []OriginHead) string {
	origins := make([]string, len(heads))
	for i, h := range heads {
		origins[i] = h.Origin + "/" + strconv.Itoa(h.Hops) // a nearer path is news too
	}
	sort.Strings(origins)
	sum := sha256.Sum256([]byte(strings.Join(origins, ",")))
	return hex.EncodeToString(sum[:8])
}

// Heads returns the origins whose logs this node holds, for caller:
// its own and its partners' (not suspended), but never the caller's own,
// with their last sequence numbers; origins with no event are left out.
func (s *Service) Heads(ctx context.Context, caller string) ([]OriginHead, error) {
	origins := []string{s.Self}
	for _, x := range s.Peer.partnerList() {
		if !x.Suspended() {
			origins = append(origins, x.ID)
		}
	}
	var out []OriginHead
	for _, o := range origins {
		hops := 0
		if o != s.Self {
			via := s.Peer.relayOf(o)
			if o == caller || via == caller {
				continue // split horizon: never offer a partner what it gives us
			}
			hops = s.Peer.hopsVia(via, o)
		}
		head, err := s.Feed.Events.LastSeq(ctx, o)
		if err != nil {
			return nil, err
		}
		if head > 0 {
			out = append(out, OriginHead{Origin: o, Head: head, Hops: hops})
		}
	}
	return out, nil
}

// FeedPages answers a partner's pull of several origins: for each asked
// origin it holds events after the cursor of, a page shaped for the
// partner's agency (Feed.Page), until the pages together reach PageBudget;
// and the origins it announces (Heads).
func (s *Service) FeedPages(ctx context.Context, partnerAgency, caller string, cursors map[string]int64, limit int) (*FeedPages, error) {
	heads, err := s.Heads(ctx, caller)
	if err != nil {
		return nil, err
	}
	out := &FeedPages{Origins: heads, Pages: []FeedPage{}}
	size := 0
	for _, h := range heads {
		after, asked := cursors[h.Origin]
		if !asked || after >= h.Head {
			continue
		}
		evs, err := s.Feed.Page(ctx, partnerAgency, h.Origin, after, limit)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			continue
		}
		out.Pages = append(out.Pages, FeedPage{Origin: h.Origin, Events: evs, Last: evs[len(evs)-1].Seq, Head: h.Head})
		for _, ev := range evs {
			size += eventBytes(ev)
		}
		if size >= PageBudget {
			break // the rest on the next pull
		}
	}
	return out, nil
}

// PullAll fetches new events of every origin in origins from partner in one
// request (long-polling up to wait), verifies and applies each origin's page
// on its own (one origin's bad page does not hold up the others), and
// records the origins the partner announces. It returns how many events
// were new and the first error.
func (p *Peer) PullAll(ctx context.Context, partner *tripline.Partner, origins []string, wait time.Duration) (int, error) {
	cursors := make(map[string]int64, len(origins))
	for _, o := range origins {
		cur, err := p.Store.Cursor(ctx, o)
		if err != nil {
			return 0, err
		}
		cursors[o] = cur
	}
	h := p.health(partner.ID)
	q := url.Values{"cursors": {EncodeCursors(cursors)}, "limit": {"2000"}, "wait": {strconv.Itoa(int(wait / time.Millisecond))},
		"announced": {h.tag()}}
	var answer FeedPages
	nbytes, err := p.doN(ctx, partner, "GET", "/v1/feed?"+q.Encode(), nil, &answer)
	h.read(nbytes)
	if err != nil {
		return 0, err
	}
	h.announce(partner.ID, answer.Origins)
	applied, errs := 0, []error{}
	for _, page := range answer.Pages {
		if _, asked := cursors[page.Origin]; !asked {
			errs = append(errs, tripline.Errorf(tripline.EINVALID, "feed page from %s: origin %s was not asked for", partner.ID, page.Origin))
			continue
		}
		if err := checkPage(partner.ID, page.Origin, page.Events); err != nil {
			errs = append(errs, err)
			continue
		}
		n, err := p.Apply(ctx, partner.ID, page.Events)
		applied += n
		if err != nil {
			errs = append(errs, fmt.Errorf("origin %s: %w", page.Origin, err))
		}
	}
	for _, o := range origins {
		cur, err := p.Store.Cursor(ctx, o)
		if err == nil {
			h.position(o, cur, p.Now())
		}
	}
	h.applied(applied)
	return applied, errors.Join(errs...)
}

// originsVia returns the origins this node follows through partner x: its
// own, those configured (--follows), and those it announces that this node
// knows the key of and that no partner serves directly; an origin several
// partners announce is followed through the first of them by id.
func (p *Peer) originsVia(x *tripline.Partner) []string {
	out := append([]string{x.ID}, x.Follows...)
	for _, o := range p.health(x.ID).announced() {
		if o == p.Self || slices.Contains(out, o) {
			continue
		}
		if via := p.relayOf(o); via == x.ID {
			out = append(out, o)
		}
	}
	return out
}

// relayOf returns the partner this node follows origin through: the origin
// itself when it has an address; else the first partner (by id) with an
// address configured to relay it (--follows); else, of the partners with
// an address that announce it, the one nearest to it (fewest hops; the
// first by id among equals). "" when none does, or this node knows no key
// for origin, or origin is suspended.
func (p *Peer) relayOf(origin string) string {
	o, known := p.Partner(origin)
	if !known || o.Suspended() {
		return ""
	}
	if o.URL != "" {
		return o.ID
	}
	best, bestHops := "", 0
	for _, x := range p.partnerList() {
		if x.URL == "" || x.Suspended() || x.ID == origin {
			continue
		}
		if slices.Contains(x.Follows, origin) {
			return x.ID
		}
		if hops, ok := p.health(x.ID).hopsOf(origin); ok && (best == "" || hops < bestHops) {
			best, bestHops = x.ID, hops
		}
	}
	return best
}

// hopsVia returns how far this node is from origin when it follows it
// through partner via (1 for origin itself).
func (p *Peer) hopsVia(via, origin string) int {
	switch {
	case via == "":
		return unknownHops
	case via == origin:
		return 1
	}
	if hops, ok := p.health(via).hopsOf(origin); ok {
		return min(hops+1, unknownHops)
	}
	return unknownHops
}

// FollowPartner pulls every origin followed through partner (originsVia,
// recomputed before each pull, so an announced origin is taken up at once)
// until ctx ends, with Follow's long-poll and back-off.
func (p *Peer) FollowPartner(ctx context.Context, partner *tripline.Partner) {
	p.followLoop(ctx, partner.ID, "*", func() (int, error) {
		origins := p.originsVia(partner)
		n, err := p.PullAll(ctx, partner, origins, LongPoll)
		if err == nil && n == 0 && !slices.Equal(origins, p.originsVia(partner)) {
			// An origin to follow through the partner, or one no longer:
			// progress, not an idle answer to back off from. Any other
			// change of its announcement (an origin not followed here, a
			// hop count) is not: a partner answering at once with a new
			// one each time held this node in a tight loop.
			n = 1
		}
		return n, err
	})
}

// Run follows every active partner with an address until ctx ends, one
// follower each, and keeps them in step with the partners as stored:
// every interval it reloads them, so that a partner added, suspended,
// resumed, removed or given a new key or address (from the command line or
// the API, while the node serves) is followed, stopped or restarted
// without a restart of the node.
func (p *Peer) Run(ctx context.Context, interval time.Duration) {
	type follower struct {
		stop context.CancelFunc
		done chan struct{}
		conf string
	}
	running := map[string]*follower{}
	stopAll := func(keep func(id string) bool) {
		for id, f := range running {
			if keep(id) {
				continue
			}
			f.stop()
			<-f.done
			delete(running, id)
		}
	}
	defer stopAll(func(string) bool { return false })
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ps, err := p.Reload(ctx)
		if err != nil && ctx.Err() == nil {
			p.Logger.Error("reload partners", "err", err)
		}
		want := map[string]*tripline.Partner{}
		for _, x := range ps {
			if x.URL != "" && !x.Suspended() {
				want[x.ID] = x
			}
		}
		// A partner whose address, key or follows changed is restarted.
		stopAll(func(id string) bool { x, ok := want[id]; return ok && running[id].conf == partnerConf(x) })
		for id, x := range want {
			if running[id] != nil || err != nil {
				continue
			}
			fctx, stop := context.WithCancel(ctx)
			f := &follower{stop: stop, done: make(chan struct{}), conf: partnerConf(x)}
			running[id] = f
			go func() {
				defer close(f.done)
				p.FollowPartner(fctx, x)
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-p.changed():
		}
	}
}

// partnerConf is what a follower depends on: a change restarts it.
func partnerConf(x *tripline.Partner) string {
	return strings.Join([]string{x.URL, x.PublicKey, x.Agency, x.Status, strings.Join(x.Follows, ",")}, "\x00")
}
