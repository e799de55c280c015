package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// TestDiffusionsList: the operations room's view at the shell. The agency
// sees what it sent (every recipient, the overdue one named) and what it
// received (its own entry only), never another agency's diffusion; a
// recipient's name stays with the sender.
func TestDiffusionsList(t *testing.T) {
	dir := t.TempDir()
	n := openTestNode(t, dir)
	now := time.Now().UTC()
	acked := now.Add(-time.Hour)
	store := sqlstore.NewDiffusionService(n.DB)
	for _, d := range []*tripline.Diffusion{
		{ID: "X-sent", Sender: n.Agency, Kind: tripline.DiffusePreventDeparture, Subject: tripline.TipSubject{Name: "Karim Benali Haddad"},
			Recipients: []tripline.DiffusionRecipient{{Agency: "agency-b", Node: "B", AckedAt: &acked}, {Agency: "agency-c", Node: "C"}},
			Status:     tripline.DiffusionActive, Sent: now.Add(-3 * time.Hour), AckDue: now.Add(-2 * time.Hour), Version: 1},
		{ID: "B-received", Sender: "agency-b", Kind: tripline.DiffuseLocateReport, Subject: tripline.TipSubject{Name: "Yusuf Okonkwo"},
			Recipients: []tripline.DiffusionRecipient{{Agency: n.Agency}, {Agency: "agency-secret-recipient"}},
			Status:     tripline.DiffusionActive, Sent: now, AckDue: now.Add(time.Hour), Version: 1},
		{ID: "C-other", Sender: "agency-c", Kind: tripline.DiffuseDetain, Subject: tripline.TipSubject{Name: "Not Ours Atall"},
			Recipients: []tripline.DiffusionRecipient{{Agency: "agency-b"}}, Status: tripline.DiffusionActive, Sent: now, AckDue: now, Version: 1},
	} {
		if _, err := store.PutDiffusion(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	n.Close()

	tests := []struct {
		name      string
		args      []string
		want, not []string
	}{
		{"all", nil, []string{"X-sent", "1/2 (overdue: agency-c)", "prevent_departure", "B-received", "0/1", "Yusuf Okonkwo"},
			[]string{"C-other", "Not Ours", "agency-secret-recipient"}},
		{"overdue", []string{"--overdue"}, []string{"X-sent", "agency-c"}, []string{"B-received", "C-other"}},
		{"json", []string{"--json"}, []string{`"id":"X-sent"`, `"overdue":true`, `"id":"B-received"`}, []string{"C-other", "agency-secret-recipient"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, dir, "", append([]string{"diffusions", "list"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("missing %q in:\n%s", s, out)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(out, s) {
					t.Errorf("shows %q:\n%s", s, out)
				}
			}
		})
	}
	if code, _, errs := run(t, dir, "", "diffusions", "list", "--late"); code != 2 || !strings.Contains(errs, "late") {
		t.Errorf("unknown flag: exit %d %s", code, errs)
	}
}

// TestDiffusionNoticeChecked: the sender's node takes a notice of a hit on
// a diffusion only for one its agency sent to the notice's originator, on
// the listing that diffusion made there; a partner naming another
// agency's diffusion, one not sent to it, or another listing is refused.
func TestDiffusionNoticeChecked(t *testing.T) {
	n := openTestNode(t, t.TempDir())
	defer n.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	store := sqlstore.NewDiffusionService(n.DB)
	for _, d := range []*tripline.Diffusion{
		{ID: "X-sent", Sender: n.Agency, Kind: tripline.DiffuseLocateReport, Subject: tripline.TipSubject{Name: "Karim Benali Haddad"},
			Recipients: []tripline.DiffusionRecipient{{Agency: "agency-b", Node: "B"}}, Status: tripline.DiffusionActive, Sent: now, AckDue: now, Version: 1},
		{ID: "C-theirs", Sender: "agency-c", Kind: tripline.DiffuseDetain, Subject: tripline.TipSubject{Name: "Not Ours Atall"},
			Recipients: []tripline.DiffusionRecipient{{Agency: "agency-b"}}, Status: tripline.DiffusionActive, Sent: now, AckDue: now, Version: 1},
	} {
		if _, err := store.PutDiffusion(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, diffusion, originator, listing string
		ok                                   bool
	}{
		{"our diffusion's listing at its recipient", "X-sent", "agency-b", "agency-b:X-sent", true},
		{"not sent to that agency", "X-sent", "agency-z", "agency-z:X-sent", false},
		{"another listing", "X-sent", "agency-b", "agency-b:other", false},
		{"another agency's diffusion", "C-theirs", "agency-b", "agency-b:C-theirs", false},
		{"no such diffusion", "X-none", "agency-b", "agency-b:X-none", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &tripline.Encounter{ID: "B-e1-dif", Listing: tt.listing, Originator: tt.originator, Agency: tt.originator,
				NoticeTo: n.Agency, Diffusion: tt.diffusion}
			err := n.diffusionNotice(ctx, e)
			if tt.ok != (err == nil) || (err != nil && tripline.ErrorCode(err) != tripline.EFORBIDDEN) {
				t.Fatalf("diffusionNotice = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
