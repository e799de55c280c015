package storetest

import (
	"encoding/json"
	"testing"

	"tripline"
	"tripline/sqlstore"
)

// Salted events are stored with what each copy needs: the origin keeps
// its event's salt key (read back, its digest recomputes, through a bulk
// import as through a single write, and it trims later to a copy with the
// salts of what it shows); a partner keeps the salts its copy came with,
// none of a field left out, and trims it again as a relay; the version a
// newer one replaces is erased with its salts.
func testEventSalts(t *testing.T, e Engine) {
	ctx := t.Context()
	a, b := e.Open(t), e.Open(t)
	a.Origin, b.Origin = "node-a", "node-b"
	bs := sqlstore.NewListingService(b)
	if _, err := bs.PutListing(ctx, Listing("agency-b", "1", "Omar Khan")); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.ImportListings(ctx, "agency-b", tripline.Records([]*tripline.Listing{Listing("agency-b", "1", "Omar Khan"), Listing("agency-b", "2", "Ali Hassan")})); err != nil {
		t.Fatal(err)
	}
	evs, err := sqlstore.NewEventService(Reopen(t, b)).Events(ctx, "node-b", 0, 0)
	if err != nil || len(evs) != 2 {
		t.Fatalf("the origin's events: %d, %v", len(evs), err)
	}
	prev := ""
	for _, ev := range evs {
		if len(ev.SaltKey) != 32 || ev.Salts != nil {
			t.Fatalf("event %d: salt key %x, salts %v; want the origin's key only", ev.Seq, ev.SaltKey, ev.Salts)
		}
		if chain, err := ev.ChainNext(prev); err != nil || chain != ev.Chain {
			t.Fatalf("event %d read back does not recompute its chain: %v", ev.Seq, err)
		}
		prev = ev.Chain
	}
	if string(evs[0].SaltKey) == string(evs[1].SaltKey) {
		t.Fatal("two events share a salt key")
	}
	// The origin's feed trims for a partner that may only screen; the
	// partner reads it as JSON.
	var sent []*tripline.Event
	for _, ev := range evs {
		trimmed, err := ev.Trim(tripline.PartnerTrim(tripline.LevelScreen))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(trimmed)
		var got tripline.Event
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, &got)
	}
	fed := sqlstore.NewFederationStore(a)
	if err := fed.PutPartner(ctx, &tripline.Partner{ID: "node-b", Agency: "agency-b", PublicKey: "k"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fed.ApplyForeign(ctx, "node-b", sent); err != nil {
		t.Fatal(err)
	}
	held, err := sqlstore.NewEventService(a).Events(ctx, "node-b", 0, 0)
	if err != nil || len(held) != 2 {
		t.Fatalf("the partner's events held: %d, %v", len(held), err)
	}
	prev = ""
	for i, ev := range held {
		if ev.SaltKey != nil || len(ev.Salts) == 0 || len(ev.Salts) != len(sent[i].Salts) {
			t.Fatalf("event %d held with key %x, salts %v; want the %d salts sent", ev.Seq, ev.SaltKey, ev.Salts, len(sent[i].Salts))
		}
		if _, ok := ev.Salts["action"]; ok {
			t.Fatalf("event %d holds the salt of the action it leaves out", ev.Seq)
		}
		relayed, err := ev.Trim([]string{"nationalities"})
		if err != nil {
			t.Fatal(err)
		}
		if chain, err := relayed.ChainNext(prev); err != nil || chain != ev.Chain {
			t.Fatalf("event %d held, trimmed again, does not recompute its chain: %v", ev.Seq, err)
		}
		prev = ev.Chain
	}
	// A newer version of listing 1 erases the one it replaces, salts and all.
	l := Listing("agency-b", "1", "Omar Khan")
	l.Nationalities = []string{"SYR"}
	if _, err := bs.PutListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	next, err := sqlstore.NewEventService(b).Events(ctx, "node-b", 2, 0)
	if err != nil || len(next) != 1 {
		t.Fatalf("the new version's event: %d, %v", len(next), err)
	}
	trimmed, err := next[0].Trim(nil)
	if err != nil {
		t.Fatal(err)
	}
	trimmed.SaltKey = nil // as the partner reads it
	if _, err := fed.ApplyForeign(ctx, "node-b", []*tripline.Event{trimmed}); err != nil {
		t.Fatal(err)
	}
	if held, err = sqlstore.NewEventService(a).Events(ctx, "node-b", 0, 1); err != nil || !held[0].Redacted || held[0].Salts != nil {
		t.Fatalf("the replaced version: %+v, %v; want a placeholder without salts", held[0], err)
	}
}
