package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
)

// pagedReports is a federation side whose outbox holds 7 reports of
// agency s and 3 of agency y, interleaved, and pages as a store does.
type pagedReports struct{ httpapi.Federation }

func (pagedReports) Reports(_ context.Context, f tripline.ReportFilter) ([]*tripline.Report, error) {
	var all []*tripline.Report
	for i := range 10 {
		agency := "s"
		if i%3 == 2 {
			agency = "y"
		}
		e := tripline.Encounter{ID: fmt.Sprintf("enc-%d", i), Listing: "x:1", Originator: "x", Agency: agency}
		enc, _ := json.Marshal(e)
		body, _ := json.Marshal(federation.SignedReport{From: "local", ToOrigin: "X", Encounter: enc})
		all = append(all, &tripline.Report{ID: e.ID, ToOrigin: "X", NextHop: "X", Status: "sent", Body: body})
	}
	start := 0
	if f.After != "" {
		start = -1
		for i, r := range all {
			if r.ID == f.After {
				start = i + 1
			}
		}
		if start < 0 {
			return nil, tripline.Errorf(tripline.EINVALID, "after: no report %q in the outbox", f.After)
		}
	}
	out := all[start:]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// GET /v1/reports pages: each page at most limit (filled with what the
// caller sees), next continues, every report of the caller's agency once
// and none of another's; a bad limit or an unknown after is a 400 naming
// it; a limit over 1,000 reads 1,000 and 0 reads one report, never the
// whole outbox.
func TestReportsPaged(t *testing.T) {
	w := newSecWorld(t)
	w.srv.Federation = pagedReports{}
	tok := w.user(t, "pager", "s", tripline.RoleAnalyst)
	seen, pages := pageAll(t, tok, w.ts.URL+"/v1/reports?limit=4", "after")
	// Pages are filled with what the caller sees: 4, then the last 3.
	if want := "[enc-0 enc-1 enc-3 enc-4 enc-6 enc-7 enc-9]"; fmt.Sprint(seen) != want || pages != 2 {
		t.Fatalf("pages %d, reports %v; want 2 pages of %s", pages, seen, want)
	}
	for _, tc := range []struct{ query, want string }{
		{"limit=ten", "limit"},
		{"limit=-1", "limit"},
		{"after=enc-none", "after"},
		{"page=2", "page"},
		{"status=lost", "status"},
	} {
		if st, body := rawAs(t, tok, "GET", w.ts.URL+"/v1/reports?"+tc.query, ""); st != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s; want 400 naming %s", tc.query, st, body, tc.want)
		}
	}
	for query, want := range map[string]int{"limit=5000": 7, "limit=0": 1} {
		st, body := rawAs(t, tok, "GET", w.ts.URL+"/v1/reports?"+query, "")
		var page httpapi.ReportPage
		if st != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil || len(page.Reports) != want {
			t.Errorf("%s: %d %s; want %d reports", query, st, body, want)
		}
	}
}

// TestReportPagesNameNothingHidden: a report's id is its encounter's,
// with the outcome an update carries (ID#outcome:false_positive), so a
// page ending on another agency's report told the caller that agency's
// encounter and what its officer found. Paging with limit=1, no next
// names a report of agency y.
func TestReportPagesNameNothingHidden(t *testing.T) {
	w := newSecWorld(t)
	w.srv.Federation = pagedReports{}
	tok := w.user(t, "pager", "s", tripline.RoleAnalyst)
	seen, _ := pageAll(t, tok, w.ts.URL+"/v1/reports?limit=1", "after", "enc-2", "enc-5", "enc-8")
	if want := "[enc-0 enc-1 enc-3 enc-4 enc-6 enc-7 enc-9]"; fmt.Sprint(seen) != want {
		t.Fatalf("reports %v; want %s", seen, want)
	}
}
