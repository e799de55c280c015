package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/importer"
	"tripline/mrz"
	"tripline/paxlst"
	"tripline/pnrgov"
	"tripline/screening"
)

// route is one API operation. The OpenAPI document is generated from this
// table, so the document cannot drift from the handlers.
type route struct {
	Method  string
	Pattern string
	// Public routes need no token (health, the API description, login);
	// every other route names the roles that may call it, and a route with
	// neither fails the route-table test.
	Public bool
	Roles  []tripline.Role
	// Unrecorded answers without waiting for the audit log: a granted
	// call records nothing (metrics), and operators must see the figures
	// most when the audit log is down.
	Unrecorded bool
	Summary    string
	Request    string // schema name of the JSON body, "" for none
	// RequestType is the media type of a body that is not JSON (a CSV
	// file), described as text; "" when the body is JSON or absent.
	RequestType string
	// MaxBody bounds the body when MaxBodyBytes is too small (a whole
	// list streamed into the store); 0 keeps MaxBodyBytes.
	MaxBody  int64
	Response string // schema name of the 200 response
	Query    []param
	Handler  http.HandlerFunc
}

// Role sets of the route table.
var (
	officer    = tripline.RoleOfficer
	analyst    = tripline.RoleAnalyst
	supervisor = tripline.RoleSupervisor
	admin      = tripline.RoleAdmin
	readers    = []tripline.Role{officer, analyst, supervisor, admin}
	screeners  = []tripline.Role{officer, analyst, supervisor}
	writers    = []tripline.Role{analyst, supervisor, admin}
	ackers     = []tripline.Role{analyst, supervisor, tripline.RoleNode}
	auditors   = []tripline.Role{tripline.RoleAuditor}
	witnesses  = []tripline.Role{tripline.RoleAuditor, tripline.RoleNode}
	admins     = []tripline.Role{admin}
	operators  = []tripline.Role{admin, tripline.RoleAuditor}
	everyone   = []tripline.Role{officer, analyst, supervisor, admin, tripline.RoleAuditor}
)

type param struct {
	Name, Type, Description string
}

// routes is the whole route table: the core routes below and the groups
// each capability adds from its own file.
func (s *Server) routes() []route {
	rs := s.coreRoutes()
	for _, group := range []func() []route{s.networkRoutes, s.federationRoutes, s.partnerRoutes, s.coverageRoutes, s.importRoutes, s.blindRoutes, s.exportRoutes, s.tipRoutes, s.diffusionRoutes} {
		rs = append(rs, group()...)
	}
	return rs
}

