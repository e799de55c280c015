package policy

import (
	"context"

	"tripline"
)

// Metrics checks that the caller may read the node's operational figures
// (/metrics): an admin or auditor of the agency running the node, or a
// superuser. The figures count hits live, by the action officers were
// told to take, so a watcher who reads them learns a traveller has just
// hit; another agency's users see their own figures through their own
// node. A refusal is recorded; a granted scrape is not, since Prometheus
// reads every few seconds and the figures name no one.
func (p *Policy) Metrics(ctx context.Context) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	switch {
	case id.Role != tripline.RoleAdmin && id.Role != tripline.RoleAuditor:
		err = tripline.Errorf(tripline.EFORBIDDEN, "role %s may not read the node's metrics", id.Role)
	case id.Superuser:
	case p.Agency == "" || id.Agency != p.Agency:
		err = tripline.Errorf(tripline.EFORBIDDEN, "the metrics of this node are %s's to read", p.Agency)
	}
	if err != nil {
		p.record(ctx, id, "metrics.refused", "", tripline.ErrorMessage(err))
	}
	return err
}
