package policy

import (
	"context"

	"tripline"
)

// AuditRead narrows f to what the caller may read of the audit log, and
// records the read. Entries name users, travellers' screening references,
// tips and listings an agency may not see, so an auditor of the agency
// running the node, the node's oversight, reads all of it; another
// agency's auditor reads what its own users did, and who touched a listing
// its agency originated (f.Subject; originator returns a subject's
// originating agency, "" for none).
func (p *Policy) AuditRead(ctx context.Context, f *tripline.AuditFilter, originator func(subject string) string) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if id.Role != tripline.RoleAuditor {
		return tripline.Errorf(tripline.EFORBIDDEN, "role %s may not read the audit log", id.Role)
	}
	switch {
	case p.Agency != "" && id.Agency == p.Agency:
	case f.Subject != "" && originator(f.Subject) == id.Agency:
	case f.Agency != "" && f.Agency != id.Agency:
		p.record(ctx, id, "audit.read.denied", f.Subject, f.Agency)
		return tripline.Errorf(tripline.EFORBIDDEN, "audit entries of agency %.80q: an auditor of %s reads its own agency's, and who touched its own listings", f.Agency, id.Agency)
	default:
		f.Agency = id.Agency
	}
	p.record(ctx, id, "audit.read", f.Subject, f.Agency)
	return nil
}
