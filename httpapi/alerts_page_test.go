package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tripline"
	"tripline/httpapi"
)

// GET /v1/document-alerts pages by id (a stolen-document list runs to
// millions): each alert of the source once, a limit over the ceiling
// clamped, a bad one refused naming it.
func TestAlertsPaged(t *testing.T) {
	w := newSecWorld(t)
	var as []*tripline.DocumentAlert
	for i := range 7 {
		num := fmt.Sprintf("P%d", i)
		as = append(as, &tripline.DocumentAlert{ID: tripline.DocumentAlertID("s", "IRQ", num), Source: "s", Country: "IRQ", Number: num,
			Kind: tripline.AlertStolen, Action: tripline.ActionSecondaryCheck, Handling: tripline.Handling{Screen: []string{"*"}},
			Provenance: tripline.Provenance{Originator: "s"}})
	}
	if _, err := w.srv.Alerts.ImportDocumentAlerts(t.Context(), "s", as); err != nil {
		t.Fatal(err)
	}
	tok := w.user(t, "pager", "s", tripline.RoleAnalyst)
	var seen []string
	pages := 0
	for next := ""; ; pages++ {
		st, body := rawAs(t, tok, "GET", w.ts.URL+"/v1/document-alerts?source=s&limit=3&after="+next, "")
		var page httpapi.AlertPage
		if st != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("page %d: %d %s", pages, st, body)
		}
		for _, a := range page.Alerts {
			seen = append(seen, a.Number)
		}
		if page.Next == "" {
			break
		}
		next = page.Next
	}
	if fmt.Sprint(seen) != "[P0 P1 P2 P3 P4 P5 P6]" || pages != 2 {
		t.Fatalf("%d pages: %v", pages+1, seen)
	}
	if st, body := rawAs(t, tok, "GET", w.ts.URL+"/v1/document-alerts?limit=many", ""); st != http.StatusBadRequest || !strings.Contains(body, "limit") {
		t.Fatalf("a bad limit: %d %s", st, body)
	}
}
