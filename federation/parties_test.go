package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
)

// TestReportPartiesChecked: a partner node signs what it reports, so it
// can report only what it recorded, for its own agency (or one with no
// node of its own), on a listing this node originated for the queue it
// names; a notice only from the originator's node. Anything else is
// refused (403) and never reaches the queue: a hostile partner cannot
// speak for this node's agency or another partner's, point the
// acknowledgements at another node, or file encounters on listings that
// are not this node's.
func TestReportPartiesChecked(t *testing.T) {
	ctx := context.Background()
	a, pubA := newGapped(t, "A")
	b, pubB := newGapped(t, "B")
	_, pubC := newGapped(t, "C")
	a.know(t, "B", "agency-b", pubB)
	a.know(t, "C", "agency-c", pubC)
	b.know(t, "A", "agency-a", pubA)

	held := map[string]*tripline.Listing{
		"agency-a:1": {ID: "agency-a:1", Provenance: tripline.Provenance{Originator: "agency-a"}},
		"local:x":    {ID: "local:x", Provenance: tripline.Provenance{Originator: "border-x"}}, // an agency hosted here
		"agency-c:9": {ID: "agency-c:9", Provenance: tripline.Provenance{Originator: "agency-c", Chain: []string{"C"}}},
	}
	created := map[string]*tripline.Encounter{}
	svc := &federation.Service{Peer: a.peer, Agency: "agency-a",
		Held: func(_ context.Context, id string) (*tripline.Listing, error) {
			if l, ok := held[id]; ok {
				return l, nil
			}
			return nil, tripline.Errorf(tripline.ENOTFOUND, "listing %q not found", id)
		},
		Create: func(_ context.Context, e *tripline.Encounter) error { created[e.ID] = e; return nil }}

	tests := []struct {
		name     string
		e        tripline.Encounter
		notice   bool
		wantErr  string // "" accepted
		wantNode string
	}{
		{name: "honest report", e: tripline.Encounter{Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b", Node: "B"}, wantNode: "B"},
		{name: "node left out", e: tripline.Encounter{Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b"}, wantNode: "B"},
		{name: "an agency with no node", e: tripline.Encounter{Listing: "local:x", Originator: "border-x", Agency: "border-y", Node: "B"}, wantNode: "B"},
		{name: "blind reference", e: tripline.Encounter{Listing: tripline.BlindMatchID("A", "r1"), Originator: "agency-a", Agency: "agency-b"}, wantNode: "B"},
		{name: "recorded at another node", e: tripline.Encounter{Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b", Node: "C"},
			wantErr: `recorded at node "C" signed by node "B"`},
		{name: "speaks for this node's agency", e: tripline.Encounter{Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-a"},
			wantErr: `reports for this node's agency "agency-a"`},
		{name: "speaks for another partner's agency", e: tripline.Encounter{Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-c"},
			wantErr: `reports for agency "agency-c", which node "C" runs`},
		{name: "a partner's listing", e: tripline.Encounter{Listing: "agency-c:9", Originator: "agency-c", Agency: "agency-b"},
			wantErr: `listing "agency-c:9" is not one agency "agency-c" originated at this node`},
		{name: "another agency's queue", e: tripline.Encounter{Listing: "agency-a:1", Originator: "border-x", Agency: "agency-b"},
			wantErr: `listing "agency-a:1" is not one agency "border-x" originated`},
		{name: "a listing not held", e: tripline.Encounter{Listing: "agency-a:404", Originator: "agency-a", Agency: "agency-b"},
			wantErr: `listing "agency-a:404" is not held at this node`},
		{name: "notice from the originator's node", notice: true, e: tripline.Encounter{Listing: "agency-b:3", Originator: "agency-b", Agency: "agency-z", Node: "Z"}},
		{name: "notice from another node", notice: true, e: tripline.Encounter{Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b"},
			wantErr: `only the originator's node sends notices`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			e.ID = fmt.Sprintf("B-e%d", i)
			var err error
			if tt.notice {
				err = b.peer.QueueNotice(ctx, &e, e.ID, "A", "agency-a")
			} else {
				err = b.peer.QueueEncounter(ctx, &e, "A", "A")
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.ReceiveReport(ctx, "B", signedOf(t, b, e.ID))
			if tt.wantErr != "" {
				if tripline.ErrorCode(err) != tripline.EFORBIDDEN || !strings.Contains(tripline.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("err = %v, want forbidden: %s", err, tt.wantErr)
				}
				if created[e.ID] != nil {
					t.Fatal("a refused report reached the queue")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := created[e.ID]
			if got == nil {
				t.Fatal("an accepted report did not reach the queue")
			}
			if tt.wantNode != "" && got.Node != tt.wantNode {
				t.Errorf("node = %q, want %q (acknowledgements go back there)", got.Node, tt.wantNode)
			}
		})
	}
}

// signedOf returns the signed report g queued under id.
func signedOf(t *testing.T, g *gapped, id string) *federation.SignedReport {
	t.Helper()
	rs, err := g.store.Reports(context.Background(), tripline.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ID == id {
			var sr federation.SignedReport
			if err := json.Unmarshal(r.Body, &sr); err != nil {
				t.Fatal(err)
			}
			return &sr
		}
	}
	t.Fatalf("no report %s queued", id)
	return nil
}
