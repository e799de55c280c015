package federation

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tripline"
)

// TestSharedClearanceServedLeast: a shared clearance goes to every partner
// that may screen its listing, which needs only the document and birth
// date it clears (and the listing's version). It went whole: the cleared
// innocent's name, which agency stopped them (where they travelled), the
// encounter, and the reporting analyst's free-text reason.
func TestSharedClearanceServedLeast(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	l := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Version: 3, Status: tripline.StatusActive,
		Handling: tripline.Handling{Screen: []string{"agency-c"}}, Provenance: tripline.Provenance{Originator: "agency-a"}}
	c := tripline.Clearance{ID: "shr-B-e7", Listing: l.ID, ListingVersion: 3, Shared: true, DocCountry: "NLD", DocNumber: "NL4455667",
		DOB: tripline.PartialDate{Year: 1969, Month: 4, Day: 5}, Name: "Leopoldine Vandersteen", Analyst: "a-analyst",
		Reason: "namesake, checked at secondary: travelling to her sister in Ghent", Encounter: "B-e7", Agency: "agency-b",
		At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	body, _ := json.Marshal(c)
	ev := &tripline.Event{Origin: "A", Seq: 1, Type: tripline.EventClearance, Subject: c.ID, Payload: body, At: c.At}
	chain, _ := ev.ChainNext("")
	ev.Chain = chain
	ev.Sig = ed25519.Sign(priv, ev.SigningBytes())
	f := &Feed{Self: "A", Groups: tripline.GroupMap{}, Listing: func(id string) *tripline.Listing {
		if id == l.ID {
			return l
		}
		return nil
	}}
	out, err := f.shape(context.Background(), "agency-c", ev)
	if err != nil || out.Redacted {
		t.Fatalf("shape = %+v, %v; want the clearance", out, err)
	}
	for _, s := range []string{"Leopoldine", "Ghent", "agency-b", `"encounter"`, "a-analyst"} {
		if strings.Contains(string(out.Payload), s) {
			t.Errorf("served to agency-c: %q in %s", s, out.Payload)
		}
	}
	var got tripline.Clearance
	if err := json.Unmarshal(out.Payload, &got); err != nil || got.DocNumber != c.DocNumber || got.DOB != c.DOB || !got.Shared ||
		got.ListingVersion != 3 || got.Listing != l.ID || got.ID != c.ID {
		t.Fatalf("served clearance %+v, %v; want what clears the traveller", got, err)
	}
	if !ed25519.Verify(priv.Public().(ed25519.PublicKey), out.SigningBytes(), out.Sig) {
		t.Fatal("the trimmed clearance no longer verifies")
	}
	if _, err := tripline.CheckForeignClearance(out, "A", nil); err != nil {
		t.Fatalf("the partner refuses it: %v", err)
	}
}
