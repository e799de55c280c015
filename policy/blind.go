package policy

import (
	"context"

	"tripline"
)

// blindMatch shapes a match on a partner's blind list (package blind): this
// node holds nothing of the listing but what its originator sealed for
// screeners — the action and whom to call — so every screener sees that
// and nothing else, and the disclosure is audited.
func (p *Policy) blindMatch(ctx context.Context, id *tripline.Identity, m tripline.Match) tripline.Match {
	p.record(ctx, id, "disclose", m.Listing, "blind list: the originator's contact and action")
	return tripline.DiscloseBlindMatch(m)
}
