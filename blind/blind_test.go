package blind_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tripline"
	"tripline/blind"
	"tripline/match"
)

var ctx = context.Background()

// TestBlindScreening is the round trip: B finds A's listed people under the
// spellings, orders, documents and dates exact keys fold, and nobody else;
// each hit shows A's contact and action, and what kind of key met.
func TestBlindScreening(t *testing.T) {
	p := newPair(t,
		listing("1", "Muhammad Abd al-Rahman", "1975-03-14", tripline.Document{Type: "P", Number: "A1234567", Country: "IRQ"}),
		listing("2", "Jürgen Müller", "1961"),
		listing("3", "Anna Nodate Eriksson", ""),
		listing("4", "Swap Dates Person", "1980-03-04"),
	)
	tests := []struct {
		name string
		t    *tripline.Traveller
		want tripline.BlindKind // "" = no match
	}{
		{"document, alpha-2 country", traveller("d", "Someone Else", "", &tripline.Document{Number: "A1234567", Country: "IQ"}), tripline.BlindDocument},
		{"document with OCR look-alikes", traveller("o", "Someone Else", "", &tripline.Document{Number: "AI2345G7", Country: "IRQ"}), ""},
		{"document read I for 1", traveller("i", "Someone Else", "", &tripline.Document{Number: "AI234567", Country: "IRQ"}), tripline.BlindDocument},
		{"name and full date", traveller("n", "Muhammad Abd al-Rahman", "1975-03-14", nil), tripline.BlindNameDOB},
		{"swapped order", traveller("s", "ABD AL-RAHMAN, Muhammad", "1975-03-14", nil), tripline.BlindNameDOB},
		{"day and month swapped", traveller("w", "Swap Dates Person", "1980-04-03", nil), tripline.BlindNameDOB},
		{"variant spelling", traveller("v", "Mohammed Abdul Rahman", "1975-03-14", nil), tripline.BlindVariant},
		{"ICAO transliteration", traveller("u", "Juergen Mueller", "1961-05-02", nil), tripline.BlindNameDOB},
		{"year only listed, year matches", traveller("y", "Jurgen Muller", "1961-05-02", nil), tripline.BlindSkeleton},
		{"no birth date listed", traveller("x", "Eriksson Anna Nodate", "1990-01-01", nil), tripline.BlindName},
		{"namesake born another year", traveller("z", "Juergen Mueller", "1962", nil), ""},
		{"someone else", traveller("e", "Erika Mustermann", "1964-08-12", nil), ""},
	}
	var ts []*tripline.Traveller
	for _, tc := range tests {
		ts = append(ts, tc.t)
	}
	fs := p.b.Screen(ctx, ts)
	if n := p.t.evals.Load(); n != 1 {
		t.Errorf("%d evaluation round trips for one batch, want 1", n)
	}
	for i, tc := range tests {
		f := fs[i]
		if len(f.Notes) > 0 {
			t.Errorf("%s: notes %v", tc.name, f.Notes)
		}
		if tc.want == "" {
			if len(f.Matches) > 0 {
				t.Errorf("%s: matched %+v, want nothing", tc.name, f.Matches)
			}
			continue
		}
		if len(f.Matches) != 1 {
			t.Errorf("%s: %d matches %+v, want 1", tc.name, len(f.Matches), f.Matches)
			continue
		}
		m := f.Matches[0]
		if got := m.Explain[0].Detail; !strings.Contains(got, tc.want.Describe()) {
			t.Errorf("%s: matched by %q, want %s", tc.name, got, tc.want)
		}
		if m.Decision != tc.want.Decision() || m.Action != tripline.ActionDetain || m.Contact != "agency-a desk 7" {
			t.Errorf("%s: got %+v, want decision %s, action detain, contact agency-a desk 7", tc.name, m, tc.want.Decision())
		}
		if !strings.Contains(m.Instruction, "Possible match on a blind list of agency-a: contact agency-a (agency-a desk 7)") {
			t.Errorf("%s: instruction %q", tc.name, m.Instruction)
		}
		origin, ref, ok := tripline.ParseBlindMatchID(m.Listing)
		if id, found := p.a.Resolve(ref); !ok || origin != "A" || !found || !strings.HasPrefix(id, "a:") {
			t.Errorf("%s: match id %q does not resolve at A (%q)", tc.name, m.Listing, id)
		}
		if strings.Contains(m.Listing, "a:1") || m.Name != "" {
			t.Errorf("%s: the match shows A's listing id or name: %+v", tc.name, m)
		}
	}
}

