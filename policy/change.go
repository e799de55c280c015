package policy

import (
	"context"

	"tripline"
)

// The checks on changes to encounters and document alerts: who may act on
// a record, decided here with the read rules, not in the HTTP handlers.
// A record the caller may not see is answered exactly as a missing one
// (the store's message), and every refusal is on record.

// EncounterParty checks that the caller's agency is a party to e (its
// reporter, its listing's originator, or the agency told of it), before
// any change of e.
func (p *Policy) EncounterParty(ctx context.Context, e *tripline.Encounter) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if !e.SeenBy(id.Agency) {
		p.record(ctx, id, "encounter.change.refused", e.ID, "not a party")
		return tripline.Errorf(tripline.ENOTFOUND, "encounter %q not found", e.ID)
	}
	return nil
}

// Resolve checks that the caller may record outcome on e: the reporting
// agency's officers, analysts and supervisors, and for a minor a
// supervisor unless the traveller goes free (tripline.MayResolve).
func (p *Policy) Resolve(ctx context.Context, e *tripline.Encounter, outcome tripline.Outcome) error {
	if err := p.EncounterParty(ctx, e); err != nil {
		return err
	}
	id := tripline.IdentityFrom(ctx)
	if err := tripline.MayResolve(*id, e, outcome); err != nil {
		p.record(ctx, id, "encounter.resolve.refused", e.ID, tripline.ErrorMessage(err))
		return err
	}
	return nil
}

// Acknowledge checks that the caller may acknowledge e: its listing's
// originator.
func (p *Policy) Acknowledge(ctx context.Context, e *tripline.Encounter) error {
	if err := p.EncounterParty(ctx, e); err != nil {
		return err
	}
	if id := tripline.IdentityFrom(ctx); e.Originator != id.Agency {
		p.record(ctx, id, "encounter.ack.refused", e.ID, "not the originator")
		return tripline.Errorf(tripline.EFORBIDDEN, "only the originator %s acknowledges encounter %s", e.Originator, e.ID)
	}
	return nil
}

// ChangeAlert checks that the caller may withdraw document alert a: its
// originator. An alert the caller may not even screen against is answered
// as a missing one: no existence oracle.
func (p *Policy) ChangeAlert(ctx context.Context, a *tripline.DocumentAlert) error {
	id, err := caller(ctx)
	if err != nil {
		return err
	}
	if a.Provenance.Originator == id.Agency {
		return nil
	}
	if a.LevelFor(id.Agency, p.Groups) < tripline.LevelScreen {
		p.record(ctx, id, "alert.withdraw.refused", a.ID, "hidden from the caller")
		return tripline.Errorf(tripline.ENOTFOUND, "document alert %q not found", a.ID)
	}
	p.record(ctx, id, "alert.withdraw.refused", a.ID, "not the originator")
	return tripline.Errorf(tripline.EFORBIDDEN, "only the originator %s withdraws alert %s", a.Provenance.Originator, a.ID)
}
