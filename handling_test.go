package tripline_test

import (
	"testing"

	"tripline"
)

// TestHandlingCodes is issue 15 item 5: each handling code has a rule the
// code enforces, for every agency but the originator, whatever the grant
// lists say: H0 (and none) as granted; H1 never the details (no judicial
// use without the originator); H2 relayed only with the originator's
// consent; H3 screening only, never relayed.
func TestHandlingCodes(t *testing.T) {
	all := []string{"*"}
	for _, tc := range []struct {
		use                  string
		level                tripline.Level
		reshare              tripline.Reshare
		relayed, consentedTo bool
	}{
		{"", tripline.LevelDetails, tripline.ReshareAllowed, true, true},
		{"H0", tripline.LevelDetails, tripline.ReshareAllowed, true, true},
		{"H1", tripline.LevelAction, tripline.ReshareAllowed, true, true},
		{"H2", tripline.LevelDetails, tripline.ReshareWithConsent, false, true},
		{"H3", tripline.LevelScreen, tripline.ReshareNever, false, false},
	} {
		t.Run("use "+tc.use, func(t *testing.T) {
			l := &tripline.Listing{Handling: tripline.Handling{Screen: all, Action: all, Details: all, Use: tc.use, Reshare: tripline.ReshareAllowed},
				Provenance: tripline.Provenance{Originator: "agency-a"}}
			if got := l.LevelFor("agency-b", nil); got != tc.level {
				t.Errorf("partner's level = %s, want %s", got, tc.level)
			}
			if got := l.LevelFor("agency-a", nil); got != tripline.LevelDetails {
				t.Errorf("originator's level = %s, want details", got)
			}
			if got := l.Handling.EffectiveReshare(); got != tc.reshare {
				t.Errorf("effective re-share = %s, want %s", got, tc.reshare)
			}
			if got := l.MayReshare("agency-c", nil); got != tc.relayed {
				t.Errorf("relayed without consent = %v, want %v", got, tc.relayed)
			}
			if got := l.MayReshare("agency-c", []string{"agency-c"}); got != tc.consentedTo {
				t.Errorf("relayed with consent = %v, want %v", got, tc.consentedTo)
			}
			a := &tripline.DocumentAlert{Handling: l.Handling, Provenance: l.Provenance}
			if got := a.LevelFor("agency-b", nil); got != tc.level {
				t.Errorf("alert: partner's level = %s, want %s", got, tc.level)
			}
		})
	}
}
