package httpapi

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"time"

	"tripline"
)

func init() {
	schemaTypes["Coverage"] = reflect.TypeOf(Coverage{})
}

// coverageRoutes are the console's coverage dashboard (issue 9).
func (s *Server) coverageRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/v1/coverage", Roles: writers,
			Summary:  "What the node holds per originator and source: counts, age, staleness and what expires soon, over the listings the caller may screen against.",
			Response: "Coverage",
			Query: []param{{"within", "string", "expiry horizon, a Go duration (default 720h)"},
				{"stale", "string", "a listing not confirmed for this long is stale, a Go duration (default 8760h)"}},
			Handler: s.handleCoverage},
	}
}

// Coverage summarises the listings a caller may screen against, so that
// gaps (an originator that stopped confirming, a source about to expire)
// are visible.
type Coverage struct {
	At          time.Time `json:"at"`
	Total       int       `json:"total"`
	StaleAfter  string    `json:"stale_after"`
	ExpiryLimit time.Time `json:"expiry_limit"`
	// Groups has one row per originator and source, largest first.
	Groups []*CoverageGroup `json:"groups"`
	// Expiring are active listings whose valid-until falls before
	// ExpiryLimit, soonest first (at most MaxExpiring), among those the
	// caller may see at action level: a screen-only grant shows no name or
	// date (ExpiringSoon still counts them).
	Expiring []ExpiringListing `json:"expiring"`
	// Partners are the nodes these listings come from and how following
	// each goes (its health), for callers the policy layer shows them to.
	Partners []*tripline.PartnerView `json:"partners,omitempty"`
}

// CoverageGroup is the coverage of one originator's listings from one source.
type CoverageGroup struct {
	Originator string `json:"originator"`
	// Country is the originating agency's country, when the node knows the agency.
	Country   string `json:"country,omitempty"`
	Source    string `json:"source"`
	Active    int    `json:"active"`
	Withdrawn int    `json:"withdrawn"`
	Expired   int    `json:"expired"`
	// ListedFirst and ListedLast are the oldest and newest listing dates
	// as the source gives them; MedianAgeDays is the median age of the
	// active listings since they were listed (or received).
	ListedFirst   string `json:"listed_first,omitempty"`
	ListedLast    string `json:"listed_last,omitempty"`
	MedianAgeDays int    `json:"median_age_days"`
	// LastReceived is the newest receipt; LastConfirmed the newest
	// re-confirmation by the originator.
	LastReceived  *time.Time `json:"last_received,omitempty"`
	LastConfirmed *time.Time `json:"last_confirmed,omitempty"`
	// Stale counts active listings not confirmed (or, never confirmed,
	// not received) within the stale period; NeverConfirmed those the
	// originator never re-confirmed.
	Stale          int `json:"stale"`
	NeverConfirmed int `json:"never_confirmed"`
	ExpiringSoon   int `json:"expiring_soon"`
	ReviewOverdue  int `json:"review_overdue"`
	NoExpiry       int `json:"no_expiry"`
}

// ExpiringListing is an active listing about to expire.
type ExpiringListing struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Originator string     `json:"originator"`
	ValidUntil time.Time  `json:"valid_until"`
	ReviewBy   *time.Time `json:"review_by,omitempty"`
}

// MaxExpiring bounds the expiring list of a coverage answer.
const MaxExpiring = 200

func queryDuration(r *http.Request, name string, def time.Duration) (time.Duration, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, tripline.Errorf(tripline.EINVALID, "query %s: %q is not a duration like 720h", name, v)
	}
	return d, nil
}