// TestOriginatorLearnsNoTraveller inspects every byte A receives while B
// screens travellers, hits among them, twice: no name, word of a name,
// birth date, document number or key input is there, and the same
// traveller screened again is sent as other elements (A cannot link them).
func TestOriginatorLearnsNoTraveller(t *testing.T) {
	p := newPair(t, listing("1", "Muhammad Abd al-Rahman", "1975-03-14", tripline.Document{Number: "A1234567", Country: "IRQ"}))
	ts := []*tripline.Traveller{
		traveller("t1", "Muhammad Abd al-Rahman", "1975-03-14", &tripline.Document{Number: "A1234567", Country: "IRQ"}),
		traveller("t2", "Zebulon Quartermaine", "1988-11-30", &tripline.Document{Number: "ZQ9988776", Country: "GBR"}),
	}
	fs := p.b.Screen(ctx, ts)
	if len(fs[0].Matches) == 0 {
		t.Fatal("the listed traveller was not found: the test would prove nothing")
	}
	first := p.t.all()
	p.b = &blind.Client{Now: p.clock.Now} // no cached outputs: ask again
	p.b.SetRemotes([]*blind.Remote{{Origin: "A", Agency: "agency-a", Key: p.aPub, T: p.t}})
	p.b.Screen(ctx, ts)
	got := p.t.all()
	var secrets []string
	for _, tr := range ts {
		secrets = append(secrets, tr.Name, tr.DOB.String(), tr.Document.Number)
		secrets = append(secrets, strings.Fields(strings.ToLower(tr.Name))...)
		secrets = append(secrets, match.Normalise(tr.Name)...)
		bk := match.BlindKeys(tr.Name)
		secrets = append(secrets, bk.Exact, bk.Classes, bk.Skeleton)
		for _, k := range blind.TravellerKeys(tr, nil) {
			sum := sha256.Sum256(k.Input)
			secrets = append(secrets, string(k.Input), string(sum[:8]))
		}
	}
	// Every record is a table request or a batch of group elements and
	// nothing else; no secret is in the text around the elements, nor
	// (the longer ones) in the elements' bytes.
	var text, elems []byte
	for _, rec := range bytes.Split(got, []byte("\n")) {
		if !bytes.HasPrefix(rec, []byte("{")) {
			text = append(text, rec...)
			continue
		}
		var fields map[string]json.RawMessage
		var req blind.EvaluateRequest
		json.Unmarshal(rec, &fields)
		delete(fields, "chunk") // a number: how the batch is split for the cores
		if err := json.Unmarshal(rec, &req); err != nil || len(fields) != 1 || req.Elements == nil {
			t.Fatalf("A received %.200s, want only {\"elements\": [...], \"chunk\": n}", rec)
		}
		for _, e := range req.Elements {
			if len(e) != 32 {
				t.Fatalf("an element of %d bytes", len(e))
			}
			elems = append(elems, e...)
		}
		text = append(text, `{"elements":[]}`...)
	}
	for _, s := range secrets {
		if len(s) >= 3 && bytes.Contains(bytes.ToLower(text), []byte(strings.ToLower(s))) {
			t.Errorf("A received %q", s)
		}
		if len(s) >= 6 && bytes.Contains(elems, []byte(s)) {
			t.Errorf("A received %q inside an element", s)
		}
	}
	// Each batch is only elements; the second differs from the first.
	var a, b blind.EvaluateRequest
	parts := bytes.Split(got[len(first)+1:], []byte("\n"))
	for _, part := range bytes.Split(first, []byte("\n")) {
		if bytes.HasPrefix(part, []byte("{")) {
			json.Unmarshal(part, &a)
		}
	}
	for _, part := range parts {
		if bytes.HasPrefix(part, []byte("{")) {
			json.Unmarshal(part, &b)
		}
	}
	if len(a.Elements) == 0 || len(a.Elements) != len(b.Elements) {
		t.Fatalf("batches of %d and %d elements", len(a.Elements), len(b.Elements))
	}
	for i := range a.Elements {
		for j := range b.Elements {
			if bytes.Equal(a.Elements[i], b.Elements[j]) {
				t.Errorf("element %d of the first batch sent again as %d of the second: A can link the traveller", i, j)
			}
		}
	}
}

