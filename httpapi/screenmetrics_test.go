package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/match"
	"tripline/screening"
	"tripline/storetest"
)

// TestDirectionOverHTTP: a departing listed person screened over HTTP gets
// the departure instruction, and the metrics count the screening by
// decision and direction and the hit by its action.
func TestDirectionOverHTTP(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	l := storetest.Listing("s", "exit-1", "Karim Benali Haddad")
	l.Directions = map[string]tripline.DirectedAction{"out": {Action: tripline.ActionPreventDeparture}}
	stored, err := srv.Listings.PutListing(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	ix := match.NewIndex(match.Options{})
	ix.Upsert(stored)
	sc := screening.NewService(ix)
	sc.Listing, sc.Now = ix.Listing, func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	srv.Screener = sc

	st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"d-1","name":"Karim Benali Haddad","travel":{"direction":"out","port":"IST"}}`)
	if st != 200 || body["decision"] != "hit" || body["action"] != "prevent_departure" || body["direction"] != "out" ||
		!strings.Contains(body["instruction"].(string), "Prevent departure") {
		t.Fatalf("departing: %d %v", st, body)
	}
	st, body = doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/manifests", `{"direction":"in","travellers":[{"ref":"a-1","name":"Karim Benali Haddad"},{"ref":"a-2","name":"Jane Doe"}]}`)
	if st != 200 {
		t.Fatalf("manifest: %d %v", st, body)
	}
	if r := body["results"].([]any)[0].(map[string]any); r["action"] != "refuse_entry" {
		t.Fatalf("arriving: %v", r)
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`tripline_screenings_total{decision="hit",direction="out"} 1`,
		`tripline_screenings_total{decision="hit",direction="in"} 1`,
		`tripline_screenings_total{decision="clear",direction="in"} 1`,
		`tripline_screening_hits_total{action="prevent_departure"} 1`,
		`tripline_screening_hits_total{action="refuse_entry"} 1`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A direction the API does not know is refused, not counted as a label.
	st, body = doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"d-2","name":"Karim Benali Haddad","travel":{"direction":"up\n{evil}"}}`)
	if code, _ := errMsg(body); st != 400 || code != "invalid" {
		t.Fatalf("bad direction: %d %v", st, body)
	}
}
