package httpapi_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/httpapi"
	"tripline/importer"
	"tripline/policy"
	"tripline/screening"
	"tripline/sqlite"
	"tripline/sqlstore"
	"tripline/storetest"
)

// fuzzServer is a server on a real SQLite store for the fuzz targets, with
// an analyst's token of agency "s"; requests go straight to ServeHTTP.
func fuzzServer(f *testing.F) (*httpapi.Server, string) {
	db := sqlite.NewDB(filepath.Join(f.TempDir(), "t.db"))
	if err := db.Open(); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	s := httpapi.NewServer()
	s.Listings, s.Events, s.Screener, s.Origin = sqlstore.NewListingService(db), sqlstore.NewEventService(db), screening.NewService(fakeMatcher{}), db.Origin
	s.Encounters, s.Alerts = sqlstore.NewEncounterService(db), sqlstore.NewDocumentAlertService(db)
	s.Consents, s.Identity = sqlstore.NewConsentService(db), sqlstore.NewIdentityService(db)
	audit, err := sqlstore.NewAuditLog(db)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { audit.Close() })
	s.Audit, s.Policy = audit, policy.New(tripline.GroupMap{}, audit)
	s.Lookup = func(string) *tripline.Listing { return nil }
	s.Logger = discardLogger()
	u := &tripline.User{ID: "u-analyst", Agency: "s", Role: tripline.RoleAnalyst}
	if err := s.Identity.CreateUser(context.Background(), u); err != nil {
		f.Fatal(err)
	}
	token, err := s.Identity.IssueToken(context.Background(), u.ID, "api", "", time.Time{})
	if err != nil {
		f.Fatal(err)
	}
	return s, token
}