// TestPartnerOpensOnlyHits holds B to what it can open: with the table
// and every OPRF output it obtained, B opens the payloads of its hits and
// of nothing else, however it pairs outputs and entries; dummies and real
// entries have one size.
func TestPartnerOpensOnlyHits(t *testing.T) {
	var ls []*tripline.Listing
	for i, n := range []string{"Hidden Person One", "Hidden Person Two", "Hidden Person Three", "Muhammad Abd al-Rahman"} {
		ls = append(ls, listing(string(rune('1'+i)), n, "1970-01-0"+string(rune('1'+i))))
	}
	p := newPair(t, ls...)
	trav := traveller("t", "Muhammad Abd al-Rahman", "1970-01-04", nil)
	fs := p.b.Screen(ctx, []*tripline.Traveller{trav, traveller("u", "Nobody Listed", "1970-01-01", nil)})
	if len(fs[0].Matches) == 0 || len(fs[1].Matches) > 0 {
		t.Fatalf("findings %+v", fs)
	}
	tab, err := p.a.Table(ctx, "B", "agency-b")
	if err != nil {
		t.Fatal(err)
	}
	outputs := blind.Outputs(p.remote)
	if len(outputs) == 0 {
		t.Fatal("no outputs held")
	}
	opened := map[string]bool{}
	tried := 0
	for _, y := range outputs {
		for i := 0; i < tab.Len(); i++ {
			tried++
			if pl, ok := blind.TryOpen(tab, i, y); ok {
				opened[pl.Ref] = true
			}
		}
	}
	hitRef := strings.TrimPrefix(fs[0].Matches[0].Listing, "blind:A:")
	if len(opened) != 1 || !opened[hitRef] {
		t.Errorf("B opened %v of %d pairings, want only its hit %s", opened, tried, hitRef)
	}
	if tab.Len() != 64 || tab.Size() < 64*blind.EntrySize {
		t.Errorf("table of %d entries (%d bytes), want the 64 of the floor", tab.Len(), tab.Size())
	}
}

// TestQuota refuses a partner past its declared traffic, keeps the count
// across a restart, and starts afresh the next day.
func TestQuota(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC)}
	vols := &blind.Volumes{Path: dir + "/volumes.json"}
	if err := vols.Set("B", 2); err != nil {
		t.Fatal(err)
	}
	if err := vols.Set("B", 0); tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("volume 0: %v, want invalid", err)
	}
	q := &blind.Quota{Path: dir + "/quota.json", Volumes: vols, Now: c.Now}
	if lim := q.Limit("B"); lim != 2*blind.MaxTravellerKeys {
		t.Fatalf("limit %d", lim)
	}
	if _, _, err := q.Take(ctx, "B", 20); err != nil {
		t.Fatal(err)
	}
	restarted := &blind.Quota{Path: dir + "/quota.json", Volumes: &blind.Volumes{Path: dir + "/volumes.json"}, Now: c.Now}
	used, limit, err := restarted.Take(ctx, "B", 5)
	if tripline.ErrorCode(err) != tripline.ERATELIMIT || used != 20 || limit != 24 {
		t.Errorf("past the quota after a restart: used %d of %d, %v; want 20 of 24, rate_limited", used, limit, err)
	}
	if _, _, err := restarted.Take(ctx, "C", 5); err != nil {
		t.Errorf("another partner's quota: %v", err)
	}
	c.Add(2 * time.Hour)
	if _, _, err := restarted.Take(ctx, "B", 24); err != nil {
		t.Errorf("the next day: %v", err)
	}

	// Through the originator: an enumeration runs into the quota and
	// nothing is evaluated.
	p := newPair(t, listing("1", "Hidden Person", "1970"))
	p.a.Quota.Volumes = &blind.Volumes{Path: dir + "/volumes.json"}
	p.t.node = "B"
	var ts []*tripline.Traveller
	for i := range 5 {
		ts = append(ts, traveller("e", "Enumerated Guess"+string(rune('a'+i)), "1970-01-01", nil))
	}
	fs := p.b.Screen(ctx, ts)
	if len(fs[0].Notes) == 0 || !strings.Contains(fs[0].Notes[0], "quota") {
		t.Errorf("notes %v, want the quota refusal", fs[0].Notes)
	}
}

