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
// this node's queues still unacknowledged past theirs. It counts them in
// the store (an index of the unacknowledged ones' due times) at most once
// per encounterFigures.
type encounterMetrics struct {
	reports func(context.Context) (map[string]int, error)
	overdue func(context.Context, time.Time) (map[tripline.Action]int, error)
	now     func() time.Time

	mu      sync.Mutex
	read    time.Time // when the figures below were read; zero before
	counts  map[string]int
	counted map[tripline.Action]int
}

func newEncounterMetrics(n *Node) *encounterMetrics {
	return &encounterMetrics{reports: n.Fed.ReportCounts, overdue: n.Encounters.OverdueEncounters, now: n.Now}
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
	for a, c := range m.counted {
		ch <- prometheus.MustNewConstMetric(mOverdue, prometheus.GaugeValue, float64(c), string(a))
	}
}

// refresh reads the figures at now.
func (m *encounterMetrics) refresh(ctx context.Context, now time.Time) error {
	counts, err := m.reports(ctx)
	if err != nil {
		return err
	}
	overdue, err := m.overdue(ctx, now)
	if err != nil {
		return err
	}
	m.read, m.counts, m.counted = now, counts, overdue
	return nil
}
