package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
)

// TestEncounterMetricsCountAllOnceAWhile: the overdue gauge counts every
// overdue encounter, not the newest page the store returns (it caps a
// page at 1,000: asked for 10,000, the gauge read 1,000 of 2,500), and
// scrapes in quick succession share one read of the store instead of
// reading it each time.
func TestEncounterMetricsCountAllOnceAWhile(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	due := t0.Add(-time.Hour)
	var es []*tripline.Encounter // newest first, as the store pages them
	for i := 2600; i > 0; i-- {
		e := &tripline.Encounter{ID: fmt.Sprintf("e%05d", i), Action: tripline.ActionDetain, AckDue: &due}
		if i%26 == 0 {
			e.Acknowledged = &due // 100 acknowledged: not overdue
		}
		es = append(es, e)
	}
	reads := 0
	now := t0
	m := &encounterMetrics{
		reports: func(context.Context) (map[string]int, error) { return map[string]int{tripline.ReportOverdue: 3}, nil },
		encounters: func(_ context.Context, f tripline.EncounterFilter) ([]*tripline.Encounter, error) {
			reads++
			limit := min(f.Limit, 1000)
			var out []*tripline.Encounter
			for _, e := range es {
				if (f.Before == "" || e.ID < f.Before) && len(out) < limit {
					out = append(out, e)
				}
			}
			return out, nil
		},
		now: func() time.Time { return now },
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	overdue := func() float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "tripline_encounters_overdue" {
				for _, g := range mf.GetMetric() {
					return g.GetGauge().GetValue()
				}
			}
		}
		return -1
	}
	for _, c := range []struct {
		name    string
		advance time.Duration
		ack     int // how many more to acknowledge before the scrape
		overdue int
		reads   int // store reads so far
	}{
		{"first scrape reads every page", 0, 0, 2500, 4},
		{"within the period: the same figures, no read", 5 * time.Second, 10, 2500, 4},
		{"past the period: read again", 6 * time.Second, 0, 2490, 8},
	} {
		now = now.Add(c.advance)
		for i := 0; i < c.ack; i++ {
			es[len(es)-1-i].Acknowledged = &due // the oldest, on the last page
		}
		if got := overdue(); got != float64(c.overdue) {
			t.Errorf("%s: tripline_encounters_overdue = %v, want %d", c.name, got, c.overdue)
		}
		if reads != c.reads {
			t.Errorf("%s: %d store reads, want %d", c.name, reads, c.reads)
		}
	}
}
