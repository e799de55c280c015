package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"tripline"
	"tripline/network"
)

// NetworkService is the link analysis the network routes serve;
// network.Service implements it. Every query takes the policy layer's
// filter: the service never decides what a caller may see.
type NetworkService interface {
	// Canon returns an entity in the service's canonical form.
	Canon(e network.Entity) network.Entity
	// Neighbourhood returns the entities within k hops of e and the links
	// reaching them; ENOTFOUND when e has no links.
	Neighbourhood(ctx context.Context, e network.Entity, k, limit int, allow network.Allow) (*network.Subgraph, error)
	// Path returns a shortest path of at most maxHops links; ENOTFOUND
	// when there is none.
	Path(ctx context.Context, a, b network.Entity, maxHops int, allow network.Allow) ([]network.Link, error)
	// Snapshot returns the cached analytics snapshot of the links allow
	// lets through, for callers sharing key.
	Snapshot(ctx context.Context, key string, allow network.Allow) (*network.Snapshot, error)
	// AddLinks stores analysts' links; EINVALID names the first bad one.
	AddLinks(ctx context.Context, links []network.Link) (int, error)
	// ImportPNR derives and stores the links of one PNRGOV message as
	// agency's: they replace that agency's links of the same flight only.
	ImportPNR(ctx context.Context, agency string, r io.Reader) (*network.Import, error)
}

var _ NetworkService = (*network.Service)(nil)

// networkers may query the link graph: analysts and supervisors. Officers
// never see network details; screening tells them of a tie instead.
var networkers = []tripline.Role{analyst, supervisor}

// Network query bounds: a query touching a hub must not take the graph.
const (
	maxNetworkHops  = 4
	maxPathHops     = 10
	maxNetworkNodes = 10000
)

// networkRoutes are the link-analysis routes (issue 8).
func (s *Server) networkRoutes() []route {
	entity := param{"entity", "string", "the centre, as kind:key (e.g. listing:un-sc:QDi.1, phone:+442079460958, document:GBR:123456789)"}
	k := param{"k", "integer", fmt.Sprintf("hops, 1 to %d (default 2)", maxNetworkHops)}
	limit := param{"limit", "integer", fmt.Sprintf("at most this many entities, up to %d (default 1000)", maxNetworkNodes)}
	return []route{
		{Method: "GET", Pattern: "/v1/network/neighbourhood", Roles: networkers, Summary: "The entities within k hops of an entity and the links reaching them, with provenance.",
			Response: "Subgraph", Query: []param{entity, k, limit}, Handler: s.handleNeighbourhood},
		{Method: "GET", Pattern: "/v1/network/path", Roles: networkers, Summary: "A shortest path between two entities through links the caller may see.", Response: "NetworkPath",
			Query: []param{{"from", "string", "one end, kind:key"}, {"to", "string", "the other end, kind:key"},
				{"k", "integer", fmt.Sprintf("at most this many links, up to %d (default 6)", maxPathHops)}},
			Handler: s.handlePath},
		{Method: "GET", Pattern: "/v1/network/components", Roles: networkers, Summary: "Connected components: how many, and the sizes of the largest.", Response: "NetworkComponents",
			Query: []param{{"limit", "integer", "sizes of this many largest components (default 10)"}}, Handler: s.handleComponents},
		{Method: "GET", Pattern: "/v1/network/facilitators", Roles: networkers, Summary: "People ranked by centrality: the brokers between cells first (betweenness, sampled on large graphs) or PageRank.",
			Response: "Facilitators", Query: []param{{"by", "string", "betweenness (default) or pagerank"},
				{"kinds", "string", "comma-separated entity kinds to rank (default person,listing,traveller,document)"},
				{"limit", "integer", "at most this many, up to 1000 (default 20)"}},
			Handler: s.handleFacilitators},
		{Method: "GET", Pattern: "/v1/network/communities", Roles: networkers, Summary: "Communities found by Louvain modularity, largest first, with their best-connected members.",
			Response: "Communities", Query: []param{{"limit", "integer", "at most this many communities, up to 1000 (default 20)"}}, Handler: s.handleCommunities},
		{Method: "GET", Pattern: "/v1/network/cotravel", Roles: networkers, Summary: "People who flew together on at least min flights (same flight number and date).",
			Response: "CoTravel", Query: []param{{"min", "integer", "shared flights, at least 2 (default 2)"}, {"limit", "integer", "at most this many pairs, up to 10000 (default 100)"}},
			Handler: s.handleCoTravel},
		{Method: "GET", Pattern: "/v1/network/export", Roles: networkers, Summary: "Export the neighbourhood of an entity as JSON (nodes, edges, provenance) or GraphML.",
			Response: "Subgraph", Query: []param{entity, k, limit, {"format", "string", "json (default) or graphml"}}, Handler: s.handleExport},
		{Method: "POST", Pattern: "/v1/network/links", Roles: networkers, Summary: "Add analysts' links (idempotent: a repeated link updates its time and weight).",
			Request: "LinkInput", Response: "LinkInputResult", Handler: s.handleAddLinks},
		{Method: "POST", Pattern: "/v1/network/pnr", Roles: networkers, Summary: "Import one PNRGOV message (UN/EDIFACT text as the body): same-booking, shared-contact, adjacent-seat and co-travel links.",
			Response: "NetworkImport", Handler: s.handleImportPNR},
	}
}

