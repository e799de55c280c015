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
	Sig       []byte          `json:"sig"`
}

func (r *SignedReport) signingBytes() []byte {
	return append([]byte("tripline-report-v1\n"+r.From+"\n"+r.ToOrigin+"\n"), r.Encounter...)
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

// QueueEncounter queues a report of e to the node toOrigin through nextHop.
func (p *Peer) QueueEncounter(ctx context.Context, e *tripline.Encounter, toOrigin, nextHop string) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sr := SignedReport{From: p.Self, ToOrigin: toOrigin, Encounter: body}
	sr.Sig = ed25519.Sign(p.Priv, sr.signingBytes())
	b, _ := json.Marshal(&sr)
	now := p.Now()
	return p.Store.QueueReport(ctx, &tripline.Report{ID: e.ID, ToOrigin: toOrigin, NextHop: nextHop,
		NextAttempt: now, Deadline: now.Add(ReportDeadline), Body: b})
}

// Receive takes a report handed over by node from: at the originator it
// becomes an encounter in its queue (create; the same report twice is one
// encounter) and is acknowledged; elsewhere it is queued onward.
func (p *Peer) Receive(ctx context.Context, from string, sr *SignedReport, create func(*tripline.Encounter) error) (string, error) {
	pub, ok := p.Key(sr.From)
	if !ok || !ed25519.Verify(pub, sr.signingBytes(), sr.Sig) {
		return "", tripline.Errorf(tripline.EINVALID, "report: signature of %q does not verify", sr.From)
	}
	var e tripline.Encounter
	if err := json.Unmarshal(sr.Encounter, &e); err != nil || e.ID == "" {
		return "", tripline.Errorf(tripline.EINVALID, "report: malformed encounter")
	}
	if sr.ToOrigin == p.Self {
		if err := create(&e); err != nil {
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

// route returns the next hop towards origin: the origin itself when it is
// a partner with an address, else the partner whose feed relays it.
func (p *Peer) route(ctx context.Context, origin string) (string, error) {
	ps, err := p.Store.Partners(ctx)
	if err != nil {
		return "", err
	}
	for _, x := range ps {
		if x.ID == origin && x.URL != "" {
			return x.ID, nil
		}
	}
	for _, x := range ps {
		for _, f := range x.Follows {
			if f == origin && x.URL != "" {
				return x.ID, nil
			}
		}
	}
	return "", tripline.Errorf(tripline.ENOTFOUND, "no route to node %q", origin)
}

// Acknowledged records the originator's acknowledgement of report id,
// received from the next hop, and passes it back to whoever handed the
// report to us.
func (p *Peer) Acknowledged(ctx context.Context, id string) error {
	rs, err := p.Store.Reports(ctx, "")
	if err != nil {
		return err
	}
	for _, r := range rs {
		if r.ID != id || r.Status == tripline.ReportAcknowledged {
			continue
		}
		if err := p.Store.MarkReport(ctx, id, tripline.ReportAcknowledged, p.Now()); err != nil {
			return err
		}
		if r.FromNode != "" {
			p.ackUpstream(ctx, r.FromNode, id)
		}
	}
	return nil
}

// ackUpstream tells the node that handed us a report that it was
// acknowledged; on failure that node re-sends the report, and the next
// receipt says "acknowledged" at once.
func (p *Peer) ackUpstream(ctx context.Context, node, id string) {
	x := p.partnerOf(ctx, node)
	if x == nil || x.URL == "" {
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
		if x.ID == node {
			return x
		}
	}
	return nil
}

// Deliver sends every report that is due, once: acknowledged reports are
// done; others are retried with exponential backoff, and one past its
// deadline is marked overdue with an alert in the log.
func (p *Peer) Deliver(ctx context.Context) {
	rs, err := p.Store.Reports(ctx, "")
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
		if now.After(r.Deadline) && status != tripline.ReportOverdue {
			p.Logger.Error("ALERT: encounter report not acknowledged by its deadline", "report", r.ID, "to", r.ToOrigin,
				"deadline", r.Deadline, "attempts", r.Attempts)
			status = tripline.ReportOverdue
		}
		var receipt ReportReceipt
		err := p.do(ctx, p.partnerOf(ctx, r.NextHop), "POST", "/v1/reports", r.Body, &receipt)
		switch {
		case err != nil:
			backoff := min(time.Duration(1<<min(r.Attempts, 6))*time.Second, time.Minute)
			p.Logger.Warn("deliver report", "report", r.ID, "next_hop", r.NextHop, "err", err, "retry_in", backoff)
			if status == tripline.ReportSent {
				status = tripline.ReportPending
			}
			_ = p.Store.MarkReport(ctx, r.ID, status, now.Add(backoff))
		case receipt.Status == tripline.ReportAcknowledged:
			_ = p.Store.MarkReport(ctx, r.ID, tripline.ReportAcknowledged, now)
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
