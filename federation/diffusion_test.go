package federation_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// TestDiffusionTellsEachRecipientOnlyOfItself: a diffusion goes to each
// recipient's node with that recipient's entry only. Each node was sent the
// whole list, so a recipient's node held which other agencies the sender
// told of the person, and when each acknowledged, which its own API hides
// from its users but its operators (and a hostile node) read.
func TestDiffusionTellsEachRecipientOnlyOfItself(t *testing.T) {
	ctx := context.Background()
	w := newTrustWorld(t)
	now := time.Now().UTC()
	acked := now.Add(-time.Minute)
	d := &tripline.Diffusion{ID: "C-d1", Sender: "agency-c", SenderNode: "C", Kind: tripline.DiffuseDetain,
		Subject: tripline.TipSubject{Name: "Karim Benali Haddad"}, Status: tripline.DiffusionActive, Sent: now, AckDue: now.Add(time.Hour), Version: 1,
		Recipients: []tripline.DiffusionRecipient{{Agency: "agency-a", Node: "A", AckedAt: &acked, AckedBy: "a-1"}, {Agency: "agency-b", Node: "B"}}}
	for _, to := range []string{"A", "B"} {
		if err := w.peer.QueueDiffusion(ctx, d, to); err != nil {
			t.Fatal(err)
		}
	}
	if len(d.Recipients) != 2 {
		t.Fatalf("queueing changed the sender's diffusion: %+v", d.Recipients)
	}
	rs, err := sqlstore.NewFederationStore(w.db).OpenReports(ctx)
	if err != nil || len(rs) != 2 {
		t.Fatalf("outbox: %d, %v", len(rs), err)
	}
	for _, r := range rs {
		var sr federation.SignedReport
		var m federation.DiffusionMessage
		if err := json.Unmarshal(r.Body, &sr); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(sr.Encounter, &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Diffusion.Recipients) != 1 || m.Diffusion.Recipients[0].Node != r.ToOrigin {
			t.Errorf("the diffusion sent to %s names recipients %+v", r.ToOrigin, m.Diffusion.Recipients)
		}
	}
}
