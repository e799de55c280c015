package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
	"tripline/sqlstore"
)

// diffusionNode carries a node's diffusions (issue 19) over federation:
// it is the API's DiffusionTransport and takes the diffusions and
// acknowledgements partners send.
type diffusionNode struct {
	n     *Node
	store *sqlstore.DiffusionService
	// alerted holds "diffusion/agency" of the overdue recipients already
	// alerted on; only the escalation loop touches it.
	alerted map[string]bool
}

var _ httpapi.DiffusionTransport = diffusionNode{}

// serveDiffusions gives the API server diffusions and the federation their
// message kinds.
func (n *Node) serveDiffusions(srv *httpapi.Server) {
	dn := diffusionNode{n: n, store: sqlstore.NewDiffusionService(n.DB), alerted: map[string]bool{}}
	srv.Diffusions, srv.DiffusionTransport = dn.store, dn
	n.Peer.Kinds = map[string]federation.KindHandler{
		federation.KindDiffusion:    dn.receive,
		federation.KindDiffusionAck: dn.receiveAck,
	}
	srv.Registry().MustRegister(dn)
	n.Every(15*time.Second, dn.escalate)
}

// escalate raises an alert in the log, once, for each recipient of a
// diffusion this node's agency sent that has not acknowledged it by its
// deadline (the metric counts them all the while).
func (dn diffusionNode) escalate(ctx context.Context) {
	ds, err := dn.store.Diffusions(ctx, dn.n.Agency)
	if err != nil {
		dn.n.Logger.Error("read diffusions", "err", err)
		return
	}
	for _, d := range ds {
		if d.Sender != dn.n.Agency || d.MarkOverdue(dn.n.Now()) == 0 {
			continue
		}
		for _, r := range d.Recipients {
			if key := d.ID + "/" + r.Agency; r.Overdue && !dn.alerted[key] {
				dn.alerted[key] = true
				dn.n.Logger.Error("ALERT: diffusion not acknowledged by its deadline", "diffusion", d.ID, "kind", d.Kind,
					"recipient", r.Agency, "node", r.Node, "deadline", d.AckDue)
			}
		}
	}
}

func (dn diffusionNode) Self() string { return dn.n.DB.Origin }

