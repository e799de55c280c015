package network

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"tripline"
)

// Subgraph is a piece of the link graph with its provenance, as returned
// by queries and exported for analysts' tools. Its JSON form is the
// export format:
//
//	{"nodes": [{"id": "phone:+442079460958", "kind": "phone", "label": "+442079460958", "hops": 1}],
//	 "edges": [{"from": "listing:un-sc:QDi.1", "to": "phone:+442079460958", "type": "has_phone",
//	            "source": "listing", "listing": "un-sc:QDi.1", "at": "2026-11-25T00:00:00Z"}]}
type Subgraph struct {
	Nodes     []Node `json:"nodes"`
	Edges     []Edge `json:"edges"`
	Truncated bool   `json:"truncated,omitempty"` // a visit cap cut the query short
}

// Node is an entity in a Subgraph.
type Node struct {
	ID    string     `json:"id"` // Entity.String(): "kind:key"
	Kind  EntityKind `json:"kind"`
	Label string     `json:"label"` // the key unless the caller relabels it
	// Hops is the distance from the query's centre; 0 for the centre and
	// for subgraphs built without one.
	Hops int `json:"hops,omitempty"`
}

// Edge is a link in a Subgraph, with its provenance.
type Edge struct {
	From    string    `json:"from"` // Node.ID
	To      string    `json:"to"`
	Type    string    `json:"type"`
	Source  string    `json:"source"`
	Listing string    `json:"listing,omitempty"`
	At      time.Time `json:"at,omitzero"`
	Weight  float64   `json:"weight,omitempty"`
}

func nodeOf(e Entity, hops int) Node {
	return Node{ID: e.String(), Kind: e.Kind, Label: e.Key, Hops: hops}
}

func edgeOf(l Link) Edge {
	return Edge{From: l.From.String(), To: l.To.String(), Type: l.Type, Source: l.Source,
		Listing: l.Listing, At: l.At, Weight: l.Weight}
}

// NewSubgraph returns the subgraph of links: their ends as nodes, in order
// of first appearance, and the links as edges.
func NewSubgraph(links []Link) Subgraph {
	sg := Subgraph{Nodes: []Node{}, Edges: make([]Edge, 0, len(links))}
	seen := make(map[Entity]bool)
	for _, l := range links {
		for _, e := range []Entity{l.From, l.To} {
			if !seen[e] {
				seen[e] = true
				sg.Nodes = append(sg.Nodes, nodeOf(e, 0))
			}
		}
		sg.Edges = append(sg.Edges, edgeOf(l))
	}
	return sg
}

// ParseEntity parses "kind:key" (Entity.String) back into a canonical
// Entity; EINVALID when the kind is unknown or the key empty.
func ParseEntity(s string) (Entity, error) {
	kind, key, ok := strings.Cut(s, ":")
	if !ok || !EntityKind(kind).Valid() {
		return Entity{}, tripline.Errorf(tripline.EINVALID, "entity %q: not kind:key with a known kind", s)
	}
	e := NewEntity(EntityKind(kind), key)
	if e.Key == "" {
		return Entity{}, tripline.Errorf(tripline.EINVALID, "entity %q: empty key", s)
	}
	return e, nil
}

// Links returns the subgraph's edges as Links; EINVALID when an edge end
// is not a valid entity id.
func (sg Subgraph) Links() ([]Link, error) {
	out := make([]Link, 0, len(sg.Edges))
	for i, e := range sg.Edges {
		from, err := ParseEntity(e.From)
		if err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "edges[%d].from: %s", i, tripline.ErrorMessage(err))
		}
		to, err := ParseEntity(e.To)
		if err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "edges[%d].to: %s", i, tripline.ErrorMessage(err))
		}
		out = append(out, Link{From: from, To: to, Type: e.Type, Source: e.Source,
			Listing: e.Listing, At: e.At, Weight: e.Weight})
	}
	return out, nil
}

