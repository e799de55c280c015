// Package network is Tripline's link analysis: who connects to whom, who
// the facilitators are, and whether an unlisted traveller is tied to a
// listed network (design.md §2.5, issue 8).
//
// It has three layers:
//
//   - The link model: an Entity is a typed, canonical key (a phone, a
//     booking locator, a listing…) and a Link is a typed, sourced,
//     time-stamped relation between two entities. LinksFromListing,
//     CoTravelLinks and ReadLinksCSV derive links from listings,
//     manifests/PNRs and analysts' CSV files.
//   - A Store (MemStore in memory) holds links with their provenance and
//     answers the per-case queries — k-hop neighbourhood, shortest path and
//     the screening Flag — honouring a caller-supplied allow filter so that
//     the policy layer can hide links the caller may not see.
//   - A compact CSR Graph of int32 ids runs the whole-graph analytics
//     (components, k-core, PageRank, Louvain, sampled betweenness). It
//     exists because gonum's general graph types, fine for case-sized
//     subgraphs, are too slow and too large for a million-entity graph;
//     the tests check its answers against gonum's on small graphs.
//
// Subgraphs export as JSON and GraphML (export.go).
package network

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"tripline"
)

// EntityKind is the type of a node in the link graph.
type EntityKind string

// Entity kinds. A listing is a listed person as the watchlist knows them
// (keyed by listing id); a person is anyone else known by an identifier of
// ours (a PNR passenger, an analyst's subject); a traveller is one screened
// traveller record.
const (
	KindPerson    EntityKind = "person"
	KindListing   EntityKind = "listing"
	KindTraveller EntityKind = "traveller"
	KindPhone     EntityKind = "phone"
	KindEmail     EntityKind = "email"
	KindAddress   EntityKind = "address"
	KindDocument  EntityKind = "document"
	KindBooking   EntityKind = "booking"
	KindFlight    EntityKind = "flight"
)

// Kinds lists every entity kind, in a fixed order.
var Kinds = []EntityKind{KindPerson, KindListing, KindTraveller, KindPhone, KindEmail,
	KindAddress, KindDocument, KindBooking, KindFlight}

// Valid reports whether k is a known kind.
func (k EntityKind) Valid() bool {
	switch k {
	case KindPerson, KindListing, KindTraveller, KindPhone, KindEmail,
		KindAddress, KindDocument, KindBooking, KindFlight:
		return true
	}
	return false
}

// Entity is a node of the link graph. Two entities are the same node when
// kind and canonical key are equal, so keys must be built with NewEntity
// (or the typed helpers): "+44 20 7946 0958" and "0044-20-7946-0958" then
// meet at one phone node.
type Entity struct {
	Kind EntityKind `json:"kind"`
	Key  string     `json:"key"`
}

// String returns "kind:key", the id used in exports.
func (e Entity) String() string { return string(e.Kind) + ":" + e.Key }

// IsZero reports whether e is the zero Entity.
func (e Entity) IsZero() bool { return e.Kind == "" && e.Key == "" }

// NewEntity returns the entity of the given kind with key in canonical form:
//
//	phone     digits only with a leading "+"; a leading "00" becomes "+"
//	email     trimmed, lower-case
//	address   lower-case, commas/semicolons as spaces, whitespace folded
//	document  "CTRY:NUMBER", both upper-case, spaces and hyphens dropped
//	booking   upper-case, spaces dropped (PNR record locators)
//	flight    upper-case, spaces dropped ("TK1980" or "TK1980/2026-11-25")
//	others    trimmed
//
// The key is not validated here; an empty canonical key is caught by
// Link.Validate.
func NewEntity(kind EntityKind, key string) Entity {
	return Entity{Kind: kind, Key: canonicalKey(kind, key)}
}

// Canonical returns e with its key in canonical form (see NewEntity).
func (e Entity) Canonical() Entity { return NewEntity(e.Kind, e.Key) }

// Phone returns the phone entity for a number as written.
func Phone(number string) Entity { return NewEntity(KindPhone, number) }

// Email returns the email entity for an address as written.
func Email(addr string) Entity { return NewEntity(KindEmail, addr) }

