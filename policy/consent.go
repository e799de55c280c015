package policy

import (
	"context"
	"fmt"

	"tripline"
)

// Consent requests (issue 15) are seen by the listing's originator and by
// the agency that asked: that a holder wants to pass a listing on, and to
// whom, is theirs to know. Anyone else is answered as if a request did not
// exist. Only the originator decides and withdraws.

// consentParty reports whether the caller's agency is a party to c.
func consentParty(id *tripline.Identity, c *tripline.Consent) bool {
	return c.Originator == id.Agency || c.Requester == id.Agency
}

// DiscloseConsents returns those of cs the caller's agency is a party to,
// recording nothing: a page is read in batches and recorded once
// (RecordConsents).
func (p *Policy) DiscloseConsents(ctx context.Context, cs []*tripline.Consent) ([]*tripline.Consent, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := []*tripline.Consent{}
	for _, c := range cs {
		if consentParty(id, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// RecordConsents records that the caller was shown cs, a page of the
// requests (on listing, "" for all), in one entry.
func (p *Policy) RecordConsents(ctx context.Context, cs []*tripline.Consent, listing string) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	p.record(ctx, id, "consent.list", listing, fmt.Sprintf("%d requests visible", len(cs)))
	return nil
}

// DecideConsent checks that the caller may decide c: its originator.
func (p *Policy) DecideConsent(ctx context.Context, c *tripline.Consent) error {
	return p.originatorOf(ctx, c, "decide", "decides on")
}

// WithdrawConsent checks that the caller may withdraw c: its originator.
func (p *Policy) WithdrawConsent(ctx context.Context, c *tripline.Consent) error {
	return p.originatorOf(ctx, c, "withdraw", "withdraws")
}

// originatorOf lets c's originator act; the requester is refused, anyone
// else answered as if c did not exist (the store's ENOTFOUND message).
// Both refusals are recorded.
func (p *Policy) originatorOf(ctx context.Context, c *tripline.Consent, action, verb string) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	switch {
	case !consentParty(id, c):
		p.record(ctx, id, "consent."+action+".refused", c.Listing, "not a party to "+c.ID)
		return tripline.Errorf(tripline.ENOTFOUND, "consent request %q not found", c.ID)
	case c.Originator != id.Agency:
		p.record(ctx, id, "consent."+action+".refused", c.Listing, "not the originator")
		return tripline.Errorf(tripline.EFORBIDDEN, "only the originator %s %s %s", c.Originator, verb, c.ID)
	}
	return nil
}
