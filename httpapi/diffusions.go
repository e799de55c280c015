package httpapi

import (
	"context"
	"net/http"
	"time"

	"tripline"
)

// DiffusionTransport carries diffusions between nodes (the federation's
// signed reports) and knows which partner node serves which agency.
type DiffusionTransport interface {
	// SendDiffusion queues d's current version to every recipient's node.
	SendDiffusion(ctx context.Context, d *tripline.Diffusion) error
	// SendDiffusionAck queues a's acknowledgement to d's sender's node.
	SendDiffusionAck(ctx context.Context, d *tripline.Diffusion, a *tripline.DiffusionAck) error
	// PartnerNodes maps each partner agency to its node.
	PartnerNodes(ctx context.Context) (map[string]string, error)
	// Self is this node's id.
	Self() string
}

// MaxDiffusionAck bounds how long a recipient may take to acknowledge.
const MaxDiffusionAck = 7 * 24 * time.Hour

func (s *Server) diffusionRoutes() []route {
	rs := []route{
		{Method: "POST", Pattern: "/v1/diffusions", Roles: tipTakers, Summary: "Send an instruction about a person (prevent_departure, locate_and_report, detain, do_not_alert_subject) to chosen partner agencies, or with recipients [\"*\"] to every partner that may see the listing it names; each must acknowledge within ack_within (default 1h) or it escalates.", Request: "DiffusionRequest", Response: "Diffusion", Handler: s.handleSendDiffusion},
		{Method: "GET", Pattern: "/v1/diffusions", Roles: tipTakers, Summary: "The diffusions the caller's agency sent (each recipient with its acknowledgement, overdue ones marked) and received.", Response: "DiffusionPage", Handler: s.handleListDiffusions},
		{Method: "GET", Pattern: "/v1/diffusions/{id}", Roles: tipTakers, Summary: "One diffusion the caller's agency sent or received.", Response: "Diffusion", Handler: s.handleGetDiffusion},
		{Method: "POST", Pattern: "/v1/diffusions/{id}/ack", Roles: tipTakers, Summary: "A recipient acknowledges a diffusion; the acknowledgement travels to the sender.", Response: "Diffusion", Handler: s.handleAckDiffusion},
		{Method: "POST", Pattern: "/v1/diffusions/{id}/cancel", Roles: tipTakers, Summary: "The sender cancels a diffusion; the cancellation reaches every recipient.", Response: "Diffusion", Handler: s.handleCancelDiffusion},
	}
	return s.requiring(rs, func() bool { return s.Diffusions != nil && s.DiffusionTransport != nil }, "diffusions need federation on this node")
}

// DiffusionRequest is a diffusion as sent.
type DiffusionRequest struct {
	Kind       tripline.DiffusionKind `json:"kind"`
	Subject    tripline.TipSubject    `json:"subject"`
	Listing    string                 `json:"listing,omitempty"`
	Text       string                 `json:"text,omitempty"`
	Contact    string                 `json:"contact,omitempty"`
	Recipients []string               `json:"recipients"`
	AckWithin  string                 `json:"ack_within,omitempty"`
}

// DiffusionPage is the caller's agency's diffusions, sent and received.
type DiffusionPage struct {
	Diffusions []*tripline.Diffusion `json:"diffusions"`
}