func (s *Server) coreRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/healthz", Public: true, Summary: "Liveness: the process is up.", Response: "Status", Handler: s.handleHealth},
		{Method: "GET", Pattern: "/readyz", Public: true, Summary: "Readiness: the index is loaded and screenings can be served.", Response: "Status", Handler: s.handleReady},
		{Method: "GET", Pattern: "/metrics", Roles: operators, Unrecorded: true, Summary: "Prometheus metrics, for an admin or auditor of the agency running the node (or a superuser): Prometheus sends the token from its scrape config (authorization: Bearer).", Response: "", Handler: s.handleMetrics()},
		{Method: "GET", Pattern: "/openapi.json", Public: true, Summary: "This document.", Response: "", Handler: s.handleOpenAPI},
		{Method: "GET", Pattern: "/v1/listings", Roles: writers, Summary: "List listings, ordered by id (keyset paging with after). Not for officers: a border post gets one answer per traveller, never the list.", Response: "ListingPage",
			Query: []param{{"source", "string", "only this source"}, {"status", "string", "active, withdrawn or expired"},
				{"after", "string", "continue after this id, or a page's next"}, {"limit", "integer", "page size, at most 1000 (default 100)"}},
			Handler: s.handleListListings},
		{Method: "POST", Pattern: "/v1/listings", Roles: writers, Summary: "Create or update a listing (idempotent on identical content).", Request: "Listing", Response: "Listing", Handler: s.handlePutListing},
		{Method: "GET", Pattern: "/v1/listings/{id}", Roles: readers, Summary: "One listing.", Response: "Listing", Handler: s.handleGetListing},
		{Method: "POST", Pattern: "/v1/listings/{id}/withdraw", Roles: writers, Summary: "Withdraw an active listing; it stops matching at once.", Request: "Withdrawal", Response: "Listing", Handler: s.handleWithdraw},
		{Method: "POST", Pattern: "/v1/listings/{id}/confirm", Roles: writers, Summary: "The originator re-confirms a listing: new valid-until and review-by dates.", Request: "Confirmation", Response: "Listing", Handler: s.handleConfirm},
		{Method: "GET", Pattern: "/v1/review-due", Roles: writers, Summary: "The caller's agency's listings due for review (reminders).", Response: "ListingPage",
			Query: []param{{"within", "string", "a Go duration, e.g. 168h (default 7 days)"}}, Handler: s.handleReviewDue},
		{Method: "POST", Pattern: "/v1/screen", Roles: screeners, Summary: "Screen one traveller, or a batch as {\"travellers\": [...]}.", Request: "ScreenRequest", Response: "ScreenResponse", MaxBody: MaxScreenBodyBytes, Handler: s.handleScreen},
		{Method: "POST", Pattern: "/v1/manifests", Roles: screeners, Summary: "Screen a whole manifest: a UN/EDIFACT PAXLST message, a PNRGOV push (every passenger of every booking, with its locator and co-travellers; a hit before the flight leaves notifies the originator and a partner of the departure country), or a JSON manifest.", Request: "Manifest", Response: "ManifestResult",
			Query: []param{{"direction", "string", "in, out or transit (PAXLST and PNRGOV default: in)"},
				{"partial", "boolean", "true screens a PAXLST or PNRGOV cut short (no UNT/UNZ trailer) instead of refusing it: every traveller of the cut message is then at least review"},
				{"departure_country", "string", "PNRGOV: the country the flight leaves from (default: the departure airport's, where known)"}},
			MaxBody: MaxScreenBodyBytes, Handler: s.handleManifest},
		{Method: "GET", Pattern: "/v1/encounters", Roles: screeners, Summary: "Encounters, newest first: the originator's queue with originator=AGENCY.", Response: "EncounterPage",
			Query: []param{{"originator", "string", "only this originator's queue"}, {"outcome", "string", "only this outcome (pending for the open queue)"},
				{"listing", "string", "only encounters on this listing"}, {"before", "string", "continue before this encounter id, or a page's next"},
				{"limit", "integer", "page size, at most 1000 (default 100)"}},
			Handler: s.handleListEncounters},
		{Method: "GET", Pattern: "/v1/encounters/{id}", Roles: screeners, Summary: "One encounter.", Response: "Encounter", Handler: s.handleGetEncounter},
		{Method: "POST", Pattern: "/v1/encounters/{id}/resolve", Roles: screeners, Summary: "Record the outcome; false_positive creates a clearance, refused/deported keeps the identity.", Request: "Resolution", Response: "Resolved", Handler: s.handleResolve},
		{Method: "POST", Pattern: "/v1/encounters/{id}/ack", Roles: ackers, Summary: "The originator acknowledges an encounter report.", Response: "Encounter", Handler: s.handleAcknowledge},
		{Method: "POST", Pattern: "/v1/encounters/{id}/clearance", Roles: []tripline.Role{analyst, supervisor}, Summary: "Share a false positive's clearance with partners: the reporting agency proposes, the listing's originator grants, refuses or revokes.", Request: "ClearanceStep", Response: "Resolved", Handler: s.handleClearance},
		{Method: "GET", Pattern: "/v1/document-alerts", Roles: readers, Summary: "Revoked, stolen, lost and invalidated documents.", Response: "AlertPage",
			Query: []param{{"source", "string", "only this source"}, {"after", "string", "continue after this alert id (a page's next)"},
				{"limit", "integer", "page size, at most 5000 (default 500)"}}, Handler: s.handleListAlerts},
		{Method: "POST", Pattern: "/v1/document-alerts", Roles: writers, Summary: "Create or update a document alert.", Request: "DocumentAlert", Response: "DocumentAlert", Handler: s.handlePutAlert},
		{Method: "POST", Pattern: "/v1/document-alerts/{id}/withdraw", Roles: writers, Summary: "Withdraw a document alert.", Response: "DocumentAlert", Handler: s.handleWithdrawAlert},
		{Method: "POST", Pattern: "/v1/session", Public: true, Summary: "Console login: exchange a user token for a session cookie.", Request: "Login", Response: "Identity", Handler: s.handleLogin},
		{Method: "DELETE", Pattern: "/v1/session", Public: true, Summary: "Console logout.", Response: "Status", Handler: s.handleLogout},
		{Method: "GET", Pattern: "/v1/me", Roles: everyone, Summary: "Who the caller is.", Response: "Identity", Handler: s.handleMe},
		{Method: "POST", Pattern: "/v1/users", Roles: admins, Summary: "Create a user of the caller's agency, its id AGENCY:NAME (only a superuser names another agency, or an id without a colon; role node never); the response carries its first token, shown once.", Request: "NewUser", Response: "IssuedToken", Handler: s.handleCreateUser},
		{Method: "POST", Pattern: "/v1/users/{id}/tokens", Roles: admins, Summary: "Issue another token for a user of the caller's agency.", Response: "IssuedToken", Handler: s.handleIssueToken},
		{Method: "POST", Pattern: "/v1/users/{id}/disable", Roles: admins, Summary: "Disable a user of the caller's agency: refused from the next request on, its sessions too.", Response: "Status", Handler: s.handleSetDisabled(true)},
		{Method: "POST", Pattern: "/v1/users/{id}/enable", Roles: admins, Summary: "Enable a user again.", Response: "Status", Handler: s.handleSetDisabled(false)},
		{Method: "POST", Pattern: "/v1/tokens/revoke", Roles: admins, Summary: "Revoke one token of a user of the caller's agency, and the console sessions made from it: refused from the next request on.", Request: "TokenRevocation", Response: "Status", Handler: s.handleRevokeToken},
		{Method: "GET", Pattern: "/v1/audit", Roles: auditors, Summary: "Audit entries: who saw a listing (subject), what an agency saw in a period (agency, from, to).", Response: "AuditPage",
			Query: []param{{"subject", "string", "a listing id or other subject"}, {"agency", "string", "an agency (another agency's auditor than the node's reads its own only)"}, {"user", "string", "the caller"},
				{"action", "string", "e.g. listing.read, screen, disclose, login"}, {"from", "string", "RFC 3339 time, inclusive"}, {"to", "string", "RFC 3339 time, exclusive"},
				{"after", "integer", "continue after this sequence number"}, {"limit", "integer", "page size, at most 10000 (default 1000)"}},
			Handler: s.handleAudit},
		{Method: "GET", Pattern: "/v1/audit/verify", Roles: auditors, Summary: "Verify the audit hash chain; names the first bad entry.", Response: "Verification", Handler: s.handleAuditVerify},
		{Method: "GET", Pattern: "/v1/audit/checkpoint", Roles: witnesses, Summary: "The node's signature on the head of its audit log, signed now if the head moved: for a witness outside the node (an auditor, a partner node) to keep (tripline audit verify --checkpoint).", Response: "AuditCheckpoint", Handler: s.handleAuditCheckpoint},
		{Method: "GET", Pattern: "/v1/audit/witnessed", Roles: witnesses, Summary: "The audit checkpoints this node kept of a partner node (node) as its witness: for this node's auditors, or that node itself.",
			Query:    []param{{"node", "string", "the partner node"}, {"after", "integer", "checkpoints of entries after this one (a page's next)"}},
			Response: "WitnessedPage", Handler: s.handleWitnessed},
		{Method: "GET", Pattern: "/v1/consents", Roles: writers, Summary: "Consent requests on a listing.", Response: "ConsentPage",
			Query: []param{{"listing", "string", "only requests on this listing"}, {"status", "string", "only requests in this state: pending, granted, refused, withdrawn"}, {"after", "string", "a page's next"},
				{"limit", "integer", "page size, at most 5000 (default 500)"}}, Handler: s.handleListConsents},
		{Method: "POST", Pattern: "/v1/consents", Roles: writers, Summary: "Ask a listing's originator to let it go to a third party.", Request: "ConsentRequest", Response: "Consent", Handler: s.handleRequestConsent},
		{Method: "POST", Pattern: "/v1/consents/{id}/decide", Roles: writers, Summary: "The originator grants or refuses a consent request.", Request: "ConsentDecision", Response: "Consent", Handler: s.handleDecideConsent},
		{Method: "POST", Pattern: "/v1/consents/{id}/withdraw", Roles: writers, Summary: "The originator takes a granted consent back: the listing leaves the recipient's node.", Response: "Consent", Handler: s.handleWithdrawConsent},
		{Method: "GET", Pattern: "/v1/events", Roles: admins, Summary: "The event log of one origin after a sequence number, each listing or alert event trimmed to what the caller may see of it, every other event a placeholder.", Response: "EventPage",
			Query: []param{{"origin", "string", "origin node (default: this node)"}, {"after", "integer", "sequence number to continue after"},
				{"limit", "integer", "page size, at most 10000 (default 1000)"}},
			Handler: s.handleEvents},
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil && !s.Ready() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "loading"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func queryInt(r *http.Request, name string, def, max int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, tripline.Errorf(tripline.EINVALID, "query %s: %q is not a non-negative integer", name, v)
	}
	if max > 0 && n > max {
		n = max
	}
	return n, nil
}

