package federation

import (
	"testing"

	"tripline"
)

// TestAnnouncedHopsBounded: a partner announcing a relayed origin nearer
// than it can be (0 hops is an origin's own log; -5 is none) no longer
// takes the route from the honest relay, and this node, announcing the
// origin onwards, does not pass the lie on to its own partners.
func TestAnnouncedHopsBounded(t *testing.T) {
	p := &Peer{partners: map[string]*tripline.Partner{
		"X":  {ID: "X", Agency: "agency-x"},
		"R1": {ID: "R1", Agency: "agency-r1", URL: "https://r1.example"},
		"R2": {ID: "R2", Agency: "agency-r2", URL: "https://r2.example"},
	}}
	for _, lie := range []int{0, -5} {
		p.health("R1").announce("R1", []OriginHead{{Origin: "R1", Head: 9, Hops: 0}, {Origin: "X", Head: 5, Hops: 1}})
		p.health("R2").announce("R2", []OriginHead{{Origin: "X", Head: 5, Hops: lie}})
		if via := p.relayOf("X"); via != "R1" {
			t.Errorf("R2 announcing X at %d hops: X followed via %s, want R1", lie, via)
		}
		if hops := p.hopsVia("R2", "X"); hops < 2 {
			t.Errorf("R2 announcing X at %d hops: this node would announce X at %d hops", lie, hops)
		}
		if hops, _ := p.health("R1").hopsOf("R1"); hops != 0 {
			t.Errorf("R1's own log at %d hops, want 0", hops)
		}
	}
}
