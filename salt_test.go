package tripline_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"tripline"
)

// saltedListing is a listing with the low-entropy fields a partner may be
// refused: the action, birth dates, nationalities, a source reference.
func saltedListing() *tripline.Listing {
	l := validListing()
	l.ID, l.Source, l.Provenance.Originator = "x:1", "x", "x"
	l.Reason, l.Narrative, l.Instruction = "terrorism", "secret narrative", "Call the duty officer."
	l.BirthDates = []tripline.PartialDate{{Year: 1975, Month: 3}}
	l.Nationalities = []string{"IRQ"}
	l.Provenance.SourceRef, l.Provenance.LegalBasis = "SRC-1", "Art. 24"
	return l
}

// saltedEvent is an event of l made as a store makes one: by a Chainer,
// which draws its salt key, following "prev-chain" and signed.
func saltedEvent(t *testing.T, priv ed25519.PrivateKey, l *tripline.Listing) *tripline.Event {
	t.Helper()
	body, _ := json.Marshal(l)
	c := &tripline.Chainer{Origin: "node-a", Seq: 6, Chain: "prev-chain", Sign: func(m []byte) []byte { return ed25519.Sign(priv, m) }}
	ev, err := c.Next(tripline.EventListingUpserted, l.ID, body, nil, "", time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	c.SignLast()
	if len(ev.SaltKey) == 0 {
		t.Fatal("a new event has no salt key")
	}
	return ev
}

// wire returns a function giving ev as a partner reads it off the feed
// (JSON), and its JSON.
func wire(t *testing.T) func(ev *tripline.Event, err error) (*tripline.Event, []byte) {
	return func(ev *tripline.Event, err error) (*tripline.Event, []byte) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var out tripline.Event
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return &out, b
	}
}

func plainDigest(v any) string {
	b, _ := json.Marshal(v)
	d := sha256.Sum256(b)
	return hex.EncodeToString(d[:])
}

// TestLeftOutFieldNotFoundByTryingValues: a partner handed a trimmed event
// had the plain SHA-256 of each field left out, and found the action among
// six values, a birth date among some 40,000, and could confirm a guessed
// name or source reference. A salted event's digest of a left-out field is
// not the digest of any value tried, the true one included, and the event
// carries no salt of a field it leaves out, nor the origin's key.
func TestLeftOutFieldNotFoundByTryingValues(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	l := saltedListing()
	actions := []any{}
	for _, a := range []tripline.Action{tripline.ActionDetain, tripline.ActionRefuseEntry, tripline.ActionPreventDeparture,
		tripline.ActionSecondaryCheck, tripline.ActionReport, tripline.ActionInfo} {
		actions = append(actions, a)
	}
	for _, tc := range []struct {
		path  string
		tries []any // the true value among them
	}{
		{"action", actions},
		{"birth_dates", []any{[]tripline.PartialDate{{Year: 1975, Month: 2}}, l.BirthDates, []tripline.PartialDate{{Year: 1975}}}},
		{"nationalities", []any{[]string{"SYR"}, l.Nationalities, []string{"IRN"}}},
		{"names", []any{l.Names}},
		{"provenance.source_ref", []any{"SRC-0", l.Provenance.SourceRef}},
		{"provenance", []any{l.Provenance}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			ev := saltedEvent(t, priv, l)
			trimmed, raw := wire(t)(ev.Trim([]string{tc.path}))
			d, ok := trimmed.Omitted[tc.path]
			if !ok {
				t.Fatalf("%s not left out: %s", tc.path, raw)
			}
			for _, v := range tc.tries {
				if plainDigest(v) == d {
					t.Errorf("%s found by trying %v", tc.path, v)
				}
			}
			for p := range trimmed.Salts {
				if p == tc.path || strings.HasPrefix(p, tc.path+".") {
					t.Errorf("the salt of %s travels with the event leaving it out", p)
				}
			}
			if len(trimmed.Salts) == 0 {
				t.Error("the salts of the fields shown do not travel")
			}
			if key := hex.EncodeToString(ev.SaltKey); bytes.Contains(raw, []byte(key)) || bytes.Contains(raw, ev.SaltKey) {
				t.Errorf("the origin's salt key travels: %s", raw)
			}
			// The same field of an event made before salts is found: the
			// attack the salt stops.
			old := *ev
			old.SaltKey = nil
			unsalted, _ := wire(t)(old.Trim([]string{tc.path}))
			found := false
			for _, v := range tc.tries {
				found = found || plainDigest(v) == unsalted.Omitted[tc.path]
			}
			if !found && tc.path != "provenance" {
				t.Errorf("the unsalted digest of %s was not found either: the test tries the wrong values", tc.path)
			}
		})
	}
}

