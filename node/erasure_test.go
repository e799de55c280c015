package node

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"tripline"
	"tripline/sqlstore"
)

// filesHolding returns the files under dir whose bytes hold any of words
// (case-insensitively), so that leftovers in free pages and in the index
// snapshot count as well as live rows.
func filesHolding(t *testing.T, dir string, words ...string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		b = bytes.ToLower(b)
		for _, w := range words {
			if bytes.Contains(b, bytes.ToLower([]byte(w))) {
				found = append(found, filepath.Base(path)+": "+w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// A rejected tip erased past its retention leaves its subject and
// reporter nowhere in the data directory: not in the index snapshot
// (which held its provisional listing) and not in the store's free space.
func TestErasedTipLeavesNoTraceOnDisk(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	withTips := func(n *Node) { n.Build = "erasure-test"; n.Tips = sqlstore.NewTipService(n.DB) }
	n := startTestNodeWith(t, dir, withTips)
	words := []string{"Quarrington", "Zebulon", "Ravensworth"}
	tip := &tripline.Tip{ID: tripline.NewTipID(), Agency: "local", Channel: tripline.ChannelHotline, Text: "seen at the port",
		Reporter: tripline.Reporter{Name: "Philomena Ravensworth"}, Subject: tripline.TipSubject{Name: "Zebulon Quarrington"}}
	tl := tip.ProvisionalListing(time.Now(), tripline.DefaultTipTTL)
	if _, err := n.Tips.CreateTip(ctx, tip, tl); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return n.Index.Listing(tl.ID) != nil })
	n.Close()
	// A full load writes the snapshot, with the tip's listing in it.
	if err := os.Remove(filepath.Join(dir, SnapshotFile)); err != nil {
		t.Fatal(err)
	}
	n = startTestNodeWith(t, dir, withTips)
	n.Close()
	if got := filesHolding(t, dir, words...); len(got) == 0 {
		t.Fatal("the test needs the tip on disk first")
	}
	n = startTestNodeWith(t, dir, withTips)
	if _, err := n.Tips.DecideTip(ctx, tip.ID, tripline.TipRejected, "sup", "unfounded", nil); err != nil {
		t.Fatal(err)
	}
	n.Close()
	n = startTestNodeWith(t, dir, func(n *Node) {
		withTips(n)
		n.EncounterRetention = tripline.EncounterRetention{FalsePositive: time.Nanosecond}
	})
	n.purge(ctx)
	if got, err := n.Tips.Tip(ctx, tip.ID); err != nil || got.Erased == nil {
		t.Fatalf("rejected tip past its retention: %+v, %v", got, err)
	}
	n.Close()
	if got := filesHolding(t, dir, words...); len(got) > 0 {
		t.Fatalf("the erased tip is still on disk: %v", got)
	}
}
