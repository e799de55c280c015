package main

import (
	"testing"
)

// TestServeEndToEnd runs `tripline serve` in-process on a free port and
// screens through the API; a listing written through the API is screenable
// at once (the index follows the event log).
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	importJSON(t, dir, "--format", "un-xml", unFile2024)
	n := startNode(t, dir)
	if r := n.call("POST", "/v1/screen", `{"ref":"a","name":"Mohammad Tahir Anwari","dob":"1961"}`); r["decision"] != "hit" {
		t.Fatalf("listed person = %v", r)
	}
	if r := n.call("POST", "/v1/screen", `{"ref":"b","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "clear" {
		t.Fatalf("new name before listing = %v", r)
	}
	n.call("POST", "/v1/listings", `{"id":"local:1","source":"local","names":[{"full":"Zebulon Quartermaine","kind":"primary"}],
		"birth_dates":["1980"],"action":"detain","provenance":{"originator":"local"}}`)
	if r := n.call("POST", "/v1/screen", `{"ref":"c","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "hit" || r["action"] != "detain" {
		t.Fatalf("new name after listing = %v", r)
	}
	n.call("POST", "/v1/listings/local:1/withdraw", `{"reason":"test"}`)
	if r := n.call("POST", "/v1/screen", `{"ref":"d","name":"Zebulon Quartermaine","dob":"1980"}`); r["decision"] != "clear" {
		t.Fatalf("withdrawn listing still matches: %v", r)
	}
}
