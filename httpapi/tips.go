package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"tripline"
)

// MaxTipTTL bounds how long a provisional listing may screen unconfirmed.
const MaxTipTTL = 90 * 24 * time.Hour

var (
	tipTakers   = []tripline.Role{analyst, supervisor}
	supervisors = []tripline.Role{supervisor}
)

func (s *Server) tipRoutes() []route {
	return []route{
		{Method: "POST", Pattern: "/v1/tips", Roles: tipTakers, Summary: "Take a tip (hotline, family, partner, public): a provisional listing of its subject screens for the caller's agency with secondary check / report to the originator until a supervisor confirms or rejects it, or it expires (default 30 days). The reporter is source-protected.", Request: "TipIntake", Response: "Tip", Handler: s.handleCreateTip},
		{Method: "GET", Pattern: "/v1/tips", Roles: writers, Summary: "The caller's agency's tips, newest first: the supervisor queue with status=provisional. The reporter only for analysts and supervisors.", Response: "TipPage",
			Query: []param{{"status", "string", "provisional, confirmed, rejected or expired"}}, Handler: s.handleListTips},
		{Method: "GET", Pattern: "/v1/tips/{id}", Roles: writers, Summary: "One tip of the caller's agency.", Response: "Tip", Handler: s.handleGetTip},
		{Method: "POST", Pattern: "/v1/tips/{id}/confirm", Roles: supervisors, Summary: "A supervisor confirms a provisional tip into a full listing with its own action, handling rules and validity.", Request: "TipConfirmation", Response: "Tip", Handler: s.handleConfirmTip},
		{Method: "POST", Pattern: "/v1/tips/{id}/reject", Roles: supervisors, Summary: "A supervisor rejects a provisional tip: its listing is withdrawn and stops matching at once.", Request: "TipRejection", Response: "Tip", Handler: s.handleRejectTip},
	}
}

// TipIntake is a tip as taken: TTL ("720h", default 30 days, at most 90)
// is how long its provisional listing screens unconfirmed.
type TipIntake struct {
	Channel  tripline.TipChannel `json:"channel"`
	Reporter tripline.Reporter   `json:"reporter"`
	Text     string              `json:"text"`
	Subject  tripline.TipSubject `json:"subject"`
	TTL      string              `json:"ttl,omitempty"`
}

// TipConfirmation is what a supervisor gives a confirmed tip's listing.
type TipConfirmation struct {
	Action      tripline.Action                    `json:"action"`
	Instruction string                             `json:"instruction,omitempty"`
	Directions  map[string]tripline.DirectedAction `json:"directions,omitempty"`
	Contact     string                             `json:"contact,omitempty"`
	Reason      tripline.Reason                    `json:"reason,omitempty"`
	Handling    tripline.Handling                  `json:"handling"`
	ValidUntil  *time.Time                         `json:"valid_until,omitempty"`
	Note        string                             `json:"note,omitempty"`
}

// TipRejection is why a supervisor rejected a tip.
type TipRejection struct {
	Note string `json:"note"`
}

// TipPage is the caller's agency's tips.
type TipPage struct {
	Tips []*tripline.Tip `json:"tips"`
}

func (s *Server) tips() (tripline.TipService, error) {
	if s.Tips == nil {
		return nil, tripline.Errorf(tripline.EUNAVAILABLE, "tips are not taken on this node")
	}
	return s.Tips, nil
}

