package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"tripline"
)

// AuditPage is a page of audit entries, oldest first.
type AuditPage struct {
	Entries []*tripline.AuditEntry `json:"entries"`
	Next    int64                  `json:"next,omitempty"`
}

// Verification is the audit chain's status.
type Verification struct {
	OK      bool                 `json:"ok"`
	Entries int64                `json:"entries"`
	Broken  *tripline.ChainError `json:"broken,omitempty"`
}

func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, tripline.Errorf(tripline.EINVALID, "query %s: %q is not an RFC 3339 time", name, v)
	}
	return t, nil
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "subject", "agency", "user", "action", "from", "to", "after", "limit"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	q := r.URL.Query()
	f := tripline.AuditFilter{Subject: q.Get("subject"), Agency: q.Get("agency"), User: q.Get("user"), Action: q.Get("action")}
	var err error
	if f.From, err = queryTime(r, "from"); err == nil {
		f.To, err = queryTime(r, "to")
	}
	if err == nil {
		f.After, err = queryInt(r, "after", 0, 0)
	}
	var limit int64
	if err == nil {
		limit, err = queryInt(r, "limit", 1000, 10000)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	f.Limit = int(limit)
	if err := s.Policy.AuditRead(r.Context(), &f, s.originator); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	es, err := s.Audit.Entries(r.Context(), f)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	page := AuditPage{Entries: es}
	if es == nil {
		page.Entries = []*tripline.AuditEntry{}
	}
	if len(es) == f.Limit {
		page.Next = es[len(es)-1].Seq
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleAuditVerify(w http.ResponseWriter, r *http.Request) {
	n, broken, err := s.Audit.Verify(r.Context())
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "audit.verify", "", "")
	writeJSON(w, http.StatusOK, Verification{OK: broken == nil, Entries: n, Broken: broken})
}

// auditSigner is an audit log that signs checkpoints of its head.
type auditSigner interface {
	Checkpoint(ctx context.Context) (*tripline.AuditCheckpoint, error)
	NewestCheckpoint(ctx context.Context) (*tripline.AuditCheckpoint, error)
}

// handleAuditCheckpoint gives a witness the signed head of the audit log:
// a truncation or rewrite of the log later fails against its copy.
func (s *Server) handleAuditCheckpoint(w http.ResponseWriter, r *http.Request) {
	signer, ok := s.Audit.(auditSigner)
	if !ok {
		Error(w, r, s.Logger, tripline.Errorf(tripline.ENOTFOUND, "this node signs no audit checkpoints"))
		return
	}
	sign := signer.Checkpoint
	if id := tripline.IdentityFrom(r.Context()); id != nil && id.Role == tripline.RoleNode {
		sign = signer.NewestCheckpoint // a partner witnessing: no signing at its pace
	}
	c, err := sign(r.Context())
	if err == nil && c == nil {
		err = tripline.Errorf(tripline.ENOTFOUND, "the audit log is empty: nothing to sign")
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "audit.checkpoint", strconv.FormatInt(c.Seq, 10), c.Hash)
	writeJSON(w, http.StatusOK, c)
}

// WitnessedPage is the answer of GET /v1/audit/witnessed.
type WitnessedPage struct {
	Node        string                      `json:"node"`
	Checkpoints []*tripline.AuditCheckpoint `json:"checkpoints"`
	// Next is the after of the next page, 0 on the last.
	Next int64 `json:"next,omitempty"`
}

// handleWitnessed gives the checkpoints this node kept of a partner's
// audit log (federation.Peer.WitnessAudits).
func (s *Server) handleWitnessed(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "node", "after"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	after, err := queryInt(r, "after", 0, 0)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	node := r.URL.Query().Get("node")
	if err := tripline.CheckNodeID(node); err != nil {
		// Checked before the policy layer records it: a caller cannot write
		// what it likes into the audit log.
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "node: %s", tripline.ErrorMessage(err)))
		return
	}
	if s.Witness == nil {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EUNAVAILABLE, "this node witnesses no partner"))
		return
	}
	err = s.Policy.Witnessed(r.Context(), node)
	var cs []*tripline.AuditCheckpoint
	if err == nil {
		cs, err = s.Witness.Witnessed(r.Context(), node, after, tripline.WitnessedPageSize)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	page := WitnessedPage{Node: node, Checkpoints: cs}
	if cs == nil {
		page.Checkpoints = []*tripline.AuditCheckpoint{}
	}
	if len(cs) >= tripline.WitnessedPageSize {
		page.Next = cs[len(cs)-1].Seq
	}
	writeJSON(w, http.StatusOK, page)
}

