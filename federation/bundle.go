package federation

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"tripline"
)

// A bundle carries events to a partner with no network link (an
// air-gapped node): JSON lines — a header, the events (the same signed
// events a feed would serve that partner), and a trailer whose signature by
// the sending node covers everything before it.

// bundleLineMax bounds one line of a bundle: an event's payload limit and
// room for its other fields.
const bundleLineMax = MaxEventBytes + 64<<10

// BundleHeader opens a bundle.
type BundleHeader struct {
	Bundle  int       `json:"tripline_bundle"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Created time.Time `json:"created"`
}

// BundleTrailer closes a bundle.
type BundleTrailer struct {
	Events int    `json:"events"`
	Sig    []byte `json:"sig"`
}

// WriteBundle writes evs as a bundle from this node to partner.
func (p *Peer) WriteBundle(w io.Writer, to string, evs []*tripline.Event) error {
	h := sha256.New()
	bw := bufio.NewWriter(w)
	line := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b = append(b, '\n')
		h.Write(b)
		_, err = bw.Write(b)
		return err
	}
	if err := line(BundleHeader{Bundle: 1, From: p.Self, To: to, Created: p.Now().UTC()}); err != nil {
		return err
	}
	for _, ev := range evs {
		if err := line(ev); err != nil {
			return err
		}
	}
	t := BundleTrailer{Events: len(evs), Sig: ed25519.Sign(p.Priv, h.Sum(nil))}
	b, _ := json.Marshal(t)
	if _, err := bw.Write(append(b, '\n')); err != nil {
		return err
	}
	return bw.Flush()
}

// ReadBundle verifies a bundle (addressed to this node, signed by a known
// node, every event signed by its origin) and applies its events, returning
// how many were new. A bundle that does not verify applies nothing.
func (p *Peer) ReadBundle(ctx context.Context, r io.Reader, name string) (int, error) {
	sc := bufio.NewScanner(r)
	// A line is one event: at most its payload limit and the rest of its
	// fields, so a bundle cannot make this node hold a line of any size.
	sc.Buffer(make([]byte, 64<<10), bundleLineMax)
	h := sha256.New()
	var (
		head  BundleHeader
		evs   []*tripline.Event
		trail *BundleTrailer
	)
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if trail != nil {
			return 0, tripline.Errorf(tripline.EINVALID, "%s: line %d: data after the trailer", name, n)
		}
		switch {
		case n == 1:
			if err := json.Unmarshal(b, &head); err != nil || head.Bundle != 1 {
				return 0, tripline.Errorf(tripline.EINVALID, "%s: line 1: not a Tripline bundle", name)
			}
		default:
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(b, &probe); err != nil {
				return 0, tripline.Errorf(tripline.EINVALID, "%s: line %d: %v", name, n, err)
			}
			if _, ok := probe["events"]; ok {
				trail = &BundleTrailer{}
				if err := json.Unmarshal(b, trail); err != nil {
					return 0, tripline.Errorf(tripline.EINVALID, "%s: line %d: trailer: %v", name, n, err)
				}
				continue
			}
			var ev tripline.Event
			if err := json.Unmarshal(b, &ev); err != nil {
				return 0, tripline.Errorf(tripline.EINVALID, "%s: line %d: event: %v", name, n, err)
			}
			if err := checkEventSize(&ev); err != nil {
				return 0, tripline.Errorf(tripline.EINVALID, "%s: line %d: %s", name, n, tripline.ErrorMessage(err))
			}
			evs = append(evs, &ev)
		}
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return 0, tripline.Errorf(tripline.EINVALID, "%s: a line over %d bytes: an event over the limit", name, bundleLineMax)
	} else if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if trail == nil || trail.Events != len(evs) {
		return 0, tripline.Errorf(tripline.EINVALID, "%s: truncated: no trailer or a wrong event count", name)
	}
	if head.To != p.Self {
		return 0, tripline.Errorf(tripline.EINVALID, "%s: addressed to %q, this node is %q", name, head.To, p.Self)
	}
	pub, ok := p.Key(head.From)
	if !ok || !ed25519.Verify(pub, h.Sum(nil), trail.Sig) {
		return 0, tripline.Errorf(tripline.EINVALID, "%s: bundle signature of %q does not verify", name, head.From)
	}
	byOrigin := map[string][]*tripline.Event{}
	var order []string
	for _, ev := range evs {
		if byOrigin[ev.Origin] == nil {
			order = append(order, ev.Origin)
		}
		byOrigin[ev.Origin] = append(byOrigin[ev.Origin], ev)
	}
	total := 0
	for _, o := range order {
		applied, err := p.Apply(ctx, head.From, byOrigin[o])
		total += applied
		if err != nil {
			return total, tripline.Errorf(tripline.ErrorCode(err), "%s: %s", name, tripline.ErrorMessage(err))
		}
	}
	return total, nil
}