// Subgraph is the JSON export of a piece of the graph (network.Subgraph):
// nodes, and edges with their provenance.
type Subgraph = network.Subgraph

// NetworkImport is what an import derived (network.Import).
type NetworkImport = network.Import

// NetworkPath is a shortest path, its links in order from From.
type NetworkPath struct {
	From    string         `json:"from"`
	To      string         `json:"to"`
	Hops    int            `json:"hops"`
	Links   []network.Link `json:"links"`
	Explain string         `json:"explain"` // "a -type- b -type- c"
}

// NetworkComponents summarises the connected components the caller sees.
type NetworkComponents struct {
	network.ComponentSummary
	Snapshot string `json:"snapshot"` // when the analytics snapshot was built, RFC 3339
}

// Facilitators is a centrality ranking.
type Facilitators struct {
	By           string           `json:"by"`
	Facilitators []network.Ranked `json:"facilitators"`
	Snapshot     string           `json:"snapshot"`
}

// Communities is a Louvain partition.
type Communities struct {
	network.CommunitySummary
	Snapshot string `json:"snapshot"`
}

// CoTravel lists pairs of people who flew together repeatedly.
type CoTravel struct {
	Min      int                    `json:"min"`
	Pairs    []network.CoTravelPair `json:"pairs"`
	Snapshot string                 `json:"snapshot"`
}

// LinkInput is analysts' links. Source names the input (a case
// reference); empty means "analyst:<user>", the caller's (no one else's
// analyst:USER is accepted). Each link's own source, when set, wins.
type LinkInput struct {
	Source string         `json:"source,omitempty"`
	Links  []network.Link `json:"links"`
}

// LinkInputResult says how many links were given and how many were new.
type LinkInputResult struct {
	Links int `json:"links"`
	Added int `json:"added"`
}

// MaxLinkInput bounds one POST of links.
const MaxLinkInput = 100000

// network returns the service, or a not-found error on a node without one.
func (s *Server) network() (NetworkService, error) {
	if s.Network == nil {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "network analysis is not enabled on this node")
	}
	return s.Network, nil
}

// linkFilter is the policy layer's filter for this request, audited under
// a description of the query.
func (s *Server) linkFilter(r *http.Request) (network.Allow, error) {
	return s.Policy.LinkFilter(r.Context(), r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery, s.Lookup)
}

// snapshotKey groups callers who see the same links: the policy layer
// decides by agency and role.
func snapshotKey(ctx context.Context) string {
	if id := tripline.IdentityFrom(ctx); id != nil {
		return id.Agency + "/" + string(id.Role)
	}
	return ""
}

