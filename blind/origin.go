package blind

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/circl/oprf"

	"tripline"
)

// Defaults of an originator.
const (
	DefaultEpoch      = 24 * time.Hour
	DefaultMinEntries = 4096
	// MaxBatch bounds the elements of one evaluation request: a manifest
	// of screening.MaxManifest travellers with MaxTravellerKeys keys each.
	MaxBatch = 5000 * MaxTravellerKeys
)

// Originator is a node's side as the owner of blind lists: it builds each
// partner's table and evaluates partners' blinded keys under its quotas.
// It never sees a traveller: only blinded group elements, and counts.
type Originator struct {
	Node   string // this node's id
	Agency string // the agency running it
	Priv   ed25519.PrivateKey
	Secret *Secrets
	// Listings returns the active listings held (the index's copies).
	Listings func() []*tripline.Listing
	Groups   tripline.Groups
	Alpha3   Alpha3
	// Contact is the contact point of a listing that names none.
	Contact string
	// Epoch is the length of an epoch (default DefaultEpoch); MinEntries
	// the fewest entries of a table (default DefaultMinEntries).
	Epoch      time.Duration
	MinEntries int
	// Quota counts each partner's evaluations; nil counts nothing.
	Quota  *Quota
	Now    func() time.Time
	Logger *slog.Logger

	mu     sync.Mutex
	epoch  int64
	key    *oprf.PrivateKey
	cache  map[string]cachedListing // listing id → its entries this epoch
	tables map[string]*builtTable   // partner node → its last table
	refs   map[string]string        // alert reference → listing id
}

type cachedListing struct {
	version int64
	entries [][]byte
}

type builtTable struct {
	digest [32]byte
	table  *Table
}

func (o *Originator) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o *Originator) epochLen() time.Duration {
	if o.Epoch <= 0 {
		return DefaultEpoch
	}
	return o.Epoch
}

// current returns the epoch now and its key, rotating when it changed:
// the cached entries of the old epoch are dropped.
func (o *Originator) current() (int64, *oprf.PrivateKey, error) {
	e := Epoch(o.now(), o.epochLen())
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.key != nil && o.epoch == e {
		return e, o.key, nil
	}
	k, err := o.Secret.EpochKey(o.Node, e)
	if err != nil {
		return 0, nil, err
	}
	o.epoch, o.key = e, k
	o.cache, o.tables = map[string]cachedListing{}, map[string]*builtTable{}
	return e, k, nil
}

// payload is what a listing's entries seal.
func (o *Originator) payload(l *tripline.Listing) *tripline.BlindPayload {
	p := &tripline.BlindPayload{Ref: o.Secret.Ref(l.ID), Action: l.Action, Contact: tripline.ClipContact(l.Contact)}
	if p.Action == "" {
		p.Action = tripline.ActionReport
	}
	if p.Contact == "" {
		p.Contact = tripline.ClipContact(o.Contact)
	}
	if l.ValidUntil != nil {
		p.Expires = l.ValidUntil.UTC().Format(time.DateOnly)
	}
	return p
}

// ListingEntries evaluates the keys of l under srv and seals its payload
// under each: the entries l contributes to a table of origin's epoch.
func ListingEntries(srv oprf.VerifiableServer, origin string, epoch int64, l *tripline.Listing, p *tripline.BlindPayload, alpha3 Alpha3) ([][]byte, error) {
	bind := binding(origin, epoch)
	var out [][]byte
	for _, k := range ListingKeys(l, alpha3) {
		y, err := srv.FullEvaluate(k.Input)
		if err != nil {
			return nil, err
		}
		tag, key, err := split(y)
		if err != nil {
			return nil, err
		}
		sealed, err := seal(key, tag, bind, p)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", l.ID, err)
		}
		out = append(out, append(tag[:], sealed...))
	}
	return out, nil
}

