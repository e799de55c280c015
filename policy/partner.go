package policy

import (
	"context"

	"tripline"
)

// ManagePartners checks that the caller may change this node's partners
// (add, suspend, resume, remove, rotate a key): an admin of the agency
// running the node (nodeAgency), or a superuser; partners are the node's
// trust, not one agency's users. It records the action on subject, or its
// refusal, in the audit log.
func (p *Policy) ManagePartners(ctx context.Context, nodeAgency, action, subject, detail string) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if id.Role != tripline.RoleAdmin || (id.Agency != nodeAgency && !id.Superuser) {
		p.record(ctx, id, action+".refused", subject, "not an admin of the node's agency")
		return tripline.Errorf(tripline.EFORBIDDEN, "only an admin of %s, the agency running this node, may change its partners", nodeAgency)
	}
	p.record(ctx, id, action, subject, detail)
	return nil
}

// Partners returns the partners and their health as the caller may see
// them: admins, supervisors and analysts of the node's agency (and a
// superuser) see every partner; anyone else nothing (EFORBIDDEN). The
// access is recorded.
func (p *Policy) Partners(ctx context.Context, nodeAgency string, vs []*tripline.PartnerView) ([]*tripline.PartnerView, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case id.Superuser:
	case id.Agency != nodeAgency:
		p.record(ctx, id, "partner.list.refused", "", "not the node's agency")
		return nil, tripline.Errorf(tripline.EFORBIDDEN, "the partners of this node are %s's to see", nodeAgency)
	case id.Role != tripline.RoleAdmin && id.Role != tripline.RoleSupervisor && id.Role != tripline.RoleAnalyst:
		return nil, tripline.Errorf(tripline.EFORBIDDEN, "role %s may not see partners", id.Role)
	}
	p.record(ctx, id, "partner.list", "", "")
	return vs, nil
}