// checkQuery rejects unknown query parameters: a typo must not silently
// widen a query.
func checkQuery(r *http.Request, allowed ...string) error {
	for k := range r.URL.Query() {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return tripline.Errorf(tripline.EINVALID, "query: unknown parameter %q", k)
		}
	}
	return nil
}

// checkQueryIDs refuses a query parameter among names that is not an id
// (tripline.CheckID): such values are recorded in the audit log, kept for
// good, and a newline or a bidi override there would pass for another
// subject.
func checkQueryIDs(r *http.Request, names ...string) error {
	for _, name := range names {
		if v := r.URL.Query().Get(name); v != "" {
			if err := tripline.CheckID(v); err != nil {
				return tripline.Errorf(tripline.EINVALID, "query %s: %s", name, strings.TrimPrefix(tripline.ErrorMessage(err), "id: "))
			}
		}
	}
	return nil
}

func (s *Server) handleListListings(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "source", "status", "after", "limit"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := checkQueryIDs(r, "source"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	limit, err := queryInt(r, "limit", 100, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// 0 is a page of one: the store would read every listing of the node.
	q := r.URL.Query()
	read := func(after string, n int) ([]*tripline.Listing, error) {
		return s.Listings.Listings(r.Context(), tripline.ListingFilter{Source: q.Get("source"), Status: tripline.Status(q.Get("status")), After: after, Limit: n})
	}
	// The store is read in batches past hidden listings: one audit entry
	// records the page, not one a batch.
	shape := func(ls []*tripline.Listing) ([]*tripline.Listing, error) {
		return s.Policy.DiscloseListings(r.Context(), ls)
	}
	var page ListingPage
	page.Listings, page.Next, err = visiblePage(s.cursors, "listings", q.Get("after"), int(limit), read, shape, func(l *tripline.Listing) string { return l.ID })
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.RecordListings(r.Context(), page.Listings)
	writeJSON(w, http.StatusOK, page)
}

// ListingPage is one page of listings; Next is the after value of the next page.
type ListingPage struct {
	Listings []*tripline.Listing `json:"listings"`
	Next     string              `json:"next,omitempty"`
}

func (s *Server) handleGetListing(w http.ResponseWriter, r *http.Request) {
	l, err := s.Listings.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	out, err := s.Policy.Listing(r.Context(), l)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handlePutListing(w http.ResponseWriter, r *http.Request) {
	var l tripline.Listing
	if err := decodeJSON(r, &l); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := checkListingInput(&l); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := s.Policy.Write(r.Context(), &l); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if old, err := s.Listings.Listing(r.Context(), l.ID); err == nil && old.Provenance.Originator != l.Provenance.Originator {
		// Name the owner only to a caller who may see the listing.
		owner := "another agency"
		if s.Policy.Level(tripline.IdentityFrom(r.Context()), old) > tripline.LevelNone {
			owner = old.Provenance.Originator
		}
		Error(w, r, s.Logger, tripline.Errorf(tripline.EFORBIDDEN, "listing %q belongs to %s", l.ID, owner))
		return
	} else if err == nil && old.Erasable() {
		Error(w, r, s.Logger, s.Policy.Change(r.Context(), old))
		return
	}
	out, err := s.Listings.PutListing(r.Context(), &l)
	if err == nil {
		out, err = s.Policy.Listing(r.Context(), out)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// checkListingInput holds a listing written through the API to the CSV
// template's rules (importer.CheckListing). The provenance chain records
// the nodes a listing travelled through: the node sets it, so a caller
// sending one is refused rather than believed.
func checkListingInput(l *tripline.Listing) error {
	if len(l.Provenance.Chain) > 0 {
		return tripline.Errorf(tripline.EINVALID, "provenance.chain: set by the nodes a listing travels through, not by the caller")
	}
	if l.Provisional || l.Erasable() {
		return tripline.Errorf(tripline.EINVALID, "provisional, or reason diffusion naming itself: only the node makes such a listing, from a tip (/v1/tips) or a partner's diffusion")
	}
	if b, err := json.Marshal(l); err == nil && len(b) > MaxListingBytes {
		return tripline.Errorf(tripline.EINVALID, "listing: %d bytes as JSON, at most %d (it travels to partners as one event)", len(b), MaxListingBytes)
	}
	return importer.CheckListing(l)
}

// MaxListingBytes bounds a listing written through the API, as JSON. Each
// version travels to partners as one event, and a partner takes none over
// federation.MaxEventBytes: a listing with a 2 MiB narrative, or 400,000
// phone numbers, was stored, indexed and linked here and went to every
// partner as a placeholder, so it silently never reached them. Half the
// event's bound leaves room for what the node adds.
const MaxListingBytes = federation.MaxEventBytes / 2

// Withdrawal is the body of a withdraw request.
type Withdrawal struct {
	// Reason is recorded in the audit log (listing.withdraw), for
	// oversight; it does not travel with the withdrawal's event, which
	// partners receive.
	Reason string `json:"reason"`
}

// MaxWithdrawalReason bounds a withdrawal's reason: a sentence, kept for
// good in the audit log.
const MaxWithdrawalReason = 1024

func (s *Server) handleWithdraw(w http.ResponseWriter, r *http.Request) {
	var body Withdrawal
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &body); err != nil {
			Error(w, r, s.Logger, err)
			return
		}
	}
	if !tripline.PlainText(body.Reason, MaxWithdrawalReason) {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "reason: %.80q: at most %d bytes, no control or format characters", body.Reason, MaxWithdrawalReason))
		return
	}
	l, err := s.Listings.Listing(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.Policy.Change(r.Context(), l)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	out, err := s.Listings.WithdrawListing(r.Context(), l.ID, body.Reason)
	if err == nil {
		// Who withdrew what and why, as the command line records it.
		s.Policy.Record(r.Context(), "listing.withdraw", l.ID, body.Reason)
		out, err = s.Policy.Listing(r.Context(), out)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// ScreenRequest is one traveller, typed or as an MRZ, or a batch in
// Travellers.
type ScreenRequest struct {
	tripline.Traveller
	// MRZ, when given, is read (OCR misreads corrected where the check
	// digits allow) and replaces the typed identity fields.
	MRZ        string                `json:"mrz,omitempty"`
	Travellers []*tripline.Traveller `json:"travellers,omitempty"`
}

// ScreenResponse is the result for one traveller (with the MRZ as read,
// when one was sent), or Results for a batch.
type ScreenResponse struct {
	*tripline.Result
	MRZ     *mrz.Result        `json:"mrz,omitempty"`
	Results []*tripline.Result `json:"results,omitempty"`
}

func (s *Server) handleScreen(w http.ResponseWriter, r *http.Request) {
	var req ScreenRequest
	if err := decodeScreenRequest(r, &req); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if len(req.MRZ) > MaxMRZBytes {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "mrz: %d bytes long, at most %d", len(req.MRZ), MaxMRZBytes))
		return
	}
	w, release, ok := s.inSlot(w, r)
	if !ok {
		return
	}
	defer release()
	if len(req.Travellers) > 0 {
		if len(req.Travellers) > MaxBatch {
			Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "travellers: %d in one batch, at most %d", len(req.Travellers), MaxBatch))
			return
		}
		for i, t := range req.Travellers {
			if t == nil {
				Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "travellers[%d]: null", i))
				return
			}
			if err := t.ValidateForScreening(); err != nil {
				Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "travellers[%d].%s", i, tripline.ErrorMessage(err)))
				return
			}
		}
		res, err := s.Screener.ScreenBatch(r.Context(), req.Travellers)
		if err == nil {
			res, err = s.shapeAll(r, res)
		}
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		writeJSON(w, http.StatusOK, ScreenResponse{Results: res})
		return
	}
	// A hit's encounter is made durable outside the screening slot, its
	// fsync beside the audit entry's (awaitWrites).
	deferred := screening.WithDeferredWrites(r.Context())
	if req.MRZ != "" {
		res, m, err := s.Screener.ScreenMRZ(deferred, req.Ref, req.MRZ, req.Travel)
		if err == nil {
			res, err = s.shape(r.Context(), res)
		}
		if err == nil {
			err = s.awaitWrites(r, deferred, release)
		}
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		writeJSON(w, http.StatusOK, ScreenResponse{Result: res, MRZ: m})
		return
	}
	if err := req.Traveller.ValidateForScreening(); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	res, err := s.Screener.Screen(deferred, &req.Traveller)
	if err == nil {
		res, err = s.shape(r.Context(), res)
	}
	if err == nil {
		err = s.awaitWrites(r, deferred, release)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeResult(w, res)
}

