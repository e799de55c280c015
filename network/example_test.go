package network_test

import (
	"context"
	"fmt"

	"tripline"
	"tripline/network"
)

// A listing's phone turns up on a PNR: the traveller who gave it is
// flagged for review, with the path as the explanation.
func ExampleMemStore_Flag() {
	ctx := context.Background()
	listing := &tripline.Listing{ID: "un-sc:QDi.1", Phones: []string{"+44 20 7946 0958"}}
	trips := []network.Trip{{
		Person:   network.Entity{Kind: network.KindTraveller, Key: "T-17"},
		Booking:  "ABC123",
		Flight:   "TK1980",
		Date:     "2026-11-25",
		Contacts: []network.Entity{network.Phone("0044 20 7946 0958")},
	}}
	s := network.NewMemStore()
	s.AddLinks(ctx, network.LinksFromListing(listing))
	s.AddLinks(ctx, network.CoTravelLinks(trips, 2))

	isListed := func(e network.Entity) (string, bool) { return e.Key, e.Kind == network.KindListing }
	f, ok, _ := s.Flag(ctx, []network.Entity{trips[0].Person}, network.DefaultFlagHops, isListed, nil)
	fmt.Println(ok, f.Listing)
	fmt.Println(f.Match().Explain[0].Detail)
	// Output:
	// true un-sc:QDi.1
	// linked within 2 hops: traveller:T-17 -has_phone- phone:+442079460958 -has_phone- listing:un-sc:QDi.1
}