// queryEntity parses a kind:key query parameter.
func queryEntity(r *http.Request, name string) (network.Entity, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return network.Entity{}, tripline.Errorf(tripline.EINVALID, "query %s: required (kind:key)", name)
	}
	e, err := network.ParseEntity(v)
	if err != nil {
		return network.Entity{}, tripline.Errorf(tripline.EINVALID, "query %s: %s", name, tripline.ErrorMessage(err))
	}
	return e, nil
}

// queryRange reads an integer parameter that must lie in [lo, hi].
func queryRange(r *http.Request, name string, def, lo, hi int) (int, error) {
	n, err := queryInt(r, name, int64(def), 0)
	if err != nil {
		return 0, err
	}
	if n < int64(lo) || n > int64(hi) {
		return 0, tripline.Errorf(tripline.EINVALID, "query %s: %d is not between %d and %d", name, n, lo, hi)
	}
	return int(n), nil
}

// prepare runs the checks every network read shares: the service, known
// query parameters, and the caller's link filter.
func (s *Server) prepare(r *http.Request, params ...string) (NetworkService, network.Allow, error) {
	svc, err := s.network()
	if err != nil {
		return nil, nil, err
	}
	if err := checkQuery(r, params...); err != nil {
		return nil, nil, err
	}
	allow, err := s.linkFilter(r)
	if err != nil {
		return nil, nil, err
	}
	return svc, allow, nil
}

func (s *Server) neighbourhood(r *http.Request, params ...string) (*network.Subgraph, error) {
	svc, allow, err := s.prepare(r, params...)
	if err != nil {
		return nil, err
	}
	e, err := queryEntity(r, "entity")
	if err != nil {
		return nil, err
	}
	k, err := queryRange(r, "k", 2, 1, maxNetworkHops)
	if err != nil {
		return nil, err
	}
	limit, err := queryRange(r, "limit", 1000, 1, maxNetworkNodes)
	if err != nil {
		return nil, err
	}
	return svc.Neighbourhood(r.Context(), e, k, limit, allow)
}

func (s *Server) handleNeighbourhood(w http.ResponseWriter, r *http.Request) {
	sg, err := s.neighbourhood(r, "entity", "k", "limit")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, sg)
}

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "graphml" {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query format: %q is not json or graphml", format))
		return
	}
	sg, err := s.neighbourhood(r, "entity", "k", "limit", "format")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if format != "graphml" {
		w.Header().Set("Content-Disposition", `attachment; filename="network.json"`)
		writeJSON(w, http.StatusOK, sg)
		return
	}
	var b strings.Builder
	if err := network.WriteGraphML(&b, *sg); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "application/graphml+xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="network.graphml"`)
	io.WriteString(w, b.String())
}

func (s *Server) handlePath(w http.ResponseWriter, r *http.Request) {
	svc, allow, err := s.prepare(r, "from", "to", "k")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	from, err := queryEntity(r, "from")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	to, err := queryEntity(r, "to")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	k, err := queryRange(r, "k", 6, 1, maxPathHops)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	links, err := svc.Path(r.Context(), from, to, k, allow)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	from = svc.Canon(from)
	writeJSON(w, http.StatusOK, NetworkPath{From: from.String(), To: svc.Canon(to).String(), Hops: len(links), Links: links,
		Explain: network.ExplainPath(from, links)})
}

// snapshot returns the caller's analytics snapshot after the shared checks.
// Handlers parse their own parameters first: a bad query must not cost a
// snapshot rebuild.
func (s *Server) snapshot(r *http.Request, params ...string) (*network.Snapshot, error) {
	svc, allow, err := s.prepare(r, params...)
	if err != nil {
		return nil, err
	}
	return svc.Snapshot(r.Context(), snapshotKey(r.Context()), allow)
}

func builtAt(sn *network.Snapshot) string { return sn.Built.UTC().Format("2006-01-02T15:04:05Z07:00") }

func (s *Server) handleComponents(w http.ResponseWriter, r *http.Request) {
	limit, err := queryRange(r, "limit", 10, 1, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	sn, err := s.snapshot(r, "limit")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, NetworkComponents{ComponentSummary: sn.Components(limit), Snapshot: builtAt(sn)})
}

