package tripline

import (
	"encoding/json"
	"strings"
)

// Consent crosses nodes (design.md §6a): a relay's request travels to the
// originator's node in the relay's feed, the originator's decision back in
// the originator's. A node stores a partner's consent event only when it
// concerns it, and only from the agency that may speak: the requester for
// a request, the originator for a decision.

// DefaultMaxPendingConsents bounds the requests one agency has pending on
// one listing. Anyone may ask (a writer of any agency, a partner for its
// own agency), and each pending request is stored and shown to the
// originator: without a bound, one partner asking without end fills the
// store and buries the requests that matter. Per requester, so that one
// agency at its bound does not stop another from asking. Past it, the
// agency's requests are refused until the originator answers some.
const DefaultMaxPendingConsents = 1000

// CheckPendingConsents refuses requester's new request on listing when
// its pending requests there (counted up to max) have reached max.
func CheckPendingConsents(listing, requester string, pending, max int) error {
	if pending >= max {
		return Errorf(EFORBIDDEN, "agency %q has %d consent requests pending on listing %q, the most it may: the originator answers some first", requester, pending, listing)
	}
	return nil
}

// MaxConsentReason bounds a consent request's reason: a sentence for the
// originator, kept with the request and sent in its event.
const MaxConsentReason = 1024

// Validate checks a consent request's fields: the listing, originator,
// requester and recipient are ids (CheckID), the reason at most
// MaxConsentReason bytes of plain text (no control or format characters:
// it is shown to another agency).
func (c *Consent) Validate() error {
	if c.Listing == "" || c.Originator == "" || c.Requester == "" || c.Recipient == "" {
		return Errorf(EINVALID, "consent: listing, originator, requester and recipient are required")
	}
	for _, f := range []struct{ name, v string }{{"listing", c.Listing}, {"originator", c.Originator}, {"requester", c.Requester}, {"recipient", c.Recipient}} {
		if err := checkID(f.v); err != nil {
			return Errorf(EINVALID, "consent: %s: %s", f.name, strings.TrimPrefix(ErrorMessage(err), "id: "))
		}
	}
	if !PlainText(c.Reason, MaxConsentReason) {
		return Errorf(EINVALID, "consent: reason: at most %d bytes, no control or format characters", MaxConsentReason)
	}
	return nil
}

// IsConsentEvent reports whether events of type t carry a consent.
func IsConsentEvent(t EventType) bool { return t == EventConsentRequested || t == EventConsent }

// CheckForeignConsent judges ev, a consent event of a partner origin
// registered as agency originAgency, received by the node of agency
// selfAgency, which holds the consent as held (nil: not at all) and the
// consent's listing from origin listingOrigin ("": not at all). It returns
// the consent to store, nil when the event concerns no one here, or an
// EINVALID or EFORBIDDEN error naming the event:
//   - a request is the requester's own (its agency is the origin's) and is
//     stored by the originator's node only, never over a decision;
//   - a decision (granted, refused, withdrawn) is the originator's own, of
//     a listing this node holds from that same origin (a partner naming
//     itself the originator of another's listing would make this node,
//     a relay, pass that listing on), and is stored by the requester's
//     node, or any node already holding the request.
func CheckForeignConsent(selfAgency, originAgency string, ev *Event, held *Consent, listingOrigin string) (*Consent, error) {
	if ev.Redacted || !IsConsentEvent(ev.Type) {
		return nil, nil
	}
	bad := func(code, format string, args ...any) error {
		return Errorf(code, "event %s/%d (%s %s): "+format, append([]any{ev.Origin, ev.Seq, ev.Type, ev.Subject}, args...)...)
	}
	var c Consent
	if err := json.Unmarshal(ev.Payload, &c); err != nil {
		return nil, bad(EINVALID, "consent payload: %s", ErrorMessage(err))
	}
	if c.ID != ev.Subject {
		return nil, bad(EINVALID, "payload id %q is not the event's subject", c.ID)
	}
	if err := c.Validate(); err != nil {
		return nil, bad(EINVALID, "%s", ErrorMessage(err))
	}
	if held != nil && (held.Originator != c.Originator || held.Requester != c.Requester || held.Listing != c.Listing) {
		return nil, bad(EFORBIDDEN, "consent %q is held for another listing, originator or requester", c.ID)
	}
	if ev.Type == EventConsentRequested {
		if c.Status != ConsentPending {
			return nil, bad(EINVALID, "a request's status is %q, not pending", c.Status)
		}
		if c.Requester != originAgency {
			return nil, bad(EFORBIDDEN, "requester %q is not %q, the agency of origin %q", c.Requester, originAgency, ev.Origin)
		}
		if c.Originator != selfAgency || held != nil {
			return nil, nil
		}
		return &c, nil
	}
	switch c.Status {
	case ConsentGranted, ConsentRefused, ConsentWithdrawn:
	default:
		return nil, bad(EINVALID, "a decision's status is %q", c.Status)
	}
	if c.Originator != originAgency {
		return nil, bad(EFORBIDDEN, "only the originator %q decides, not %q", c.Originator, originAgency)
	}
	if c.Requester != selfAgency && held == nil {
		return nil, nil
	}
	if listingOrigin != ev.Origin {
		return nil, bad(EFORBIDDEN, "listing %q is not held here from origin %s: only its originator decides on it", c.Listing, ev.Origin)
	}
	return &c, nil
}
