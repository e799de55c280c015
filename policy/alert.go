package policy

import (
	"context"
	"fmt"

	"tripline"
)

// Document alerts carry handling rules like listings: an agency's alert
// may be meant for some partners only, on a node several agencies share.

// AlertLevel returns what the caller id may see of alert a: the agency's
// grant capped by the role's ceiling.
func (p *Policy) AlertLevel(id *tripline.Identity, a *tripline.DocumentAlert) tripline.Level {
	if id == nil {
		return tripline.LevelNone
	}
	return min(a.LevelFor(id.Agency, p.Groups), tripline.RoleCeiling(id.Role))
}

// CanScreenAlert returns the filter a screening uses on document alerts:
// those the caller's agency may screen against.
func (p *Policy) CanScreenAlert(ctx context.Context) func(*tripline.DocumentAlert) bool {
	id := tripline.IdentityFrom(ctx)
	return func(a *tripline.DocumentAlert) bool {
		return id != nil && a.LevelFor(id.Agency, p.Groups) >= tripline.LevelScreen
	}
}

// DocumentAlerts returns the alerts among as that the caller may see, each
// trimmed to its level, and records the listing of source.
func (p *Policy) DocumentAlerts(ctx context.Context, as []*tripline.DocumentAlert, source string) ([]*tripline.DocumentAlert, error) {
	out, err := p.DiscloseDocumentAlerts(ctx, as)
	if err == nil {
		p.RecordDocumentAlerts(ctx, out, source)
	}
	return out, err
}

// DiscloseDocumentAlerts is DocumentAlerts without its audit entry, for a
// page read in batches: its caller records the page once with
// RecordDocumentAlerts.
func (p *Policy) DiscloseDocumentAlerts(ctx context.Context, as []*tripline.DocumentAlert) ([]*tripline.DocumentAlert, error) {
	id, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*tripline.DocumentAlert, 0, len(as))
	for _, a := range as {
		if lvl := p.AlertLevel(id, a); lvl > tripline.LevelNone {
			out = append(out, a.Disclose(lvl))
		}
	}
	return out, nil
}

// RecordDocumentAlerts records that the caller in ctx was shown the alerts
// shown of source ("" for every source).
func (p *Policy) RecordDocumentAlerts(ctx context.Context, shown []*tripline.DocumentAlert, source string) {
	p.record(ctx, tripline.IdentityFrom(ctx), "alert.list", source, fmt.Sprintf("%d alerts visible", len(shown)))
}

func (p *Policy) alert(id string) *tripline.DocumentAlert {
	if p.Alert == nil {
		return nil
	}
	return p.Alert(id)
}

// WriteAlert checks that the caller may create or change document alert a:
// as for listings, only the originating agency's analysts, supervisors and
// admins, and only in the agency's own source, so that no agency
// overwrites another's alert by sending its id.
func (p *Policy) WriteAlert(ctx context.Context, a *tripline.DocumentAlert) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	switch {
	case a.Provenance.Originator != id.Agency:
		p.record(ctx, id, "alert.write.refused", a.ID, "not the originator")
		return tripline.Errorf(tripline.EFORBIDDEN, "an alert's originator must be the caller's agency %s", id.Agency)
	case a.Source != id.Agency:
		p.record(ctx, id, "alert.write.refused", a.ID, "another agency's source")
		return tripline.Errorf(tripline.EFORBIDDEN, "agency %q writes alerts of its own source %q, not %q", id.Agency, id.Agency, a.Source)
	}
	switch id.Role {
	case tripline.RoleAnalyst, tripline.RoleSupervisor, tripline.RoleAdmin:
	default:
		return tripline.Errorf(tripline.EFORBIDDEN, "role %s may not change document alerts", id.Role)
	}
	p.record(ctx, id, "alert.write", a.ID, "")
	return nil
}
