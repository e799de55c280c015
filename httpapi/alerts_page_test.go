package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tripline"
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
	seen, pages := pageAll(t, tok, w.ts.URL+"/v1/document-alerts?source=s&limit=3", "after")
	var want []string
	for _, a := range as {
		want = append(want, a.ID)
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) || pages != 3 {
		t.Fatalf("%d pages: %v, want 3 of %v", pages, seen, want)
	}
	if st, body := rawAs(t, tok, "GET", w.ts.URL+"/v1/document-alerts?limit=many", ""); st != http.StatusBadRequest || !strings.Contains(body, "limit") {
		t.Fatalf("a bad limit: %d %s", st, body)
	}
}
