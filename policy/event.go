package policy

import (
	"context"
	"encoding/json"
	"fmt"

	"tripline"
)

// Events returns a page of origin's event log (read after seq after) as
// the caller in ctx may see it, and records the page in the audit log. A
// listing or document-alert event carries exactly what reading that
// listing or alert would show the caller (Listing.Disclose and
// DocumentAlert.Disclose at the caller's level, with the payload's digest
// the origin signed in Digest; the left-out fields' digests are not given,
// as each would tell a low-entropy field to whoever tried its few values).
// Any other event — one the caller may not see, or an encounter,
// clearance, refusal or consent, which their own read paths show to the
// agencies involved — is a placeholder without payload or subject: the
// sequence stays gap-free and nothing tells what it was about.
func (p *Policy) Events(ctx context.Context, origin string, after int64, evs []*tripline.Event) ([]*tripline.Event, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*tripline.Event, 0, len(evs))
	shown := 0
	for _, ev := range evs {
		e, visible, err := p.event(id, ev)
		if err != nil {
			return nil, err
		}
		if visible {
			shown++
		}
		out = append(out, e)
	}
	p.record(ctx, id, "event.list", origin, fmt.Sprintf("after %d: %d of %d events disclosed", after, shown, len(evs)))
	return out, nil
}

// event shapes one event for id, reporting whether any payload shows.
func (p *Policy) event(id *tripline.Identity, ev *tripline.Event) (*tripline.Event, bool, error) {
	if !ev.Redacted {
		var shown any
		switch ev.Type {
		case tripline.EventListingUpserted, tripline.EventListingWithdrawn, tripline.EventListingExpired:
			var l tripline.Listing
			if json.Unmarshal(ev.Payload, &l) == nil {
				if lvl := p.Level(id, &l); lvl > tripline.LevelNone {
					shown = l.Disclose(lvl)
				}
			}
		case tripline.EventDocumentAlert, tripline.EventDocumentAlertWithdrawn:
			var a tripline.DocumentAlert
			if json.Unmarshal(ev.Payload, &a) == nil {
				if lvl := p.AlertLevel(id, &a); lvl > tripline.LevelNone {
					shown = a.Disclose(lvl)
				}
			}
		}
		if shown != nil {
			out, err := ev.TrimTo(shown)
			var d string
			if err == nil {
				d, err = out.PayloadDigest()
			}
			if err == nil {
				c := *out
				c.Via = "" // which partner relayed it is the node's business
				// The left-out fields' digests of an event made before salts
				// are plain SHA-256 of their JSON: "action" is one of six
				// values, a birth date one of some 40,000, so each could be
				// found by trying them all (and a guessed name confirmed).
				// The caller gets the payload's digest, which the origin's
				// signature covers, as a placeholder carries it, and neither
				// the fields' digests nor their salts.
				c.Omitted, c.Salts, c.Digest = nil, nil, d
				return &c, true, nil
			}
			// A payload that cannot be trimmed is not shown at all.
		}
	}
	placeholder, err := ev.Redact()
	if err != nil {
		// Not even a digest: the placeholder keeps the position only.
		placeholder = &tripline.Event{Origin: ev.Origin, Seq: ev.Seq, At: ev.At, Redacted: true}
	}
	placeholder.Subject = ""
	return placeholder, false, nil
}

// Reports returns the entries of the encounter-report outbox the caller in
// ctx may see — those of encounters its agency reported or whose listing
// it originated, and the node's own updates and receipts to its agency —
// without their signed bodies, which quote the encounter in full: the
// encounter itself is read, trimmed, through Encounter. One audit entry
// records the page.
func (p *Policy) Reports(ctx context.Context, rs []*tripline.Report) ([]*tripline.Report, error) {
	out, err := p.DiscloseReports(ctx, rs)
	if err == nil {
		p.RecordReports(ctx, out)
	}
	return out, err
}

// RecordReports records that the caller in ctx was shown the reports shown.
func (p *Policy) RecordReports(ctx context.Context, shown []*tripline.Report) {
	p.record(ctx, tripline.IdentityFrom(ctx), "report.list", "", fmt.Sprintf("%d reports visible", len(shown)))
}

// DiscloseReports is Reports without its audit entry, for a page read in
// batches: its caller records the page once with RecordReports.
func (p *Policy) DiscloseReports(ctx context.Context, rs []*tripline.Report) ([]*tripline.Report, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := []*tripline.Report{}
	for _, r := range rs {
		var body struct {
			Kind      string          `json:"kind"`
			Encounter json.RawMessage `json:"encounter"`
		}
		if json.Unmarshal(r.Body, &body) != nil {
			continue
		}
		var e tripline.Encounter
		switch {
		case body.Kind != "": // an update or a receipt this node sends: its agency's
			if p.Agency == "" || id.Agency != p.Agency {
				continue
			}
		case json.Unmarshal(body.Encounter, &e) != nil || e.Agency != id.Agency && e.Originator != id.Agency:
			continue
		}
		c := *r
		c.Body = nil
		out = append(out, &c)
	}
	return out, nil
}

// Witnessed checks that the caller may read the audit checkpoints this
// node keeps of node as its witness: an auditor of this node (to hand to
// that node's oversight), or that node itself, for its own only (to
// verify its log against); it records the read either way.
func (p *Policy) Witnessed(ctx context.Context, node string) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	switch {
	case id.Role == tripline.RoleAuditor:
	case id.Role == tripline.RoleNode && id.User == "node:"+node:
	default:
		p.record(ctx, id, "audit.witnessed.denied", node, "")
		return tripline.Errorf(tripline.EFORBIDDEN, "audit checkpoints of node %.80q: for this node's auditors and that node only", node)
	}
	p.record(ctx, id, "audit.witnessed", node, "")
	return nil
}
