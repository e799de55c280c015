package httpapi

import (
	"net/http"

	"tripline"
)

// handleWithdrawConsent lets the originator's agency take back a consent
// it granted (issue 15): the decision travels to the relay like any, and
// the listing then leaves the recipient's node. Anyone else is answered
// as if the consent did not exist, or (the requester) refused.
func (s *Server) handleWithdrawConsent(w http.ResponseWriter, r *http.Request) {
	c, err := s.callerConsent(r)
	if err == nil && c.Originator != tripline.IdentityFrom(r.Context()).Agency {
		s.Policy.Record(r.Context(), "consent.withdraw.refused", c.Listing, "not the originator")
		err = tripline.Errorf(tripline.EFORBIDDEN, "only the originator %s withdraws %s", c.Originator, c.ID)
	}
	var out *tripline.Consent
	if err == nil {
		out, err = s.Consents.WithdrawConsent(r.Context(), c.ID, tripline.IdentityFrom(r.Context()).User)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "consent.withdraw", c.Listing, "for "+c.Recipient)
	writeJSON(w, http.StatusOK, out)
}

// callerConsent returns the consent request of the path, if the caller's
// agency is its originator or its requester; ENOTFOUND otherwise, as if
// it did not exist.
func (s *Server) callerConsent(r *http.Request) (*tripline.Consent, error) {
	id := tripline.IdentityFrom(r.Context())
	cs, err := s.Consents.Consents(r.Context(), "")
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.ID == r.PathValue("id") && (c.Originator == id.Agency || c.Requester == id.Agency) {
			return c, nil
		}
	}
	return nil, tripline.Errorf(tripline.ENOTFOUND, "consent request %q not found", r.PathValue("id"))
}
