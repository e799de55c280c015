package federation

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"time"

	"tripline"
)

// SignedReport is an encounter report as it travels to the originator:
// signed by the reporting node, end to end, so a relay cannot alter it.
type SignedReport struct {
	From      string          `json:"from"`
	ToOrigin  string          `json:"to_origin"`
	Encounter json.RawMessage `json:"encounter"`
	// Kind is "" for a report (Encounter is the encounter) or "update" for
	// one end's change to it (Encounter is a tripline.EncounterUpdate),
	// travelling the same way to the other end.
	Kind string `json:"kind,omitempty"`
	Sig  []byte `json:"sig"`
}

// MaxReportBytes bounds what a signed report carries (an encounter, an
// update, a diffusion: a few kilobytes). A partner's request may be
// 16 MiB, and each report is stored (in the queue, or in the outbox to be
// forwarded, until acknowledged): at a partner's allowed request rate,
// reports of that size wrote 1.6 GB a second.
const MaxReportBytes = 256 << 10

// KindUpdate marks a SignedReport carrying an encounter update.
const KindUpdate = "update"

// KindReceipt marks a SignedReport carrying a receipt (a ReportAck) for the
// node that handed over a report or update by bundle: it goes one hop, to
// that node, which then stops sending it.
const KindReceipt = "receipt"

func (r *SignedReport) signingBytes() []byte {
	head := "tripline-report-v1\n" + r.From + "\n" + r.ToOrigin + "\n"
	if r.Kind != "" {
		head = "tripline-report-v2\n" + r.Kind + "\n" + r.From + "\n" + r.ToOrigin + "\n" // a report cannot pass for an update
	}
	return append([]byte(head), r.Encounter...)
}

// ReportAck is an originator's acknowledgement passed back along the path.
type ReportAck struct {
	ID string `json:"id"`
}

// ReportReceipt is the answer to a delivered report.
type ReportReceipt struct {
	Status string `json:"status"` // acknowledged (we are the originator) or forwarded
}

// ReportDeadline is how long an encounter report may stay unacknowledged
// before the reporting node raises an alert.
const ReportDeadline = 10 * time.Minute

// QueueEncounter queues a report of e to the node toOrigin through nextHop;
// its deadline is e's acknowledgement due time (the action's escalation),
// else ReportDeadline.
func (p *Peer) QueueEncounter(ctx context.Context, e *tripline.Encounter, toOrigin, nextHop string) error {
	deadline := p.Now().Add(ReportDeadline)
	if e.AckDue != nil {
		deadline = *e.AckDue
	}
	return p.queueSigned(ctx, e.ID, "", e, toOrigin, nextHop, deadline)
}

// QueueUpdate queues u, this end's change to an encounter, to the node at
// its other end, once per key: an acknowledgement, an outcome.
func (p *Peer) QueueUpdate(ctx context.Context, key string, u *tripline.EncounterUpdate, toNode string) error {
	hop, err := p.route(ctx, toNode)
	if err != nil {
		return err
	}
	return p.queueSigned(ctx, key, KindUpdate, u, toNode, hop, p.Now().Add(ReportDeadline))
}

func (p *Peer) queueSigned(ctx context.Context, id, kind string, v any, to, hop string, deadline time.Time) error {
	b, err := p.signReport(kind, v, to)
	if err != nil {
		return err
	}
	return p.Store.QueueReport(ctx, &tripline.Report{ID: id, ToOrigin: to, NextHop: hop, NextAttempt: p.Now(), Deadline: deadline, Body: b})
}

// signReport returns v as a SignedReport of kind from this node to node to.
func (p *Peer) signReport(kind string, v any, to string) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	sr := SignedReport{From: p.Self, ToOrigin: to, Encounter: body, Kind: kind}
	sr.Sig = ed25519.Sign(p.Priv, sr.signingBytes())
	return json.Marshal(&sr)
}

// verifyReport checks sr's signature by the node it names as its sender.
func (p *Peer) verifyReport(sr *SignedReport) error {
	pub, ok := p.Key(sr.From)
	if !ok || !ed25519.Verify(pub, sr.signingBytes(), sr.Sig) {
		return tripline.Errorf(tripline.EINVALID, "report: signature of %q does not verify", sr.From)
	}
	return nil
}

