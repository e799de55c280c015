package tripline_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tripline"
)

func signedEvent(t *testing.T, priv ed25519.PrivateKey) *tripline.Event {
	t.Helper()
	l := validListing()
	l.Reason, l.Narrative = "terrorism", "secret narrative"
	l.Provenance.SourceRef, l.Provenance.LegalBasis = "SRC-1", "Art. 24"
	body, _ := json.Marshal(l)
	ev := &tripline.Event{Origin: "node-a", Seq: 7, Type: tripline.EventListingUpserted, Subject: l.ID, Payload: body,
		At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	chain, err := ev.ChainNext("prev-chain")
	if err != nil {
		t.Fatal(err)
	}
	ev.Chain = chain
	ev.Sig = ed25519.Sign(priv, ev.SigningBytes())
	return ev
}

// verifies recomputes the event's chain value from its predecessor's and
// checks the origin's signature on it.
func verifies(pub ed25519.PublicKey, ev *tripline.Event) bool {
	chain, err := ev.ChainNext("prev-chain")
	return err == nil && chain == ev.Chain && ed25519.Verify(pub, ev.SigningBytes(), ev.Sig)
}

func TestTrimmedEventStillVerifies(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	ev := signedEvent(t, priv)
	if !verifies(pub, ev) {
		t.Fatal("untrimmed event does not verify")
	}
	for _, lvl := range []tripline.Level{tripline.LevelDetails, tripline.LevelAction, tripline.LevelScreen} {
		trimmed, err := ev.Trim(tripline.PartnerTrim(lvl))
		if err != nil {
			t.Fatal(err)
		}
		if !verifies(pub, trimmed) {
			t.Fatalf("level %s: trimmed event does not verify", lvl)
		}
		if lvl < tripline.LevelDetails && (bytes.Contains(trimmed.Payload, []byte("secret narrative")) || bytes.Contains(trimmed.Payload, []byte("SRC-1"))) {
			t.Fatalf("level %s: details left in %s", lvl, trimmed.Payload)
		}
		if lvl == tripline.LevelScreen && bytes.Contains(trimmed.Payload, []byte(`"action"`)) {
			t.Fatalf("screen level keeps the action: %s", trimmed.Payload)
		}
		// Trimming again (a relay passing on less) still verifies.
		again, err := trimmed.Trim(tripline.PartnerTrim(tripline.LevelScreen))
		if err != nil || !verifies(pub, again) {
			t.Fatalf("level %s: re-trimmed event does not verify: %v", lvl, err)
		}
	}
}

func TestTamperedEventFails(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	ev := signedEvent(t, priv)
	trimmed, _ := ev.Trim(tripline.PartnerTrim(tripline.LevelAction))
	for name, tamper := range map[string]func(e *tripline.Event){
		"payload": func(e *tripline.Event) {
			e.Payload = bytes.Replace(e.Payload, []byte("Ali Hassan"), []byte("Ali Hasan"), 1)
		},
		"action": func(e *tripline.Event) {
			e.Payload = bytes.Replace(e.Payload, []byte("refuse_entry"), []byte("info"), 1)
		},
		"seq":       func(e *tripline.Event) { e.Seq++ },
		"origin":    func(e *tripline.Event) { e.Origin = "node-b" },
		"subject":   func(e *tripline.Event) { e.Subject = "x:1" },
		"chain":     func(e *tripline.Event) { e.Chain = strings.Repeat("0", 64) },
		"omitted":   func(e *tripline.Event) { e.Omitted["reason"] = strings.Repeat("0", 64) },
		"dropped":   func(e *tripline.Event) { delete(e.Omitted, "reason") },
		"signature": func(e *tripline.Event) { e.Sig[0] ^= 1 },
	} {
		c := *trimmed
		c.Payload = append([]byte(nil), trimmed.Payload...)
		c.Sig = append([]byte(nil), trimmed.Sig...)
		c.Omitted = map[string]string{}
		for k, v := range trimmed.Omitted {
			c.Omitted[k] = v
		}
		tamper(&c)
		if verifies(pub, &c) {
			t.Errorf("%s tampered: still verifies", name)
		}
	}
	// A field both present and claimed omitted is refused outright, and so
	// is a payload with a field twice.
	c := *ev
	c.Omitted = map[string]string{"id": "x"}
	if _, err := c.ChainNext(""); err == nil {
		t.Fatal("present and omitted field accepted")
	}
	c = *ev
	c.Payload = []byte(`{"id":"a","id":"b"}`)
	if _, err := c.ChainNext(""); err == nil {
		t.Fatal("duplicate field accepted")
	}
	// A redacted placeholder continues the chain with the digest alone.
	d, _ := ev.PayloadDigest()
	ph := tripline.Event{Origin: ev.Origin, Seq: ev.Seq, Type: ev.Type, Subject: ev.Subject, At: ev.At, Redacted: true, Digest: d}
	if got, _ := ph.ChainNext("prev-chain"); got != ev.Chain {
		t.Fatal("a placeholder does not continue the chain")
	}
}

// EncodedDigests, the store's one pass over a body it has just encoded,
// gives PayloadDigest's digest and the record's content hash, which leaves
// out the fields the store maintains and nothing else.
func TestEncodedDigests(t *testing.T) {
	l := validListing()
	body, _ := json.Marshal(l)
	for _, p := range []json.RawMessage{body, []byte(`{"a":1,"b":{"c":[1,2]}}`), []byte(`"x"`), []byte(`{}`)} {
		want, err := tripline.PayloadDigest(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := tripline.EncodedDigests(p); err != nil || got != want {
			t.Fatalf("EncodedDigests(%s) = %s, %v; want %s", p, got, err, want)
		}
	}
	_, content, _ := tripline.EncodedDigests(body)
	if content != l.ContentHash() || len(content) != 32 {
		t.Fatalf("content %s, ContentHash %s", content, l.ContentHash())
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		change  func(l *tripline.Listing)
		changed bool
	}{
		{"store fields", func(l *tripline.Listing) {
			l.Status, l.Version, l.UpdatedAt, l.Provenance.Received = tripline.StatusWithdrawn, 9, now, &now
		}, false},
		{"a name", func(l *tripline.Listing) { l.Names[0].Full += "x" }, true},
		{"the last confirmation", func(l *tripline.Listing) { l.Provenance.LastConfirmed = &now }, true},
		{"the review date", func(l *tripline.Listing) { l.ReviewBy = &now }, true},
	} {
		c := validListing()
		tc.change(c)
		if got := c.ContentHash() != content; got != tc.changed {
			t.Errorf("%s: content hash changed = %v, want %v", tc.name, got, tc.changed)
		}
	}
}

// BenchmarkPayloadDigest digests a listing payload, as every event does.
func BenchmarkPayloadDigest(b *testing.B) {
	l := validListing()
	l.Narrative, l.Nationalities = "a narrative of some length to make the payload realistic", []string{"IRQ", "SYR"}
	body, _ := json.Marshal(l)
	b.Run("received", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := tripline.PayloadDigest(body, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoded", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := tripline.EncodedDigests(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
