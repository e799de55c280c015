package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeEndToEnd runs `tripline serve` in-process on a free port and
// screens through the API; a listing written through the API is screenable
// at once (the index follows the event log).
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	var errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &errb,
		Getenv: func(string) string { return "" }, Ready: func(a string) { addrc <- a }}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}) }()
	var addr string
	select {
	case addr = <-addrc:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errb.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	base := "http://" + addr
	post := func(path, body string) map[string]any {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s = %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	if r := post("/v1/screen", `{"ref":"a","name":"Mohammad Tahir Anwari","dob":"1961"}`); r["decision"] != "hit" {
		t.Fatalf("listed person = %v", r)
	}
	if r := post("/v1/screen", `{"ref":"b","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "clear" {
		t.Fatalf("new name before listing = %v", r)
	}
	post("/v1/listings", `{"id":"agency-x:1","source":"agency-x","names":[{"full":"Zebulon Quartermaine","kind":"primary"}],
		"birth_dates":["1980"],"action":"detain","provenance":{"originator":"agency-x"}}`)
	if r := post("/v1/screen", `{"ref":"c","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "hit" || r["action"] != "detain" {
		t.Fatalf("new name after listing = %v", r)
	}
	post("/v1/listings/agency-x:1/withdraw", `{"reason":"test"}`)
	if r := post("/v1/screen", `{"ref":"d","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "clear" {
		t.Fatalf("withdrawn listing still matches: %v", r)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}
