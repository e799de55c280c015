package policy

import (
	"context"
	"sync"

	"tripline"
	"tripline/network"
)

// LinkFilter returns the filter of the network links the caller in ctx may
// see, for every network read path (queries, analytics, exports): a link
// naming a listing, or with a listing at either end, is visible only if
// the caller may see that listing's details — links are details under
// the handling rules, and officers never see them. A link a manifest or PNR
// import derived (network.FeedAgency) is the importing agency's and
// visible to its callers only (those imported before agencies were
// recorded are the node's agency's). Any other link (analysts' own) is
// the node's own data and visible to any caller allowed on the route. A
// listing lookup does not know (withdrawn, expired, never seen) hides its
// links. query describes the request for the audit entry the
// call writes. EUNAUTHORIZED without a caller identity.
func (p *Policy) LinkFilter(ctx context.Context, query string, lookup func(id string) *tripline.Listing) (network.Allow, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	p.record(ctx, id, "network.query", query, "links disclosed at level details")
	return p.ownFeeds(id, p.linkFilter(id, tripline.LevelDetails, lookup)), nil
}

// ownFeeds narrows allow to the feed links (manifests, PNRs, their
// co-travel) of the caller's agency: another agency's imports are its
// own, neither read nor walked by this one's.
func (p *Policy) ownFeeds(id *tripline.Identity, allow network.Allow) network.Allow {
	return func(l network.Link) bool {
		if agency, feed := network.FeedAgency(l.Source); feed {
			if agency == "" {
				agency = p.Agency // imported before agencies were recorded
			}
			if agency != id.Agency {
				return false
			}
		}
		return allow(l)
	}
}

// ScreenLinks returns the two filters of the screening flag for the
// caller in ctx. traverse lets the flag walk a link whose listing the
// caller's agency may screen against (the role does not cap screening, as
// CanScreen), so that an officer's screening sees a tie through a listed
// person's phone; show is LinkFilter's rule (the caller's level, capped by
// role, is details), and decides which steps of the path the explanation
// may name. Both walk only the feed links of the caller's agency, as
// LinkFilter. Nothing is audited here: the screening's result is.
func (p *Policy) ScreenLinks(ctx context.Context, lookup func(id string) *tripline.Listing) (traverse, show network.Allow) {
	id := tripline.IdentityFrom(ctx)
	if id == nil {
		none := func(network.Link) bool { return false }
		return none, none
	}
	screen := func(l *tripline.Listing) bool { return l.LevelFor(id.Agency, p.Groups) >= tripline.LevelScreen }
	details := func(l *tripline.Listing) bool { return p.Level(id, l) >= tripline.LevelDetails }
	return p.ownFeeds(id, cached(screen, lookup)), p.ownFeeds(id, cached(details, lookup))
}

func (p *Policy) linkFilter(id *tripline.Identity, min tripline.Level, lookup func(id string) *tripline.Listing) network.Allow {
	return cached(func(l *tripline.Listing) bool { return p.Level(id, l) >= min }, lookup)
}

// cached makes a link filter from a listing rule, deciding each listing
// once: a whole-graph snapshot asks about millions of links but few
// listings.
func cached(rule func(*tripline.Listing) bool, lookup func(id string) *tripline.Listing) network.Allow {
	var mu sync.Mutex
	seen := map[string]bool{}
	decide := func(id string) bool {
		ok, known := seen[id]
		if !known {
			lst := lookup(id)
			ok = lst != nil && rule(lst)
			seen[id] = ok
		}
		return ok
	}
	return func(l network.Link) bool {
		if l.Listing == "" && l.From.Kind != network.KindListing && l.To.Kind != network.KindListing {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		for _, id := range governing(l) {
			if !decide(id) {
				return false
			}
		}
		return true
	}
}

// governing returns the listings whose handling rules govern l: the one
// it names, and any listing at either end (a link to a listed person
// tells of that person even when an analyst did not name the listing).
func governing(l network.Link) []string {
	var ids []string
	if l.Listing != "" {
		ids = append(ids, l.Listing)
	}
	for _, e := range []network.Entity{l.From, l.To} {
		if e.Kind == network.KindListing && e.Key != l.Listing {
			ids = append(ids, e.Key)
		}
	}
	return ids
}
