package tripline

import (
	"strings"
	"testing"
)

func TestWitnessConflict(t *testing.T) {
	kept := &AuditCheckpoint{Node: "A", Seq: 9, Hash: "h9"}
	for _, tc := range []struct {
		name string
		kept *AuditCheckpoint
		c    *AuditCheckpoint
		want string // "" for no conflict
	}{
		{"first", nil, &AuditCheckpoint{Node: "A", Seq: 3, Hash: "h3"}, ""},
		{"later entry", kept, &AuditCheckpoint{Node: "A", Seq: 12, Hash: "h12"}, ""},
		{"same entry, same hash", kept, &AuditCheckpoint{Node: "A", Seq: 9, Hash: "h9"}, ""},
		{"same entry, other hash", kept, &AuditCheckpoint{Node: "A", Seq: 9, Hash: "x9"}, "rewritten"},
		{"earlier entry", kept, &AuditCheckpoint{Node: "A", Seq: 4, Hash: "h4"}, "cut back"},
	} {
		err := WitnessConflict(tc.kept, tc.c)
		if tc.want == "" && err != nil || tc.want != "" && (ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
