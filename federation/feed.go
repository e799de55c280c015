package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"tripline"
)

// Limits on what crosses between nodes. A feed page the node serves holds
// at most the events asked for (at most MaxPageEvents) and aims at
// PageBudget bytes, ending at the first signed event past it; an event whose
// payload is over MaxEventBytes is served as a placeholder. A page the node
// reads from a partner is refused whole when it is over MaxPageBytes (read
// no further), holds more than MaxPageEvents events or an event over
// MaxEventBytes.
const (
	MaxEventBytes = 1 << 20
	MaxPageBytes  = 16 << 20
	MaxPageEvents = 5000 + tripline.SignEvery
	PageBudget    = 4 << 20
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
	// Sign signs with this node's key (nil: never). A page of this node's
	// own events then ends wherever its budget does, the last event signed
	// as it is served, rather than at the next stored signature.
	Sign func(msg []byte) []byte
	// Groups knows the sharing groups of each agency.
	Groups tripline.Groups
	// Consented returns the agencies the originator consented to receive
	// listing id from this node.
	Consented func(ctx context.Context, listing string) []string
	// Audit records each page served.
	Audit tripline.Auditor
	// Logger, when set, is told of events served as placeholders because
	// they are too large or do not decode.
	Logger *slog.Logger
	// Listing returns the listing with an id as this node holds it, nil
	// for none: a shared clearance goes to the partners that may see its
	// listing (nil: no clearance is served).
	Listing func(id string) *tripline.Listing
	// NoRanges serves one placeholder per event the partner may not see
	// rather than compact ranges (ranges.go): for comparison only.
	NoRanges bool

	cache shapeCache
}