func (dn diffusionNode) PartnerNodes(ctx context.Context) (map[string]string, error) {
	ps, err := dn.n.Fed.Partners(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range ps {
		if !p.Suspended() && p.Agency != dn.n.Agency {
			out[p.Agency] = p.ID
		}
	}
	return out, nil
}

func (dn diffusionNode) SendDiffusion(ctx context.Context, d *tripline.Diffusion) error {
	for _, r := range d.Recipients {
		if err := dn.n.Peer.QueueDiffusion(ctx, d, r.Node); err != nil {
			return err
		}
	}
	return nil
}

func (dn diffusionNode) SendDiffusionAck(ctx context.Context, d *tripline.Diffusion, a *tripline.DiffusionAck) error {
	return dn.n.Peer.QueueDiffusionAck(ctx, a, d.SenderNode)
}

// receive takes a diffusion a partner sent: only its own agency's, from
// its own node, naming this node's agency among the recipients.
func (dn diffusionNode) receive(ctx context.Context, payload json.RawMessage, senderAgency, senderNode string) error {
	var m federation.DiffusionMessage
	if err := json.Unmarshal(payload, &m); err != nil || m.Diffusion == nil {
		return tripline.Errorf(tripline.EINVALID, "diffusion: malformed")
	}
	d := m.Diffusion
	if d.Sender != senderAgency || d.SenderNode != senderNode {
		return tripline.Errorf(tripline.EFORBIDDEN, "diffusion: %q sent by node %q of %q", d.Sender, senderNode, senderAgency)
	}
	mine := false
	for _, r := range d.Recipients {
		mine = mine || r.Agency == dn.n.Agency
	}
	if !mine {
		return tripline.Errorf(tripline.EFORBIDDEN, "diffusion: not addressed to %q", dn.n.Agency)
	}
	now := dn.n.Now().UTC()
	d.Received = &now
	held, err := dn.store.PutDiffusion(ctx, d)
	if err != nil {
		return err
	}
	return dn.screenFor(ctx, held)
}

// screenFor makes a received diffusion screen at this node's border, as
// the version held says: its listing (Diffusion.ReceivedListing) put
// while it is active, withdrawn once it is cancelled. A failure fails the
// receipt, so the sender's node sends the diffusion again.
func (dn diffusionNode) screenFor(ctx context.Context, d *tripline.Diffusion) error {
	l := d.ReceivedListing(dn.n.Agency)
	var err error
	if d.Status == tripline.DiffusionActive {
		_, err = dn.n.Listings.PutListing(ctx, l) // unchanged (sent again): no new version
	} else if _, err = dn.n.Listings.WithdrawListing(ctx, l.ID, tripline.DiffusionWithdrawn); tripline.ErrorCode(err) == tripline.ECONFLICT ||
		tripline.ErrorCode(err) == tripline.ENOTFOUND {
		err = nil // withdrawn already, or never made
	}
	if err != nil {
		return fmt.Errorf("diffusion %s: its listing at %s: %w", d.ID, dn.n.Agency, err)
	}
	return nil
}

// notifyDiffusion tells the sender of a diffusion this node received of
// its officers' hit or review on it: the diffusion asked to be told
// (locate and report) or to have the person stopped, and the sender's
// analysts need the encounter (when, where, which document) at once, not
// when someone calls the contact point. It goes as a notice (the
// encounter is this agency's own, on its own listing): signed by this
// node, in the sender agency's queue at its node, acknowledged there.
func (n *Node) notifyDiffusion(ctx context.Context, e *tripline.Encounter) {
	if e.Originator != n.Agency || !n.ownEncounter(e) || e.Decision == tripline.DecisionClear {
		return
	}
	// A received diffusion's listing is named AGENCY:DIFFUSION
	// (ReceivedListing); the index keeps no details to tell it by.
	ref, ok := strings.CutPrefix(e.Listing, n.Agency+":")
	if !ok {
		return
	}
	d, err := sqlstore.NewDiffusionService(n.DB).Diffusion(ctx, ref)
	if err != nil || d.Sender == n.Agency || d.SenderNode == "" || d.ReceivedListingID(n.Agency) != e.Listing {
		return // not a listing a received diffusion made
	}
	c := *e
	c.Diffusion = d.ID
	if err := n.Peer.QueueNotice(ctx, &c, e.ID+"-dif-"+d.SenderNode, d.SenderNode, d.Sender); err != nil {
		n.Logger.Error("queue diffusion hit notice", "encounter", e.ID, "diffusion", d.ID, "to", d.SenderNode, "err", err)
	}
}

// diffusionNotice checks a partner's notice of a hit on a diffusion: one
// this node's agency sent to the notice's originator, on the listing that
// diffusion made there. Anything else naming a diffusion is refused: a
// partner cannot put an encounter in this agency's queue as the author
// of a subject it never diffused.
func (n *Node) diffusionNotice(ctx context.Context, e *tripline.Encounter) error {
	d, err := sqlstore.NewDiffusionService(n.DB).Diffusion(ctx, e.Diffusion)
	if err != nil && tripline.ErrorCode(err) != tripline.ENOTFOUND {
		return err
	}
	sent := err == nil && d.Sender == n.Agency
	if sent {
		sent = false
		for _, r := range d.Recipients {
			sent = sent || r.Agency == e.Originator
		}
	}
	if !sent || d.ReceivedListingID(e.Originator) != e.Listing {
		return tripline.Errorf(tripline.EFORBIDDEN, "report: a notice on diffusion %q, which agency %q did not send to %q as listing %q",
			e.Diffusion, n.Agency, e.Originator, e.Listing)
	}
	return nil
}

// receiveAck takes a recipient's acknowledgement of a diffusion this
// node's agency sent: only for the agency of the node that signed it.
func (dn diffusionNode) receiveAck(ctx context.Context, payload json.RawMessage, senderAgency, _ string) error {
	var a tripline.DiffusionAck
	if err := json.Unmarshal(payload, &a); err != nil || a.Diffusion == "" {
		return tripline.Errorf(tripline.EINVALID, "diffusion acknowledgement: malformed")
	}
	if a.Agency != senderAgency {
		return tripline.Errorf(tripline.EFORBIDDEN, "diffusion acknowledgement: for %q signed by %q's node", a.Agency, senderAgency)
	}
	d, err := dn.store.Diffusion(ctx, a.Diffusion)
	if err != nil {
		return err
	}
	if d.Sender != dn.n.Agency {
		return tripline.Errorf(tripline.EFORBIDDEN, "diffusion acknowledgement: %q was not sent here", a.Diffusion)
	}
	_, err = dn.store.AckDiffusion(ctx, a.Diffusion, a.Agency, a.By, a.At)
	return err
}

var mDiffusionsOverdue = prometheus.NewDesc("tripline_diffusions_overdue",
	"Recipients of this node's active diffusions that have not acknowledged past the acknowledgement deadline (escalated).", nil, nil)

func (dn diffusionNode) Describe(ch chan<- *prometheus.Desc) { ch <- mDiffusionsOverdue }

func (dn diffusionNode) Collect(ch chan<- prometheus.Metric) {
	ds, err := dn.store.Diffusions(context.Background(), dn.n.Agency)
	if err != nil {
		return
	}
	n := 0
	for _, d := range ds {
		if d.Sender == dn.n.Agency {
			n += d.MarkOverdue(dn.n.Now())
		}
	}
	ch <- prometheus.MustNewConstMetric(mDiffusionsOverdue, prometheus.GaugeValue, float64(n))
}