// Address returns the address entity for a postal address as written.
func Address(addr string) Entity { return NewEntity(KindAddress, addr) }

// DocumentEntity returns the document entity for an issuing country and a
// number; an unknown country leaves the part before the colon empty.
func DocumentEntity(country, number string) Entity {
	return NewEntity(KindDocument, country+":"+number)
}

// ListingEntity returns the entity of a listing id ("un-sc:QDi.123").
func ListingEntity(id string) Entity { return NewEntity(KindListing, id) }

func canonicalKey(kind EntityKind, key string) string {
	key = strings.TrimSpace(key)
	switch kind {
	case KindPhone:
		var b strings.Builder
		b.Grow(len(key) + 1)
		b.WriteByte('+')
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, key)
		if !strings.HasPrefix(key, "+") {
			// International call prefix 00 is the same as "+".
			digits = strings.TrimPrefix(digits, "00")
		}
		if digits == "" {
			return ""
		}
		b.WriteString(digits)
		return b.String()
	case KindEmail:
		return strings.ToLower(key)
	case KindAddress:
		key = strings.Map(func(r rune) rune {
			if r == ',' || r == ';' {
				return ' '
			}
			return unicode.ToLower(r)
		}, key)
		return strings.Join(strings.Fields(key), " ")
	case KindDocument:
		ctry, num, ok := strings.Cut(key, ":")
		if !ok {
			ctry, num = "", key
		}
		num = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == '-' {
				return -1
			}
			return unicode.ToUpper(r)
		}, num)
		if num == "" {
			return ""
		}
		return strings.ToUpper(strings.TrimSpace(ctry)) + ":" + num
	case KindBooking, KindFlight:
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return unicode.ToUpper(r)
		}, key)
	}
	return key
}

// Link types. Types are free-form lower_snake identifiers so that analysts
// can add their own; these are the ones Tripline itself derives.
const (
	LinkHasPhone      = "has_phone"
	LinkHasEmail      = "has_email"
	LinkHasAddress    = "has_address"
	LinkHasDocument   = "has_document"
	LinkHasBooking    = "has_booking"    // person → booking locator
	LinkOnFlight      = "on_flight"      // person → flight/date
	LinkSameBooking   = "same_booking"   // person ↔ person on one PNR
	LinkCoTravel      = "co_travel"      // person ↔ person, repeatedly on the same flights
	LinkAdjacentSeat  = "adjacent_seat"  // person ↔ person, neighbouring seats
	LinkSharedContact = "shared_contact" // person → contact held by another person too
	LinkAssociate     = "associate"      // listing ↔ listing, from the lists
	LinkAnalyst       = "analyst"        // asserted by an analyst
)

// Link sources Tripline itself uses; analysts' CSV imports name their own.
const (
	SourceListing = "listing"
	SourcePAXLST  = "paxlst"
	SourcePNRGOV  = "pnrgov"
	SourceAnalyst = "analyst"
	// SourceCoTravel is the feed of co_travel links derived across
	// imports (FeedSource).
	SourceCoTravel = "cotravel"
)

// FeedSource returns the source of links an agency imported from a feed
// (SourcePNRGOV, SourcePAXLST, SourceCoTravel): "feed@agency:key", or
// "feed@agency" without a key; without an agency (the node's own, as
// before agencies were recorded) "feed:key" or "feed". The agency in the source keeps one
// agency's imports from replacing another's, and tells the policy layer
// whose they are (FeedAgency); it is escaped so that a colon in an agency
// id cannot shift the key.
func FeedSource(feed, agency, key string) string {
	s := feed
	if agency != "" {
		s += "@" + url.QueryEscape(agency)
	}
	if key != "" {
		s += ":" + key
	}
	return s
}