func (s *Server) handleCoverage(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, "within", "stale"); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	within, err := queryDuration(r, "within", 30*24*time.Hour)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	stale, err := queryDuration(r, "stale", 365*24*time.Hour)
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	w, release, ok := s.inReport(w, r)
	if !ok {
		return
	}
	defer release()
	countries := map[string]string{}
	if s.Identity != nil {
		if as, err := s.Identity.Agencies(r.Context()); err == nil {
			for _, a := range as {
				countries[a.ID] = a.Country
			}
		}
	}
	now := s.now().UTC()
	cov := &Coverage{At: now, StaleAfter: stale.String(), ExpiryLimit: now.Add(within), Groups: []*CoverageGroup{}, Expiring: []ExpiringListing{}}
	groups := map[[2]string]*CoverageGroup{}
	ages := map[*CoverageGroup][]int{}
	id := tripline.IdentityFrom(r.Context())
	add := func(l *tripline.Listing) {
		lvl := s.Policy.Level(id, l)
		if lvl < tripline.LevelScreen {
			return
		}
		cov.Total++
		key := [2]string{l.Provenance.Originator, l.Source}
		g := groups[key]
		if g == nil {
			g = &CoverageGroup{Originator: key[0], Source: key[1], Country: countries[key[0]]}
			groups[key] = g
			cov.Groups = append(cov.Groups, g)
		}
		addCoverage(g, l, now, stale, cov.ExpiryLimit, ages)
		// The counts above cover every listing the caller may screen
		// against; a listing named in the expiring list shows what reading
		// it would: a screen-only listing has neither name nor dates to show.
		if l.Status == tripline.StatusActive && l.ValidUntil != nil && l.ValidUntil.Before(cov.ExpiryLimit) {
			if d := l.Disclose(lvl); d.ValidUntil != nil {
				cov.Expiring = append(cov.Expiring, ExpiringListing{ID: d.ID, Name: d.PrimaryName(), Originator: d.Provenance.Originator,
					ValidUntil: *d.ValidUntil, ReviewBy: d.ReviewBy})
			}
		}
	}
	// The active listings, nearly all of a large node's, are in memory
	// already; only the withdrawn and expired ones are read and decoded.
	statuses := []tripline.Status{""}
	if s.Active != nil {
		for _, l := range s.Active() {
			add(l)
		}
		statuses = []tripline.Status{tripline.StatusWithdrawn, tripline.StatusExpired}
	}
	for _, status := range statuses {
		if err := s.eachListing(r.Context(), status, add); err != nil {
			Error(w, r, s.Logger, err)
			return
		}
	}
	for g, a := range ages {
		slices.Sort(a)
		g.MedianAgeDays = a[len(a)/2]
	}
	sort.SliceStable(cov.Groups, func(i, j int) bool { return cov.Groups[i].Active > cov.Groups[j].Active })
	sort.SliceStable(cov.Expiring, func(i, j int) bool { return cov.Expiring[i].ValidUntil.Before(cov.Expiring[j].ValidUntil) })
	if len(cov.Expiring) > MaxExpiring {
		cov.Expiring = cov.Expiring[:MaxExpiring]
	}
	if s.Partners != nil {
		if vs, err := s.Partners.PartnerHealth(r.Context()); err == nil {
			cov.Partners, _ = s.Policy.Partners(r.Context(), s.Partners.NodeAgency(), vs)
		}
	}
	s.Policy.Record(r.Context(), "coverage.read", "", "")
	writeJSON(w, http.StatusOK, cov)
}

// eachListing calls fn on every stored listing of status ("" = all), a
// page at a time.
func (s *Server) eachListing(ctx context.Context, status tripline.Status, fn func(*tripline.Listing)) error {
	after := ""
	for {
		ls, err := s.Listings.Listings(ctx, tripline.ListingFilter{Status: status, After: after, Limit: 1000})
		if err != nil {
			return err
		}
		for _, l := range ls {
			fn(l)
		}
		if len(ls) < 1000 {
			return nil
		}
		after = ls[len(ls)-1].ID
	}
}

// addCoverage counts one listing into its group.
func addCoverage(g *CoverageGroup, l *tripline.Listing, now time.Time, stale time.Duration, expiryLimit time.Time, ages map[*CoverageGroup][]int) {
	p := l.Provenance
	if p.ListedOn != "" {
		if g.ListedFirst == "" || p.ListedOn < g.ListedFirst {
			g.ListedFirst = p.ListedOn
		}
		if p.ListedOn > g.ListedLast {
			g.ListedLast = p.ListedOn
		}
	}
	if p.Received != nil && (g.LastReceived == nil || p.Received.After(*g.LastReceived)) {
		g.LastReceived = p.Received
	}
	if p.LastConfirmed != nil && (g.LastConfirmed == nil || p.LastConfirmed.After(*g.LastConfirmed)) {
		g.LastConfirmed = p.LastConfirmed
	}
	switch l.Status {
	case tripline.StatusWithdrawn:
		g.Withdrawn++
		return
	case tripline.StatusExpired:
		g.Expired++
		return
	}
	g.Active++
	since := l.UpdatedAt
	if t, err := time.Parse("2006-01-02", p.ListedOn); err == nil {
		since = t
	} else if p.Received != nil {
		since = *p.Received
	}
	ages[g] = append(ages[g], int(now.Sub(since).Hours()/24))
	fresh := p.LastConfirmed
	if fresh == nil {
		g.NeverConfirmed++
		fresh = p.Received
	}
	if fresh == nil || now.Sub(*fresh) > stale {
		g.Stale++
	}
	if l.ValidUntil == nil {
		g.NoExpiry++
	} else if l.ValidUntil.Before(expiryLimit) {
		g.ExpiringSoon++
	}
	if l.ReviewBy != nil && l.ReviewBy.Before(now) {
		g.ReviewOverdue++
	}
}
