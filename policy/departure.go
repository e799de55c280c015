package policy

import (
	"context"

	"tripline"
)

// MayNotify reports whether partner agency may be told of an encounter on
// listing l (a pre-departure hit notified to the departure country): only
// an agency the originator's handling lets screen against the listing,
// since the notice says the listing exists and who matched it. Each
// decision is audited under the caller in ctx (the node, for a notice it
// sends by itself).
func (p *Policy) MayNotify(ctx context.Context, agency string, l *tripline.Listing, encounter string) bool {
	ok := l.LevelFor(agency, p.Groups) >= tripline.LevelScreen
	detail := "notified " + agency
	if !ok {
		detail = "not notified " + agency + ": may not see the listing"
	}
	p.record(ctx, tripline.IdentityFrom(ctx), "encounter.notify", encounter, detail)
	return ok
}
