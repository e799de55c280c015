package httpapi

import (
	"context"
	"net/http"

	"tripline"
)

// ClearanceSharer moves an encounter's shared clearance one step
// (sqlstore.EncounterService.StepClearance): proposed by the reporting
// agency, granted, refused or revoked by the listing's originator.
type ClearanceSharer interface {
	StepClearance(ctx context.Context, id, step, agency, user, reason string, l *tripline.Listing) (*tripline.Encounter, *tripline.Clearance, error)
}

// ClearanceStep is the body of POST /v1/encounters/{id}/clearance.
type ClearanceStep struct {
	// Step is propose (the reporting agency, after false_positive), grant,
	// refuse or revoke (the listing's originator).
	Step   string `json:"step"`
	Reason string `json:"reason,omitempty"`
}

// handleClearance moves an encounter's shared clearance one step. Who may
// take which step is the root rule (tripline.StepClearance); the caller
// must see the encounter at all, and the audit log records each step.
func (s *Server) handleClearance(w http.ResponseWriter, r *http.Request) {
	var in ClearanceStep
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	sharer, ok := s.Encounters.(ClearanceSharer)
	if !ok {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EUNAVAILABLE, "shared clearances are not kept on this node"))
		return
	}
	cur, err := s.encounter(r)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	var l *tripline.Listing
	if in.Step == "grant" {
		// The originator clears against its listing as it stands.
		if l, err = s.Listings.Listing(r.Context(), cur.Listing); err != nil && tripline.ErrorCode(err) != tripline.ENOTFOUND {
			Error(w, r, s.Logger, err)
			return
		}
	}
	id := tripline.IdentityFrom(r.Context())
	e, clr, err := sharer.StepClearance(r.Context(), cur.ID, in.Step, id.Agency, id.User, in.Reason, l)
	if err != nil {
		s.Policy.Record(r.Context(), "encounter.clearance.refused", cur.ID, in.Step+": "+tripline.ErrorMessage(err))
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "encounter.clearance."+in.Step, e.ID, in.Reason)
	if e, err = s.Policy.Encounter(r.Context(), e, s.Lookup); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, Resolved{Encounter: e, Clearance: clr})
}