// Page returns up to limit events of origin after seq, shaped for the
// partner agency, within the limits above.
// A page ends at a signed event (the origin signs the last event of each
// of its transactions), so that the partner can verify all of it.
func (f *Feed) Page(ctx context.Context, partnerAgency, origin string, after int64, limit int) ([]*tripline.Event, error) {
	limit = max(1, min(limit, MaxPageEvents-tripline.SignEvery))
	var evs []*tripline.Event
	size := 0
	// Read in runs of SignEvery, so that a page of large events is not
	// read whole before the budget cuts it.
	for cur := after; len(evs) < limit && size < PageBudget; {
		want := min(limit-len(evs), tripline.SignEvery)
		run, err := f.Events.Events(ctx, origin, cur, want)
		if err != nil {
			return nil, err
		}
		for _, ev := range run {
			evs = append(evs, ev)
			if size += eventBytes(ev); size >= PageBudget {
				break
			}
		}
		if len(run) < want {
			break // the end of the log
		}
		cur = evs[len(evs)-1].Seq
	}
	evs, err := f.endSigned(ctx, origin, evs)
	if err != nil {
		return nil, err
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
	if !f.NoRanges {
		out = collapse(out, after)
	}
	if origin == f.Self && f.Sign != nil {
		for _, ev := range out {
			if ev.RangeFrom > 0 && len(ev.Drops) > 0 {
				ev.DropsSig = f.Sign(ev.DropsSigningBytes()) // a range collapse made: this page's own copy
			}
		}
	}
	if f.Audit != nil && len(evs) > 0 {
		f.Audit.Record(ctx, tripline.AuditEntry{User: "node", Agency: partnerAgency, Role: tripline.RoleNode, Action: "feed.read",
			Subject: origin, Detail: jsonDetail(map[string]any{"after": after, "events": len(evs), "shared": shared})})
	}
	return out, nil
}

// eventBytes estimates what an event takes in a page: its payload and the
// rest of its fields.
func eventBytes(ev *tripline.Event) int { return len(ev.Payload) + 512 }

// endSigned makes the page end at a signed event: this node's own events
// are signed where the page ends; another origin's page is cut back to its
// last signed event, or, when it holds none, runs on to the next one
// (served up to the last signed event when the origin's newest transaction
// is not signed yet).
func (f *Feed) endSigned(ctx context.Context, origin string, evs []*tripline.Event) ([]*tripline.Event, error) {
	if len(evs) == 0 || len(evs[len(evs)-1].Sig) > 0 {
		return evs, nil
	}
	if origin == f.Self && f.Sign != nil {
		last := *evs[len(evs)-1]
		last.Sig = f.Sign(last.SigningBytes())
		evs[len(evs)-1] = &last
		return evs, nil
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if len(evs[i].Sig) > 0 {
			return evs[:i+1], nil
		}
	}
	for len(evs[len(evs)-1].Sig) == 0 {
		more, err := f.Events.Events(ctx, origin, evs[len(evs)-1].Seq, tripline.SignEvery)
		if err != nil {
			return nil, err
		}
		if len(more) == 0 {
			return nil, nil // the origin's signature has not arrived yet
		}
		for _, ev := range more {
			evs = append(evs, ev)
			if len(ev.Sig) > 0 {
				break
			}
		}
	}
	return evs, nil
}

func jsonDetail(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// redact returns the placeholder for an event the partner may not see: no
// payload, only its digest, so the origin's chain and signature still
// verify. Its type and subject do show.
func redact(ev *tripline.Event) (*tripline.Event, error) { return ev.Redact() }

// unfit serves ev as a placeholder, telling the operators why: an event a
// partner could not take must not stop the feed at it.
func (f *Feed) unfit(ev *tripline.Event, why string, err error) (*tripline.Event, error) {
	if f.Logger != nil {
		f.Logger.Warn("feed: event served as a placeholder", "origin", ev.Origin, "seq", ev.Seq, "subject", ev.Subject, "why", why, "err", err)
	}
	return redact(ev)
}

func (f *Feed) shape(ctx context.Context, partner string, ev *tripline.Event) (*tripline.Event, error) {
	if ev.Redacted {
		return redact(ev)
	}
	if len(ev.Payload) > MaxEventBytes {
		return f.unfit(ev, fmt.Sprintf("payload over %d bytes", MaxEventBytes), nil)
	}
	switch ev.Type {
	case tripline.EventListingUpserted, tripline.EventListingWithdrawn, tripline.EventListingExpired:
		l, err := f.cache.listing(ev)
		if err != nil {
			return f.unfit(ev, "listing payload does not decode", err)
		}
		if tripline.IsPublishedSource(l.Source) {
			// Every node imports a published list itself and never takes a
			// partner's copy: sending ours would only make the partner
			// refuse it, event by event, at every import.
			return redact(ev)
		}
		lvl := l.LevelFor(partner, f.Groups)
		if lvl == tripline.LevelNone || !f.mayPass(ctx, partner, ev, l) {
			return redact(ev)
		}
		out, err := f.cache.trim(ev, lvl)
		if err != nil {
			return nil, err
		}
		out.Via = ""
		return out, nil
	case tripline.EventDocumentAlert, tripline.EventDocumentAlertWithdrawn:
		var a tripline.DocumentAlert
		if err := json.Unmarshal(ev.Payload, &a); err != nil {
			return f.unfit(ev, "alert payload does not decode", err)
		}
		lvl := a.LevelFor(partner, f.Groups)
		if lvl == tripline.LevelNone {
			return redact(ev)
		}
		if ev.Origin != f.Self && partner != a.Provenance.Originator && a.Handling.EffectiveReshare() != tripline.ReshareAllowed {
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
	case tripline.EventConsentRequested, tripline.EventConsent:
		// A consent goes to the two agencies it is between: the request to
		// the originator, the decision back to the requester.
		var c tripline.Consent
		if err := json.Unmarshal(ev.Payload, &c); err != nil {
			return f.unfit(ev, "consent payload does not decode", err)
		}
		if partner != c.Originator && partner != c.Requester {
			return redact(ev)
		}
		whole, err := ev.Trim(nil) // with its salts, not its key
		if err != nil {
			return nil, err
		}
		c2 := *whole
		c2.Via = ""
		return &c2, nil
	case tripline.EventClearance:
		return f.shapeClearance(ctx, partner, ev)
	}
	// Encounters, local clearances, refusals and audit-like events stay at
	// the node that made them; encounter reports travel separately.
	return redact(ev)
}

// mayPass applies the third-party rule to ev about listing l: another
// origin's event passes on to partner only where the listing's re-share
// rule allows it or the originator consented.
func (f *Feed) mayPass(ctx context.Context, partner string, ev *tripline.Event, l *tripline.Listing) bool {
	if ev.Origin == f.Self || partner == l.Provenance.Originator {
		return true
	}
	var consented []string
	if f.Consented != nil {
		consented = f.Consented(ctx, l.ID)
	}
	return l.MayReshare(partner, consented)
}

// shapeClearance serves a shared clearance (and its revocation) whole to
// a partner that may see its listing, as the listing itself would be
// served (the re-share rule for another origin's); anything else as a
// placeholder.
func (f *Feed) shapeClearance(ctx context.Context, partner string, ev *tripline.Event) (*tripline.Event, error) {
	var c tripline.Clearance
	if err := json.Unmarshal(ev.Payload, &c); err != nil || !c.Shared || f.Listing == nil {
		return redact(ev)
	}
	l := f.Listing(c.Listing)
	if l == nil || l.LevelFor(partner, f.Groups) == tripline.LevelNone || !f.mayPass(ctx, partner, ev, l) {
		return redact(ev)
	}
	trimmed, err := ev.Trim(tripline.SharedClearanceTrim)
	if err != nil {
		return nil, err
	}
	out := *trimmed
	out.Via = ""
	return &out, nil
}