// awaitWrites gives the screening slot back, then returns once the writes
// the screening deferred (a hit's encounter) are durable: nothing of the
// result is sent before. The audit entries recorded so far are pushed to
// their own fsync first, so that the two journals write side by side
// (the answer waits for both: durableWriter).
func (s *Server) awaitWrites(r *http.Request, d *screening.Deferred, release func()) error {
	release()
	if !d.Pending() {
		return nil
	}
	if s.Audit != nil {
		_ = s.flushAudit(r.Context()) // a failure answers 503 when the header goes (durableWriter)
	}
	if err := d.Wait(r.Context()); err != nil {
		return fmt.Errorf("record screening: %w", err)
	}
	return nil
}

// shapeAll passes each result through the policy layer.
func (s *Server) shapeAll(r *http.Request, rs []*tripline.Result) ([]*tripline.Result, error) {
	for i, res := range rs {
		shaped, err := s.shape(r.Context(), res)
		if err != nil {
			return nil, err
		}
		rs[i] = shaped
	}
	return rs, nil
}

// handleManifest screens a whole manifest: a UN/EDIFACT PAXLST message
// (recognised by its UNA/UNB/UNH start) or a JSON manifest.
func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "direction", "partial", "departure_country"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	direction := r.URL.Query().Get("direction")
	var partial bool
	switch v := r.URL.Query().Get("partial"); v {
	case "", "false":
	case "true":
		partial = true
	default:
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query partial: %q is not true or false", v))
		return
	}
	// The body is read first, outside a screening slot (a client slow to
	// send it holds none), then parsed inside one with its screening:
	// parsing a 16 MiB EDIFACT push takes up to about 200 MiB, so the
	// slots bound how many are parsed at once.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		Error(w, r, s.Logger, jsonError(err))
		return
	}
	w, release, ok := s.inSlot(w, r)
	if !ok {
		return
	}
	defer release()
	br := bufio.NewReaderSize(bytes.NewReader(body), 4096)
	head, _ := br.Peek(1024)
	var (
		m     *screening.Manifest
		warns []string
		info  *paxlst.Manifest
		pnr   *screening.PNRSummary
	)
	if depc := r.URL.Query().Get("departure_country"); depc != "" && !isPNRGOV(head) {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query departure_country: applies to a PNRGOV push only"))
		return
	}
	if isPNRGOV(head) {
		if direction == "" {
			direction = "in"
		}
		pm, err := pnrgov.ParseWith(br, pnrgov.Options{Partial: partial})
		if err == nil {
			m, pnr, warns, err = screening.FromPNRGOV(pm, direction, r.URL.Query().Get("departure_country"), s.now())
		}
		if err == nil && len(m.Travellers) == 0 {
			err = tripline.Errorf(tripline.EINVALID, "pnrgov: the push holds no passenger")
		}
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
	} else if isEDIFACT(head) {
		pm, err := paxlst.ParseWith(br, paxlst.Options{Partial: partial})
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		if direction == "" {
			direction = "in"
		}
		m, warns = screening.FromPAXLST(pm, direction)
		info = pm
	} else {
		m = &screening.Manifest{}
		r.Body = io.NopCloser(br)
		if err := decodeJSON(r, m); err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		if direction != "" {
			m.Direction = direction
		}
	}
	res, err := s.Screener.ScreenManifest(r.Context(), m)
	if err == nil {
		res.Results, err = s.shapeAll(r, res.Results)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	res.Warnings = warns
	if info != nil {
		res.MessageRef, res.Type, res.Legs, res.Incomplete = info.MessageRef, info.Type, info.Legs, info.Incomplete
	}
	if pnr != nil {
		res.PNR, res.MessageRef, res.Type = pnr, pnr.MessageRef, "pnr"
	}
	writeJSON(w, http.StatusOK, res)
}

