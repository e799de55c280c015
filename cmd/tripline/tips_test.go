package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"tripline"
)

// TestTipsList: the supervisor queue at the shell, the reporter only in
// the JSON a supervisor may see; a bad status is a usage error.
func TestTipsList(t *testing.T) {
	dir := t.TempDir()
	n := openTestNode(t, dir)
	now := time.Now().UTC()
	tip := &tripline.Tip{ID: tripline.NewTipID(), Agency: n.Agency, Channel: tripline.ChannelFamily, Text: "plans to leave on Friday",
		Reporter: tripline.Reporter{Name: "Amina Haddad", Relation: "mother"}, Subject: tripline.TipSubject{Name: "Karim Benali Haddad"}, Received: now}
	if _, err := n.Tips.CreateTip(context.Background(), tip, tip.ProvisionalListing(now, tripline.DefaultTipTTL)); err != nil {
		t.Fatal(err)
	}
	n.Close()
	code, out, errs := run(t, dir, "", "tips", "list", "--status", "provisional")
	if code != 0 || !strings.Contains(out, "Karim Benali Haddad") || !strings.Contains(out, "provisional") || strings.Contains(out, "Amina") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	if code, out, _ = run(t, dir, "", "tips", "list", "--json"); code != 0 || !strings.Contains(out, `"relation":"mother"`) {
		t.Fatalf("json: exit %d %s", code, out)
	}
	if code, out, _ = run(t, dir, "", "tips", "list", "--status", "confirmed"); code != 0 || strings.Contains(out, "Karim") {
		t.Fatalf("confirmed: exit %d %s", code, out)
	}
	if code, _, errs = run(t, dir, "", "tips", "list", "--status", "maybe"); code != 2 || !strings.Contains(errs, "--status") {
		t.Fatalf("bad status: exit %d %s", code, errs)
	}
}