// Receive takes a report handed over by node from: at the originator it
// becomes an encounter in its queue (create, with what belongs to this end
// reset: Encounter.Received; the same report twice is one encounter) and
// is acknowledged; elsewhere it is queued onward, as signed.
//
// An update (Kind "update") travels the same way; at its destination it is
// handed to update with the agency of the node that signed it.
func (p *Peer) Receive(ctx context.Context, from string, sr *SignedReport, create func(*tripline.Encounter) error,
	update func(u *tripline.EncounterUpdate, senderAgency string) error) (string, error) {
	if len(sr.Encounter) > MaxReportBytes {
		return "", tripline.Errorf(tripline.EINVALID, "report: %d bytes, at most %d", len(sr.Encounter), MaxReportBytes)
	}
	if err := p.verifyReport(sr); err != nil {
		return "", err
	}
	var e tripline.Encounter
	var u tripline.EncounterUpdate
	switch sr.Kind {
	case "":
		if err := json.Unmarshal(sr.Encounter, &e); err != nil || e.ID == "" {
			return "", tripline.Errorf(tripline.EINVALID, "report: malformed encounter")
		}
	case KindUpdate:
		if err := json.Unmarshal(sr.Encounter, &u); err != nil || u.ID == "" {
			return "", tripline.Errorf(tripline.EINVALID, "report: malformed encounter update")
		}
		e.ID = u.Key() // the outbox id, the same at every hop
	case KindReceipt:
		// One hop only: a receipt is for the node that handed over what it
		// names.
		if err := p.receipt(ctx, from, sr); err != nil {
			return "", err
		}
		return tripline.ReportAcknowledged, nil
	default:
		// Kinds other capabilities register (diffusion.go).
		key, done, err := p.receiveKind(ctx, sr)
		if err != nil {
			return "", err
		}
		if done {
			return tripline.ReportAcknowledged, nil
		}
		e.ID = key
	}
	if sr.ToOrigin == p.Self {
		var err error
		if sr.Kind == KindUpdate {
			sender, _ := p.Partner(sr.From)
			err = update(&u, sender.Agency)
		} else {
			e.Received(p.Now())
			err = create(&e)
		}
		if err != nil {
			return "", err
		}
		return tripline.ReportAcknowledged, nil
	}
	hop, err := p.route(ctx, sr.ToOrigin)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(sr)
	now := p.Now()
	if err := p.Store.QueueReport(ctx, &tripline.Report{ID: e.ID, ToOrigin: sr.ToOrigin, NextHop: hop, FromNode: from,
		NextAttempt: now, Deadline: now.Add(ReportDeadline), Body: b}); err != nil {
		return "", err
	}
	return "forwarded", nil
}

// delivered marks report r acknowledged, keeping of its signed body only
// whose it was (tripline.ReportResidue): once the other end has the
// encounter, the outbox holds no copy of the traveller.
func (p *Peer) delivered(ctx context.Context, r *tripline.Report) error {
	return p.Store.AcknowledgeReport(ctx, r.ID, tripline.ReportResidue(r.Body))
}

// route returns the next hop towards origin: the origin itself when it is
// a partner with an address, else the partner whose feed relays it
// (configured or announced: relayOf).
func (p *Peer) route(ctx context.Context, origin string) (string, error) {
	if _, err := p.Reload(ctx); err != nil {
		return "", err
	}
	if hop := p.relayOf(origin); hop != "" {
		return hop, nil
	}
	if o, ok := p.Partner(origin); ok && !o.Suspended() && o.URL == "" {
		return origin, nil // no address and no relay: an air-gapped partner, reached by bundle
	}
	return "", tripline.Errorf(tripline.ENOTFOUND, "no route to node %q", origin)
}

// Acknowledged records the originator's acknowledgement of report id,
// sent by partner node from, and passes it back to whoever handed the
// report to us. Only the report's next hop, the node we handed it to, may
// acknowledge it: another partner's acknowledgement is refused
// (EFORBIDDEN) and changes nothing. An id this node holds no report of is
// no error (an acknowledgement passed back twice).
func (p *Peer) Acknowledged(ctx context.Context, from, id string) error {
	other, err := p.acknowledged(ctx, id, from)
	if err != nil || other == "" {
		return err
	}
	return tripline.Errorf(tripline.EFORBIDDEN, "report %s: acknowledged by node %q, but it was handed to %q: only the node a report was handed to acknowledges it", id, from, other)
}

