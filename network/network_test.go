package network_test

import (
	"testing"
	"time"

	"tripline"
	"tripline/network"
)

func TestNewEntityCanonical(t *testing.T) {
	for _, tc := range []struct {
		kind    network.EntityKind
		in, out string
	}{
		{network.KindPhone, "+44 (20) 7946-0958", "+442079460958"},
		{network.KindPhone, "0044 20 7946 0958", "+442079460958"},
		{network.KindPhone, "020 7946 0958", "+02079460958"},
		{network.KindPhone, "n/a", ""},
		{network.KindEmail, "  Ali.Hassan@Example.COM ", "ali.hassan@example.com"},
		{network.KindAddress, "12  Rue de la Paix,\tPARIS ", "12 rue de la paix paris"},
		{network.KindDocument, "gbr:123 456-78", "GBR:12345678"},
		{network.KindDocument, "X1234567", ":X1234567"},
		{network.KindBooking, " abc12 3", "ABC123"},
		{network.KindFlight, "tk 1980", "TK1980"},
		{network.KindListing, " un-sc:QDi.123 ", "un-sc:QDi.123"},
	} {
		if got := network.NewEntity(tc.kind, tc.in).Key; got != tc.out {
			t.Errorf("NewEntity(%s, %q).Key = %q, want %q", tc.kind, tc.in, got, tc.out)
		}
	}
	if got, want := network.DocumentEntity("irq", "a 1234567"), (network.Entity{Kind: network.KindDocument, Key: "IRQ:A1234567"}); got != want {
		t.Errorf("DocumentEntity = %v, want %v", got, want)
	}
	e, err := network.ParseEntity("phone:0044 1")
	if err != nil || e != network.Phone("+441") {
		t.Errorf("ParseEntity = %v, %v", e, err)
	}
	if _, err := network.ParseEntity("fone:1"); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("ParseEntity(unknown kind) err = %v, want invalid", err)
	}
}

func TestLinkValidate(t *testing.T) {
	ok := network.Link{From: network.ListingEntity("x:1"), To: network.Phone("+1 555"), Type: "has_phone", Source: "listing"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for name, mut := range map[string]func(l *network.Link){
		"kind":   func(l *network.Link) { l.From.Kind = "fone" },
		"key":    func(l *network.Link) { l.To.Key = "" },
		"self":   func(l *network.Link) { l.To = l.From },
		"type":   func(l *network.Link) { l.Type = "Has Phone" },
		"source": func(l *network.Link) { l.Source = " " },
		"weight": func(l *network.Link) { l.Weight = -1 },
	} {
		l := ok
		mut(&l)
		if err := l.Validate(); tripline.ErrorCode(err) != tripline.EINVALID {
			t.Errorf("%s: Validate = %v, want invalid", name, err)
		}
	}
}

func TestLinksFromListing(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	l := &tripline.Listing{ID: "un-sc:QDi.1", Source: "un-sc", UpdatedAt: at,
		Phones:    []string{"+44 20 7946 0958", "0044 20 7946 0958", ""},
		Emails:    []string{"A@B.ORG"},
		Addresses: []string{"1 Main St,  London"},
		Documents: []tripline.Document{{Number: "A123", Country: "irq"}},
	}
	got := network.LinksFromListing(l)
	want := []network.Link{
		{network.ListingEntity("un-sc:QDi.1"), network.Phone("+442079460958"), network.LinkHasPhone, network.SourceListing, "un-sc:QDi.1", at, 0},
		{network.ListingEntity("un-sc:QDi.1"), network.Email("a@b.org"), network.LinkHasEmail, network.SourceListing, "un-sc:QDi.1", at, 0},
		{network.ListingEntity("un-sc:QDi.1"), network.Address("1 main st london"), network.LinkHasAddress, network.SourceListing, "un-sc:QDi.1", at, 0},
		{network.ListingEntity("un-sc:QDi.1"), network.DocumentEntity("IRQ", "A123"), network.LinkHasDocument, network.SourceListing, "un-sc:QDi.1", at, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d links %v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d = %+v, want %+v", i, got[i], want[i])
		}
		if err := got[i].Validate(); err != nil {
			t.Errorf("link %d: %v", i, err)
		}
	}
	if network.LinksFromListing(nil) != nil {
		t.Error("nil listing gave links")
	}
}