// FeedAgency returns the agency that imported the links of source, with
// feed true, when source is a feed's (FeedSource): manifests, PNRs and
// the co-travel derived from them. The sources of links imported before
// agencies were recorded ("pnrgov:…", "paxlst:…", "cotravel") give feed
// true and agency "": the node's own agency imported them. Any other
// source (listings, analysts) gives feed false.
func FeedAgency(source string) (agency string, feed bool) {
	for _, f := range []string{SourcePNRGOV, SourcePAXLST, SourceCoTravel} {
		rest, ok := strings.CutPrefix(source, f)
		if !ok {
			continue
		}
		switch {
		case rest == "" || rest[0] == ':':
			return "", true
		case rest[0] == '@':
			esc, _, _ := strings.Cut(rest[1:], ":")
			a, err := url.QueryUnescape(esc)
			if err != nil {
				a = esc // not FeedSource's; still nobody else's
			}
			return a, true
		}
	}
	return "", false
}

// Link is a typed, sourced, time-stamped relation between two entities.
// Links are undirected for traversal; From and To keep the direction in
// which the source stated them (a person has a phone).
type Link struct {
	From Entity `json:"from"`
	To   Entity `json:"to"`
	Type string `json:"type"`
	// Source is where the link came from (SourceListing, SourcePNRGOV, an
	// analyst's import name…); RemoveSource drops links by it.
	Source string `json:"source"`
	// Listing is the listing id whose handling rules govern this link, if
	// any: the policy layer uses it to decide who may see it.
	Listing string    `json:"listing,omitempty"`
	At      time.Time `json:"at,omitzero"`
	// Weight is the link's strength for analytics; 0 means 1.
	Weight float64 `json:"weight,omitempty"`
}

// W returns the link's weight, 1 when unset.
func (l Link) W() float64 {
	if l.Weight == 0 {
		return 1
	}
	return l.Weight
}

// Other returns the end of l that is not e (From when e is neither).
func (l Link) Other(e Entity) Entity {
	if l.From == e {
		return l.To
	}
	return l.From
}

// String describes l for explanations: "phone:+44… -has_phone- listing:x".
func (l Link) String() string {
	return fmt.Sprintf("%s -%s- %s", l.From, l.Type, l.To)
}

// Validate reports the first problem with l, naming the field; the error
// is a tripline.EINVALID Error.
func (l Link) Validate() error {
	for _, end := range []struct {
		name string
		e    Entity
	}{{"from", l.From}, {"to", l.To}} {
		if !end.e.Kind.Valid() {
			return tripline.Errorf(tripline.EINVALID, "%s.kind: unknown entity kind %q", end.name, end.e.Kind)
		}
		if end.e.Key == "" {
			return tripline.Errorf(tripline.EINVALID, "%s.key: empty", end.name)
		}
	}
	if l.From == l.To {
		return tripline.Errorf(tripline.EINVALID, "to: link from %s to itself", l.From)
	}
	if !validType(l.Type) {
		return tripline.Errorf(tripline.EINVALID, "type: %q is not a lower_snake identifier", l.Type)
	}
	if strings.TrimSpace(l.Source) == "" {
		return tripline.Errorf(tripline.EINVALID, "source: required")
	}
	if l.Weight < 0 {
		return tripline.Errorf(tripline.EINVALID, "weight: %v is negative", l.Weight)
	}
	return nil
}

func validType(t string) bool {
	if t == "" || t[0] < 'a' || t[0] > 'z' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// LinksFromListing returns the links a listing states: listing → each of
// its phones, emails, addresses and documents. Each link names the listing
// so that its handling rules govern who sees it, and is stamped with the
// listing's update time. Empty values are skipped.
func LinksFromListing(l *tripline.Listing) []Link {
	if l == nil || l.ID == "" {
		return nil
	}
	from := ListingEntity(l.ID)
	var out []Link
	add := func(typ string, to Entity) {
		if to.Key == "" {
			return
		}
		for _, x := range out {
			if x.To == to && x.Type == typ {
				return // the same number written twice is one link
			}
		}
		out = append(out, Link{From: from, To: to, Type: typ, Source: SourceListing,
			Listing: l.ID, At: l.UpdatedAt.UTC()})
	}
	for _, p := range l.Phones {
		add(LinkHasPhone, Phone(p))
	}
	for _, e := range l.Emails {
		add(LinkHasEmail, Email(e))
	}
	for _, a := range l.Addresses {
		add(LinkHasAddress, Address(a))
	}
	for _, d := range l.Documents {
		add(LinkHasDocument, DocumentEntity(d.Country, d.Number))
	}
	return out
}
