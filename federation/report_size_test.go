package federation_test

import (
	"context"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
)

// TestReportSizeBounded: a signed report (an encounter, an update, a
// diffusion) is a few kilobytes; a partner's request body may be 16 MiB.
// A report past federation.MaxReportBytes is refused before anything is
// stored: a partner sending 16 MiB reports for this node's listings, or
// for a node beyond it (each queued here to be forwarded, kept until
// acknowledged), wrote up to 1.6 GB a second into this node's store at
// its allowed request rate.
func TestReportSizeBounded(t *testing.T) {
	ctx := context.Background()
	a, pubA := newGapped(t, "A")
	b, pubB := newGapped(t, "B")
	_, pubC := newGapped(t, "C")
	a.know(t, "B", "agency-b", pubB)
	a.know(t, "C", "agency-c", pubC)
	b.know(t, "A", "agency-a", pubA)
	b.know(t, "C", "agency-c", pubC)
	created := map[string]bool{}
	svc := &federation.Service{Peer: a.peer, Agency: "agency-a",
		Held: func(_ context.Context, id string) (*tripline.Listing, error) {
			return &tripline.Listing{ID: id, Action: tripline.ActionDetain, Provenance: tripline.Provenance{Originator: "agency-a"}}, nil
		},
		Create: func(_ context.Context, e *tripline.Encounter) error { created[e.ID] = true; return nil }}
	huge := strings.Repeat("Quartermaine ", federation.MaxReportBytes/12)
	for _, tc := range []struct {
		name, id, to, name2 string
		ok                  bool
	}{
		{"honest report", "B-e1", "A", "Zebulon Quartermaine", true},
		{"a huge report", "B-e2", "A", huge, false},
		{"a huge report to forward", "B-e3", "C", huge, false},
		{"an honest report to forward", "B-e4", "C", "Zebulon Quartermaine", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tripline.Encounter{ID: tc.id, Listing: "agency-a:1", Originator: "agency-a", Agency: "agency-b", Node: "B",
				Decision: tripline.DecisionHit, Traveller: tripline.Traveller{Ref: "t1", Name: tc.name2}}
			if tc.to == "C" {
				e.Listing, e.Originator = "agency-c:1", "agency-c"
			}
			if err := b.peer.QueueEncounter(ctx, &e, tc.to, "A"); err != nil {
				t.Fatal(err)
			}
			_, err := svc.ReceiveReport(ctx, "B", signedOf(t, b, e.ID))
			if tc.ok != (err == nil) || (err != nil && tripline.ErrorCode(err) != tripline.EINVALID) {
				t.Fatalf("receive = %v, want ok %v", err, tc.ok)
			}
			rs, _ := a.store.Reports(ctx, tripline.ReportFilter{})
			queued := false
			for _, r := range rs {
				queued = queued || r.ID == tc.id
			}
			if got := created[tc.id] || queued; got != tc.ok {
				t.Fatalf("stored (queue or outbox): %v, want %v", got, tc.ok)
			}
		})
	}
}
