package tripline

import (
	"fmt"
	"time"
)

// SignEvery is how often, besides the last event of each transaction, a
// node signs its events: a partner's page always ends at a signed event,
// and one signature vouches for the run before it.
const SignEvery = 256

// Chainer makes an origin's new events in order: numbered without gaps,
// chained on the one before (ChainNextDigest) and signed where the rule
// says. Every store keeps one per write transaction, loaded with the
// origin's head, so that all stores number, chain and sign alike.
type Chainer struct {
	Origin string
	Seq    int64                   // the last event's sequence number, 0 before the first
	Chain  string                  // its chain value
	Sign   func(msg []byte) []byte // nil leaves events unsigned
	Last   *Event                  // the last event made
	Count  int                     // how many events were made
}

// Next returns the origin's next event, stamped at, its fields salted
// with key (salt.go). key and digest are the salt key and payload digest
// when already computed (SaltedDigest); with key nil, Next draws a key
// and computes the digest.
func (c *Chainer) Next(typ EventType, subject string, payload, key []byte, digest string, at time.Time) (*Event, error) {
	if len(key) == 0 {
		if digest != "" {
			return nil, fmt.Errorf("event %s %s: a digest without its salt key", typ, subject)
		}
		key = NewSaltKey()
	}
	ev := &Event{Origin: c.Origin, Seq: c.Seq + 1, Type: typ, Subject: subject, Payload: payload, At: at, SaltKey: key}
	if digest == "" {
		d, err := ev.PayloadDigest()
		if err != nil {
			return nil, fmt.Errorf("digest event %s %s: %w", typ, subject, err)
		}
		digest = d
	}
	ev.Chain = ev.ChainNextDigest(c.Chain, digest)
	if c.Sign != nil && ev.Seq%SignEvery == 0 {
		ev.Sig = c.Sign(ev.SigningBytes())
	}
	c.Seq, c.Chain, c.Last = ev.Seq, ev.Chain, ev
	c.Count++
	return ev, nil
}

// SignLast signs the last event made, when it is not signed yet, and
// returns it for the store to record the signature; nil when there is
// nothing to sign. A store calls it before committing.
func (c *Chainer) SignLast() *Event {
	if c == nil || c.Last == nil || c.Sign == nil || c.Last.Sig != nil {
		return nil
	}
	c.Last.Sig = c.Sign(c.Last.SigningBytes())
	return c.Last
}