// isPNRGOV reports whether a body is a UN/EDIFACT PNRGOV push: it starts
// like an interchange and its first UNH names the message type PNRGOV.
func isPNRGOV(head []byte) bool {
	if !isEDIFACT(head) {
		return false
	}
	t := string(head)
	i := strings.Index(t, "UNH+")
	return i >= 0 && strings.Contains(t[i:min(len(t), i+40)], "PNRGOV")
}

// isEDIFACT reports whether a body starts like a UN/EDIFACT interchange.
func isEDIFACT(head []byte) bool {
	t := strings.TrimLeft(string(head), " \t\r\n\ufeff")
	return strings.HasPrefix(t, "UNA") || strings.HasPrefix(t, "UNB") || strings.HasPrefix(t, "UNH")
}

// EventPage is a page of the event log.
type EventPage struct {
	Events []*tripline.Event `json:"events"`
	Last   int64             `json:"last"`
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "origin", "after", "limit"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	after, err := queryInt(r, "after", 0, 0)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	limit, err := queryInt(r, "limit", 1000, 10000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	origin := r.URL.Query().Get("origin")
	if origin == "" {
		origin = s.Origin
	} else if err := tripline.CheckNodeID(origin); err != nil {
		// Recorded as the audit entry's subject: a node id, nothing else.
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query origin: %s", tripline.ErrorMessage(err)))
		return
	}
	evs, err := s.Events.Events(r.Context(), origin, after, int(limit))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	last, err := s.Events.LastSeq(r.Context(), origin)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// Each event shows what its listing or alert would show the caller;
	// the page is audited like any other read.
	if evs, err = s.Policy.Events(r.Context(), origin, after, evs); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, EventPage{Events: evs, Last: last})
}

