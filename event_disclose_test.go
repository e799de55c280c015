package tripline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"tripline"
)

// TestEventTrimToDisclose: an event trimmed to a listing's disclosed form
// carries exactly the fields Disclose keeps at each level, and its payload
// digest (what the origin signed) is unchanged.
func TestEventTrimToDisclose(t *testing.T) {
	l := &tripline.Listing{ID: "x:1", Source: "x", Names: []tripline.Name{{Full: "NAME-1", Kind: tripline.NamePrimary}},
		Phones: []string{"PHONE-1"}, Narrative: "NARRATIVE-1", Action: tripline.ActionDetain, Instruction: "INSTR-1",
		Handling:   tripline.Handling{Screen: []string{"SCREEN-1"}, Use: "H2", Reshare: tripline.ReshareNever},
		Provenance: tripline.Provenance{Originator: "x", SourceRef: "SOURCE-1", Chain: []string{"CHAIN-1"}}, Status: tripline.StatusActive}
	payload, _ := json.Marshal(l)
	// A field the listing type does not know is never shown.
	payload = []byte(strings.Replace(string(payload), `{"id"`, `{"extra":"EXTRA-1","id"`, 1))
	ev := &tripline.Event{Origin: "X", Seq: 7, Type: tripline.EventListingUpserted, Subject: l.ID, Payload: payload}
	want, err := ev.PayloadDigest()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lvl        tripline.Level
		show, hide []string
	}{
		{tripline.LevelDetails, []string{"NAME-1", "NARRATIVE-1", "SOURCE-1", "SCREEN-1"}, []string{"EXTRA-1"}},
		{tripline.LevelAction, []string{"NAME-1", "INSTR-1", "CHAIN-1", "H2"}, []string{"PHONE-1", "NARRATIVE-1", "SOURCE-1", "SCREEN-1", "never", "EXTRA-1"}},
		{tripline.LevelScreen, []string{`"x:1"`}, []string{"NAME-1", "INSTR-1", "detain", "CHAIN-1", "PHONE-1", "NARRATIVE-1", "SOURCE-1", "SCREEN-1", "EXTRA-1"}},
	} {
		got, err := ev.TrimTo(l.Disclose(c.lvl))
		if err != nil {
			t.Fatalf("%s: %v", c.lvl, err)
		}
		for _, s := range c.show {
			if !strings.Contains(string(got.Payload), s) {
				t.Errorf("%s: %s missing from %s", c.lvl, s, got.Payload)
			}
		}
		for _, s := range c.hide {
			if strings.Contains(string(got.Payload), s) {
				t.Errorf("%s: %s shown in %s", c.lvl, s, got.Payload)
			}
		}
		if d, err := got.PayloadDigest(); err != nil || d != want {
			t.Errorf("%s: digest %s %v, want the signed %s", c.lvl, d, err, want)
		}
	}
	r, err := ev.Redact()
	if err != nil || !r.Redacted || len(r.Payload) != 0 || r.Digest != want {
		t.Fatalf("Redact = %+v %v", r, err)
	}
}
