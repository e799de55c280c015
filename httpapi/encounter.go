package httpapi

import (
	"net/http"

	"tripline"
)

// EncounterPage is one page of encounters, newest first; Next is the before
// value of the next page.
type EncounterPage struct {
	Encounters []*tripline.Encounter `json:"encounters"`
	Next       string                `json:"next,omitempty"`
}

// Resolved is an encounter with the clearance its resolution created.
type Resolved struct {
	Encounter *tripline.Encounter `json:"encounter"`
	Clearance *tripline.Clearance `json:"clearance,omitempty"`
}

func (s *Server) handleListEncounters(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "originator", "outcome", "listing", "before", "limit"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	q := r.URL.Query()
	es, err := s.Encounters.Encounters(r.Context(), tripline.EncounterFilter{Originator: q.Get("originator"),
		Outcome: tripline.Outcome(q.Get("outcome")), Listing: q.Get("listing"), Before: q.Get("before"), Limit: int(limit)})
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	page := EncounterPage{Encounters: es}
	if es == nil {
		page.Encounters = []*tripline.Encounter{}
	}
	if len(es) == int(limit) && limit > 0 {
		page.Next = es[len(es)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleGetEncounter(w http.ResponseWriter, r *http.Request) {
	e, err := s.Encounters.Encounter(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// handleResolve records an outcome. A false positive creates a clearance
// tied to the listing's current content, so that a change to the listing
// voids it.
func (s *Server) handleResolve(w http.ResponseWriter, r *http.Request) {
	var res tripline.Resolution
	if err := decodeJSON(r, &res); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if id := tripline.IdentityFrom(r.Context()); id != nil && res.By == "" {
		res.By = id.User
	}
	e, err := s.Encounters.Encounter(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	hash := ""
	if l, err := s.Listings.Listing(r.Context(), e.Listing); err == nil {
		hash = l.ContentHash()
	} else if tripline.ErrorCode(err) != tripline.ENOTFOUND {
		Error(w, r, s.Logger, err)
		return
	}
	e, clr, err := s.Encounters.ResolveEncounter(r.Context(), e.ID, res, hash)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, Resolved{Encounter: e, Clearance: clr})
}

func (s *Server) handleAcknowledge(w http.ResponseWriter, r *http.Request) {
	e, err := s.Encounters.AcknowledgeEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// AlertPage lists document alerts.
type AlertPage struct {
	Alerts []*tripline.DocumentAlert `json:"alerts"`
}

func (s *Server) handleListAlerts(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "source"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	as, err := s.Alerts.DocumentAlerts(r.Context(), r.URL.Query().Get("source"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if as == nil {
		as = []*tripline.DocumentAlert{}
	}
	writeJSON(w, http.StatusOK, AlertPage{Alerts: as})
}

func (s *Server) handlePutAlert(w http.ResponseWriter, r *http.Request) {
	var a tripline.DocumentAlert
	if err := decodeJSON(r, &a); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if a.ID == "" {
		a.ID = tripline.DocumentAlertID(a.Source, a.Country, a.Number)
	}
	out, err := s.Alerts.PutDocumentAlert(r.Context(), &a)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleWithdrawAlert(w http.ResponseWriter, r *http.Request) {
	out, err := s.Alerts.WithdrawDocumentAlert(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
