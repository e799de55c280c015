package main

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
)

// encounterFigures is how long the encounter gauges are kept between
// reads of the store: scrapes (several Prometheus replicas, a person at a
// browser) within it share one read.
const encounterFigures = 10 * time.Second

// encounterMetrics reports the encounter reports in the outbox by status
// (overdue: past their action's escalation period) and the encounters in
// this node's queues still unacknowledged past theirs. It reads every
// encounter, page by page, at most once per encounterFigures.
type encounterMetrics struct {
	reports    func(context.Context) (map[string]int, error)
	encounters func(context.Context, tripline.EncounterFilter) ([]*tripline.Encounter, error)
	now        func() time.Time

	mu      sync.Mutex
	read    time.Time // when the figures below were read; zero before
	counts  map[string]int
	overdue map[tripline.Action]float64
}

func newEncounterMetrics(n *Node) *encounterMetrics {
	return &encounterMetrics{reports: n.Fed.ReportCounts, encounters: n.Encounters.Encounters, now: n.Now}
}

var (
	mReports = prometheus.NewDesc("tripline_encounter_reports", "Encounter reports in the outbox, by status (overdue: unacknowledged past the action's escalation period).",
		[]string{"status"}, nil)
	mOverdue = prometheus.NewDesc("tripline_encounters_overdue", "Encounters at this node, either end, unacknowledged past their action's escalation period (read at most every 10 s).",
		[]string{"action"}, nil)
)

// Describe implements prometheus.Collector.
func (m *encounterMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- mReports; ch <- mOverdue }

// Collect implements prometheus.Collector.
func (m *encounterMetrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now := m.now(); m.read.IsZero() || now.Sub(m.read) >= encounterFigures || now.Before(m.read) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.refresh(ctx, now); err != nil {
			// Keep the last figures: a gauge gone missing reads as zero
			// overdue on a dashboard.
			if m.read.IsZero() {
				return
			}
		}
	}
	for _, s := range []string{tripline.ReportPending, tripline.ReportSent, tripline.ReportAcknowledged, tripline.ReportOverdue} {
		ch <- prometheus.MustNewConstMetric(mReports, prometheus.GaugeValue, float64(m.counts[s]), s)
	}
	for a, c := range m.overdue {
		ch <- prometheus.MustNewConstMetric(mOverdue, prometheus.GaugeValue, c, string(a))
	}
}

// refresh reads the figures at now: every encounter, newest first, a
// page at a time (the store caps a page), so none is left uncounted.
func (m *encounterMetrics) refresh(ctx context.Context, now time.Time) error {
	counts, err := m.reports(ctx)
	if err != nil {
		return err
	}
	overdue := map[tripline.Action]float64{}
	f := tripline.EncounterFilter{Limit: 1000}
	for {
		es, err := m.encounters(ctx, f)
		if err != nil {
			return err
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if e.MarkOverdue(now); e.Overdue {
				overdue[e.Action]++
			}
		}
		f.Before = es[len(es)-1].ID
	}
	m.read, m.counts, m.overdue = now, counts, overdue
	return nil
}
