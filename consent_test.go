package tripline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"tripline"
)

func TestCheckForeignConsent(t *testing.T) {
	base := tripline.Consent{ID: "consent-1", Listing: "agency-a:1", Originator: "agency-a", Requester: "agency-b", Recipient: "agency-c"}
	ev := func(typ tripline.EventType, origin string, edit func(*tripline.Consent)) *tripline.Event {
		c := base
		c.Status = tripline.ConsentPending
		if typ == tripline.EventConsent {
			c.Status = tripline.ConsentGranted
		}
		if edit != nil {
			edit(&c)
		}
		b, _ := json.Marshal(c)
		return &tripline.Event{Origin: origin, Seq: 1, Type: typ, Subject: base.ID, Payload: b}
	}
	held := base
	for _, tc := range []struct {
		name               string
		self, originAgency string
		ev                 *tripline.Event
		listingOrigin      string // "": the event's origin; "none": not held
		held               *tripline.Consent
		stored             bool
		code, contains     string
	}{
		{name: "request reaches the originator", self: "agency-a", originAgency: "agency-b", ev: ev(tripline.EventConsentRequested, "B", nil), stored: true},
		{name: "request passes a bystander", self: "agency-c", originAgency: "agency-b", ev: ev(tripline.EventConsentRequested, "B", nil)},
		{name: "request in another's name", self: "agency-a", originAgency: "agency-x", ev: ev(tripline.EventConsentRequested, "X", nil),
			code: tripline.EFORBIDDEN, contains: "requester"},
		{name: "request never over a decision", self: "agency-a", originAgency: "agency-b", ev: ev(tripline.EventConsentRequested, "B", nil), held: &held},
		{name: "decision reaches the requester", self: "agency-b", originAgency: "agency-a", ev: ev(tripline.EventConsent, "A", nil), stored: true},
		{name: "withdrawal reaches the requester", self: "agency-b", originAgency: "agency-a",
			ev: ev(tripline.EventConsent, "A", func(c *tripline.Consent) { c.Status = tripline.ConsentWithdrawn }), stored: true},
		{name: "decision by another than the originator", self: "agency-b", originAgency: "agency-x", ev: ev(tripline.EventConsent, "X", nil),
			code: tripline.EFORBIDDEN, contains: "only the originator"},
		{name: "decision passes a bystander", self: "agency-c", originAgency: "agency-a", ev: ev(tripline.EventConsent, "A", nil)},
		{name: "decision that is no decision", self: "agency-b", originAgency: "agency-a",
			ev: ev(tripline.EventConsent, "A", func(c *tripline.Consent) { c.Status = tripline.ConsentPending }), code: tripline.EINVALID, contains: "status"},
		{name: "held for another listing", self: "agency-b", originAgency: "agency-a",
			ev: ev(tripline.EventConsent, "A", func(c *tripline.Consent) { c.Listing = "agency-a:2" }), held: &held, code: tripline.EFORBIDDEN, contains: "another listing"},
		{name: "decision on a listing held from another origin", self: "agency-b", originAgency: "agency-x", listingOrigin: "A",
			ev: ev(tripline.EventConsent, "X", func(c *tripline.Consent) { c.Originator = "agency-x" }), code: tripline.EFORBIDDEN, contains: "only its originator"},
		{name: "decision on a listing not held", self: "agency-b", originAgency: "agency-x", listingOrigin: "none",
			ev: ev(tripline.EventConsent, "X", func(c *tripline.Consent) { c.Originator = "agency-x" }), code: tripline.EFORBIDDEN, contains: "only its originator"},
		{name: "subject mismatch", self: "agency-b", originAgency: "agency-a",
			ev: ev(tripline.EventConsent, "A", func(c *tripline.Consent) { c.ID = "consent-2" }), code: tripline.EINVALID, contains: "subject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.listingOrigin {
			case "":
				tc.listingOrigin = tc.ev.Origin
			case "none":
				tc.listingOrigin = ""
			}
			got, err := tripline.CheckForeignConsent(tc.self, tc.originAgency, tc.ev, tc.held, tc.listingOrigin)
			if tc.code != "" {
				if tripline.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.contains) {
					t.Fatalf("err = %v, want %s with %q", err, tc.code, tc.contains)
				}
				return
			}
			if err != nil || (got != nil) != tc.stored {
				t.Fatalf("= %+v, %v; want stored %v", got, err, tc.stored)
			}
		})
	}
}

// A consent request was stored as sent: a reason of megabytes or with a
// newline and a bidi override, a recipient of any text, shown to another
// agency and sent in an event. Validate bounds them, for requests made
// here and received from partners alike.
func TestConsentValidate(t *testing.T) {
	ok := tripline.Consent{Listing: "a:1", Originator: "agency-a", Requester: "agency-b", Recipient: "agency-c", Reason: "joint operation, case 42"}
	for _, tc := range []struct {
		name string
		edit func(*tripline.Consent)
		want string
	}{
		{"fine", func(*tripline.Consent) {}, ""},
		{"no recipient", func(c *tripline.Consent) { c.Recipient = "" }, "required"},
		{"recipient with a bidi override", func(c *tripline.Consent) { c.Recipient = "agency-\u202ec" }, "recipient"},
		{"recipient of megabytes", func(c *tripline.Consent) { c.Recipient = strings.Repeat("x", 1<<20) }, "recipient"},
		{"listing with a slash", func(c *tripline.Consent) { c.Listing = "a/../b" }, "listing"},
		{"reason with a newline", func(c *tripline.Consent) { c.Reason = "ok\nGRANTED by agency-a" }, "reason"},
		{"reason of megabytes", func(c *tripline.Consent) { c.Reason = strings.Repeat("x", tripline.MaxConsentReason+1) }, "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), tc.want) || len(tripline.ErrorMessage(err)) > 400 {
				t.Fatalf("%v, want invalid naming %s, briefly", err, tc.want)
			}
		})
	}
}

// TestConsentStatusValid: the four statuses and nothing else, so that a
// filter naming another is refused, not read as "none match".
func TestConsentStatusValid(t *testing.T) {
	for _, c := range []struct {
		s    tripline.ConsentStatus
		want bool
	}{
		{tripline.ConsentPending, true},
		{tripline.ConsentGranted, true},
		{tripline.ConsentRefused, true},
		{tripline.ConsentWithdrawn, true},
		{"", false},
		{"Granted", false},
		{"approved", false},
	} {
		if got := c.s.Valid(); got != c.want {
			t.Errorf("ConsentStatus(%q).Valid() = %v, want %v", c.s, got, c.want)
		}
	}
}