// TestEpochRotation makes an old table useless: after the epoch turns, B's
// outputs are of the new key and open nothing in the table it held; B
// fetches the new table and finds the listed person again.
func TestEpochRotation(t *testing.T) {
	p := newPair(t, listing("1", "Hidden Person", "1970-01-01"))
	trav := traveller("t", "Hidden Person", "1970-01-01", nil)
	if fs := p.b.Screen(ctx, []*tripline.Traveller{trav}); len(fs[0].Matches) != 1 {
		t.Fatalf("epoch 1: %+v", fs[0])
	}
	old, _ := p.a.Table(ctx, "B", "agency-b")
	p.clock.Add(blind.DefaultEpoch)
	b2 := &blind.Client{Now: p.clock.Now}
	r2 := &blind.Remote{Origin: "A", Agency: "agency-a", Key: p.aPub, T: p.t}
	b2.SetRemotes([]*blind.Remote{r2})
	fs := b2.Screen(ctx, []*tripline.Traveller{trav})
	if len(fs[0].Matches) != 1 {
		t.Fatalf("epoch 2: %+v", fs[0])
	}
	for _, y := range blind.Outputs(r2) {
		for i := 0; i < old.Len(); i++ {
			if _, ok := blind.TryOpen(old, i, y); ok {
				t.Fatal("an output of the new epoch opens an entry of the old table")
			}
		}
	}
	// B's own client, holding the old table, notices and refetches.
	if fs := p.b.Screen(ctx, []*tripline.Traveller{trav}); len(fs[0].Matches) != 1 || len(fs[0].Notes) > 0 {
		t.Errorf("after the epoch turned: %+v", fs[0])
	}
}

// TestFallbackWhenUnreachable: with A unreachable, B screens against the
// table it holds with the outputs it already has (a traveller screened
// before is still found), and says of everyone else that A's list was not
// checked — never a silent clear. The table survives a restart of B.
func TestFallbackWhenUnreachable(t *testing.T) {
	p := newPair(t, listing("1", "Hidden Person", "1970-01-01"))
	trav := traveller("t", "Hidden Person", "1970-01-01", nil)
	p.b.Screen(ctx, []*tripline.Traveller{trav})
	p.t.down.Store(true)
	p.clock.Add(blind.DefaultRefresh + time.Minute) // the table is due a check that fails
	fs := p.b.Screen(ctx, []*tripline.Traveller{trav, traveller("n", "New Face", "1980", nil)})
	if len(fs[0].Matches) != 1 || len(fs[0].Notes) != 0 {
		t.Errorf("screened before: %+v, want the hit from the held table", fs[0])
	}
	if len(fs[1].Notes) != 1 || !strings.Contains(fs[1].Notes[0], "blind list of agency-a not checked") {
		t.Errorf("new traveller: notes %v", fs[1].Notes)
	}
	asked := len(p.t.all())
	p.b.Screen(ctx, []*tripline.Traveller{traveller("m", "Another Face", "1981", nil)})
	if len(p.t.all()) != asked {
		t.Error("an originator that just failed to answer was asked again at once: every screening would wait for it")
	}
	restarted := &blind.Client{Dir: p.b.Dir, Now: p.clock.Now}
	restarted.SetRemotes([]*blind.Remote{{Origin: "A", Agency: "agency-a", Key: p.aPub, T: p.t}})
	fs = restarted.Screen(ctx, []*tripline.Traveller{trav})
	if len(fs[0].Notes) != 1 || !strings.Contains(fs[0].Notes[0], "not checked") {
		t.Errorf("restarted, A down: %+v, want the note", fs[0])
	}
}

