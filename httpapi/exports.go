package httpapi

import (
	"fmt"
	"net/http"

	"tripline"
	"tripline/export"
)

// MaxExport bounds the listings or encounters of one export: a STIX
// bundle is built whole in memory. A larger one is refused, naming the
// filter that narrows it.
const MaxExport = 200000

func (s *Server) exportRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/v1/exports/listings", Roles: writers, Summary: "Export the listings the caller may see, each trimmed by the policy layer as in GET /v1/listings: FollowTheMoney JSON lines (format=ftm, application/x-ndjson) or one STIX 2.1 bundle (format=stix: identity and indicator per listing, TLP and handling markings).", Response: "",
			Query:   []param{{"format", "string", "ftm or stix (required)"}, {"source", "string", "only this source"}, {"status", "string", "active (default), withdrawn or expired"}},
			Handler: s.handleExportListings},
		{Method: "GET", Pattern: "/v1/exports/encounters", Roles: writers, Summary: "Export the encounters the caller's agency is a party to (its queue, its reports, notices sent to it), each trimmed by the policy layer, as CSV (text/csv) for reporting.", Response: "",
			Query:   []param{{"originator", "string", "only this originator's queue"}, {"outcome", "string", "only this outcome"}, {"listing", "string", "only encounters on this listing"}},
			Handler: s.handleExportEncounters},
	}
}

func (s *Server) handleExportListings(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "format", "source", "status"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := checkQueryIDs(r, "source"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format != "ftm" && format != "stix" {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query format: %.40q is not ftm or stix", format))
		return
	}
	status := tripline.Status(q.Get("status"))
	if status == "" {
		status = tripline.StatusActive
	}
	w, release, ok := s.inReport(w, r)
	if !ok {
		return
	}
	defer release()
	var out []*tripline.Listing
	f := tripline.ListingFilter{Source: q.Get("source"), Status: status, Limit: 1000}
	for {
		ls, err := s.Listings.Listings(r.Context(), f)
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		shaped, err := s.Policy.Listings(r.Context(), ls) // audited page by page
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		out = append(out, shaped...)
		if len(out) > MaxExport {
			Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "export: more than %d listings; narrow it with source=", MaxExport))
			return
		}
		if len(ls) < f.Limit {
			break
		}
		f.After = ls[len(ls)-1].ID
	}
	s.Policy.Record(r.Context(), "export.listings", q.Get("source"), fmt.Sprintf("%d listings as %s", len(out), format))
	if format == "ftm" {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Content-Disposition", `attachment; filename="listings.ftm.json"`)
		_ = export.WriteFTM(w, out) // the client went away: nothing left to tell it
		return
	}
	w.Header().Set("Content-Type", "application/stix+json;version=2.1")
	w.Header().Set("Content-Disposition", `attachment; filename="listings.stix.json"`)
	_ = export.WriteSTIX(w, out, s.now())
}

func (s *Server) handleExportEncounters(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "originator", "outcome", "listing"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := checkQueryIDs(r, "originator", "listing"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	w, release, ok := s.inReport(w, r)
	if !ok {
		return
	}
	defer release()
	q := r.URL.Query()
	id := tripline.IdentityFrom(r.Context())
	f := tripline.EncounterFilter{Originator: q.Get("originator"), Outcome: tripline.Outcome(q.Get("outcome")), Listing: q.Get("listing"), Limit: 1000}
	var out []*tripline.Encounter
	for {
		es, err := s.Encounters.Encounters(r.Context(), f)
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		for _, e := range es {
			if !e.SeenBy(id.Agency) {
				continue
			}
			shaped, err := s.Policy.Encounter(r.Context(), e, s.Lookup)
			if err != nil {
				continue
			}
			out = append(out, shaped)
		}
		if len(out) > MaxExport {
			Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "export: more than %d encounters; narrow it with originator=, outcome= or listing=", MaxExport))
			return
		}
		if len(es) < f.Limit {
			break
		}
		f.Before = es[len(es)-1].ID
	}
	s.Policy.Record(r.Context(), "export.encounters", q.Get("originator"), fmt.Sprintf("%d encounters as CSV", len(out)))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="encounters.csv"`)
	_ = export.WriteEncountersCSV(w, out)
}