func (s *Server) handleFacilitators(w http.ResponseWriter, r *http.Request) {
	limit, err := queryRange(r, "limit", 20, 1, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	sn, err := s.snapshot(r, "by", "kinds", "limit")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	var kinds []network.EntityKind
	if v := r.URL.Query().Get("kinds"); v != "" {
		for _, k := range strings.Split(v, ",") {
			kind := network.EntityKind(strings.TrimSpace(k))
			if !kind.Valid() {
				Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "query kinds: unknown entity kind %q", k))
				return
			}
			kinds = append(kinds, kind)
		}
	}
	by := r.URL.Query().Get("by")
	ranked, err := sn.Facilitators(by, kinds, limit)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if by == "" {
		by = "betweenness"
	}
	writeJSON(w, http.StatusOK, Facilitators{By: by, Facilitators: ranked, Snapshot: builtAt(sn)})
}

func (s *Server) handleCommunities(w http.ResponseWriter, r *http.Request) {
	limit, err := queryRange(r, "limit", 20, 1, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	sn, err := s.snapshot(r, "limit")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, Communities{CommunitySummary: sn.Communities(limit), Snapshot: builtAt(sn)})
}

func (s *Server) handleCoTravel(w http.ResponseWriter, r *http.Request) {
	minFlights, err := queryRange(r, "min", 2, 2, 1000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	limit, err := queryRange(r, "limit", 100, 1, 10000)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	sn, err := s.snapshot(r, "min", "limit")
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, CoTravel{Min: minFlights, Pairs: sn.CoTravel(minFlights, limit), Snapshot: builtAt(sn)})
}

func (s *Server) handleAddLinks(w http.ResponseWriter, r *http.Request) {
	svc, err := s.network()
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	var in LinkInput
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	if len(in.Links) > MaxLinkInput {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "links: %d in one request, at most %d", len(in.Links), MaxLinkInput))
		return
	}
	id := tripline.IdentityFrom(r.Context())
	if in.Source == "" && id != nil {
		in.Source = network.SourceAnalyst + ":" + id.User
	}
	// An analyst may only attach links to listings they may see in detail.
	allow, err := s.Policy.LinkFilter(r.Context(), "add links "+in.Source, s.Lookup)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	for i := range in.Links {
		l := &in.Links[i]
		if l.Source == "" {
			l.Source = in.Source
		}
		if err := network.CheckAddSource(l.Source); err != nil {
			Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "links[%d].%s", i, tripline.ErrorMessage(err)))
			return
		}
		// A source is shown with every link it holds and recorded as the
		// audit entry's subject: plain text of a name's length.
		if !tripline.PlainText(l.Source, tripline.MaxIDLen) {
			Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "links[%d].source: %.80q: at most %d bytes, no control or format characters", i, l.Source, tripline.MaxIDLen))
			return
		}
		// analyst:USER says who asserted a link: only USER writes it, so
		// that nobody puts words in another analyst's (or agency's) mouth,
		// or changes the weight of what they asserted.
		if who, ok := strings.CutPrefix(l.Source, network.SourceAnalyst+":"); ok && (id == nil || who != id.User) {
			Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "links[%d].source: %.80q names another analyst: leave it empty for yours, or name a case", i, l.Source))
			return
		}
		if !allow(*l) {
			Error(w, r, s.Logger, tripline.Errorf(tripline.ENOTFOUND, "links[%d]: a listing it names or joins is not found", i))
			return
		}
	}
	n, err := svc.AddLinks(r.Context(), in.Links)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "network.links.add", in.Source, fmt.Sprintf("%d links, %d new", len(in.Links), n))
	writeJSON(w, http.StatusOK, LinkInputResult{Links: len(in.Links), Added: n})
}

func (s *Server) handleImportPNR(w http.ResponseWriter, r *http.Request) {
	svc, err := s.network()
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	id := tripline.IdentityFrom(r.Context()) // the route's roles make sure of one
	imp, err := svc.ImportPNR(r.Context(), id.Agency, r.Body)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "network.pnr.import", imp.Source, fmt.Sprintf("%d bookings, %d links, %d new", imp.Bookings, imp.Links, imp.Added))
	writeJSON(w, http.StatusOK, imp)
}