// TestTableChanges: a withdrawn or expired listing leaves the table, a
// changed one is re-evaluated; a table altered in transit or signed by
// another key is refused.
func TestTableChanges(t *testing.T) {
	l1, l2 := listing("1", "Hidden Person", "1970-01-01"), listing("2", "Other Person", "1971-01-01")
	p := newPair(t, l1, l2)
	both := []*tripline.Traveller{traveller("1", "Hidden Person", "1970-01-01", nil), traveller("2", "Other Person", "1971-01-01", nil)}
	fs := p.b.Screen(ctx, both)
	if len(fs[0].Matches) != 1 || len(fs[1].Matches) != 1 {
		t.Fatalf("%+v", fs)
	}
	past := p.clock.Now().Add(-time.Hour)
	w := *l2
	w.ValidUntil, w.Version = &past, 2
	p.setListings(l1, &w)
	p.clock.Add(blind.DefaultRefresh + time.Second)
	p.b.RefreshTables(ctx) // the node's background work
	fs = p.b.Screen(ctx, both)
	if len(fs[0].Matches) != 1 || len(fs[1].Matches) != 0 {
		t.Errorf("after l2 expired: %+v", fs)
	}
	tab, _ := p.a.Table(ctx, "B", "agency-b")
	enc := tab.Bytes()
	enc[len(enc)-5] ^= 1
	if _, err := blind.ReadTable(bytes.NewReader(enc), p.aPub, 1<<20); err == nil || !strings.Contains(err.Error(), "digest") {
		t.Errorf("altered entries: %v", err)
	}
	other := newPair(t)
	if _, err := blind.ReadTable(bytes.NewReader(tab.Bytes()), other.aPub, 1<<20); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("another node's key: %v", err)
	}
	if _, err := blind.ReadTable(bytes.NewReader(tab.Bytes()), p.aPub, 10); err == nil {
		t.Error("a table over the entry bound was read")
	}
}

func TestPaddedSize(t *testing.T) {
	for _, tc := range []struct{ n, min, want int }{
		{0, 4096, 4096}, {4096, 4096, 4096}, {4097, 4096, 5120}, {5000, 4096, 5120}, {5121, 4096, 6144},
		{1_000_000, 4096, 1_048_576}, {1_048_577, 4096, 1_310_720}, {3, 0, 4},
	} {
		if got := blind.PaddedSize(tc.n, tc.min); got != tc.want || got < tc.n {
			t.Errorf("PaddedSize(%d, %d) = %d, want %d", tc.n, tc.min, got, tc.want)
		}
	}
}

// TestEvaluateRefusesBadInput: an empty or oversized batch, or bytes that
// are not group elements, are refused naming what is wrong.
func TestEvaluateRefusesBadInput(t *testing.T) {
	p := newPair(t)
	for _, req := range []*blind.EvaluateRequest{
		{},
		{Elements: [][]byte{make([]byte, 32)}},
		{Elements: [][]byte{[]byte("short")}},
		{Elements: make([][]byte, blind.MaxBatch+1)},
		{Elements: make([][]byte, 100), Chunk: 1}, // 100 proofs
		{Elements: make([][]byte, 10), Chunk: -1},
	} {
		if _, err := p.a.Evaluate(ctx, "B", req); tripline.ErrorCode(err) != tripline.EINVALID {
			t.Errorf("%d elements: %v, want invalid", len(req.Elements), err)
		}
	}
}

// liar serves A's signed table but has another key evaluate: an originator
// tracing a partner's travellers with keys of its own.
type liar struct {
	*local
	other *blind.Originator
}

