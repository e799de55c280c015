package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
)

// encounterMetrics reports, at each scrape, the encounter reports in the
// outbox by status (overdue: past their action's escalation period) and
// the encounters in this node's queues still unacknowledged past theirs.
type encounterMetrics struct{ n *Node }

var (
	mReports = prometheus.NewDesc("tripline_encounter_reports", "Encounter reports in the outbox, by status (overdue: unacknowledged past the action's escalation period).",
		[]string{"status"}, nil)
	mOverdue = prometheus.NewDesc("tripline_encounters_overdue", "Encounters at this node, either end, unacknowledged past their action's escalation period (the newest 10,000).",
		[]string{"action"}, nil)
)

// Describe implements prometheus.Collector.
func (m encounterMetrics) Describe(ch chan<- *prometheus.Desc) { ch <- mReports; ch <- mOverdue }

// Collect implements prometheus.Collector.
func (m encounterMetrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if n, err := m.n.Fed.ReportCounts(ctx); err == nil {
		for _, s := range []string{tripline.ReportPending, tripline.ReportSent, tripline.ReportAcknowledged, tripline.ReportOverdue} {
			ch <- prometheus.MustNewConstMetric(mReports, prometheus.GaugeValue, float64(n[s]), s)
		}
	}
	es, err := m.n.Encounters.Encounters(ctx, tripline.EncounterFilter{Limit: 10000})
	if err != nil {
		return
	}
	overdue := map[tripline.Action]float64{}
	now := m.n.Now()
	for _, e := range es {
		if e.MarkOverdue(now); e.Overdue {
			overdue[e.Action]++
		}
	}
	for a, c := range overdue {
		ch <- prometheus.MustNewConstMetric(mOverdue, prometheus.GaugeValue, c, string(a))
	}
}
