package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"tripline"
	"tripline/federation"
)

// Federation is this node's side of the partner protocol.
type Federation interface {
	// Info describes this node to partners.
	Info() federation.NodeInfo
	// NodeHeaders checks a partner node's request before its body is read:
	// a known partner, not suspended, a recent date.
	NodeHeaders(r *http.Request) error
	// NodeActive reports whether partner node is still one and not
	// suspended: a long-poll checks it again before each answer (not the
	// date, which was checked when the request came).
	NodeActive(node string) error
	// NodeIdentity authenticates a request signed by a partner node.
	NodeIdentity(r *http.Request, body []byte) (*tripline.Identity, error)
	// FeedPage returns origin's events after seq, shaped for the partner.
	FeedPage(ctx context.Context, partnerAgency, origin string, after int64, limit int) ([]*tripline.Event, error)
	// FeedPages returns, for the partner node caller of partnerAgency, a
	// page of each origin in cursors with events after its cursor, and the
	// origins this node announces to it.
	FeedPages(ctx context.Context, partnerAgency, caller string, cursors map[string]int64, limit int) (*federation.FeedPages, error)
	// Changed returns a channel closed when new events are stored.
	Changed() <-chan struct{}
	// ReceiveReport takes an encounter report from a partner node.
	ReceiveReport(ctx context.Context, from string, r *federation.SignedReport) (string, error)
	// Acknowledged records an originator's acknowledgement of report id,
	// sent by partner node from: EFORBIDDEN unless from is the node the
	// report was handed to.
	Acknowledged(ctx context.Context, from, id string) error
	// Reports returns one page of the encounter-report outbox.
	Reports(ctx context.Context, f tripline.ReportFilter) ([]*tripline.Report, error)
}

// ReportPage lists the encounter-report outbox.
type ReportPage struct {
	Reports []*tripline.Report `json:"reports"`
	// Next is the after value of the next page, when there may be one.
	Next string `json:"next,omitempty"`
}

// federationRoutes are the partner-node routes (issue 7).
func (s *Server) federationRoutes() []route {
	rs := []route{
		{Method: "GET", Pattern: "/v1/node", Public: true, Summary: "This node's id, agency and public key, for partners to configure.", Response: "NodeInfo", Handler: s.handleNode},
		{Method: "GET", Pattern: "/v1/feed", Roles: []tripline.Role{tripline.RoleNode}, Summary: "A partner pulls an origin's signed events after a sequence number, shaped by the originator's handling rules; long-polls up to wait ms.",
			Response: "FeedPage", Query: []param{{"origin", "string", "whose events (default: this node)"}, {"after", "integer", "sequence number to continue after"},
				{"cursors", "string", "several origins in one pull, ORIGIN:SEQ,...: the answer is a FeedPages, announcing the origins this node holds"},
				{"announced", "string", "with cursors: the tag of the last announcement seen; a different one answers at once"},
				{"limit", "integer", "page size, at most 5000 (default 1000)"}, {"wait", "integer", "long-poll: milliseconds to wait for new events (at most 30000)"}},
			Handler: s.handleFeed},
		{Method: "POST", Pattern: "/v1/reports", Roles: []tripline.Role{tripline.RoleNode}, Summary: "A partner hands over an encounter report on its way to the listing's originator.", Request: "SignedReport", Response: "ReportReceipt", Handler: s.handleReport},
		{Method: "POST", Pattern: "/v1/reports/ack", Roles: []tripline.Role{tripline.RoleNode}, Summary: "The originator's acknowledgement of a report, passed back along its path.", Request: "ReportAck", Response: "Status", Handler: s.handleReportAck},
		{Method: "GET", Pattern: "/v1/reports", Roles: writers, Summary: "The encounter-report outbox: pending, sent, overdue, acknowledged, expired (undelivered past its retention).", Response: "ReportPage",
			Query: []param{{"status", "string", "only this status"}, {"after", "string", "continue after this report (a page's next)"},
				{"limit", "integer", "page size, at most 1000 (default 200)"}}, Handler: s.handleReports},
	}
	return s.requiring(rs, func() bool { return s.Federation != nil }, "federation is not configured on this node")
}

func (s *Server) handleNode(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Federation.Info())
}

func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "origin", "after", "limit", "wait", "cursors", "announced"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	after, err := queryInt(r, "after", 0, 0)
	var limit, wait int64
	if err == nil {
		limit, err = queryInt(r, "limit", 1000, 5000)
	}
	if err == nil {
		wait, err = queryInt(r, "wait", 0, 30000)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if r.URL.Query().Has("cursors") {
		s.handleFeedPages(w, r, limit, wait)
		return
	}
	origin := r.URL.Query().Get("origin")
	if origin == "" {
		origin = s.Origin
	}
	id := tripline.IdentityFrom(r.Context())
	s.longPoll(w, r, wait, func(final bool) (any, error) {
		evs, err := s.Federation.FeedPage(r.Context(), id.Agency, origin, after, int(limit))
		if err != nil || (len(evs) == 0 && !final) {
			return nil, err
		}
		last := after
		if len(evs) > 0 {
			last = evs[len(evs)-1].Seq
		}
		return federation.FeedPage{Origin: origin, Events: evs, Last: last}, nil
	})
}

