package httpapi

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"

	"tripline"
	"tripline/blind"
)

// BlindService is this node's side as the originator of blind lists
// (issue 20); *blind.Originator implements it.
type BlindService interface {
	// Table returns the blind table built for partner node (of agency).
	Table(ctx context.Context, node, agency string) (*blind.Table, error)
	// Evaluate evaluates a partner's blinded batch under its quota.
	Evaluate(ctx context.Context, node string, req *blind.EvaluateRequest) (*blind.EvaluateResponse, error)
}

// blindRoutes are the routes partner nodes screen against this node's
// blind lists by. Both are signed node requests, audited with the partner,
// the epoch and counts — never a traveller, whom this node never learns.
func (s *Server) blindRoutes() []route {
	nodes := []tripline.Role{tripline.RoleNode}
	rs := []route{
		{Method: "GET", Pattern: blind.TablePath, Roles: nodes, Summary: "A partner node fetches the blind table this node built for it: {lookup tag → sealed payload}, padded with dummies, signed with the node key (application/octet-stream; If-None-Match with the ETag answers 304 when unchanged).",
			Response: "", Handler: s.handleBlindTable},
		{Method: "POST", Pattern: blind.EvaluatePath, Roles: nodes, Summary: "A partner node has one batch of blinded keys evaluated under this epoch's OPRF key (RFC 9497, verifiable), charged to its daily quota (429 past it).",
			Request: "BlindEvaluation", Response: "BlindEvaluated", Handler: s.handleBlindEvaluate},
	}
	return s.requiring(rs, func() bool { return s.Blind != nil }, "blind screening is not offered by this node")
}

// requiring makes each route of rs answer 404 with missing while set()
// reports the service behind it is not set: a node without it has no
// such routes, to its callers.
func (s *Server) requiring(rs []route, set func() bool, missing string) []route {
	for i := range rs {
		h := rs[i].Handler
		rs[i].Handler = func(w http.ResponseWriter, r *http.Request) {
			if !set() {
				Error(w, r, s.Logger, tripline.Errorf(tripline.ENOTFOUND, "%s", missing))
				return
			}
			h(w, r)
		}
	}
	return rs
}

func (s *Server) handleBlindTable(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(r.Context())
	t, err := s.Blind.Table(r.Context(), nodeOf(id), id.Agency)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	etag := `"` + hex.EncodeToString(t.Header.Digest) + `"`
	unchanged := r.Header.Get("If-None-Match") == etag
	s.Policy.Record(r.Context(), "blind.table", nodeOf(id), fmt.Sprintf("epoch %d, %d entries, unchanged %v", t.Header.Epoch, t.Len(), unchanged))
	w.Header().Set("ETag", etag)
	if unchanged {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = t.WriteTo(w) // the partner went away: it fetches again
}

func (s *Server) handleBlindEvaluate(w http.ResponseWriter, r *http.Request) {
	var in blind.EvaluateRequest
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(r.Context())
	out, err := s.Blind.Evaluate(r.Context(), nodeOf(id), &in)
	if err != nil {
		s.Policy.Record(r.Context(), "blind.evaluate.refused", nodeOf(id), fmt.Sprintf("%d keys: %s", len(in.Elements), tripline.ErrorMessage(err)))
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "blind.evaluate", nodeOf(id),
		fmt.Sprintf("%d keys evaluated in epoch %d; %d of today's %d used", len(in.Elements), out.Epoch, out.Used, out.Limit))
	writeJSON(w, http.StatusOK, out)
}
