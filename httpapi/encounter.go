package httpapi

import (
	"fmt"
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
	if err := checkQueryIDs(r, "originator", "listing"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// Newest first, keyset on before; a page ends on an encounter the
	// caller was shown (cursor.go): one ending on the node's newest
	// encounter, whoever's, told a poller when another agency had a hit.
	// 0 is a page of one: the store would read every encounter.
	q := r.URL.Query()
	read := func(before string, n int) ([]*tripline.Encounter, error) {
		return s.Encounters.Encounters(r.Context(), tripline.EncounterFilter{Originator: q.Get("originator"),
			Outcome: tripline.Outcome(q.Get("outcome")), Listing: q.Get("listing"), Before: before, Limit: n})
	}
	id := tripline.IdentityFrom(r.Context())
	shape := func(es []*tripline.Encounter) ([]*tripline.Encounter, error) {
		var out []*tripline.Encounter
		for _, e := range es {
			// An agency sees the encounters in its queue, those it reported
			// and the notices sent to it.
			if !e.SeenBy(id.Agency) {
				continue
			}
			if shaped := s.Policy.DiscloseEncounter(r.Context(), e, s.Lookup); shaped != nil {
				out = append(out, shaped)
			}
		}
		return out, nil
	}
	var page EncounterPage
	page.Encounters, page.Next, err = visiblePage(s.cursors, "encounters", q.Get("before"), int(limit), read, shape, func(e *tripline.Encounter) string { return e.ID })
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// Recorded once shown: a batch holds up to 500 encounters past the
	// page's limit, none of which the caller saw.
	s.Policy.RecordEncounters(r.Context(), page.Encounters, s.Lookup)
	s.Policy.Record(r.Context(), "encounter.list", q.Get("originator"), fmt.Sprintf("%d encounters shown", len(page.Encounters)))
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleGetEncounter(w http.ResponseWriter, r *http.Request) {
	e, err := s.encounter(r)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	shaped, err := s.Policy.Encounter(r.Context(), e, s.Lookup)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, shaped)
}

// encounter loads the encounter of the request path, if the caller's agency
// reported it or owns its queue; otherwise it does not exist for them.
func (s *Server) encounter(r *http.Request) (*tripline.Encounter, error) {
	e, err := s.Encounters.Encounter(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := s.Policy.EncounterParty(r.Context(), e); err != nil {
		return nil, err
	}
	return e, nil
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
	id := tripline.IdentityFrom(r.Context())
	res.By = id.User // the record says who decided, whatever the body claims
	e, err := s.Encounters.Encounter(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.Policy.Resolve(r.Context(), e, res.Outcome)
	}
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
	s.Policy.Record(r.Context(), "encounter.resolve", e.ID, string(res.Outcome))
	// The answer shows the encounter as a read of it would.
	if e, err = s.Policy.Encounter(r.Context(), e, s.Lookup); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, Resolved{Encounter: e, Clearance: clr})
}

func (s *Server) handleAcknowledge(w http.ResponseWriter, r *http.Request) {
	cur, err := s.Encounters.Encounter(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.Policy.Acknowledge(r.Context(), cur)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	e, err := s.Encounters.AcknowledgeEncounter(r.Context(), cur.ID)
	if err == nil {
		s.Policy.Record(r.Context(), "encounter.ack", e.ID, "")
		e, err = s.Policy.Encounter(r.Context(), e, s.Lookup)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// AlertPage is one page of document alerts, by id; Next is the after
// value of the next page.
type AlertPage struct {
	Alerts []*tripline.DocumentAlert `json:"alerts"`
	Next   string                    `json:"next,omitempty"`
}

func (s *Server) handleListAlerts(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "source", "after", "limit"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := checkQueryIDs(r, "source"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	limit, err := queryInt(r, "limit", 500, 5000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// 0 is a page of one: the store would read every alert of every source.
	q := r.URL.Query()
	read := func(after string, n int) ([]*tripline.DocumentAlert, error) {
		return s.Alerts.DocumentAlerts(r.Context(), tripline.AlertFilter{Source: q.Get("source"), After: after, Limit: n})
	}
	shape := func(as []*tripline.DocumentAlert) ([]*tripline.DocumentAlert, error) {
		return s.Policy.DiscloseDocumentAlerts(r.Context(), as)
	}
	var page AlertPage
	page.Alerts, page.Next, err = visiblePage(s.cursors, "alerts", q.Get("after"), int(limit), read, shape, func(a *tripline.DocumentAlert) string { return a.ID })
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.RecordDocumentAlerts(r.Context(), page.Alerts, q.Get("source")) // once a page, not a batch
	writeJSON(w, http.StatusOK, page)
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
	if err := s.Policy.WriteAlert(r.Context(), &a); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	out, err := s.Alerts.PutDocumentAlert(r.Context(), &a)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleWithdrawAlert(w http.ResponseWriter, r *http.Request) {
	// One alert read, not the whole list: a stolen-document list runs to
	// millions.
	a, err := s.Alerts.DocumentAlert(r.Context(), r.PathValue("id"))
	if err != nil && tripline.ErrorCode(err) != tripline.ENOTFOUND {
		Error(w, r, s.Logger, err)
		return
	}
	if a != nil {
		if err := s.Policy.ChangeAlert(r.Context(), a); err != nil {
			Error(w, r, s.Logger, err)
			return
		}
	}
	s.Policy.Record(r.Context(), "alert.withdraw", r.PathValue("id"), "")
	out, err := s.Alerts.WithdrawDocumentAlert(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
