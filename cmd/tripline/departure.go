package main

import (
	"context"

	"tripline"
)

// notifyDeparture tells the partners of a pre-departure hit's departure
// country of it (issue 19): a PNR screened before the flight leaves, a
// listed passenger on it, and a partner agency in the country the flight
// leaves from that may see the listing — it can still stop the person
// boarding. The originator's node decides and sends, whether its own
// officers screened or a partner's report of the hit arrived: only it
// holds the listing's whole handling rules (a partner's copy lacks them),
// so no notice goes to an agency the originator did not grant. The
// reporting agency and the originator are not told twice.
func (n *Node) notifyDeparture(ctx context.Context, e *tripline.Encounter) {
	tr := e.Traveller.Travel
	if tr == nil || !tr.PreDeparture || tr.FromCountry == "" || e.Decision != tripline.DecisionHit || e.Originator != n.Agency {
		return
	}
	l := n.Index.Listing(e.Listing)
	if l == nil {
		return
	}
	agencies, err := n.Identity.Agencies(ctx)
	if err != nil {
		n.Logger.Error("departure notice: load agencies", "encounter", e.ID, "err", err)
		return
	}
	countryOf := map[string]string{}
	for _, a := range agencies {
		if c, ok := n.Screener.Countries.Alpha3(a.Country); ok {
			countryOf[a.ID] = c
		}
	}
	ps, err := n.Fed.Partners(ctx)
	if err != nil {
		n.Logger.Error("departure notice: load partners", "encounter", e.ID, "err", err)
		return
	}
	ctx = n.cliContext(ctx) // audited as the node's own act
	for _, p := range ps {
		if p.Suspended() || p.Agency == e.Originator || p.Agency == e.Agency || countryOf[p.Agency] != tr.FromCountry {
			continue
		}
		if !n.Policy.MayNotify(ctx, p.Agency, l, e.ID) {
			continue
		}
		if err := n.Peer.QueueNotice(ctx, e, e.ID+"-dep-"+p.ID, p.ID, p.Agency); err != nil {
			n.Logger.Error("queue departure notice", "encounter", e.ID, "to", p.ID, "err", err)
		}
	}
}

// ownEncounter reports whether this node recorded e: only the reporting
// node reports and notifies, never one that received it as a notice.
func (n *Node) ownEncounter(e *tripline.Encounter) bool {
	return e.Node == "" || e.Node == n.DB.Origin
}
