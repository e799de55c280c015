package policy

import (
	"context"

	"tripline"
)

// A tip's reporter is source-protected (issue 19): only the receiving
// agency's analysts and supervisors see who called; its admins see the
// tip without the reporter; no other agency sees the tip at all (its
// provisional listing, screened by the receiving agency only, is what
// exists of it anywhere else).

// TakeTip checks that the caller may take a tip for its agency: an
// analyst or supervisor (hotline desks are staffed by analysts).
func (p *Policy) TakeTip(ctx context.Context) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	switch id.Role {
	case tripline.RoleAnalyst, tripline.RoleSupervisor:
		return nil
	}
	p.record(ctx, id, "tip.create.refused", "", "role "+string(id.Role))
	return tripline.Errorf(tripline.EFORBIDDEN, "role %s may not take tips", id.Role)
}

// Tip returns t as the caller may see it: ENOTFOUND for another agency's
// tip (its existence is protected too), the reporter removed for any role
// but analyst and supervisor. Each read is audited.
func (p *Policy) Tip(ctx context.Context, t *tripline.Tip) (*tripline.Tip, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if id.Agency != t.Agency {
		p.record(ctx, id, "tip.read.refused", t.ID, "another agency's tip")
		return nil, tripline.Errorf(tripline.ENOTFOUND, "tip %q not found", t.ID)
	}
	out := *t
	detail := "with reporter"
	if id.Role != tripline.RoleAnalyst && id.Role != tripline.RoleSupervisor {
		out.Reporter, detail = tripline.Reporter{}, "reporter withheld (role "+string(id.Role)+")"
	}
	out.Status = t.StatusAt(p.now())
	p.record(ctx, id, "tip.read", t.ID, detail)
	return &out, nil
}

// DecideTip checks that the caller may confirm or reject tip t: a
// supervisor of the receiving agency.
func (p *Policy) DecideTip(ctx context.Context, t *tripline.Tip) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if id.Agency != t.Agency {
		p.record(ctx, id, "tip.decide.refused", t.ID, "another agency's tip")
		return tripline.Errorf(tripline.ENOTFOUND, "tip %q not found", t.ID)
	}
	if id.Role != tripline.RoleSupervisor {
		p.record(ctx, id, "tip.decide.refused", t.ID, "role "+string(id.Role))
		return tripline.Errorf(tripline.EFORBIDDEN, "only a supervisor confirms or rejects a tip, not role %s", id.Role)
	}
	return nil
}
