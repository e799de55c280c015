package httpapi_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/pnrgov"
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
	screenOnly(t, srv, l)

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
	b := scrape(t, ts.URL)
	for _, want := range []string{
		`tripline_screenings_total{decision="hit",direction="out"} 1`,
		`tripline_screenings_total{decision="hit",direction="in"} 1`,
		`tripline_screenings_total{decision="clear",direction="in"} 1`,
		`tripline_screening_hits_total{action="prevent_departure"} 1`,
		`tripline_screening_hits_total{action="refuse_entry"} 1`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A direction the API does not know is refused, not counted as a label.
	st, body = doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/screen", `{"ref":"d-2","name":"Karim Benali Haddad","travel":{"direction":"up\n{evil}"}}`)
	if code, _ := errMsg(body); st != 400 || code != "invalid" {
		t.Fatalf("bad direction: %d %v", st, body)
	}
}

// TestManifestPNRGOV: POST /v1/manifests takes a PNRGOV push, and what the
// push's query may say is checked.
func TestManifestPNRGOV(t *testing.T) {
	ts := newServer(t)
	srv := serverOf(ts.URL + "/").srv
	srv.Now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	push, err := os.ReadFile("../screening/testdata/pnr_predeparture.edi")
	if err != nil {
		t.Fatal(err)
	}
	st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/manifests?direction=out", string(push))
	if st != 200 || body["type"] != "pnr" {
		t.Fatalf("push: %d %v", st, body)
	}
	pnr := body["pnr"].(map[string]any)
	if pnr["pre_departure"] != true || pnr["departure_country"] != "TUR" || pnr["flight"] != "TK1980" {
		t.Fatalf("pnr summary %v", pnr)
	}
	r := body["results"].([]any)[1].(map[string]any)
	co, _ := r["co_travellers"].([]any)
	if r["booking"] != "ABC123" || len(co) != 1 || r["direction"] != "out" {
		t.Fatalf("second passenger %v", r)
	}
	// A booking of more passengers than a PNR holds is refused naming it,
	// before its passengers are paired as co-travellers (and linked).
	var crowd strings.Builder
	for i := range pnrgov.MaxPassengers {
		fmt.Fprintf(&crowd, "TIF+CROWD%d+ANNA MS:A:%d'\n", i, i+3)
	}
	crowded := strings.Replace(string(push), "TIF+HADDAD+LEILA MRS:A:2'\n", "TIF+HADDAD+LEILA MRS:A:2'\n"+crowd.String(), 1)
	for _, tc := range []struct{ query, body, want string }{
		{"?departure_country=Atlantis", string(push), "departure_country"},
		{"", crowded, `booking "ABC123" (line 8) holds more than 99 passengers`},
		{"?departure_country=GB", `{"travellers":[{"ref":"a","name":"Jane Doe"}]}`, "PNRGOV push only"},
		{"", strings.Replace(string(push), "TIF+NORDIN+ELSA MS:A:1'", "TIF+:A:1'", 1), "surname"},
		{"", string(push[:300]), "UNT"},
	} {
		st, body := doAs(t, tripline.RoleOfficer, "POST", ts.URL+"/v1/manifests"+tc.query, tc.body)
		if code, msg := errMsg(body); st != 400 || code != "invalid" || !strings.Contains(msg, tc.want) {
			t.Errorf("%q: %d %v; want 400 naming %q", tc.query, st, body, tc.want)
		}
	}
}