// acknowledged marks report id acknowledged where its next hop is hop,
// and passes the acknowledgement back; other is the next hop of a report
// of that id that hop is not, when none is hop's.
func (p *Peer) acknowledged(ctx context.Context, id, hop string) (other string, err error) {
	r, err := p.Store.Report(ctx, id)
	if tripline.ErrorCode(err) == tripline.ENOTFOUND {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if r.NextHop != hop {
		return r.NextHop, nil
	}
	if r.Status == tripline.ReportAcknowledged {
		return "", nil
	}
	if err := p.delivered(ctx, r); err != nil {
		return "", err
	}
	if r.FromNode != "" {
		p.ackUpstream(ctx, r.FromNode, id)
	}
	return "", nil
}

// ackUpstream tells the node that handed us a report that it was
// acknowledged; on failure that node re-sends the report, and the next
// receipt says "acknowledged" at once. A node with no address (it handed
// the report over by bundle) gets a receipt in the next bundle.
func (p *Peer) ackUpstream(ctx context.Context, node, id string) {
	x := p.partnerOf(ctx, node)
	if x == nil {
		return
	}
	if x.URL == "" {
		if err := p.queueReceipt(ctx, node, id, "relayed"); err != nil {
			p.Logger.Warn("queue a receipt for a bundle", "to", node, "report", id, "err", err)
		}
		return
	}
	b, _ := json.Marshal(ReportAck{ID: id})
	var out map[string]any
	if err := p.do(ctx, x, "POST", "/v1/reports/ack", b, &out); err != nil {
		p.Logger.Warn("pass acknowledgement back", "to", node, "report", id, "err", err)
	}
}

// partnerOf returns the stored partner node, or nil.
func (p *Peer) partnerOf(ctx context.Context, node string) *tripline.Partner {
	ps, err := p.Store.Partners(ctx)
	if err != nil {
		return nil
	}
	for _, x := range ps {
		if x.ID == node && !x.Suspended() {
			return x
		}
	}
	return nil // unknown or suspended: nothing goes to it
}

// Deliver sends every report that is due, once: acknowledged reports are
// done; others are retried with exponential backoff, and one past its
// deadline is marked overdue with an alert in the log.
func (p *Peer) Deliver(ctx context.Context) {
	rs, err := p.Store.OpenReports(ctx)
	if err != nil {
		p.Logger.Error("read report outbox", "err", err)
		return
	}
	now := p.Now()
	for _, r := range rs {
		if r.Status == tripline.ReportAcknowledged || r.NextAttempt.After(now) {
			continue
		}
		status := r.Status
		if now.After(r.Deadline) && status != tripline.ReportOverdue && !isReceipt(r.ID) {
			p.Logger.Error("ALERT: encounter report not acknowledged by its deadline", "report", r.ID, "to", r.ToOrigin,
				"deadline", r.Deadline, "attempts", r.Attempts)
			status = tripline.ReportOverdue
		}
		x := p.partnerOf(ctx, r.NextHop)
		if x != nil && x.URL == "" {
			// An air-gapped partner: the report waits for a bundle
			// (BundleWritten), and still falls overdue here.
			if status != r.Status {
				_ = p.Store.MarkReport(ctx, r.ID, status, now.Add(time.Minute))
			}
			continue
		}
		var receipt ReportReceipt
		var err error = tripline.Errorf(tripline.EUNAVAILABLE, "next hop %q is suspended or removed", r.NextHop)
		if x != nil {
			err = p.do(ctx, x, "POST", "/v1/reports", r.Body, &receipt)
		}
		switch {
		case err != nil:
			backoff := min(time.Duration(1<<min(r.Attempts, 6))*time.Second, time.Minute)
			p.Logger.Warn("deliver report", "report", r.ID, "next_hop", r.NextHop, "err", err, "retry_in", backoff)
			if status == tripline.ReportSent {
				status = tripline.ReportPending
			}
			_ = p.Store.MarkReport(ctx, r.ID, status, now.Add(backoff))
		case receipt.Status == tripline.ReportAcknowledged:
			_ = p.delivered(ctx, r)
			if r.FromNode != "" {
				p.ackUpstream(ctx, r.FromNode, r.ID)
			}
		default: // forwarded: wait for the acknowledgement, re-send later (receivers dedupe)
			if status != tripline.ReportOverdue {
				status = tripline.ReportSent
			}
			_ = p.Store.MarkReport(ctx, r.ID, status, now.Add(30*time.Second))
		}
	}
}