// longPoll answers with what answer returns, calling it again at each
// change of the event log until it returns something or wait ms have
// passed; then final is set and it must answer. The partner is checked
// again before each answer: one suspended while it waits gets nothing more.
//
// A partner holds at most MaxLongPolls at once; past that it is answered
// at once, as if it asked no wait.
func (s *Server) longPoll(w http.ResponseWriter, r *http.Request, wait int64, answer func(final bool) (any, error)) {
	if wait > 0 {
		node := nodeOf(tripline.IdentityFrom(r.Context()))
		if s.polls.take(node) {
			defer s.polls.release(node)
		} else {
			wait = 0
		}
	}
	deadline := time.After(time.Duration(wait) * time.Millisecond)
	for final, first := wait == 0, true; ; first = false {
		// Take the wake-up channel before reading, so an event stored in
		// between still wakes us.
		changed := s.Federation.Changed()
		var out any
		var err error
		if !first {
			err = s.Federation.NodeActive(nodeOf(tripline.IdentityFrom(r.Context())))
		}
		if err == nil {
			out, err = answer(final)
		}
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		if out != nil {
			writeJSON(w, http.StatusOK, out)
			return
		}
		select {
		case <-changed:
		case <-deadline:
			final = true
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	var in federation.SignedReport
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(r.Context())
	status, err := s.Federation.ReceiveReport(r.Context(), nodeOf(id), &in)
	if err != nil {
		if tripline.ErrorCode(err) == tripline.EFORBIDDEN {
			// A partner reporting what it may not: oversight sees who tried.
			s.Policy.Record(r.Context(), "report.refused", in.ToOrigin, tripline.ErrorMessage(err))
		}
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "report.receive", in.ToOrigin, status)
	writeJSON(w, http.StatusOK, federation.ReportReceipt{Status: status})
}

func (s *Server) handleReportAck(w http.ResponseWriter, r *http.Request) {
	var in federation.ReportAck
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if err := s.Federation.Acknowledged(r.Context(), nodeOf(tripline.IdentityFrom(r.Context())), in.ID); err != nil {
		if tripline.ErrorCode(err) == tripline.EFORBIDDEN {
			s.Policy.Record(r.Context(), "report.ack.refused", in.ID, tripline.ErrorMessage(err))
		}
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "report.ack", in.ID, "")
	writeJSON(w, http.StatusOK, map[string]string{"status": "acknowledged"})
}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "status", "after", "limit"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	limit, err := queryInt(r, "limit", 200, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	// A report's id is its encounter's, with the outcome an update carries:
	// a page ends on a report the caller was shown (cursor.go). 0 is a
	// page of one, not the whole outbox.
	q := r.URL.Query()
	f := tripline.ReportFilter{Status: q.Get("status"), After: q.Get("after"), Limit: int(limit)}
	if err := f.Validate(); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	read := func(after string, n int) ([]*tripline.Report, error) {
		f.After, f.Limit = after, n
		return s.Federation.Reports(r.Context(), f)
	}
	shape := func(rs []*tripline.Report) ([]*tripline.Report, error) {
		return s.Policy.DiscloseReports(r.Context(), rs)
	}
	var page ReportPage
	page.Reports, page.Next, err = visiblePage(s.cursors, "reports", f.After, int(limit), read, shape, func(x *tripline.Report) string { return x.ID })
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.RecordReports(r.Context(), page.Reports) // once a page, not a batch
	if page.Reports == nil {
		page.Reports = []*tripline.Report{}
	}
	writeJSON(w, http.StatusOK, page)
}

// nodeOf returns the node id of a node identity ("node:<id>").
func nodeOf(id *tripline.Identity) string {
	if len(id.User) > 5 && id.User[:5] == "node:" {
		return id.User[5:]
	}
	return id.User
}

// MaxLongPolls is how many feed long-polls one partner node may hold at
// once: a follower holds one, and a few more cover restarts whose old
// connection has not yet closed. Each waiting long-poll reads the feed
// again at every change of the event log, so a partner holding a thousand
// (its request rate allows a burst of 1,000, each waiting 30 s) made every
// event of this node cost a thousand feed reads.
const MaxLongPolls = 4

// longPolls counts the feed long-polls each partner node holds.
type longPolls struct {
	mu     sync.Mutex
	byNode map[string]int
}

// take reports whether node may hold one more long-poll, counting it.
func (l *longPolls) take(node string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byNode[node] >= MaxLongPolls {
		return false
	}
	if l.byNode == nil {
		l.byNode = map[string]int{}
	}
	l.byNode[node]++
	return true
}

// release ends one of node's long-polls.
func (l *longPolls) release(node string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byNode[node]--; l.byNode[node] <= 0 {
		delete(l.byNode, node)
	}
}
