package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const samplePNR = "../../network/testdata/pnrgov/gtas_pnrMessage.txt"

// netListing is a listing of this node's agency with a phone and documents.
func netListing(id, name, phone, doc string) string {
	l := map[string]any{"id": "local:" + id, "source": "local", "status": "active", "action": "detain",
		"names":      []map[string]any{{"full": name, "kind": "primary"}},
		"handling":   map[string]any{"screen": []string{"*"}, "reshare": "never"},
		"provenance": map[string]any{"originator": "local"}}
	if phone != "" {
		l["phones"] = []string{phone}
	}
	if doc != "" {
		l["documents"] = []map[string]any{{"type": "P", "country": "GB", "number": doc}}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

func networkMatch(t *testing.T, res map[string]any, listing string) map[string]any {
	t.Helper()
	ms, _ := res["matches"].([]any)
	for _, m := range ms {
		if m := m.(map[string]any); m["listing"] == listing {
			return m
		}
	}
	t.Fatalf("no match on %s in %v", listing, res)
	return nil
}

func detail(m map[string]any) string {
	ex, _ := m["explain"].([]any)
	if len(ex) == 0 {
		return ""
	}
	d, _ := ex[0].(map[string]any)["detail"].(string)
	return d
}

// TestNetworkFlagEndToEnd is issue 8's story at the border: a PNRGOV push
// ties a passenger to a listed person's phone and another to a listed
// passport's booking; neither is listed, both get `review` with the path —
// an officer sees its shape with the listing's details withheld, an
// analyst the whole path. A screened manifest adds its own co-travel links.
func TestNetworkFlagEndToEnd(t *testing.T) {
	pnr, err := os.ReadFile(samplePNR)
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, t.TempDir())
	n.call("POST", "/v1/listings", netListing("phone", "Listed Phoneowner", "+44 1753 637285", ""))
	imp := n.call("POST", "/v1/network/pnr", string(pnr))
	if imp["bookings"] != 1.0 || imp["people"] != 2.0 {
		t.Fatalf("PNR import = %v", imp)
	}

	// Smith gave the listed phone on his booking: 2 hops.
	smith := `{"ref": "t1", "name": "Jonathon Smithjr", "dob": "1964-07-12", "document": {"type": "P", "number": "123456789", "country": "GBR"}}`
	res := n.as("officer").call("POST", "/v1/screen", smith)
	m := networkMatch(t, res, "local:phone")
	if res["decision"] != "review" || m["decision"] != "review" || m["action"] != "secondary_check" {
		t.Fatalf("officer's result = %v", res)
	}
	want := "linked within 2 hops: document:GBR:123456789 -shared_contact- phone:(withheld) -has_phone- listing:local:phone"
	if d := detail(m); d != want {
		t.Fatalf("officer's explanation = %q, want %q", d, want)
	}
	res = n.as("analyst").call("POST", "/v1/screen", smith)
	want = "linked within 2 hops: document:GBR:123456789 -shared_contact- phone:+441753637285 -has_phone- listing:local:phone"
	if d := detail(networkMatch(t, res, "local:phone")); d != want {
		t.Fatalf("analyst's explanation = %q, want %q", d, want)
	}
	// The review is an encounter in the queue, like any other.
	if encs := res["encounters"].([]any); len(encs) != 1 {
		t.Fatalf("encounters = %v", res["encounters"])
	}

	// A listed passport: Jones shares its booking, 1 hop by his booking
	// locator or his name.
	n.call("POST", "/v1/listings", netListing("passport", "Listed Passportholder", "", "123456789"))
	jones := `{"ref": "t2", "given_names": "William", "surname": "Jones", "dob": "1964-07-12", "booking": "MFN4TI"}`
	res = n.as("officer").call("POST", "/v1/screen", jones)
	m = networkMatch(t, res, "local:passport")
	if d := detail(m); res["decision"] != "review" || !strings.HasPrefix(d, "linked within 1 hops: ") || !strings.HasSuffix(d, " document:GBR:123456789") {
		t.Fatalf("Jones = %v (%q)", res, detail(m))
	}
	// An unrelated traveller stays clear.
	if res := n.as("officer").call("POST", "/v1/screen", `{"ref": "t3", "name": "Astrid Lindqvist", "booking": "ZZZ999"}`); res["decision"] != "clear" {
		t.Fatalf("unrelated traveller = %v", res)
	}
	// Withdrawn: the tie goes with the listing.
	n.call("POST", "/v1/listings/local:phone/withdraw", `{"reason": "test"}`)
	waitFor(t, func() bool {
		res := n.as("officer").call("POST", "/v1/screen", smith)
		ms, _ := res["matches"].([]any)
		return !strings.Contains(fmt.Sprint(ms), "local:phone")
	})

	// A screened PAXLST manifest feeds the graph: its passengers are on
	// the flight node.
	n.as("officer").call("POST", "/v1/manifests", manifest(
		passenger("LINDQVIST", "ASTRID", "F", "880412", "SWE", "91234567"),
		passenger("BERG", "NILS", "M", "870101", "SWE", "91234568")))
	nb := n.call("GET", "/v1/network/neighbourhood?k=1&entity=flight:TK1980/2026-11-25", "")
	if nodes := nb["nodes"].([]any); len(nodes) != 3 {
		t.Fatalf("flight neighbourhood = %v", nb)
	}
	// Officers never query the graph.
	if code, _ := n.as("officer").try("GET", "/v1/network/components", ""); code != 403 {
		t.Fatalf("officer components = %d, want 403", code)
	}
}

// TestNetworkCLI: the link CSV and PNRGOV imports, then every query and
// export, from the command line; links survive a restart of the node.
func TestNetworkCLI(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(t.TempDir(), "links.csv")
	os.WriteFile(csv, []byte("from_kind,from_key,to_kind,to_key,type,source,listing,at\n"+
		"person,P-17,phone,0044 1753 637285,has_phone,case-4411,,2026-11-21\n"+
		"person,P-17,person,P-18,associate,case-4411,,2026-11-21\n"), 0o600)
	code, out, errs := run(t, dir, "", "network", "import-links", csv)
	if code != 0 || !strings.Contains(out, `"added":2,"file":"`+csv+`","links":2`) {
		t.Fatalf("import-links = %d %s %s", code, out, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("from_kind,from_key,to_kind,to_key,type,source,listing,at\nfone,1,phone,2,x,s,,\n"), 0o600)
	if code, _, errs := run(t, dir, "", "network", "import-links", bad); code != 1 || !strings.Contains(errs, "line 2") {
		t.Fatalf("bad CSV = %d %s", code, errs)
	}
	code, out, errs = run(t, dir, "", "network", "import-pnr", samplePNR)
	if code != 0 || !strings.Contains(out, `"source":"pnrgov@local:DL324/2010-12-12"`) {
		t.Fatalf("import-pnr = %d %s %s", code, out, errs)
	}
	// After a restart (each command opens the node anew): P-17 reaches
	// Smith through the phone he gave on the PNR.
	code, out, errs = run(t, dir, "", "network", "path", "person:P-17", "document:GBR:123456789")
	if code != 0 || !strings.Contains(out, `"explain": "person:P-17 -has_phone- phone:+441753637285 -shared_contact- document:GBR:123456789"`) {
		t.Fatalf("path = %d %s %s", code, out, errs)
	}
	for _, args := range [][]string{
		{"neighbourhood", "phone:+441753637285"}, {"components"}, {"facilitators", "--by", "pagerank"},
		{"communities"}, {"cotravel"}, {"export", "person:P-17", "--k", "3"},
	} {
		code, out, errs := run(t, dir, "", append([]string{"network"}, args...)...)
		var v map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
			t.Fatalf("network %v = %d %s %s", args, code, out, errs)
		}
	}
	gml := filepath.Join(t.TempDir(), "p17.graphml")
	if code, _, errs := run(t, dir, "", "network", "export", "person:P-17", "--format", "graphml", "--out", gml); code != 0 {
		t.Fatalf("export graphml = %d %s", code, errs)
	}
	if b, _ := os.ReadFile(gml); !strings.Contains(string(b), ">document:GBR:123456789<") {
		t.Fatalf("GraphML file = %s", b)
	}
	for _, args := range [][]string{{}, {"nope"}, {"path", "person:A"}, {"neighbourhood", "fone:1"}, {"import-pnr"}} {
		if code, _, _ := run(t, dir, "", append([]string{"network"}, args...)...); code != 2 {
			t.Errorf("network %v = %d, want 2", args, code)
		}
	}
}

// TestNetworkCLIImportReachesServer: links imported from the command line
// into a served data directory reach the running server within seconds.
func TestNetworkCLIImportReachesServer(t *testing.T) {
	dir := t.TempDir()
	n := startNode(t, dir)
	if code, _ := n.try("GET", "/v1/network/neighbourhood?entity=person:P-17", ""); code != 404 {
		t.Fatalf("before the import: %d, want 404", code)
	}
	csv := filepath.Join(t.TempDir(), "links.csv")
	os.WriteFile(csv, []byte("from_kind,from_key,to_kind,to_key,type,source,listing,at\nperson,P-17,person,P-18,associate,case-9,,\n"), 0o600)
	if code, out, errs := run(t, dir, "", "network", "import-links", csv); code != 0 {
		t.Fatalf("import-links = %d %s %s", code, out, errs)
	}
	waitFor(t, func() bool {
		code, _ := n.try("GET", "/v1/network/neighbourhood?entity=person:P-17", "")
		return code == 200
	})
}
