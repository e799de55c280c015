package federation

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	"tripline"
)

// shapeCache keeps, per event, its decoded listing and its trimmed forms
// by disclosure level: serving 100 partners, an event is decoded once and
// trimmed once per grant class (level), not once per partner request. The
// caller checks who may see what on every request (grants, consent and
// groups change); only the pure work is kept. An event's payload never
// changes while it is not redacted, and shape never consults the cache for
// a redacted one, so an entry is never stale.
type shapeCache struct {
	mu       sync.Mutex
	listings map[eventKey]*tripline.Listing
	trimmed  map[trimKey]trimmedForm
	trims    atomic.Int64
}

type eventKey struct {
	origin string
	seq    int64
}

type trimKey struct {
	eventKey
	lvl tripline.Level
}

type trimmedForm struct {
	payload json.RawMessage
	omitted map[string]string
	salts   map[string]string
}

// shapeCacheSize bounds each map: past it the cache starts again.
const shapeCacheSize = 1 << 16

func (c *shapeCache) listing(ev *tripline.Event) (*tripline.Listing, error) {
	k := eventKey{ev.Origin, ev.Seq}
	c.mu.Lock()
	l, ok := c.listings[k]
	c.mu.Unlock()
	if ok {
		return l, nil
	}
	l = new(tripline.Listing)
	if err := json.Unmarshal(ev.Payload, l); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.listings == nil || len(c.listings) >= shapeCacheSize {
		c.listings = map[eventKey]*tripline.Listing{}
	}
	c.listings[k] = l
	c.mu.Unlock()
	return l, nil
}

// trim returns ev trimmed for a partner granted lvl, its Sig and other
// fields as ev has them now.
func (c *shapeCache) trim(ev *tripline.Event, lvl tripline.Level) (*tripline.Event, error) {
	k := trimKey{eventKey{ev.Origin, ev.Seq}, lvl}
	c.mu.Lock()
	f, ok := c.trimmed[k]
	c.mu.Unlock()
	if !ok {
		out, err := ev.Trim(tripline.PartnerTrim(lvl))
		if err != nil {
			return nil, err
		}
		c.trims.Add(1)
		f = trimmedForm{payload: out.Payload, omitted: out.Omitted, salts: out.Salts}
		c.mu.Lock()
		if c.trimmed == nil || len(c.trimmed) >= shapeCacheSize {
			c.trimmed = map[trimKey]trimmedForm{}
		}
		c.trimmed[k] = f
		c.mu.Unlock()
	}
	out := *ev
	out.Payload, out.Omitted, out.Salts, out.SaltKey = f.payload, f.omitted, f.salts, nil
	return &out, nil
}

// Trims returns how many times the feed trimmed an event: once per event
// and grant class, however many partners it served it to.
func (f *Feed) Trims() int64 { return f.cache.trims.Load() }