func (l liar) Evaluate(ctx context.Context, req *blind.EvaluateRequest) (*blind.EvaluateResponse, error) {
	resp, err := l.other.Evaluate(ctx, "B", req)
	if resp != nil {
		real, _ := l.local.o.Table(ctx, "B", "agency-b")
		resp.PublicKey = real.Header.PublicKey // claim the signed key
	}
	return resp, err
}

// TestEvaluationUnderAnotherKeyRefused: B verifies every evaluation against
// the epoch key of the table A signed; one made under any other key is
// refused, and the travellers are noted as not checked.
func TestEvaluationUnderAnotherKeyRefused(t *testing.T) {
	p := newPair(t, listing("1", "Hidden Person", "1970-01-01"))
	other := newPair(t, listing("1", "Hidden Person", "1970-01-01"))
	c := &blind.Client{Now: p.clock.Now}
	c.SetRemotes([]*blind.Remote{{Origin: "A", Agency: "agency-a", Key: p.aPub, T: liar{p.t, other.a}}})
	fs := c.Screen(ctx, []*tripline.Traveller{traveller("t", "Hidden Person", "1970-01-01", nil)})
	if len(fs[0].Matches) != 0 || len(fs[0].Notes) != 1 || !strings.Contains(fs[0].Notes[0], "does not verify") {
		t.Errorf("evaluation under another key: %+v", fs[0])
	}
}

// TestStaleTableAskedBeforeScreening: told that A changed its listings
// (its feed says so), B asks for A's table before its next screening and
// finds a listing added since, without waiting for the refresh interval.
func TestStaleTableAskedBeforeScreening(t *testing.T) {
	p := newPair(t)
	trav := traveller("t", "Newly Listed", "1970-01-01", nil)
	if fs := p.b.Screen(ctx, []*tripline.Traveller{trav}); len(fs[0].Matches) != 0 {
		t.Fatalf("before: %+v", fs[0])
	}
	p.setListings(listing("1", "Newly Listed", "1970-01-01"))
	p.b.Stale("A")
	if fs := p.b.Screen(ctx, []*tripline.Traveller{trav}); len(fs[0].Matches) != 1 {
		t.Errorf("after A's change: %+v", fs[0])
	}
}

// hook is a Transport that runs during once a table fetch has its answer:
// a change told while B's fetch is in flight.
type hook struct {
	blind.Transport
	during func()
}

func (h *hook) FetchTable(ctx context.Context, etag string) (io.ReadCloser, bool, error) {
	body, notModified, err := h.Transport.FetchTable(ctx, etag)
	if h.during != nil {
		h.during()
	}
	return body, notModified, err
}

// TestStaleDuringFetchKept: A's change told to B while B's fetch of the
// older table is in flight leaves B's table stale, so the next screening
// asks again and finds the new listing (it once cleared the flag and
// screened a partner's new listing clear until the next refresh).
func TestStaleDuringFetchKept(t *testing.T) {
	p := newPair(t)
	trav := traveller("t", "Listed Meanwhile", "1970-01-01", nil)
	h := &hook{Transport: p.t}
	h.during = func() {
		h.during = nil
		p.setListings(listing("1", "Listed Meanwhile", "1970-01-01"))
		p.b.Stale("A")
	}
	p.remote.T = h
	if fs := p.b.Screen(ctx, []*tripline.Traveller{trav}); len(fs[0].Matches) != 0 {
		t.Fatalf("screened with the table fetched before the change: %+v", fs[0])
	}
	if fs := p.b.Screen(ctx, []*tripline.Traveller{trav}); len(fs[0].Matches) != 1 {
		t.Errorf("after A's change told during the fetch: %+v", fs[0])
	}
}