// RouteInfo describes one route's access rule.
type RouteInfo struct {
	Method, Pattern string
	Public          bool
	Roles           []tripline.Role
}

// Routes returns every route's access rule, for the test that checks each
// route refuses what it must.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, r := range s.routes() {
		out = append(out, RouteInfo{Method: r.Method, Pattern: r.Pattern, Public: r.Public, Roles: r.Roles})
	}
	return out
}

// Confirmation is the originator's re-confirmation of a listing.
type Confirmation struct {
	ValidUntil *time.Time `json:"valid_until"`
	ReviewBy   *time.Time `json:"review_by,omitempty"`
}

// handleConfirm records that the originator re-confirmed a listing: the
// last-confirmed date and new retention dates make a new version (with its
// event, so partners see it); an expired listing becomes active again.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) {
	var in Confirmation
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	l, err := s.Listings.Listing(r.Context(), r.PathValue("id"))
	if err == nil {
		err = s.Policy.Change(r.Context(), l)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if l.Status == tripline.StatusWithdrawn {
		// Re-confirming keeps a listing in force; one its originator
		// withdrew comes back only by being written again.
		Error(w, r, s.Logger, tripline.Errorf(tripline.ECONFLICT, "listing %q is withdrawn: write it again to bring it back", l.ID))
		return
	}
	now := s.now().UTC()
	if in.ValidUntil == nil || !in.ValidUntil.After(now) {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "valid_until: a future date is required"))
		return
	}
	l.ValidUntil, l.ReviewBy, l.Provenance.LastConfirmed = in.ValidUntil, in.ReviewBy, &now
	out, err := s.Listings.PutListing(r.Context(), l)
	if err == nil {
		out, err = s.Policy.Listing(r.Context(), out)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// reviewDueLimit bounds one answer of /v1/review-due.
const reviewDueLimit = 10000

func (s *Server) handleReviewDue(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "within"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	within := 7 * 24 * time.Hour
	if v := r.URL.Query().Get("within"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query within: %q is not a duration like 168h", v))
			return
		}
		within = d
	}
	// The store selects the caller's agency's own listings, so another
	// agency's early review dates cannot crowd them out of the page.
	id := tripline.IdentityFrom(r.Context())
	own, err := s.Listings.ReviewDue(r.Context(), id.Agency, s.now().Add(within), reviewDueLimit)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// Even its own agency's listings reach the caller through the policy
	// layer: an admin's role does not see their details.
	page := ListingPage{}
	if page.Listings, err = s.Policy.Listings(r.Context(), own); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "listing.review_due", id.Agency, "")
	writeJSON(w, http.StatusOK, page)
}
