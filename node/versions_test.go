package node

import (
	"testing"

	"tripline"
	"tripline/storetest"
)

// Events of two transactions may be applied out of order: an older version
// of a listing never replaces a newer one, whether the newer one is
// indexed (its version read from the index) or withdrawn (kept aside).
func TestOlderListingVersionIgnored(t *testing.T) {
	n := startTestNode(t, t.TempDir(), 0)
	defer n.Close()
	v := func(version int64, status tripline.Status, name string) *tripline.Listing {
		l := storetest.Listing("local", "v", name)
		l.Version, l.Status = version, status
		return l
	}
	for _, tc := range []struct {
		l       *tripline.Listing
		applied bool
		want    string // the indexed listing's name, "" for none
	}{
		{v(2, tripline.StatusActive, "Second Version"), true, "Second Version"},
		{v(1, tripline.StatusActive, "First Version"), false, "Second Version"},
		{v(3, tripline.StatusWithdrawn, "Second Version"), true, ""},
		{v(2, tripline.StatusActive, "Second Version"), false, ""},
		{v(4, tripline.StatusActive, "Fourth Version"), true, "Fourth Version"},
	} {
		if got := n.upsert(tc.l); got != tc.applied {
			t.Fatalf("upsert version %d %s applied = %v, want %v", tc.l.Version, tc.l.Status, got, tc.applied)
		}
		got := ""
		if l := n.Index.Listing("local:v"); l != nil {
			got = l.PrimaryName()
		}
		if got != tc.want {
			t.Fatalf("after version %d %s the index holds %q, want %q", tc.l.Version, tc.l.Status, got, tc.want)
		}
	}
	if len(n.versions) != 0 {
		t.Fatalf("versions kept aside for indexed listings: %v", n.versions)
	}
}
