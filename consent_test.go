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
