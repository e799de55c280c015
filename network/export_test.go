package network_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"tripline"
	"tripline/network"
)

func TestSubgraphJSONRoundTrip(t *testing.T) {
	links := caseLinks()
	links[0].Weight = 2.5
	sg := network.NewSubgraph(links)
	if len(sg.Nodes) != 9 || len(sg.Edges) != 9 {
		t.Fatalf("%d nodes %d edges", len(sg.Nodes), len(sg.Edges))
	}
	b, err := json.Marshal(sg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":"listing:un:L1"`, `"kind":"phone"`, `"type":"has_phone"`, `"source":"listing"`, `"listing":"un:L1"`, `"at":"2026-11-20T09:00:00Z"`, `"weight":2.5`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	var back network.Subgraph
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got, err := back.Links()
	if err != nil {
		t.Fatal(err)
	}
	for i := range links {
		links[i].From, links[i].To = links[i].From.Canonical(), links[i].To.Canonical()
	}
	if !slices.EqualFunc(got, links, func(a, b network.Link) bool {
		return a == b || a.At.Equal(b.At) && a.From == b.From && a.To == b.To && a.Type == b.Type
	}) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, links)
	}
}

func TestWriteGraphML(t *testing.T) {
	sg := network.NewSubgraph(caseLinks())
	sg.Nodes[0].Label = `Name & "alias" <x>`
	var buf bytes.Buffer
	if err := network.WriteGraphML(&buf, sg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.80s", out)
	}
	// Parse it back generically and check the GraphML structure.
	var doc struct {
		XMLName xml.Name
		Keys    []struct {
			ID   string `xml:"id,attr"`
			For  string `xml:"for,attr"`
			Name string `xml:"attr.name,attr"`
		} `xml:"key"`
		Graph struct {
			EdgeDefault string `xml:"edgedefault,attr"`
			Nodes       []struct {
				ID   string `xml:"id,attr"`
				Data []struct {
					Key   string `xml:"key,attr"`
					Value string `xml:",chardata"`
				} `xml:"data"`
			} `xml:"node"`
			Edges []struct {
				Source string `xml:"source,attr"`
				Target string `xml:"target,attr"`
				Data   []struct {
					Key   string `xml:"key,attr"`
					Value string `xml:",chardata"`
				} `xml:"data"`
			} `xml:"edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	if doc.XMLName.Space != "http://graphml.graphdrawing.org/xmlns" || doc.XMLName.Local != "graphml" {
		t.Errorf("root = %v", doc.XMLName)
	}
	if !strings.Contains(out, `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`) || !strings.Contains(out, `xsi:schemaLocation=`) {
		t.Errorf("namespace declarations wrong:\n%.400s", out)
	}
	keys := map[string]bool{}
	for _, k := range doc.Keys {
		keys[k.ID] = true
	}
	if doc.Graph.EdgeDefault != "undirected" || len(doc.Graph.Nodes) != 9 || len(doc.Graph.Edges) != 9 {
		t.Fatalf("graph %+v", doc.Graph)
	}
	ids := map[string]bool{}
	for _, n := range doc.Graph.Nodes {
		ids[n.ID] = true
		for _, d := range n.Data {
			if !keys[d.Key] {
				t.Errorf("undeclared key %s", d.Key)
			}
		}
	}
	if doc.Graph.Nodes[0].Data[2].Value != `Name & "alias" <x>` {
		t.Errorf("label escaped wrongly: %q", doc.Graph.Nodes[0].Data[2].Value)
	}
	for _, e := range doc.Graph.Edges {
		if !ids[e.Source] || !ids[e.Target] {
			t.Errorf("edge %s–%s to unknown node", e.Source, e.Target)
		}
		if e.Data[0].Key != "type" || e.Data[1].Key != "link_source" || e.Data[1].Value == "" {
			t.Errorf("edge data %+v", e.Data)
		}
	}
	sg.Edges[0].To = "phone:+0"
	if err := network.WriteGraphML(&bytes.Buffer{}, sg); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("dangling edge: %v", err)
	}
}