func (s *Server) handleCreateTip(w http.ResponseWriter, r *http.Request) {
	store, err := s.tips()
	if err == nil {
		err = s.Policy.TakeTip(r.Context())
	}
	var in TipIntake
	if err == nil {
		err = decodeJSON(r, &in)
	}
	ttl := tripline.DefaultTipTTL
	if err == nil && in.TTL != "" {
		if ttl, err = time.ParseDuration(in.TTL); err != nil || ttl <= 0 || ttl > MaxTipTTL {
			err = tripline.Errorf(tripline.EINVALID, "ttl: %.40q is not a duration of at most %s", in.TTL, MaxTipTTL)
		}
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(r.Context())
	now := s.now()
	t := &tripline.Tip{ID: tripline.NewTipID(), Agency: id.Agency, Channel: in.Channel, Reporter: in.Reporter, Text: in.Text,
		Subject: in.Subject, By: id.User, Received: now.UTC()}
	if age, ok := in.Subject.DOB.AgeAt(now); ok && age < 18 {
		t.Minor = true
	}
	if err := t.Validate(); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	l := t.ProvisionalListing(now, ttl)
	if err := s.Policy.Write(r.Context(), l); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	stored, err := store.CreateTip(r.Context(), t, l)
	if err == nil {
		s.Policy.Record(r.Context(), "tip.create", stored.ID, fmt.Sprintf("channel %s, listing %s until %s", stored.Channel, stored.Listing, stored.Expires.Format(time.RFC3339)))
		stored, err = s.Policy.Tip(r.Context(), stored)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, stored)
}

func (s *Server) handleListTips(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "status"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	store, err := s.tips()
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	want := tripline.TipStatus(r.URL.Query().Get("status"))
	switch want {
	case "", tripline.TipProvisional, tripline.TipConfirmed, tripline.TipRejected, tripline.TipExpired:
	default:
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query status: %.40q is not provisional, confirmed, rejected or expired", want))
		return
	}
	stored := want
	if want == tripline.TipExpired {
		stored = tripline.TipProvisional // expiry is a matter of time, not of a write
	}
	ts, err := store.Tips(r.Context(), tripline.TipFilter{Agency: tripline.IdentityFrom(r.Context()).Agency, Status: stored})
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	page := TipPage{Tips: []*tripline.Tip{}}
	for _, t := range ts {
		shown, err := s.Policy.Tip(r.Context(), t)
		if err != nil || (want != "" && shown.Status != want) {
			continue
		}
		page.Tips = append(page.Tips, shown)
	}
	writeJSON(w, http.StatusOK, page)
}

// tip loads the tip of the request path.
func (s *Server) tip(r *http.Request) (tripline.TipService, *tripline.Tip, error) {
	store, err := s.tips()
	if err != nil {
		return nil, nil, err
	}
	t, err := store.Tip(r.Context(), r.PathValue("id"))
	return store, t, err
}

func (s *Server) handleGetTip(w http.ResponseWriter, r *http.Request) {
	_, t, err := s.tip(r)
	if err == nil {
		t, err = s.Policy.Tip(r.Context(), t)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleConfirmTip(w http.ResponseWriter, r *http.Request) {
	store, t, err := s.tip(r)
	if err == nil {
		err = s.Policy.DecideTip(r.Context(), t)
	}
	var c TipConfirmation
	if err == nil {
		err = decodeJSON(r, &c)
	}
	var cur *tripline.Listing
	if err == nil {
		cur, err = s.Listings.Listing(r.Context(), t.Listing)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	l := *cur
	l.Provisional, l.Status = false, tripline.StatusActive
	l.Action, l.Instruction, l.Directions, l.Contact, l.Handling, l.ValidUntil = c.Action, c.Instruction, c.Directions, c.Contact, c.Handling, c.ValidUntil
	if c.Reason != "" {
		l.Reason = c.Reason
	}
	if err := s.Policy.Write(r.Context(), &l); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.decideTip(w, r, store, t, tripline.TipConfirmed, c.Note, &l)
}

func (s *Server) handleRejectTip(w http.ResponseWriter, r *http.Request) {
	store, t, err := s.tip(r)
	if err == nil {
		err = s.Policy.DecideTip(r.Context(), t)
	}
	var rej TipRejection
	if err == nil {
		err = decodeJSON(r, &rej)
	}
	if err == nil && len(rej.Note) > tripline.MaxTipField {
		err = tripline.Errorf(tripline.EINVALID, "note: %d bytes, at most %d", len(rej.Note), tripline.MaxTipField)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.decideTip(w, r, store, t, tripline.TipRejected, rej.Note, nil)
}

func (s *Server) decideTip(w http.ResponseWriter, r *http.Request, store tripline.TipService, t *tripline.Tip, status tripline.TipStatus, note string, l *tripline.Listing) {
	id := tripline.IdentityFrom(r.Context())
	out, err := store.DecideTip(r.Context(), t.ID, status, id.User, note, l)
	if err == nil {
		s.Policy.Record(r.Context(), "tip."+string(status), t.ID, note)
		out, err = s.Policy.Tip(r.Context(), out)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
