package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tripline"
)

// TestEncounterMetricsCountOnceAWhile: scrapes in quick succession share
// one count of the store (sqlstore.EncounterService.OverdueEncounters)
// instead of counting each time, and a failed count keeps the last
// figures rather than dropping the gauge.
func TestEncounterMetricsCountOnceAWhile(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	reads, overdue := 0, 2500
	var fail error
	m := &encounterMetrics{
		reports: func(context.Context) (map[string]int, error) { return map[string]int{tripline.ReportOverdue: 3}, nil },
		overdue: func(_ context.Context, at time.Time) (map[tripline.Action]int, error) {
			reads++
			if !at.Equal(now) {
				t.Errorf("counted at %v, want %v", at, now)
			}
			return map[tripline.Action]int{tripline.ActionDetain: overdue}, fail
		},
		now: func() time.Time { return now },
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	gauge := func() float64 {
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
		overdue int // in the store
		fail    error
		want    int // on the gauge
		reads   int // store counts so far
	}{
		{"first scrape counts", 0, 2500, nil, 2500, 1},
		{"within the period: the same figures, no count", 5 * time.Second, 2490, nil, 2500, 1},
		{"past the period: counted again", 6 * time.Second, 2490, nil, 2490, 2},
		{"a failed count keeps the last figures", 10 * time.Second, 7, fmt.Errorf("store closed"), 2490, 3},
	} {
		now = now.Add(c.advance)
		overdue, fail = c.overdue, c.fail
		if got := gauge(); got != float64(c.want) {
			t.Errorf("%s: tripline_encounters_overdue = %v, want %d", c.name, got, c.want)
		}
		if reads != c.reads {
			t.Errorf("%s: %d store counts, want %d", c.name, reads, c.reads)
		}
	}
}