// ConsentPage is a page of consent requests; Next continues it.
type ConsentPage struct {
	Consents []*tripline.Consent `json:"consents"`
	Next     string              `json:"next,omitempty"`
}

// ConsentRequest asks a listing's originator to let it go to Recipient.
type ConsentRequest struct {
	Listing   string `json:"listing"`
	Recipient string `json:"recipient"`
	Reason    string `json:"reason,omitempty"`
}

// ConsentDecision is the originator's answer.
type ConsentDecision struct {
	Grant bool `json:"grant"`
}

func (s *Server) handleListConsents(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "listing", "status", "after", "limit"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := checkQueryIDs(r, "listing"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// A page, as the other lists: any agency may ask for thousands of
	// requests, which every reader's call read whole before. 0 is a page
	// of one: the store would read them all.
	limit, err := queryInt(r, "limit", 500, 5000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	q := r.URL.Query()
	listing := q.Get("listing")
	status := tripline.ConsentStatus(q.Get("status"))
	if status != "" && !status.Valid() {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "status: one of pending, granted, refused, withdrawn"))
		return
	}
	read := func(after string, n int) ([]*tripline.Consent, error) {
		return s.Consents.Consents(r.Context(), tripline.ConsentFilter{Listing: listing, Status: status, After: after, Limit: n})
	}
	shape := func(cs []*tripline.Consent) ([]*tripline.Consent, error) {
		return s.Policy.DiscloseConsents(r.Context(), cs)
	}
	var page ConsentPage
	page.Consents, page.Next, err = visiblePage(s.cursors, "consents", q.Get("after"), int(limit), read, shape, func(c *tripline.Consent) string { return c.ID })
	if err == nil {
		err = s.Policy.RecordConsents(r.Context(), page.Consents, listing) // once a page, not a batch
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// handleRequestConsent records a request by the caller's agency, which
// must be able to see the listing, to its originator.
func (s *Server) handleRequestConsent(w http.ResponseWriter, r *http.Request) {
	var in ConsentRequest
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	l, err := s.Listings.Listing(r.Context(), in.Listing)
	if err == nil {
		_, err = s.Policy.Listing(r.Context(), l)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(r.Context())
	c, err := s.Consents.RequestConsent(r.Context(), &tripline.Consent{Listing: l.ID, Originator: l.Provenance.Originator,
		Requester: id.Agency, Recipient: in.Recipient, Reason: in.Reason})
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "consent.request", l.ID, "for "+in.Recipient)
	writeJSON(w, http.StatusOK, c)
}

// handleDecideConsent lets only the originator's agency decide.
func (s *Server) handleDecideConsent(w http.ResponseWriter, r *http.Request) {
	var in ConsentDecision
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	c, err := s.Consents.Consent(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.Policy.DecideConsent(r.Context(), c)
	}
	var out *tripline.Consent
	if err == nil {
		out, err = s.Consents.DecideConsent(r.Context(), c.ID, in.Grant, tripline.IdentityFrom(r.Context()).User)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "consent.decide", c.Listing, string(out.Status))
	writeJSON(w, http.StatusOK, out)
}

// originator returns the agency that originated listing id, "" when it is
// no listing held.
func (s *Server) originator(id string) string {
	if s.Lookup == nil {
		return ""
	}
	if l := s.Lookup(id); l != nil {
		return l.Provenance.Originator
	}
	return ""
}