// TestSuspendedOriginatorLeavesAtOnce: once this node suspends (or
// removes) the originator, its blind list stops screening travellers on
// the next screening, with no table kept or evaluation asked of it, and
// comes back when it is resumed. Before, the held table went on detaining
// travellers until the node restarted.
func TestSuspendedOriginatorLeavesAtOnce(t *testing.T) {
	p := newPair(t, listing("1", "Zebulon Quartermaine", "1980-02-03"))
	var suspended atomic.Bool
	p.b.Active = func(origin string) bool { return origin != "A" || !suspended.Load() }
	tr := traveller("t", "Zebulon Quartermaine", "1980-02-03", nil)
	if fs := p.b.Screen(ctx, []*tripline.Traveller{tr}); len(fs[0].Matches) != 1 {
		t.Fatalf("before suspension: %+v, want a hit (the test would prove nothing)", fs[0])
	}
	suspended.Store(true)
	asked := len(p.t.all())
	fs := p.b.Screen(ctx, []*tripline.Traveller{tr})
	if len(fs[0].Matches) != 0 || len(fs[0].Notes) != 0 {
		t.Errorf("suspended originator: %+v, want no match and no note", fs[0])
	}
	p.b.RefreshTables(ctx)
	if got := p.t.all()[asked:]; len(got) != 0 {
		t.Errorf("the suspended originator was asked %d times: %q", len(got), got)
	}
	suspended.Store(false)
	if fs := p.b.Screen(ctx, []*tripline.Traveller{tr}); len(fs[0].Matches) != 1 {
		t.Errorf("resumed: %+v, want the hit back", fs[0])
	}
}

// TestQuotaBeforeWork: a partner past its quota is refused before its
// batch is decoded: a batch of malformed elements gets ERATELIMIT, not
// EINVALID, and nothing is charged. Before, every past-quota batch of
// 60,000 elements was decoded first.
func TestQuotaBeforeWork(t *testing.T) {
	p := newPair(t, listing("1", "Hidden Person", "1970"))
	limit := p.a.Quota.Limit("B")
	if _, _, err := p.a.Quota.Take(ctx, "B", limit-1); err != nil {
		t.Fatal(err)
	}
	bad := make([][]byte, 2)
	for i := range bad {
		bad[i] = []byte("not a group element")
	}
	_, err := p.a.Evaluate(ctx, "B", &blind.EvaluateRequest{Elements: bad})
	if tripline.ErrorCode(err) != tripline.ERATELIMIT {
		t.Errorf("past the quota, malformed batch: %v, want rate_limited", err)
	}
	if used, _, err := p.a.Quota.Check(ctx, "B", 1); err != nil || used != limit-1 {
		t.Errorf("after the refusal: used %d of %d (%v), want %d", used, limit, err, limit-1)
	}
	// Within the quota the batch is judged as before.
	_, err = p.a.Evaluate(ctx, "B", &blind.EvaluateRequest{Elements: bad[:1]})
	if tripline.ErrorCode(err) != tripline.EINVALID {
		t.Errorf("within the quota, malformed element: %v, want invalid", err)
	}
}

// TestTableClaimTakesNoMemory: a table header (signed by the partner)
// claiming the most entries a table may have, followed by a few bytes, is
// refused as cut short having allocated about what arrived. Before, the
// claim alone made this node allocate 1.5 GiB, at every fetch.
func TestTableClaimTakesNoMemory(t *testing.T) {
	p := newPair(t)
	h := blind.TableHeader{Origin: "A", Agency: "agency-a", Partner: "B", Epoch: 1, Suite: blind.Suite.Identifier(),
		Keys: blind.KeysVersion, EntrySize: blind.EntrySize, Entries: blind.DefaultMaxEntries, Digest: make([]byte, 32)}
	blind.Sign(&h, p.a.Priv)
	var b bytes.Buffer
	(&blind.Table{Header: h}).WriteTo(&b)
	b.Write(make([]byte, 10*blind.EntrySize))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := blind.ReadTable(&b, p.aPub, blind.DefaultMaxEntries)
	runtime.ReadMemStats(&after)
	if tripline.ErrorCode(err) != tripline.EINVALID || !strings.Contains(tripline.ErrorMessage(err), "entries cut short") {
		t.Errorf("got %v, want EINVALID, entries cut short", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("allocated %d MiB for %d bytes of entries claiming %d", got>>20, 10*blind.EntrySize, blind.DefaultMaxEntries)
	}
}
