package httpapi

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
)

// screenMetrics count what an operations room watches at the border
// posts: screenings by decision and direction, and hits by the action
// officers were told to take. Counted before the policy layer trims a
// result, so a partner's hit shown as hit/no-hit still counts its action;
// labels are fixed sets, so a request cannot grow them.
type screenMetrics struct {
	screenings *prometheus.CounterVec
	hits       *prometheus.CounterVec
}

func newScreenMetrics(reg *prometheus.Registry) *screenMetrics {
	m := &screenMetrics{
		screenings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tripline_screenings_total", Help: "Screened travellers by decision (hit, review, clear) and direction (in, out, transit, unknown).",
		}, []string{"decision", "direction"}),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tripline_screening_hits_total", Help: "Hits by the action the officer was given (prevent_departure, detain, refuse_entry, secondary_check, report, info, other).",
		}, []string{"action"}),
	}
	reg.MustRegister(m.screenings, m.hits)
	return m
}

func (m *screenMetrics) observe(r *tripline.Result) {
	dir := r.Direction
	switch dir {
	case tripline.DirectionIn, tripline.DirectionOut, tripline.DirectionTransit:
	default:
		dir = "unknown"
	}
	dec := string(r.Decision)
	switch r.Decision {
	case tripline.DecisionHit, tripline.DecisionReview, tripline.DecisionClear:
	default:
		dec = "other"
	}
	m.screenings.WithLabelValues(dec, dir).Inc()
	if r.Decision != tripline.DecisionHit {
		return
	}
	act := string(r.Action)
	if !r.Action.Valid() && r.Action != tripline.ActionPreventDeparture {
		act = "other"
	}
	m.hits.WithLabelValues(act).Inc()
}

// shape counts one screening result and passes it through the policy
// layer: every screening answer goes through here.
func (s *Server) shape(ctx context.Context, r *tripline.Result) (*tripline.Result, error) {
	s.screenMetrics.observe(r)
	return s.Policy.Result(ctx, r, s.Lookup)
}
