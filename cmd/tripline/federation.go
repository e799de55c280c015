package main

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"time"

	"tripline"
	"tripline/federation"
)

// startFederation loads the node key (creating it on first use), signs
// every event this node makes, and builds the partner protocol. Serving
// starts the pullers and the report sender (runFederation).
func (n *Node) startFederation(ctx context.Context, dir string) error {
	priv, err := federation.LoadOrCreateKey(filepath.Join(dir, "node.key"))
	if err != nil {
		return err
	}
	sign := func(msg []byte) []byte { return ed25519.Sign(priv, msg) }
	n.DB.Sign = sign
	n.Peer = federation.NewPeer(n.DB.Origin, priv, n.Fed, n.Logger)
	n.Peer.Now = func() time.Time { return n.Now() }
	n.Peer.Audit = n.Audit
	if _, err := n.Peer.Reload(ctx); err != nil {
		return err
	}
	n.Notifier = federation.NewNotifier()
	n.Peer.Notifier = n.Notifier
	n.FedService = &federation.Service{Peer: n.Peer, Notifier: n.Notifier, Agency: n.Agency,
		Feed: &federation.Feed{Events: n.Events, Self: n.DB.Origin, Sign: sign, Groups: n.groups, Audit: n.Audit, Consented: n.consented,
			Logger: n.Logger},
		Create: func(ctx context.Context, e *tripline.Encounter) error {
			if _, err := n.Encounters.Encounter(ctx, e.ID); err == nil {
				return nil // the same report twice
			}
			_, err := n.Encounters.CreateEncounter(ctx, e)
			return err
		}}
	return nil
}

// consented returns the agencies the originator of listing consented to.
func (n *Node) consented(ctx context.Context, listing string) []string {
	cs, err := n.Consents.Consents(ctx, listing)
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range cs {
		if c.Status == tripline.ConsentGranted {
			out = append(out, c.Recipient)
		}
	}
	return out
}

// runFederation follows every partner with an address (its own events and
// those it relays) and delivers encounter reports, until ctx ends.
func (n *Node) runFederation(ctx context.Context) {
	ps, err := n.Peer.Reload(ctx)
	if err != nil {
		n.Logger.Error("load partners", "err", err)
		return
	}
	for _, p := range ps {
		if p.URL == "" {
			continue
		}
		for _, origin := range append([]string{p.ID}, p.Follows...) {
			n.bg.Add(1)
			go func(p *tripline.Partner, origin string) {
				defer n.bg.Done()
				n.Peer.Follow(ctx, p, origin)
			}(p, origin)
		}
	}
	n.every(ctx, 500*time.Millisecond, n.Peer.Deliver)
}

// originNode returns the node a listing came from and the next hop
// towards it, or "" for this node's own and public lists.
func (n *Node) originNode(l *tripline.Listing) (origin, hop string) {
	if n.Peer == nil || len(l.Provenance.Chain) == 0 {
		return "", ""
	}
	hop = l.Provenance.Chain[len(l.Provenance.Chain)-1]
	ps, _ := n.Fed.Partners(context.Background())
	for _, p := range ps {
		if p.Agency == l.Provenance.Originator {
			return p.ID, hop
		}
	}
	return "", ""
}

// reportEncounter queues the report of an encounter on a partner's
// listing to its originator.
func (n *Node) reportEncounter(ctx context.Context, e *tripline.Encounter) {
	l := n.Index.Listing(e.Listing)
	if l == nil {
		return
	}
	origin, hop := n.originNode(l)
	if origin == "" {
		return
	}
	if err := n.Peer.QueueEncounter(ctx, e, origin, hop); err != nil {
		n.Logger.Error("queue encounter report", "encounter", e.ID, "err", err)
	}
}
