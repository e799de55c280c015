package blind_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/blind"
	"tripline/country"
)

// clock is a settable clock shared by both sides of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// local is a Transport that calls the originator in-process and keeps a
// copy of every byte the originator receives.
type local struct {
	o        *blind.Originator
	node     string
	agency   string
	mu       sync.Mutex
	received [][]byte
	down     atomic.Bool
	evals    atomic.Int64
}

var errDown = errors.New("connection refused")

func (l *local) record(b []byte) {
	l.mu.Lock()
	l.received = append(l.received, append([]byte(nil), b...))
	l.mu.Unlock()
}

func (l *local) FetchTable(ctx context.Context, etag string) (io.ReadCloser, bool, error) {
	l.record([]byte("GET " + blind.TablePath + " If-None-Match: " + etag))
	if l.down.Load() {
		return nil, false, errDown
	}
	t, err := l.o.Table(ctx, l.node, l.agency)
	if err != nil {
		return nil, false, err
	}
	if etag == hex.EncodeToString(t.Header.Digest) {
		return nil, true, nil
	}
	return io.NopCloser(bytes.NewReader(t.Bytes())), false, nil
}

func (l *local) Evaluate(ctx context.Context, req *blind.EvaluateRequest) (*blind.EvaluateResponse, error) {
	b, _ := json.Marshal(req)
	l.record(b)
	if l.down.Load() {
		return nil, errDown
	}
	l.evals.Add(1)
	// Through JSON both ways, as over HTTP.
	var in blind.EvaluateRequest
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, err
	}
	resp, err := l.o.Evaluate(ctx, l.node, &in)
	if err != nil {
		return nil, err
	}
	rb, _ := json.Marshal(resp)
	var out blind.EvaluateResponse
	return &out, json.Unmarshal(rb, &out)
}

func (l *local) all() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Join(l.received, []byte("\n"))
}

// pair is an originator A (node "A", agency "agency-a") and a partner B
// (node "B", agency "agency-b") screening against it in-process.
type pair struct {
	clock  *clock
	a      *blind.Originator
	aPub   ed25519.PublicKey
	listed []*tripline.Listing
	lmu    sync.Mutex
	t      *local
	b      *blind.Client
	remote *blind.Remote
}

func (p *pair) setListings(ls ...*tripline.Listing) {
	p.lmu.Lock()
	p.listed = ls
	p.lmu.Unlock()
}

func newPair(t *testing.T, ls ...*tripline.Listing) *pair {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	sec, err := blind.NewSecrets(priv.Seed())
	if err != nil {
		t.Fatal(err)
	}
	c := country.New()
	alpha3 := func(s string) string { a, _ := c.Alpha3(s); return a }
	p := &pair{clock: &clock{t: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}, aPub: pub}
	p.setListings(ls...)
	p.a = &blind.Originator{Node: "A", Agency: "agency-a", Priv: priv, Secret: sec, Alpha3: alpha3, Contact: "agency-a duty desk",
		MinEntries: 64, Now: p.clock.Now,
		Listings: func() []*tripline.Listing { p.lmu.Lock(); defer p.lmu.Unlock(); return p.listed },
		Quota:    &blind.Quota{Path: filepath.Join(t.TempDir(), "quota.json"), Now: p.clock.Now}}
	p.t = &local{o: p.a, node: "B", agency: "agency-b"}
	p.b = &blind.Client{Alpha3: alpha3, Dir: t.TempDir(), Now: p.clock.Now}
	p.remote = &blind.Remote{Origin: "A", Agency: "agency-a", Key: pub, T: p.t}
	p.b.SetRemotes([]*blind.Remote{p.remote})
	return p
}

// listing is a listing of agency-a that agency-b may screen against blind.
func listing(id, name, dob string, docs ...tripline.Document) *tripline.Listing {
	l := &tripline.Listing{ID: "a:" + id, Source: "a", Names: []tripline.Name{{Full: name, Kind: tripline.NamePrimary}},
		Documents: docs, Action: tripline.ActionDetain, Contact: "agency-a desk 7",
		Handling:   tripline.Handling{Blind: []string{"agency-b"}},
		Provenance: tripline.Provenance{Originator: "agency-a"}, Status: tripline.StatusActive, Version: 1}
	if dob != "" {
		d, _ := tripline.ParsePartialDate(dob)
		l.BirthDates = []tripline.PartialDate{d}
	}
	return l
}

func traveller(ref, name, dob string, doc *tripline.Document) *tripline.Traveller {
	t := &tripline.Traveller{Ref: ref, Name: name, Document: doc}
	if dob != "" {
		t.DOB, _ = tripline.ParsePartialDate(dob)
	}
	return t
}