// GraphML element shapes (http://graphml.graphdrawing.org/).
type graphML struct {
	XMLName        xml.Name   `xml:"graphml"`
	XMLNS          string     `xml:"xmlns,attr"`
	XSI            string     `xml:"xmlns:xsi,attr"`
	SchemaLocation string     `xml:"xsi:schemaLocation,attr"`
	Keys           []gmlKey   `xml:"key"`
	Graph          gmlGraphEl `xml:"graph"`
}

type gmlKey struct {
	ID   string `xml:"id,attr"`
	For  string `xml:"for,attr"`
	Name string `xml:"attr.name,attr"`
	Type string `xml:"attr.type,attr"`
}

type gmlGraphEl struct {
	ID          string    `xml:"id,attr"`
	EdgeDefault string    `xml:"edgedefault,attr"`
	Nodes       []gmlNode `xml:"node"`
	Edges       []gmlEdge `xml:"edge"`
}

type gmlNode struct {
	ID   string    `xml:"id,attr"`
	Data []gmlData `xml:"data"`
}

type gmlEdge struct {
	ID     string    `xml:"id,attr"`
	Source string    `xml:"source,attr"`
	Target string    `xml:"target,attr"`
	Data   []gmlData `xml:"data"`
}

type gmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

// graphMLKeys declares the attributes. Node ids in GraphML must be
// NMTOKENs, which phone numbers and e-mail addresses are not, so nodes are
// numbered n0, n1… and carry the entity id as the "entity" attribute. The
// link's source is "link_source" so that tools do not confuse it with the
// edge's source end.
var graphMLKeys = []gmlKey{
	{"entity", "node", "entity", "string"},
	{"kind", "node", "kind", "string"},
	{"label", "node", "label", "string"},
	{"hops", "node", "hops", "int"},
	{"type", "edge", "type", "string"},
	{"link_source", "edge", "link_source", "string"},
	{"listing", "edge", "listing", "string"},
	{"at", "edge", "at", "string"},
	{"weight", "edge", "weight", "double"},
}

// WriteGraphML writes sg as an undirected GraphML document, readable by
// Gephi, yEd, Cytoscape and networkx. It returns EINVALID when an edge
// names a node that is not in sg.Nodes, and any write error.
func WriteGraphML(w io.Writer, sg Subgraph) error {
	doc := graphML{
		XMLNS:          "http://graphml.graphdrawing.org/xmlns",
		XSI:            "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
		Keys:           graphMLKeys,
		Graph:          gmlGraphEl{ID: "G", EdgeDefault: "undirected"},
	}
	ids := make(map[string]string, len(sg.Nodes))
	for i, n := range sg.Nodes {
		id := "n" + strconv.Itoa(i)
		if _, dup := ids[n.ID]; dup {
			return tripline.Errorf(tripline.EINVALID, "nodes[%d]: duplicate id %q", i, n.ID)
		}
		ids[n.ID] = id
		doc.Graph.Nodes = append(doc.Graph.Nodes, gmlNode{ID: id, Data: []gmlData{
			{"entity", n.ID}, {"kind", string(n.Kind)}, {"label", n.Label}, {"hops", strconv.Itoa(n.Hops)}}})
	}
	for i, e := range sg.Edges {
		from, ok1 := ids[e.From]
		to, ok2 := ids[e.To]
		if !ok1 || !ok2 {
			return tripline.Errorf(tripline.EINVALID, "edges[%d]: end %q or %q is not a node", i, e.From, e.To)
		}
		data := []gmlData{{"type", e.Type}, {"link_source", e.Source}}
		if e.Listing != "" {
			data = append(data, gmlData{"listing", e.Listing})
		}
		if !e.At.IsZero() {
			data = append(data, gmlData{"at", e.At.UTC().Format(time.RFC3339)})
		}
		wt := e.Weight
		if wt == 0 {
			wt = 1
		}
		data = append(data, gmlData{"weight", strconv.FormatFloat(wt, 'g', -1, 64)})
		doc.Graph.Edges = append(doc.Graph.Edges, gmlEdge{ID: "e" + strconv.Itoa(i), Source: from, Target: to, Data: data})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("graphml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