// TestSaltedTrimVerifiesAtEveryHop: a salted event trimmed by the origin's
// feed, and again by a relay (from the copy it received, salts and all),
// verifies with the origin's key at each hop; what a relay could do to it
// — alter a field shown, put back a field left out under a salt of its
// own (even with its true value), change or drop a salt, give the salt of
// a field left out — does not.
func TestSaltedTrimVerifiesAtEveryHop(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	l := saltedListing()
	ev := saltedEvent(t, priv, l)
	if !verifies(pub, ev) {
		t.Fatal("the origin's own copy does not verify")
	}
	whole, _ := wire(t)(ev.Trim(nil))
	hop1, _ := wire(t)(ev.Trim(tripline.PartnerTrim(tripline.LevelAction)))
	hop2, raw2 := wire(t)(hop1.Trim(tripline.PartnerTrim(tripline.LevelScreen)))
	disclosed, _ := wire(t)(ev.TrimTo(l.Disclose(tripline.LevelScreen)))
	for name, e := range map[string]*tripline.Event{"whole": whole, "one hop": hop1, "two hops": hop2, "to a disclosed form": disclosed} {
		if !verifies(pub, e) {
			t.Fatalf("%s: does not verify", name)
		}
	}
	if strings.Contains(string(raw2), "refuse_entry") || hop2.Salts["action"] != "" || hop2.Salts["provenance.source_ref"] != "" {
		t.Fatalf("two hops: the action or a salt of what it leaves out travels: %s", raw2)
	}
	randomSalt := func() string {
		b := make([]byte, tripline.SaltSize)
		rand.Read(b)
		return hex.EncodeToString(b)
	}
	for _, tc := range []struct {
		name   string
		tamper func(e *tripline.Event)
	}{
		{"a field shown altered", func(e *tripline.Event) {
			e.Payload = bytes.Replace(e.Payload, []byte("Ali Hassan"), []byte("Ali Hasan"), 1)
		}},
		{"a field left out put back under a made-up salt", func(e *tripline.Event) {
			e.Payload = bytes.Replace(e.Payload, []byte(`{`), []byte(`{"action":"refuse_entry",`), 1)
			delete(e.Omitted, "action")
			e.Salts["action"] = randomSalt()
		}},
		{"a field left out put back without a salt", func(e *tripline.Event) {
			e.Payload = bytes.Replace(e.Payload, []byte(`{`), []byte(`{"action":"refuse_entry",`), 1)
			delete(e.Omitted, "action")
		}},
		{"a salt changed", func(e *tripline.Event) { e.Salts["names"] = randomSalt() }},
		{"a salt dropped", func(e *tripline.Event) { delete(e.Salts, "names") }},
		{"every salt dropped", func(e *tripline.Event) { e.Salts = nil }},
		{"a left-out field's salt given", func(e *tripline.Event) { e.Salts["action"] = randomSalt() }},
		{"a malformed salt", func(e *tripline.Event) { e.Salts["names"] = "zz" }},
		{"a left-out field's digest changed", func(e *tripline.Event) { e.Omitted["action"] = strings.Repeat("0", 64) }},
	} {
		c := *hop2
		c.Payload = bytes.Clone(hop2.Payload)
		c.Omitted, c.Salts = maps.Clone(hop2.Omitted), maps.Clone(hop2.Salts)
		tc.tamper(&c)
		if verifies(pub, &c) {
			t.Errorf("%s: still verifies", tc.name)
		}
	}
}