// Table returns the table for partner node (run by agency): the entries of
// every listing the partner may screen against blind, padded, sorted and
// signed. A table is rebuilt only when a listing of it changed or the
// epoch turned; only changed listings are evaluated again.
func (o *Originator) Table(ctx context.Context, node, agency string) (*Table, error) {
	epoch, key, err := o.current()
	if err != nil {
		return nil, err
	}
	var ls []*tripline.Listing
	for _, l := range o.Listings() {
		if l.BlindFor(agency, o.Groups) && l.ActiveAt(o.now()) {
			ls = append(ls, l)
		}
	}
	slices.SortFunc(ls, func(a, b *tripline.Listing) int { return cmpString(a.ID, b.ID) })
	digest := setDigest(epoch, ls)
	o.mu.Lock()
	if bt := o.tables[node]; bt != nil && bt.digest == digest {
		o.mu.Unlock()
		return bt.table, nil
	}
	o.mu.Unlock()
	entries, err := o.entries(ctx, epoch, key, ls)
	if err != nil {
		return nil, err
	}
	h := TableHeader{Origin: o.Node, Agency: o.Agency, Partner: node, Epoch: epoch, NotAfter: EpochEnd(epoch, o.epochLen()),
		Built: o.now().UTC(), Keys: KeysVersion, Empty: len(entries) == 0}
	if h.PublicKey, err = key.Public().MarshalBinary(); err != nil {
		return nil, err
	}
	min := o.MinEntries
	if min <= 0 {
		min = DefaultMinEntries
	}
	t, err := assemble(h, entries, min, o.Priv)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	if o.epoch == epoch {
		o.tables[node] = &builtTable{digest: digest, table: t}
	}
	o.mu.Unlock()
	return t, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// setDigest names a set of listing versions in an epoch.
func setDigest(epoch int64, ls []*tripline.Listing) [32]byte {
	h := sha256.New()
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(epoch)))
	for _, l := range ls {
		h.Write([]byte(l.ID))
		h.Write(binary.BigEndian.AppendUint64([]byte{0}, uint64(l.Version)))
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// entries returns the entries of ls, from the cache where the listing's
// version has not changed, evaluated on every core otherwise.
func (o *Originator) entries(ctx context.Context, epoch int64, key *oprf.PrivateKey, ls []*tripline.Listing) ([][]byte, error) {
	srv := oprf.NewVerifiableServer(Suite, key)
	var todo []*tripline.Listing
	var out [][]byte
	o.mu.Lock()
	for _, l := range ls {
		if c, ok := o.cache[l.ID]; ok && c.version == l.Version {
			out = append(out, c.entries...)
		} else {
			todo = append(todo, l)
		}
	}
	o.mu.Unlock()
	type done struct {
		l       *tripline.Listing
		ref     string
		entries [][]byte
	}
	results := make([]done, len(todo))
	err := parallel(len(todo), func(i int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		l := todo[i]
		p := o.payload(l)
		es, err := ListingEntries(srv, o.Node, epoch, l, p, o.Alpha3)
		results[i] = done{l, p.Ref, es}
		return err
	})
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.refs == nil {
		o.refs = map[string]string{}
	}
	for _, d := range results {
		out = append(out, d.entries...)
		o.refs[d.ref] = d.l.ID
		if o.epoch == epoch {
			o.cache[d.l.ID] = cachedListing{version: d.l.Version, entries: d.entries}
		}
	}
	return out, nil
}

// Resolve returns the listing an alert reference of this node names.
func (o *Originator) Resolve(ref string) (string, bool) {
	o.mu.Lock()
	id, ok := o.refs[ref]
	o.mu.Unlock()
	if ok {
		return id, true
	}
	for _, l := range o.Listings() {
		if len(l.Handling.Blind) > 0 && o.Secret.Ref(l.ID) == ref {
			o.mu.Lock()
			if o.refs == nil {
				o.refs = map[string]string{}
			}
			o.refs[ref] = l.ID
			o.mu.Unlock()
			return l.ID, true
		}
	}
	return "", false
}
