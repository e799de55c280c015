package httpapi

import (
	"context"
	"net/http"
	"strings"

	"tripline"
	"tripline/federation"
)

// PartnerAdmin manages this node's partners while it serves (issue 15):
// each change takes effect without a restart.
type PartnerAdmin interface {
	// NodeAgency is the agency running this node: its admins manage the
	// partners.
	NodeAgency() string
	// PartnerHealth returns every partner and how following it goes.
	PartnerHealth(ctx context.Context) ([]*tripline.PartnerView, error)
	// PutPartner adds or updates a partner.
	PutPartner(ctx context.Context, p *tripline.Partner) error
	// SetPartnerStatus suspends or resumes a partner.
	SetPartnerStatus(ctx context.Context, id, status string) error
	// RemovePartner forgets a partner.
	RemovePartner(ctx context.Context, id string) error
	// RotatePartnerKey replaces a partner's public key.
	RotatePartnerKey(ctx context.Context, id, key string) error
}

// PartnerPage lists the partners with their health.
type PartnerPage struct {
	Partners []*tripline.PartnerView `json:"partners"`
}

// PartnerKey is a partner's new public key.
type PartnerKey struct {
	PublicKey string `json:"public_key"`
}

func (s *Server) partnerRoutes() []route {
	rs := []route{
		{Method: "GET", Pattern: "/v1/partners", Roles: writers, Summary: "This node's partners, each with its health: last successful pull, errors, bytes, and per origin the lag in events and seconds.",
			Response: "PartnerPage", Handler: s.handlePartners},
		{Method: "POST", Pattern: "/v1/partners", Roles: admins, Summary: "Add or update a partner node (admin of the node's agency); followed at once, no restart.", Request: "Partner", Response: "Partner", Handler: s.handlePutPartner},
		{Method: "POST", Pattern: "/v1/partners/{id}/suspend", Roles: admins, Summary: "Suspend a partner: not pulled, not served, its events refused, until resumed.", Response: "Partner", Handler: s.partnerStatus(tripline.PartnerSuspended)},
		{Method: "POST", Pattern: "/v1/partners/{id}/resume", Roles: admins, Summary: "Resume a suspended partner.", Response: "Partner", Handler: s.partnerStatus(tripline.PartnerActive)},
		{Method: "POST", Pattern: "/v1/partners/{id}/key", Roles: admins, Summary: "Rotate a partner's public key: its requests and events verify with the new key at once.", Request: "PartnerKey", Response: "Partner", Handler: s.handlePartnerKey},
		{Method: "DELETE", Pattern: "/v1/partners/{id}", Roles: admins, Summary: "Remove a partner: no longer pulled, served or trusted; the events of it already held stay.", Response: "Status", Handler: s.handleRemovePartner},
	}
	return s.requiring(rs, func() bool { return s.Partners != nil }, "federation is not configured on this node")
}

func (s *Server) handlePartners(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	vs, err := s.Partners.PartnerHealth(r.Context())
	if err == nil {
		vs, err = s.Policy.Partners(r.Context(), s.Partners.NodeAgency(), vs)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if vs == nil {
		vs = []*tripline.PartnerView{}
	}
	writeJSON(w, http.StatusOK, PartnerPage{Partners: vs})
}

func (s *Server) handlePutPartner(w http.ResponseWriter, r *http.Request) {
	var p tripline.Partner
	if err := decodeJSON(r, &p); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	p.URL = strings.TrimRight(p.URL, "/")
	err := s.Policy.ManagePartners(r.Context(), s.Partners.NodeAgency(), "partner.add", p.ID, p.Agency+" "+p.URL)
	if err == nil {
		err = s.Partners.PutPartner(r.Context(), &p)
	}
	s.partnerAnswer(w, r, p.ID, err)
}

// partnerStatus suspends or resumes the partner of the path.
func (s *Server) partnerStatus(status string) http.HandlerFunc {
	action := map[string]string{tripline.PartnerSuspended: "partner.suspend", tripline.PartnerActive: "partner.resume"}[status]
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		err := s.Policy.ManagePartners(r.Context(), s.Partners.NodeAgency(), action, id, "")
		if err == nil {
			err = s.Partners.SetPartnerStatus(r.Context(), id, status)
		}
		s.partnerAnswer(w, r, id, err)
	}
}

func (s *Server) handlePartnerKey(w http.ResponseWriter, r *http.Request) {
	var k PartnerKey
	if err := decodeJSON(r, &k); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := r.PathValue("id")
	err := s.Policy.ManagePartners(r.Context(), s.Partners.NodeAgency(), "partner.key", id, k.PublicKey)
	if err == nil {
		err = s.Partners.RotatePartnerKey(r.Context(), id, k.PublicKey)
	}
	s.partnerAnswer(w, r, id, err)
}

func (s *Server) handleRemovePartner(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.Policy.ManagePartners(r.Context(), s.Partners.NodeAgency(), "partner.remove", id, "")
	if err == nil {
		err = s.Partners.RemovePartner(r.Context(), id)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "removed"})
}

// partnerAnswer answers a partner change with the partner as it now is.
func (s *Server) partnerAnswer(w http.ResponseWriter, r *http.Request, id string, err error) {
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	vs, err := s.Partners.PartnerHealth(r.Context())
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	for _, v := range vs {
		if v.ID == id {
			writeJSON(w, http.StatusOK, v.Partner)
			return
		}
	}
	Error(w, r, s.Logger, tripline.Errorf(tripline.ENOTFOUND, "partner %q not found", id))
}

// handleFeedPages is GET /v1/feed with cursors: one long-poll for every
// origin the partner follows through this node, answered as soon as any
// of them has new events or the origins announced differ from those the
// follower last saw (announced: their AnnounceTag), else when wait ends.
func (s *Server) handleFeedPages(w http.ResponseWriter, r *http.Request, limit, wait int64) {
	cursors, err := federation.ParseCursors(r.URL.Query().Get("cursors"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(r.Context())
	seen := r.URL.Query().Get("announced")
	s.longPoll(w, r, wait, func(final bool) (any, error) {
		out, err := s.Federation.FeedPages(r.Context(), id.Agency, nodeOf(id), cursors, int(limit))
		if err != nil {
			return nil, err
		}
		// Pages of nothing the partner may see wait for the rest, to go
		// as one range (Deferrable).
		if len(out.Pages) > 0 && !out.Deferrable() || final || federation.AnnounceTag(out.Origins) != seen {
			return out, nil
		}
		return nil, nil
	})
}
