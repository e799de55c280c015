package federation_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"tripline"
	"tripline/federation"
	"tripline/httpapi"
	"tripline/sqlite"
	"tripline/sqlstore"
)

// saltNode is an in-process node serving its feed over HTTP on loopback.
type saltNode struct {
	id, agency string
	db         *sqlite.DB
	priv       ed25519.PrivateKey
	peer       *federation.Peer
	srv        *httptest.Server
}

func newSaltNode(t *testing.T, id, agency string) *saltNode {
	n := &saltNode{id: id, agency: agency}
	n.db, n.priv = signingDB(t, id)
	store := sqlstore.NewFederationStore(n.db)
	store.Agency = agency
	n.peer = federation.NewPeer(id, n.priv, store, quiet())
	api := httpapi.NewServer()
	api.Federation, api.Logger = &federation.Service{Peer: n.peer, Notifier: federation.NewNotifier(), Agency: agency, PartnerStore: store,
		Feed: &federation.Feed{Events: sqlstore.NewEventService(n.db), Self: id, Sign: n.db.Sign, Groups: tripline.GroupMap{}}}, quiet()
	n.srv = httptest.NewServer(api)
	t.Cleanup(n.srv.Close)
	return n
}

// knows registers m as a partner of n, reached at its address when linked.
func (n *saltNode) knows(t *testing.T, m *saltNode, linked bool) {
	p := &tripline.Partner{ID: m.id, Agency: m.agency, PublicKey: federation.PublicKeyString(m.priv.Public().(ed25519.PublicKey))}
	if linked {
		p.URL = m.srv.URL
	}
	if err := sqlstore.NewFederationStore(n.db).PutPartner(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := n.peer.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// pull makes n pull origin's events from partner once, and returns the
// events of origin n then holds.
func (n *saltNode) pull(t *testing.T, partner *saltNode, origin string) []*tripline.Event {
	ctx := context.Background()
	p, ok := n.peer.Partner(partner.id)
	if !ok {
		t.Fatalf("%s does not know %s", n.id, partner.id)
	}
	if got, err := n.peer.Pull(ctx, p, origin, 0); err != nil || got != 1 {
		t.Fatalf("%s pulled %d events of %s from %s: %v", n.id, got, origin, partner.id, err)
	}
	evs, err := sqlstore.NewEventService(n.db).Events(ctx, origin, 0, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%s holds %d events of %s: %v", n.id, len(evs), origin, err)
	}
	return evs
}

// TestPartnerCopyCarriesNoSaltOfWithheldFields: end to end through the
// feed, A's listing reaches B (granted the action, not the details) and,
// relayed by B, C (granted screening only). Each verifies it with A's key
// and holds it; each copy carries the salts of what it shows and none of
// a field withheld from it, so the digests it holds of those cannot be
// matched by trying values.
func TestPartnerCopyCarriesNoSaltOfWithheldFields(t *testing.T) {
	ctx := context.Background()
	a, b, c := newSaltNode(t, "A", "agency-a"), newSaltNode(t, "B", "agency-b"), newSaltNode(t, "C", "agency-c")
	a.knows(t, b, false)
	b.knows(t, a, true)
	b.knows(t, c, false)
	c.knows(t, a, false)
	c.knows(t, b, true)
	l := &tripline.Listing{ID: "agency-a:1", Source: "agency-a", Action: tripline.ActionDetain, Instruction: "Hold for the duty officer.",
		Names:         []tripline.Name{{Full: "Salted Person", Kind: tripline.NamePrimary}},
		BirthDates:    []tripline.PartialDate{{Year: 1975, Month: 3}},
		Nationalities: []string{"IRQ"}, Reason: "terrorism", Narrative: "SECRET narrative",
		Handling:   tripline.Handling{Screen: []string{"agency-b", "agency-c"}, Action: []string{"agency-b"}, Reshare: tripline.ReshareAllowed},
		Provenance: tripline.Provenance{Originator: "agency-a", SourceRef: "SRC-1"}}
	if _, err := sqlstore.NewListingService(a.db).PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	plain := func(v any) string {
		raw, _ := json.Marshal(v)
		d := sha256.Sum256(raw)
		return hex.EncodeToString(d[:])
	}
	values := map[string]any{"reason": l.Reason, "narrative": l.Narrative, "provenance.source_ref": l.Provenance.SourceRef,
		"action": l.Action, "instruction": l.Instruction}
	for _, hop := range []struct {
		node, from *saltNode
		withheld   []string
	}{
		{b, a, []string{"reason", "narrative", "provenance.source_ref"}},
		{c, b, []string{"reason", "narrative", "provenance.source_ref", "action", "instruction"}},
	} {
		held := hop.node.pull(t, hop.from, "A")[0]
		if held.Redacted || len(held.Salts) == 0 {
			t.Fatalf("%s: the listing arrived as %+v, want it with the salts of what it shows", hop.node.id, held)
		}
		for _, f := range hop.withheld {
			if _, ok := held.Omitted[f]; !ok {
				t.Errorf("%s: %s was not withheld: %s", hop.node.id, f, held.Payload)
			}
			if _, ok := held.Salts[f]; ok {
				t.Errorf("%s: holds the salt of %s, withheld from it", hop.node.id, f)
			}
			if held.Omitted[f] == plain(values[f]) {
				t.Errorf("%s: the digest of %s is found by trying its value", hop.node.id, f)
			}
		}
		for f := range held.Salts {
			if !strings.Contains(string(held.Payload), `"`+f[strings.LastIndex(f, ".")+1:]+`"`) {
				t.Errorf("%s: a salt of %s, which its copy does not show", hop.node.id, f)
			}
		}
		got, err := sqlstore.NewListingService(hop.node.db).Listing(ctx, l.ID)
		if err != nil || got.Reason != "" || got.Names[0].Full != "Salted Person" {
			t.Fatalf("%s holds %+v, %v", hop.node.id, got, err)
		}
	}
}
