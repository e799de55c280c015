package federation

import (
	"context"
	"net/url"
	"strconv"

	"tripline"
)

// WitnessAudits fetches the newest audit checkpoint of every active
// partner with an address and keeps it (tripline.AuditWitness): the copy
// a partner's oversight verifies its log against, out of reach of
// whoever holds that partner's data directory. A checkpoint that does not
// name the partner or is not signed by its key is refused; one that
// contradicts a checkpoint kept before (the partner's log rewritten or cut
// back) is kept as evidence and raised as an alert, in the log and the
// audit log. A partner that signs no checkpoints is skipped.
func (p *Peer) WitnessAudits(ctx context.Context) {
	for _, x := range p.partnerList() {
		if x.URL == "" || x.Suspended() || ctx.Err() != nil {
			continue
		}
		var c tripline.AuditCheckpoint
		if err := p.do(ctx, x, "GET", "/v1/audit/checkpoint", nil, &c); err != nil {
			p.Logger.Debug("witness: no audit checkpoint from partner", "partner", x.ID, "err", err)
			continue
		}
		if err := tripline.ValidateWitnessed(x.ID, &c); err != nil {
			p.Logger.Warn("witness: refused a partner's audit checkpoint", "partner", x.ID, "err", tripline.ErrorMessage(err))
			continue
		}
		if key, ok := p.Key(x.ID); !ok || !c.Verify(key) {
			p.Logger.Warn("witness: refused a partner's audit checkpoint: not signed by its node key", "partner", x.ID)
			continue
		}
		c.Key = "" // informative only, and not what was verified
		kept, err := p.Store.Witness(ctx, &c)
		h := p.health(x.ID)
		h.mu.Lock()
		if err == nil || tripline.ErrorCode(err) == tripline.ECONFLICT {
			h.witnessed = max(h.witnessed, c.Seq)
		}
		if tripline.ErrorCode(err) == tripline.ECONFLICT {
			h.conflicts++
		}
		h.mu.Unlock()
		switch {
		case tripline.ErrorCode(err) == tripline.ECONFLICT:
			p.Logger.Error("ALERT: a partner's audit log contradicts the checkpoint kept of it", "partner", x.ID, "err", tripline.ErrorMessage(err))
			if p.Audit != nil {
				p.Audit.Record(ctx, tripline.AuditEntry{User: "node:" + x.ID, Agency: x.Agency, Role: tripline.RoleNode,
					Action: "audit.witness.conflict", Subject: x.ID, Detail: tripline.ErrorMessage(err)})
			}
		case err != nil:
			p.Logger.Error("witness: keep a partner's audit checkpoint", "partner", x.ID, "err", err)
		case kept:
			p.Logger.Debug("witness: kept a partner's audit checkpoint", "partner", x.ID, "seq", c.Seq)
		}
	}
}

// DefaultMaxWitnessed is the most checkpoints of this node Witnessed takes
// from one partner: twenty years of a witness's fetches every ten minutes.
const DefaultMaxWitnessed = 1 << 20

// Witnessed returns what partner x kept of this node's audit checkpoints
// as its witness, for this node's oversight to verify against, page by
// page. A page shorter than tripline.WitnessedPageSize is the last; past
// MaxWitnessed checkpoints the partner is refused (EINVALID): a partner
// paging on for ever must not hold the verification, or its memory.
func (p *Peer) Witnessed(ctx context.Context, x *tripline.Partner) ([]*tripline.AuditCheckpoint, error) {
	limit := p.MaxWitnessed
	if limit <= 0 {
		limit = DefaultMaxWitnessed
	}
	var out []*tripline.AuditCheckpoint
	for after := int64(0); ; {
		var page struct {
			Checkpoints []*tripline.AuditCheckpoint `json:"checkpoints"`
			Next        int64                       `json:"next"`
		}
		q := "/v1/audit/witnessed?node=" + url.QueryEscape(p.Self) + "&after=" + strconv.FormatInt(after, 10)
		if err := p.do(ctx, x, "GET", q, nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Checkpoints...)
		if len(out) > limit {
			return nil, tripline.Errorf(tripline.EINVALID, "partner %s: more than %d checkpoints of this node's audit log", x.ID, limit)
		}
		if page.Next <= after || len(page.Checkpoints) < tripline.WitnessedPageSize {
			return out, nil // the last page (or a partner that would page for ever)
		}
		after = page.Next
	}
}
