package blind

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/circl/oprf"
	"github.com/cloudflare/circl/zk/dleq"

	"tripline"
)

// Defaults of a partner's client.
const (
	DefaultRefresh    = 5 * time.Minute
	DefaultMaxEntries = 1 << 23
	DefaultCacheSize  = 1 << 17
	DefaultRetry      = 30 * time.Second
	DefaultTimeout    = 10 * time.Second
)

// Remote is one originator as this node screens against it: where to reach
// it, its node key (which signs its tables), the table held and the OPRF
// outputs of keys already evaluated this epoch.
type Remote struct {
	Origin string // the originator's node id
	Agency string // the agency running it: whom the officer contacts
	Key    ed25519.PublicKey
	T      Transport

	fetchMu sync.Mutex // one table fetch at a time
	mu      sync.Mutex
	table   *Table
	checked time.Time // when the originator last confirmed the table
	failed  time.Time // when the originator last failed to answer
	stale   bool      // the originator changed a listing since: ask before screening
	// staleGen counts Stale calls: a fetch clears stale only when none
	// came while it was in flight (the change may postdate its answer).
	staleGen uint64
	loaded   bool // the copy on disk was read
	offered  bool // a table with entries was held at some point
	cache    map[[32]byte][]byte
	order    [][32]byte
	epoch    int64
}

// Finding is what blind screening found for one traveller: matches on
// blind lists and notes (a list that could not be checked).
type Finding struct {
	Matches []tripline.Match
	Notes   []string
}

