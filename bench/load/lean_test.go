package main

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tripline"
)

func TestScanResult(t *testing.T) {
	for _, tc := range []struct {
		body string
		want tripline.Decision
		encs int
	}{
		{`{"ref":"a","decision":"clear","matches":[]}`, tripline.DecisionClear, 0},
		{`{"ref":"a\"decision\":\"hit","decision":"review","matches":[{"listing":"x","decision":"hit"}],"encounters":["e1"]}`, tripline.DecisionReview, 1},
		{`{"ref":"a","decision":"hit","matches":[{"listing":"x","decision":"hit"},{"listing":"y","decision":"review"}],"encounters":["e1","e2"]}`, tripline.DecisionHit, 2},
		{`{"error":{"code":"unavailable","message":"busy"}}`, "", 0},
	} {
		d, n := scanResult([]byte(tc.body))
		if d != tc.want || n != tc.encs {
			t.Errorf("scanResult(%s) = %q, %d; want %q, %d", tc.body, d, n, tc.want, tc.encs)
		}
	}
}

// TestReadAnswer reads net/http's own answers: with a length, chunked
// (the handler flushed), an error status, and one that closes the
// connection, back to back on one kept connection.
func TestReadAnswer(t *testing.T) {
	const result = `{"ref":"q","decision":"hit","matches":[{"listing":"un:1","decision":"hit"}],"encounters":["e-1"]}` + "\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("as") {
		case "chunked":
			w.Write([]byte(result[:10]))
			w.(http.Flusher).Flush()
			w.Write([]byte(result[10:]))
		case "error":
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"code":"unavailable","message":"busy"}}`))
		case "close":
			w.Header().Set("Connection", "close")
			w.Write([]byte(result))
		default:
			w.Write([]byte(result))
		}
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	var body []byte
	for _, tc := range []struct {
		as     string
		status int
		want   tripline.Decision
		encs   int
		close  bool
	}{
		{"length", 200, tripline.DecisionHit, 1, false},
		{"chunked", 200, tripline.DecisionHit, 1, false},
		{"error", 503, "", 0, false},
		{"length", 200, tripline.DecisionHit, 1, false},
		{"close", 200, tripline.DecisionHit, 1, true},
	} {
		req := "GET /?as=" + tc.as + " HTTP/1.1\r\nHost: x\r\n\r\n"
		if _, err := conn.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		var a leanAnswer
		a, body, err = readAnswer(br, body)
		if err != nil {
			t.Fatalf("%s: %v", tc.as, err)
		}
		if a.status != tc.status || a.decision != tc.want || a.encounters != tc.encs || a.close != tc.close {
			t.Errorf("%s: got %+v, want status %d, decision %q, %d encounters, close %v", tc.as, a, tc.status, tc.want, tc.encs, tc.close)
		}
		if tc.status == 200 && string(body) != result {
			t.Errorf("%s: body %q, want %q", tc.as, body, result)
		}
	}
}