// TestUnsaltedEventsDigestAsBefore: an event stored or received before
// salts (no key, no salts) digests, trims and chains to the values this
// version's predecessor computed (pinned here), so partners' logs and old
// data directories still verify.
func TestUnsaltedEventsDigestAsBefore(t *testing.T) {
	p := []byte(`{"id":"x:1","action":"detain","birth_dates":["1975-03"],"provenance":{"originator":"x","source_ref":"SRC-1"},"reason":"r"}`)
	ev := &tripline.Event{Origin: "A", Seq: 3, Type: tripline.EventListingUpserted, Subject: "x:1", Payload: p, At: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}
	if d, err := ev.PayloadDigest(); err != nil || d != "ee96c0fc3b088647c17a98eba417280789158bd2b3766671edae98a9aa297a71" {
		t.Fatalf("digest %s, %v", d, err)
	}
	tr, err := ev.Trim([]string{"action", "provenance.source_ref", "reason"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"action":                "630b2b5bd02fbf16a080c06b4f83bbafd4f5ea2fe595beb7e29310baea7731b3",
		"provenance.source_ref": "5827ac879dd1323bab340ccd814795cef738e0fb353a52990576160f2ca5f3ce",
		"reason":                "2659efe5502f101c13c3d4f2b330ba7bc6969f33ce5aee8377560e7470bf30b4",
	}
	if !maps.Equal(tr.Omitted, want) || tr.Salts != nil || string(tr.Payload) != `{"birth_dates":["1975-03"],"id":"x:1","provenance":{"originator":"x"}}` {
		t.Fatalf("trimmed: %s, omitted %v, salts %v", tr.Payload, tr.Omitted, tr.Salts)
	}
	if c, err := tr.ChainNext("prev"); err != nil || c != "37246bbba42b14d254efae6955b8c6bd5ee1b1ee888727637335391eaba06e09" {
		t.Fatalf("chain %s, %v", c, err)
	}
	if same, err := ev.Trim(nil); err != nil || same != ev {
		t.Fatalf("an unsalted event trimmed of nothing: %v, %v", same, err)
	}
}

// TestSaltedDigestsKeepTheContentHash: the content hash (a store's "did the
// record change") is never salted, so a re-import of unchanged listings
// changes nothing; the payload digest a store computes for a new event
// (SaltedDigest, or EncodedSaltedDigests with the content hash in the same
// pass) is the one its event recomputes, whole or trimmed, and differs
// with each event's fresh key.
func TestSaltedDigestsKeepTheContentHash(t *testing.T) {
	l := saltedListing()
	body, _ := json.Marshal(l)
	plain, content, err := tripline.EncodedDigests(body)
	if err != nil || content != l.ContentHash() {
		t.Fatalf("content hash %s, %v; want %s", content, err, l.ContentHash())
	}
	seen := map[string]bool{plain: true}
	for range 3 {
		key := tripline.NewSaltKey()
		d, err := tripline.SaltedDigest(body, key)
		if err != nil {
			t.Fatal(err)
		}
		if d2, c, err := tripline.EncodedSaltedDigests(body, key); err != nil || d2 != d || c != content {
			t.Fatalf("EncodedSaltedDigests = %s %s, %v; want %s %s", d2, c, err, d, content)
		}
		ev := &tripline.Event{Payload: body, SaltKey: key}
		trimmed, err := ev.Trim([]string{"action", "provenance.source_ref"})
		if err != nil {
			t.Fatal(err)
		}
		var back tripline.Listing
		if err := json.Unmarshal(trimmed.Payload, &back); err != nil || back.Action != "" {
			t.Fatalf("trimmed payload %s, %v", trimmed.Payload, err)
		}
		if seen[d] {
			t.Fatalf("payload digest %s repeats across keys", d)
		}
		seen[d] = true
		for name, e := range map[string]*tripline.Event{"whole": ev, "trimmed": trimmed} {
			if got, err := e.PayloadDigest(); err != nil || got != d {
				t.Fatalf("%s: PayloadDigest %s, %v; SaltedDigest %s", name, got, err, d)
			}
		}
	}
}

// BenchmarkSaltedDigest digests a listing payload unsalted (a store's
// content hash, EncodedDigests) and salted: from the origin's key (every
// new event, SaltedDigest on a store's write path) and from the salts a
// received event carries.
func BenchmarkSaltedDigest(b *testing.B) {
	l := saltedListing()
	body, _ := json.Marshal(l)
	key := tripline.NewSaltKey()
	b.Run("unsalted", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := tripline.EncodedDigests(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoded", func(b *testing.B) {
		for b.Loop() {
			if _, err := tripline.SaltedDigest(body, key); err != nil {
				b.Fatal(err)
			}
		}
	})
	ev, err := (&tripline.Event{Payload: body, SaltKey: key}).Trim(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("received", func(b *testing.B) {
		for b.Loop() {
			if _, err := ev.PayloadDigest(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