// Client screens travellers against the blind lists of its partners.
type Client struct {
	Alpha3 Alpha3
	// Dir keeps each held table across restarts ("" = memory only).
	Dir string
	// Refresh is how often a held table is checked for a newer one
	// (default DefaultRefresh); MaxEntries bounds a table (default
	// DefaultMaxEntries); CacheSize bounds the outputs kept per originator
	// (default DefaultCacheSize).
	Refresh    time.Duration
	MaxEntries int
	CacheSize  int
	// Retry is how long screening leaves an originator that did not
	// answer alone (default DefaultRetry), Timeout how long a screening
	// waits for one (default DefaultTimeout): an unreachable partner costs
	// an officer at most one wait, then the fallback answers at once.
	Retry   time.Duration
	Timeout time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
	// Active reports whether the originator may be screened against now
	// (nil: every remote). A partner suspended or removed leaves at once,
	// not at the next SetRemotes: its list must stop stopping travellers
	// the moment this node cuts it off.
	Active func(origin string) bool

	mu      sync.Mutex
	remotes map[string]*Remote
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

// SetRemotes sets the originators screened against; one already known by
// its origin and key keeps its table and outputs.
func (c *Client) SetRemotes(rs []*Remote) {
	c.mu.Lock()
	defer c.mu.Unlock()
	next := map[string]*Remote{}
	for _, r := range rs {
		if old := c.remotes[r.Origin]; old != nil && bytes.Equal(old.Key, r.Key) {
			old.T, old.Agency = r.T, r.Agency
			r = old
		}
		next[r.Origin] = r
	}
	c.remotes = next
}

// Remotes returns the originators screened against: those set and, with
// Active, active now.
func (c *Client) Remotes() []*Remote {
	c.mu.Lock()
	out := make([]*Remote, 0, len(c.remotes))
	for _, r := range c.remotes {
		out = append(out, r)
	}
	c.mu.Unlock()
	if c.Active != nil {
		out = slices.DeleteFunc(out, func(r *Remote) bool { return !c.Active(r.Origin) })
	}
	return out
}

// Screen screens travellers against every blind list held, with one round
// trip per originator for the whole batch (a manifest is one round trip).
// A nil traveller is skipped. What could not be checked is said in each
// traveller's notes, never silently cleared.
func (c *Client) Screen(ctx context.Context, ts []*tripline.Traveller) []Finding {
	return c.screen(ctx, c.Remotes(), ts)
}

// screen is Screen against remotes.
func (c *Client) screen(ctx context.Context, remotes []*Remote, ts []*tripline.Traveller) []Finding {
	out := make([]Finding, len(ts))
	if len(remotes) == 0 {
		return out // a node without partners pays nothing
	}
	keys := make([][]Key, len(ts))
	for i, t := range ts {
		if t != nil {
			keys[i] = TravellerKeys(t, c.Alpha3)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, r := range remotes {
		wg.Go(func() {
			fs := c.screenRemote(ctx, r, keys)
			mu.Lock()
			defer mu.Unlock()
			for i, f := range fs {
				out[i].Matches = append(out[i].Matches, f.Matches...)
				out[i].Notes = append(out[i].Notes, f.Notes...)
			}
		})
	}
	wg.Wait()
	return out
}

func keyHash(k Key) [32]byte { return sha256.Sum256(k.Input) }

// screenRemote screens the keyed travellers against r's table.
func (c *Client) screenRemote(ctx context.Context, r *Remote, keys [][]Key) []Finding {
	out := make([]Finding, len(keys))
	unchecked := func(why string) []Finding {
		for i := range out {
			if len(keys[i]) > 0 {
				out[i].Notes = append(out[i].Notes, "blind list of "+r.Agency+" not checked: "+why)
			}
		}
		return out
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t, err := c.current(ctx, r)
	switch {
	case t == nil && r.wasOffered():
		return unchecked("no table held from its node (" + tripline.ErrorMessage(err) + ")")
	case t == nil || t.Header.Empty:
		return out
	case !c.now().Before(t.Header.NotAfter):
		return unchecked("the table held is of an ended epoch and its node did not give a new one")
	}
	outputs, failed := c.evaluate(ctx, r, t, keys)
	t = r.held()
	for i, ks := range keys {
		best := map[string]tripline.Match{}
		missing := false
		for _, k := range ks {
			y, ok := outputs[keyHash(k)]
			if !ok {
				missing = true
				continue
			}
			ps, err := t.Open(y)
			if err != nil {
				continue
			}
			for _, p := range ps {
				if p.ExpiredAt(c.now()) {
					continue
				}
				m := tripline.BlindMatch(r.Origin, r.Agency, p, k.Kind)
				if old, ok := best[m.Listing]; !ok || m.Score > old.Score {
					best[m.Listing] = m
				}
			}
		}
		for _, m := range best {
			out[i].Matches = append(out[i].Matches, m)
		}
		if missing && failed != nil {
			out[i].Notes = append(out[i].Notes, "blind list of "+r.Agency+" not checked: its node could not evaluate ("+tripline.ErrorMessage(failed)+")")
		}
	}
	return out
}

// wasOffered reports whether r ever gave a table with entries: only then
// is a missing table worth a note (a partner without blind lists for this
// node, or without blind screening, is no gap).
func (r *Remote) wasOffered() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.offered
}

func (r *Remote) held() *Table {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.table
}

// evaluate returns the OPRF output of every key, from the cache of this
// epoch or from one round trip for the rest. When the originator cannot
// be reached or refuses, the cached outputs are all there is (the
// documented fallback) and failed says why.
func (c *Client) evaluate(ctx context.Context, r *Remote, t *Table, keys [][]Key) (map[[32]byte][]byte, error) {
	outputs := map[[32]byte][]byte{}
	var inputs [][]byte
	var hashes [][32]byte
	r.mu.Lock()
	for _, ks := range keys {
		for _, k := range ks {
			h := keyHash(k)
			if _, ok := outputs[h]; ok {
				continue
			}
			if y, ok := r.cache[h]; ok && r.epoch == t.Header.Epoch {
				outputs[h] = y
				continue
			}
			outputs[h] = nil
			inputs, hashes = append(inputs, k.Input), append(hashes, h)
		}
	}
	r.mu.Unlock()
	for h, y := range outputs {
		if y == nil {
			delete(outputs, h)
		}
	}
	if len(inputs) == 0 {
		return outputs, nil
	}
	if err := c.backingOff(r); err != nil {
		return outputs, err
	}
	var ys [][]byte
	var err error
	for from := 0; from < len(inputs) && err == nil; from += MaxBatch {
		// A batch of screening.MaxBatch travellers is two requests; a
		// manifest is one.
		var part [][]byte
		part, err = c.roundTrip(ctx, r, t, inputs[from:min(from+MaxBatch, len(inputs))])
		ys = append(ys, part...)
	}
	if err != nil {
		c.noteFailure(r, err)
		c.logger().Warn("blind screening: originator did not evaluate; cached outputs only", "origin", r.Origin, "err", err)
		return outputs, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.epoch != r.table.Header.Epoch || r.cache == nil {
		r.cache, r.order, r.epoch = map[[32]byte][]byte{}, nil, r.table.Header.Epoch
	}
	size := c.CacheSize
	if size <= 0 {
		size = DefaultCacheSize
	}
	for i, y := range ys {
		outputs[hashes[i]] = y
		if _, ok := r.cache[hashes[i]]; !ok {
			r.cache[hashes[i]] = y
			r.order = append(r.order, hashes[i])
		}
	}
	for len(r.order) > size {
		delete(r.cache, r.order[0])
		r.order = r.order[1:]
	}
	return outputs, nil
}

// roundTrip blinds inputs, has the originator evaluate them (in chunks,
// one per core at either end, in one request) and finalises, verifying
// each chunk's proof under the epoch key of a table it signed.
func (c *Client) roundTrip(ctx context.Context, r *Remote, t *Table, inputs [][]byte) ([][]byte, error) {
	pk := new(oprf.PublicKey)
	if err := pk.UnmarshalBinary(Suite, t.Header.PublicKey); err != nil {
		return nil, tripline.Errorf(tripline.EINVALID, "blind table of %s: public key: %v", r.Origin, err)
	}
	chunk := max(minChunk, (len(inputs)+3)/4)
	parts := runs(len(inputs), chunk)
	fins := make([]*oprf.FinalizeData, len(parts))
	body := &EvaluateRequest{Elements: make([][]byte, len(inputs)), Chunk: chunk}
	err := parallel(len(parts), func(p int) error {
		lo, hi := parts[p][0], parts[p][1]
		fin, req, err := oprf.NewVerifiableClient(Suite, pk).Blind(inputs[lo:hi])
		if err != nil {
			return err
		}
		fins[p] = fin
		for i, e := range req.Elements {
			if body.Elements[lo+i], err = e.MarshalBinaryCompress(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	resp, err := r.T.Evaluate(ctx, body)
	if err != nil {
		return nil, err
	}
	if resp.Epoch != t.Header.Epoch {
		// The epoch turned: the evaluation is under a new key, checked
		// against the new table, which replaces the old.
		if t, err = c.table(ctx, r, true); err != nil {
			return nil, err
		}
		if t == nil || resp.Epoch != t.Header.Epoch {
			return nil, tripline.Errorf(tripline.EUNAVAILABLE, "blind: %s evaluated in epoch %d, its table is of another", r.Origin, resp.Epoch)
		}
		if err := pk.UnmarshalBinary(Suite, t.Header.PublicKey); err != nil {
			return nil, err
		}
	}
	if !bytes.Equal(resp.PublicKey, t.Header.PublicKey) || len(resp.Evaluated) != len(inputs) || len(resp.Proofs) != len(parts) {
		return nil, tripline.Errorf(tripline.EINVALID, "blind: %s evaluated under a key its table does not name, or not every element", r.Origin)
	}
	ys := make([][]byte, len(inputs))
	g := Suite.Group()
	err = parallel(len(parts), func(p int) error {
		lo, hi := parts[p][0], parts[p][1]
		ev := &oprf.Evaluation{Elements: make([]oprf.Evaluated, hi-lo), Proof: new(dleq.Proof)}
		for i, b := range resp.Evaluated[lo:hi] {
			ev.Elements[i] = g.NewElement()
			if err := ev.Elements[i].UnmarshalBinary(b); err != nil {
				return tripline.Errorf(tripline.EINVALID, "blind: evaluated[%d] is not a group element", lo+i)
			}
		}
		if err := ev.Proof.UnmarshalBinary(g, resp.Proofs[p]); err != nil {
			return tripline.Errorf(tripline.EINVALID, "blind: proof %d: %v", p, err)
		}
		out, err := oprf.NewVerifiableClient(Suite, pk).Finalize(fins[p], ev)
		if err != nil {
			return tripline.Errorf(tripline.EINVALID, "blind: %s's evaluation does not verify: %v", r.Origin, err)
		}
		copy(ys[lo:hi], out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ys, nil
}

// current returns the table to screen with: the one held while its epoch
// lasts (Refresh keeps it fresh in the background), else a new one fetched
// now — unless the originator failed to answer within Retry.
func (c *Client) current(ctx context.Context, r *Remote) (*Table, error) {
	c.loadHeld(r)
	r.mu.Lock()
	t, stale := r.table, r.stale
	r.mu.Unlock()
	if t != nil && !stale && c.now().Before(t.Header.NotAfter) {
		return t, nil
	}
	if err := c.backingOff(r); err != nil {
		return t, err
	}
	return c.table(ctx, r, stale)
}

// Stale tells the client that origin changed its listings (its feed says
// so within seconds): the next screening first asks it for its table, a
// 304 when the change was none of this node's business.
func (c *Client) Stale(origin string) {
	c.mu.Lock()
	r := c.remotes[origin]
	c.mu.Unlock()
	if r != nil {
		r.mu.Lock()
		r.stale = true
		r.staleGen++
		r.mu.Unlock()
	}
}

// RefreshTables checks every originator for a newer table than the one held
// (each at most once per Refresh interval): the node's background work
// calls it, so that screening never waits for a table it already has.
func (c *Client) RefreshTables(ctx context.Context) {
	for _, r := range c.Remotes() {
		if _, err := c.table(ctx, r, false); err != nil && !isNotFound(err) {
			c.logger().Warn("blind screening: refresh table", "origin", r.Origin, "err", err)
		}
	}
}

func isNotFound(err error) bool { return tripline.ErrorCode(err) == tripline.ENOTFOUND }

// noteFailure remembers that r did not answer (a refusal with a code is an
// answer).
func (c *Client) noteFailure(r *Remote, err error) {
	if tripline.ErrorCode(err) != tripline.EINTERNAL {
		return
	}
	r.mu.Lock()
	r.failed = c.now()
	r.mu.Unlock()
}

// backingOff returns EUNAVAILABLE while r failed to answer within Retry.
func (c *Client) backingOff(r *Remote) error {
	retry := c.Retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	r.mu.Lock()
	failed := r.failed
	r.mu.Unlock()
	if !failed.IsZero() && c.now().Sub(failed) < retry {
		return tripline.Errorf(tripline.EUNAVAILABLE, "its node did not answer %s ago; asked again after %s", c.now().Sub(failed).Round(time.Second), retry)
	}
	return nil
}

// table returns the table held from r, fetching a newer one when the held
// one is older than Refresh, of an ended epoch, or force is set. A failed
// fetch keeps the table held (the fallback) and returns the error too.
func (c *Client) table(ctx context.Context, r *Remote, force bool) (*Table, error) {
	r.fetchMu.Lock()
	defer r.fetchMu.Unlock()
	c.loadHeld(r)
	refresh := c.Refresh
	if refresh <= 0 {
		refresh = DefaultRefresh
	}
	r.mu.Lock()
	t, checked, gen := r.table, r.checked, r.staleGen
	r.mu.Unlock()
	now := c.now()
	if t != nil && !force && now.Sub(checked) < refresh && now.Before(t.Header.NotAfter) {
		return t, nil
	}
	etag := ""
	if t != nil {
		etag = hex.EncodeToString(t.Header.Digest)
	}
	body, notModified, err := r.T.FetchTable(ctx, etag)
	if err != nil {
		c.noteFailure(r, err)
		return t, err
	}
	if notModified {
		r.mu.Lock()
		r.checked, r.failed, r.stale = now, time.Time{}, r.staleGen != gen
		r.mu.Unlock()
		return t, nil
	}
	defer body.Close()
	max := c.MaxEntries
	if max <= 0 {
		max = DefaultMaxEntries
	}
	nt, err := ReadTable(body, r.Key, max)
	if err == nil && nt.Header.Origin != r.Origin {
		err = tripline.Errorf(tripline.EINVALID, "blind table: of %q, asked of %q", nt.Header.Origin, r.Origin)
	}
	if err == nil && nt.Header.Keys != KeysVersion {
		c.logger().Warn("blind table keyed another way: name keys will not meet", "origin", r.Origin, "keys", nt.Header.Keys, "want", KeysVersion)
	}
	if err != nil {
		return t, err
	}
	r.mu.Lock()
	r.table, r.checked, r.failed, r.stale = nt, now, time.Time{}, r.staleGen != gen
	r.offered = r.offered || !nt.Header.Empty
	r.mu.Unlock()
	if c.Dir != "" {
		if err := writeFile(c.heldPath(r), nt.Bytes()); err != nil {
			c.logger().Warn("keep blind table", "origin", r.Origin, "err", err)
		}
	}
	return nt, nil
}

func (c *Client) heldPath(r *Remote) string {
	sum := sha256.Sum256([]byte(r.Origin))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:8])+".table")
}

// loadHeld reads the table kept on disk, once: a restarted node screens
// against what it held when its partner is unreachable.
func (c *Client) loadHeld(r *Remote) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loaded || c.Dir == "" {
		return
	}
	r.loaded = true
	f, err := os.Open(c.heldPath(r))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.logger().Warn("read held blind table", "origin", r.Origin, "err", err)
		}
		return
	}
	defer f.Close()
	max := c.MaxEntries
	if max <= 0 {
		max = DefaultMaxEntries
	}
	t, err := ReadTable(f, r.Key, max)
	if err != nil || t.Header.Origin != r.Origin {
		c.logger().Warn("held blind table refused", "origin", r.Origin, "err", fmt.Sprint(err))
		return
	}
	r.table = t
	r.offered = !t.Header.Empty
}
