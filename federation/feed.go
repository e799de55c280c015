package federation

import (
	"context"
	"encoding/json"

	"tripline"
)

// Feed serves this node's event log to partners: for each event, exactly
// what the originator's handling rules grant the partner — the event
// trimmed to the partner's level, or a redacted placeholder that keeps the
// sequence gap-free. Relayed events (another origin's) pass only where the
// originator's re-share rule allows it or the originator consented.
type Feed struct {
	Events tripline.EventService
	// Self is this node's id.
	Self string
	// Groups knows the sharing groups of each agency.
	Groups tripline.Groups
	// Consented returns the agencies the originator consented to receive
	// listing id from this node.
	Consented func(ctx context.Context, listing string) []string
	// Audit records each page served.
	Audit tripline.Auditor
}

// Page returns up to limit events of origin after seq, shaped for the
// partner agency.
// A page ends at a signed event (the origin signs the last event of each
// of its transactions), so that the partner can verify all of it.
func (f *Feed) Page(ctx context.Context, partnerAgency, origin string, after int64, limit int) ([]*tripline.Event, error) {
	evs, err := f.Events.Events(ctx, origin, after, limit)
	if err != nil {
		return nil, err
	}
	for len(evs) > 0 && len(evs[len(evs)-1].Sig) == 0 {
		more, err := f.Events.Events(ctx, origin, evs[len(evs)-1].Seq, 256)
		if err != nil {
			return nil, err
		}
		if len(more) == 0 {
			// The newest transaction is not signed yet (or its origin's
			// signature has not arrived): serve up to the last signed event.
			last := len(evs) - 1
			for last >= 0 && len(evs[last].Sig) == 0 {
				last--
			}
			evs = evs[:last+1]
			break
		}
		evs = append(evs, more...)
	}
	out := make([]*tripline.Event, 0, len(evs))
	shared := 0
	for _, ev := range evs {
		shaped, err := f.shape(ctx, partnerAgency, ev)
		if err != nil {
			return nil, err
		}
		if !shaped.Redacted {
			shared++
		}
		out = append(out, shaped)
	}
	if f.Audit != nil && len(evs) > 0 {
		f.Audit.Record(ctx, tripline.AuditEntry{User: "node", Agency: partnerAgency, Role: tripline.RoleNode, Action: "feed.read",
			Subject: origin, Detail: jsonDetail(map[string]any{"after": after, "events": len(evs), "shared": shared})})
	}
	return out, nil
}

func jsonDetail(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// redact returns the placeholder for an event the partner may not see: no
// payload, only its digest, so the origin's chain and signature still
// verify. Its type and subject do show.
func redact(ev *tripline.Event) (*tripline.Event, error) { return ev.Redact() }

func (f *Feed) shape(ctx context.Context, partner string, ev *tripline.Event) (*tripline.Event, error) {
	if ev.Redacted {
		return redact(ev)
	}
	switch ev.Type {
	case tripline.EventListingUpserted, tripline.EventListingWithdrawn, tripline.EventListingExpired:
		var l tripline.Listing
		if err := json.Unmarshal(ev.Payload, &l); err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "event %s/%d: listing payload: %v", ev.Origin, ev.Seq, err)
		}
		lvl := l.LevelFor(partner, f.Groups)
		if lvl == tripline.LevelNone {
			return redact(ev)
		}
		if ev.Origin != f.Self && partner != l.Provenance.Originator {
			var consented []string
			if f.Consented != nil {
				consented = f.Consented(ctx, l.ID)
			}
			if !l.MayReshare(partner, consented) {
				return redact(ev) // third-party rule: never passed on without the originator's consent
			}
		}
		out, err := ev.Trim(tripline.PartnerTrim(lvl))
		if err != nil {
			return nil, err
		}
		c := *out
		c.Via = ""
		return &c, nil
	case tripline.EventDocumentAlert, tripline.EventDocumentAlertWithdrawn:
		var a tripline.DocumentAlert
		if err := json.Unmarshal(ev.Payload, &a); err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "event %s/%d: alert payload: %v", ev.Origin, ev.Seq, err)
		}
		lvl := a.LevelFor(partner, f.Groups)
		if lvl == tripline.LevelNone {
			return redact(ev)
		}
		if ev.Origin != f.Self && partner != a.Provenance.Originator && a.Handling.Reshare != tripline.ReshareAllowed {
			return redact(ev)
		}
		// The same rule as listings: a partner allowed only to screen gets
		// the document (its node must match on it) but not the action.
		out, err := ev.Trim(tripline.PartnerTrim(lvl))
		if err != nil {
			return nil, err
		}
		c := *out
		c.Via = ""
		return &c, nil
	}
	// Encounters, clearances, refusals, consents and audit-like events stay
	// at the node that made them; encounter reports travel separately.
	return redact(ev)
}