// serveFuzz sends body and checks what every answer must be: no panic, no
// 500, a 4xx in the error shape with a message of sensible length.
func serveFuzz(t *testing.T, s *httpapi.Server, token, path string, body []byte) (int, []byte) {
	req := httptest.NewRequest("POST", path, strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("status %d for %.200q: %s", rec.Code, body, rec.Body.String())
	}
	if rec.Code != http.StatusOK {
		var e struct {
			Error tripline.ErrBody `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("status %d without an error body: %s", rec.Code, rec.Body.String())
		}
		if len(e.Error.Message) > 1000 {
			t.Fatalf("error message of %d bytes echoes the input: %.200s", len(e.Error.Message), e.Error.Message)
		}
	}
	return rec.Code, rec.Body.Bytes()
}

// FuzzScreenRequest: POST /v1/screen bodies (one traveller, a batch, an
// MRZ) are decoded and validated into a result or a 400, never more.
func FuzzScreenRequest(f *testing.F) {
	for _, s := range []string{
		`{"ref":"t-17","name":"Muhammad Abd al-Rahman","dob":"1975-03","sex":"M","nationality":"IQ","document":{"type":"P","number":"A1234567","country":"IRQ"},"travel":{"direction":"in","port":"IST","flight":"TK1980","date":"2026-11-25"}}`,
		`{"ref":"a","given_names":"Listed","surname":"Person"}`,
		`{"travellers":[{"ref":"a","name":"Jane Doe"},{"ref":"b","name":"Listed Person","travel":{"date":"1e400"}}]}`,
		`{"ref":"m","mrz":"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"}`,
		`{"ref":"m","mrz":"p<utoeriksson  anna maria\nL898902C3 6 UTO 740812 2 F 120415 9 ZE184226B<<<<< 1 0"}`,
		`{"ref":"x","name":"A","dob":"2026-13-45"}`, `{}`, `[]`, `{"travellers":[null]}`,
		`{"ref":"x","name":"A","sex":"` + strings.Repeat("Q", 2000) + `","travel":{"direction":"` + strings.Repeat("Q", 2000) + `"}}`,
	} {
		f.Add([]byte(s))
	}
	s, token := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkScreenJSON(t, body)
		code, out := serveFuzz(t, s, token, "/v1/screen", body)
		if code != http.StatusOK {
			return
		}
		var res httpapi.ScreenResponse
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("200 with a body that is no ScreenResponse: %v", err)
		}
		decisions := []tripline.Decision{}
		if res.Result != nil {
			decisions = append(decisions, res.Decision)
		}
		for _, r := range res.Results {
			decisions = append(decisions, r.Decision)
		}
		for _, d := range decisions {
			switch d {
			case tripline.DecisionHit, tripline.DecisionReview, tripline.DecisionClear:
			default:
				t.Fatalf("decision %q", d)
			}
		}
	})
}

// checkScreenJSON holds the screen route's hand-written JSON paths to
// encoding/json: a body the parser takes decodes alike, and a result
// carrying the body's bytes as strings and a float made of them encodes
// to the same bytes.
func checkScreenJSON(t *testing.T, body []byte) {
	var fast httpapi.ScreenRequest
	if httpapi.ParseScreenRequest(body, &fast) {
		var std httpapi.ScreenRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&std); err != nil || dec.More() {
			t.Fatalf("taken by hand, refused by encoding/json: %v", err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("decoded by hand\n%#v\nby encoding/json\n%#v", fast, std)
		}
	}
	var bits [8]byte
	copy(bits[:], body)
	score := math.Float64frombits(binary.LittleEndian.Uint64(bits[:]))
	s := string(body)
	r := &tripline.Result{Ref: s, Decision: tripline.DecisionClear, Notes: []string{s, ""},
		Matches: []tripline.Match{{Listing: s, Score: score, Explain: []tripline.Feature{{Feature: s, Score: 1 / score, Weight: score * score, Detail: s}}}}}
	got, ok := httpapi.AppendResult(nil, r)
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); (err == nil) != ok || ok && string(got)+"\n" != want.String() {
		t.Fatalf("encoded by hand (%v)\n%s\nby encoding/json (%v)\n%s", ok, got, err, want.Bytes())
	}
}

// FuzzListingRequest: POST /v1/listings bodies are decoded and held to the
// CSV template's rules; what is stored passes them again, and nothing gets
// a 500.
func FuzzListingRequest(f *testing.F) {
	for _, id := range []string{"1", "2"} {
		b, _ := json.Marshal(storetest.Listing("s", id, "Ali Hassan"))
		f.Add(b)
	}
	for _, s := range []string{
		`{"id":"s:3","source":"s","names":[{"full":"Omar Khan","kind":"primary"}],"nationalities":["af","Iraq"],"action":"detain","provenance":{"originator":"s"}}`,
		`{"id":"s:../x","source":"s","names":[{"full":"X","kind":"primary"}],"action":"info","provenance":{"originator":"s"}}`,
		`{"id":"s:4","source":"s","names":[{"full":"Y","kind":"primary"}],"action":"info","version":-1,"provenance":{"originator":"s","chain":["a"]}}`,
		`{"id":"other:1","source":"other","names":[{"full":"Z","kind":"primary"}],"action":"info","provenance":{"originator":"other"}}`,
		`{"id":"s:5","source":"s","names":[],"birth_dates":["2026-13-45"]}`, `{}`, `null`,
		`{"id":"s:6","source":"s","names":[{"full":"A","kind":"primary"}],"action":"info","sex":"` + strings.Repeat("Q", 2000) + `","provenance":{"originator":"s"}}`,
		`{"id":"s:7","source":"s","names":[{"full":"A","kind":"primary"}],"action":"` + strings.Repeat("Q", 2000) + `","provenance":{"originator":"s"}}`,
	} {
		f.Add([]byte(s))
	}
	s, token := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		code, out := serveFuzz(t, s, token, "/v1/listings", body)
		if code != http.StatusOK {
			return
		}
		var l tripline.Listing
		if err := json.Unmarshal(out, &l); err != nil {
			t.Fatalf("200 with a body that is no listing: %v", err)
		}
		if l.Provenance.Originator != "s" || l.Source != "s" || len(l.Provenance.Chain) != 0 {
			t.Fatalf("stored listing %q of %q via %v", l.ID, l.Provenance.Originator, l.Provenance.Chain)
		}
		if err := importer.CheckListing(&l); err != nil {
			t.Fatalf("stored listing %q fails the rules it was checked by: %v", l.ID, err)
		}
	})
}
