package tripline_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"tripline"
)

// TestChainer: gap-free numbers from the head, each chain value follows
// the one before, every SignEvery-th event and the last are signed.
func TestChainer(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	c := &tripline.Chainer{Origin: "A", Seq: 250, Chain: "head", Sign: func(m []byte) []byte { return ed25519.Sign(priv, m) }}
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	prev := "head"
	var evs []*tripline.Event
	for i := 0; i < 10; i++ {
		ev, err := c.Next(tripline.EventListingUpserted, "x:1", []byte(`{"id":"x:1"}`), nil, "", at)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := ev.ChainNext(prev); ev.Seq != int64(251+i) || ev.Chain != want {
			t.Fatalf("event %d: seq %d chain %s", i, ev.Seq, ev.Chain)
		}
		if signed := ev.Sig != nil; signed != (ev.Seq == 256) {
			t.Fatalf("event %d signed = %v", ev.Seq, signed)
		}
		prev = ev.Chain
		evs = append(evs, ev)
	}
	if last := c.SignLast(); last != evs[9] || last.Sig == nil || c.Count != 10 {
		t.Fatalf("SignLast = %v, count %d", last, c.Count)
	}
	if c.SignLast() != nil {
		t.Fatal("the last event signed twice")
	}
}