func (s *Server) handleSendDiffusion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req DiffusionRequest
	err := s.Policy.SendDiffusion(ctx)
	if err == nil {
		err = decodeJSON(r, &req)
	}
	ackWithin := tripline.DefaultDiffusionAck
	if err == nil && req.AckWithin != "" {
		if ackWithin, err = time.ParseDuration(req.AckWithin); err != nil || ackWithin <= 0 || ackWithin > MaxDiffusionAck {
			err = tripline.Errorf(tripline.EINVALID, "ack_within: %.40q is not a duration of at most %s", req.AckWithin, MaxDiffusionAck)
		}
	}
	var nodes map[string]string
	if err == nil {
		nodes, err = s.DiffusionTransport.PartnerNodes(ctx)
	}
	var l *tripline.Listing
	if err == nil && req.Listing != "" {
		if l, err = s.Listings.Listing(ctx, req.Listing); err == nil {
			_, err = s.Policy.Listing(ctx, l) // the sender must see what it names
		}
		// Who may receive a diffusion naming a listing is the listing's
		// handling rules, which the answer (its recipients, or a refused
		// one) shows: a sender that may only screen against the listing, or
		// see its action, would read them, a detail it is not granted.
		if err == nil && s.Policy.Level(tripline.IdentityFrom(ctx), l) < tripline.LevelDetails {
			err = tripline.Errorf(tripline.EFORBIDDEN, "listing: %q is not shown to you in detail, and its handling rules decide who may receive a diffusion naming it: describe the person instead", l.ID)
		}
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(ctx)
	now := s.now().UTC()
	d := &tripline.Diffusion{ID: tripline.NewDiffusionID(s.DiffusionTransport.Self()), Sender: id.Agency, SenderNode: s.DiffusionTransport.Self(),
		Kind: req.Kind, Subject: req.Subject, Listing: req.Listing, Text: req.Text, Contact: req.Contact,
		Status: tripline.DiffusionActive, Sent: now, AckDue: now.Add(ackWithin), Version: 1}
	add := func(agency string) {
		for _, x := range d.Recipients {
			if x.Agency == agency {
				return
			}
		}
		d.Recipients = append(d.Recipients, tripline.DiffusionRecipient{Agency: agency, Node: nodes[agency]})
	}
	for i, a := range req.Recipients {
		switch {
		case a == "*" && l == nil:
			err = tripline.Errorf(tripline.EINVALID, "recipients[%d]: \"*\" (all who may see it) needs a listing", i)
		case a == "*":
			for agency := range nodes {
				if agency != id.Agency && s.Policy.MayNotify(ctx, agency, l, d.ID) {
					add(agency)
				}
			}
		case nodes[a] == "" || a == id.Agency:
			err = tripline.Errorf(tripline.EINVALID, "recipients[%d]: %.60q is no partner agency of this node", i, a)
		case l != nil && !s.Policy.MayNotify(ctx, a, l, d.ID):
			err = tripline.Errorf(tripline.EFORBIDDEN, "recipients[%d]: %q may not see listing %q", i, a, l.ID)
		default:
			add(a)
		}
		if err != nil {
			break
		}
	}
	if err == nil && len(d.Recipients) == 0 {
		err = tripline.Errorf(tripline.EINVALID, "recipients: none (name partner agencies, or \"*\" with a listing)")
	}
	if err == nil {
		err = d.Validate()
	}
	if err == nil {
		d, err = s.Diffusions.PutDiffusion(ctx, d)
	}
	if err == nil {
		err = s.DiffusionTransport.SendDiffusion(ctx, d)
	}
	if err == nil {
		s.Policy.Record(ctx, "diffusion.send", d.ID, string(d.Kind))
		d, err = s.Policy.Diffusion(ctx, d)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) handleListDiffusions(w http.ResponseWriter, r *http.Request) {
	var agency string
	if id := tripline.IdentityFrom(r.Context()); id != nil {
		agency = id.Agency
	}
	ds, err := s.Diffusions.Diffusions(r.Context(), agency)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	var page DiffusionPage
	if page.Diffusions, err = s.Policy.Diffusions(r.Context(), ds); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleGetDiffusion(w http.ResponseWriter, r *http.Request) {
	d, err := s.Diffusions.Diffusion(r.Context(), r.PathValue("id"))
	if err == nil {
		d, err = s.Policy.Diffusion(r.Context(), d)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleAckDiffusion: a recipient acknowledges; the acknowledgement
// travels to the sender's node.
func (s *Server) handleAckDiffusion(w http.ResponseWriter, r *http.Request) {
	s.stepDiffusion(w, r, s.Policy.AckDiffusion, func(ctx context.Context, d *tripline.Diffusion) (*tripline.Diffusion, error) {
		id := tripline.IdentityFrom(ctx)
		at := s.now().UTC()
		d, err := s.Diffusions.AckDiffusion(ctx, d.ID, id.Agency, id.User, at)
		if err == nil && d.Sender != id.Agency {
			err = s.DiffusionTransport.SendDiffusionAck(ctx, d, &tripline.DiffusionAck{Diffusion: d.ID, Agency: id.Agency, By: id.User, At: at})
		}
		return d, err
	})
}

// handleCancelDiffusion: the sender cancels; the new version reaches
// every recipient.
func (s *Server) handleCancelDiffusion(w http.ResponseWriter, r *http.Request) {
	s.stepDiffusion(w, r, s.Policy.CancelDiffusion, func(ctx context.Context, d *tripline.Diffusion) (*tripline.Diffusion, error) {
		now := s.now().UTC()
		c := *d
		c.Status, c.CancelledAt, c.Version = tripline.DiffusionCancelled, &now, d.Version+1
		d, err := s.Diffusions.PutDiffusion(ctx, &c)
		if err == nil {
			err = s.DiffusionTransport.SendDiffusion(ctx, d)
		}
		return d, err
	})
}

// stepDiffusion moves diffusion {id} one step: the policy layer's check
// of the caller (which audits it), the diffusion still active, then step;
// the answer is the diffusion as the caller may see it.
func (s *Server) stepDiffusion(w http.ResponseWriter, r *http.Request, check func(context.Context, *tripline.Diffusion) error,
	step func(context.Context, *tripline.Diffusion) (*tripline.Diffusion, error)) {
	ctx := r.Context()
	d, err := s.Diffusions.Diffusion(ctx, r.PathValue("id"))
	if err == nil {
		err = check(ctx, d)
	}
	if err == nil && d.Status != tripline.DiffusionActive {
		err = tripline.Errorf(tripline.ECONFLICT, "diffusion %q is %s already", d.ID, d.Status)
	}
	if err == nil {
		d, err = step(ctx, d)
	}
	if err == nil {
		d, err = s.Policy.Diffusion(ctx, d)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
