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
	c, err := s.Consents.Consent(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.Policy.WithdrawConsent(r.Context(), c)
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
