package main

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
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
	n.FedService = &federation.Service{Peer: n.Peer, Notifier: n.Notifier, Agency: n.Agency, PartnerStore: n.Fed,
		Feed: &federation.Feed{Events: n.Events, Self: n.DB.Origin, Sign: sign, Groups: n.groups, Audit: n.Audit, Consented: n.consented,
			Listing: func(id string) *tripline.Listing { return n.Index.Listing(id) },
			Logger:  n.Logger},
		Held: n.Listings.Listing,
		Update: func(ctx context.Context, u *tripline.EncounterUpdate, sender string) error {
			_, err := n.Encounters.MergeEncounterUpdate(ctx, u, sender)
			return err
		},
		Create: func(ctx context.Context, e *tripline.Encounter) error {
			if e.NoticeTo != "" && e.NoticeTo != n.Agency {
				// A partner may notify this node's agency, no other one
				// whose users happen to be here.
				return tripline.Errorf(tripline.EFORBIDDEN, "report: a notice for agency %q sent to the node of %q", e.NoticeTo, n.Agency)
			}
			if e.Diffusion != "" {
				if err := n.diffusionNotice(ctx, e); err != nil {
					return err
				}
			}
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
	// Granted ones only: what the originator decided, not every request
	// anyone made (a partner may have made a thousand).
	cs, err := n.Consents.Consents(ctx, tripline.ConsentFilter{Listing: listing, Status: tripline.ConsentGranted})
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

// serveFederation gives the API server the partner protocol, partner
// management and the partners' metrics, and starts following partners.
func (n *Node) serveFederation(srv *httpapi.Server) {
	srv.Federation, srv.Partners, srv.Witness = n.FedService, n.FedService, n.Fed
	srv.Registry().MustRegister(n.Peer.Collector(), newEncounterMetrics(n))
	n.runFederation(n.Context())
}

// runFederation follows every active partner with an address (its own
// events and every origin it relays to us: one pull per partner), keeping
// in step with partners added, suspended or removed while serving, and
// delivers encounter reports, until ctx ends.
func (n *Node) runFederation(ctx context.Context) {
	n.Go(func(ctx context.Context) {
		n.Peer.Run(ctx, time.Second)
	})
	n.Every(500*time.Millisecond, n.Peer.Deliver)
	if n.WitnessEvery > 0 {
		n.Every(n.WitnessEvery, n.Peer.WitnessAudits)
	}
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
	if l == nil || !n.ownEncounter(e) {
		return // a notice received from another node is not reported on
	}
	origin, hop := n.originNode(l)
	if origin == "" {
		return
	}
	if err := n.Peer.QueueEncounter(ctx, e, origin, hop); err != nil {
		n.Logger.Error("queue encounter report", "encounter", e.ID, "err", err)
	}
}

// queueOwed queues, once, every report and update this node owes its
// partners for its encounters (reportEncounter, sendUpdate): what the
// event hooks queue as encounters change, again, in case a process
// ended before its hook ran (a `tripline screen` on an air-gapped node
// exits at once). The outbox takes each key once, so nothing goes twice.
func (n *Node) queueOwed(ctx context.Context) error {
	f := tripline.EncounterFilter{Limit: 500}
	for {
		es, err := n.Encounters.Encounters(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Originator != n.Agency {
				n.reportEncounter(ctx, e)
			}
			n.sendUpdate(ctx, e)
		}
		if len(es) < f.Limit {
			return nil
		}
		f.Before = es[len(es)-1].ID
	}
}

// sendUpdate sends the other end of encounter e what this end owes it:
// the originator's acknowledgement to the reporting node, the officer's
// outcome to the originator's node; each once.
func (n *Node) sendUpdate(ctx context.Context, e *tripline.Encounter) {
	var us []*tripline.EncounterUpdate
	if u, _ := tripline.UpdateFor(e, n.Agency); u != nil {
		us = append(us, u)
	}
	if u := tripline.ClearanceUpdateFor(e, n.Agency); u != nil {
		us = append(us, u) // a clearance proposed, decided or revoked
	}
	for _, u := range us {
		to := e.Node // the originator's part goes to the reporting node
		if e.Agency == n.Agency {
			to = n.nodeOfAgency(ctx, e.Originator) // the reporting agency's to the originator's
		}
		if to == "" || to == n.DB.Origin {
			continue
		}
		if err := n.Peer.QueueUpdate(ctx, u.Key(), u, to); err != nil {
			n.Logger.Error("queue encounter update", "encounter", e.ID, "kind", u.Kind, "to", to, "err", err)
		}
	}
}

// nodeOfAgency returns the partner node run by agency, "" for none.
func (n *Node) nodeOfAgency(ctx context.Context, agency string) string {
	ps, _ := n.Fed.Partners(ctx)
	for _, p := range ps {
		if p.Agency == agency {
			return p.ID
		}
	}
	return ""
}
