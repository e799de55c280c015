package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/federation"
	"tripline/sqlstore"
)

// TestDiffusionReceiptChecked: a diffusion is its sender's. A partner that
// learnt another's diffusion id (it was a recipient too) cannot cancel or
// rewrite that diffusion at this node by sending one of its own under the
// id, nor overwrite a diffusion this node's agency sent; and the sender
// does not choose when its cancelled diffusion's retention starts here
// (none, or a date far ahead, kept the subject for good).
func TestDiffusionReceiptChecked(t *testing.T) {
	n := openTestNode(t, t.TempDir())
	defer n.Close()
	ctx := context.Background()
	dn := diffusionNode{n: n, store: sqlstore.NewDiffusionService(n.DB), alerted: map[string]bool{}}
	now := time.Now().UTC()
	diffusion := func(id, sender, node, status string, version int64, to ...string) *tripline.Diffusion {
		d := &tripline.Diffusion{ID: id, Sender: sender, SenderNode: node, Kind: tripline.DiffuseDetain,
			Subject: tripline.TipSubject{Name: "Karim Benali Haddad"}, Status: status, Sent: now, AckDue: now.Add(time.Hour), Version: version}
		for _, a := range to {
			d.Recipients = append(d.Recipients, tripline.DiffusionRecipient{Agency: a})
		}
		return d
	}
	send := func(d *tripline.Diffusion, agency, node string) error {
		b, _ := json.Marshal(federation.DiffusionMessage{Key: d.ID + "@x", Diffusion: d})
		return dn.receive(ctx, b, agency, node)
	}
	if err := send(diffusion("A-x", "agency-a", "A", tripline.DiffusionActive, 1, n.Agency, "agency-c"), "agency-a", "A"); err != nil {
		t.Fatalf("A's diffusion: %v", err)
	}
	if _, err := dn.store.PutDiffusion(ctx, diffusion("T-own", n.Agency, n.DB.Origin, tripline.DiffusionActive, 1, "agency-c")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    *tripline.Diffusion
	}{
		{"cancels another partner's diffusion", diffusion("A-x", "agency-c", "C", tripline.DiffusionCancelled, 2, n.Agency)},
		{"rewrites another partner's diffusion", diffusion("A-x", "agency-c", "C", tripline.DiffusionActive, 9, n.Agency)},
		{"overwrites one this agency sent", diffusion("T-own", "agency-c", "C", tripline.DiffusionActive, 2, n.Agency)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := send(tc.d, "agency-c", "C"); tripline.ErrorCode(err) != tripline.EFORBIDDEN {
				t.Errorf("receive = %v, want forbidden", err)
			}
		})
	}
	if d, err := dn.store.Diffusion(ctx, "A-x"); err != nil || d.Sender != "agency-a" || d.Status != tripline.DiffusionActive || d.Version != 1 {
		t.Errorf("A's diffusion after the attacks: %+v, %v", d, err)
	}
	if l, err := n.Listings.Listing(ctx, n.Agency+":A-x"); err != nil || l.Status != tripline.StatusActive {
		t.Errorf("A's diffusion's listing after the attacks: %+v, %v", l, err)
	}
	if d, err := dn.store.Diffusion(ctx, "T-own"); err != nil || d.Sender != n.Agency || d.Version != 1 {
		t.Errorf("this agency's diffusion after the attacks: %+v, %v", d, err)
	}

	// An id that is no id (a terminal escape, a path, 300 KB) is refused
	// before anything is stored: the diffusion was kept (the shell's
	// `diffusions list` printed its id raw) though its listing failed.
	for _, id := range []string{"A-\x1b[2J\x1b[31mURGENT", "A-../../x", strings.Repeat("A", 300<<10)} {
		err := send(diffusion(id, "agency-a", "A", tripline.DiffusionActive, 1, n.Agency), "agency-a", "A")
		if tripline.ErrorCode(err) != tripline.EINVALID {
			t.Errorf("id %.40q: %v, want invalid", id, err)
		}
		if _, err := dn.store.Diffusion(ctx, id); tripline.ErrorCode(err) != tripline.ENOTFOUND {
			t.Errorf("id %.40q stored: %v", id, err)
		}
	}

	// The sender's cancellation, with no date or one far ahead: its
	// retention starts at receipt here.
	far := now.AddDate(900, 0, 0)
	for i, at := range []*time.Time{nil, &far} {
		id := "A-c" + string(rune('0'+i))
		if err := send(diffusion(id, "agency-a", "A", tripline.DiffusionActive, 1, n.Agency), "agency-a", "A"); err != nil {
			t.Fatal(err)
		}
		c := diffusion(id, "agency-a", "A", tripline.DiffusionCancelled, 2, n.Agency)
		c.CancelledAt = at
		if err := send(c, "agency-a", "A"); err != nil {
			t.Fatal(err)
		}
		d, err := dn.store.Diffusion(ctx, id)
		if err != nil || d.Status != tripline.DiffusionCancelled {
			t.Fatalf("cancelled: %+v, %v", d, err)
		}
		r := tripline.EncounterRetention{Resolved: 730 * 24 * time.Hour}
		if !tripline.DiffusionErasable(d, r, time.Now().Add(731*24*time.Hour)) {
			t.Errorf("cancelled_at %v: held with cancelled_at %v, not erasable past the retention", at, d.CancelledAt)
		}
	}
}
