package federation

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"tripline"
)

// A bundle carries to a partner with no network link (an air-gapped node)
// what a network link would: JSON lines — a header, the events (the same
// signed events a feed would serve that partner), the encounter reports,
// updates and receipts the outbox holds for it, and a trailer whose
// signature by the sending node covers everything before it. Bundles go
// both ways: an air-gapped node reports back the same way.
//
// Each bundle for a partner is numbered (per direction, from 1), and a
// node imports from a partner only a bundle numbered above the last it
// imported from it: a replayed or older bundle is refused, naming both
// numbers. Everything in a bundle applies idempotently, so a lost bundle
// costs nothing: the next one carries all that is still owed.

// BundleVersion is the format written; no other is read.
const BundleVersion = 2

// bundleLineMax bounds one line of a bundle: an event's payload limit and
// room for its other fields.
const bundleLineMax = MaxEventBytes + 64<<10

// BundleHeader opens a bundle.
type BundleHeader struct {
	Bundle  int       `json:"tripline_bundle"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Seq     int64     `json:"seq"`
	Created time.Time `json:"created"`
}

// BundleTrailer closes a bundle.
type BundleTrailer struct {
	Events  int    `json:"events"`
	Reports int    `json:"reports"`
	Sig     []byte `json:"sig"`
}

// reportLine is a bundle line carrying a signed report, update or receipt.
type reportLine struct {
	Report *SignedReport `json:"report"`
}

// Bundle is what one bundle carries to partner To.
type Bundle struct {
	To     string
	Seq    int64
	Events []*tripline.Event
	// Reports are the outbox's entries for To: encounter reports and
	// updates (kept until To's receipt comes back) and receipts.
	Reports []*tripline.Report
}

// BundleResult says what an imported bundle brought.
type BundleResult struct {
	From    string `json:"from"`
	Seq     int64  `json:"seq"`
	Events  int    `json:"events"`  // new events applied
	Reports int    `json:"reports"` // reports and updates taken (new or again)
	Receipt int    `json:"receipts"`
}

// ReportReceiver takes a signed report handed over by node from, as the
// partner protocol's POST /v1/reports does (Service.ReceiveReport).
type ReportReceiver func(ctx context.Context, from string, sr *SignedReport) (string, error)

// PrepareBundle numbers the next bundle for partner to and gathers what
// the outbox owes it: reports and updates whose next hop is to and that it
// has not acknowledged, and receipts.
func (p *Peer) PrepareBundle(ctx context.Context, to string, evs []*tripline.Event) (*Bundle, error) {
	seq, err := p.Store.NextBundle(ctx, to)
	if err != nil {
		return nil, err
	}
	rs, err := p.Store.OpenReports(ctx)
	if err != nil {
		return nil, err
	}
	b := &Bundle{To: to, Seq: seq, Events: evs}
	for _, r := range rs {
		if r.NextHop == to {
			b.Reports = append(b.Reports, r)
		}
	}
	return b, nil
}

// BundleWritten records that b is safely written: its receipts are done,
// its reports and updates are sent (and go again in the next bundle until
// acknowledged).
func (p *Peer) BundleWritten(ctx context.Context, b *Bundle) error {
	now := p.Now()
	for _, r := range b.Reports {
		if isReceipt(r.ID) {
			if err := p.delivered(ctx, r); err != nil {
				return err
			}
			continue
		}
		status := tripline.ReportSent
		if r.Status == tripline.ReportOverdue {
			status = r.Status
		}
		if err := p.Store.MarkReport(ctx, r.ID, status, now); err != nil {
			return err
		}
	}
	return nil
}

// WriteBundle writes b as a bundle from this node.
func (p *Peer) WriteBundle(w io.Writer, b *Bundle) error {
	h := sha256.New()
	bw := bufio.NewWriter(w)
	line := func(v any) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		raw = append(raw, '\n')
		h.Write(raw)
		_, err = bw.Write(raw)
		return err
	}
	if err := line(BundleHeader{Bundle: BundleVersion, From: p.Self, To: b.To, Seq: b.Seq, Created: p.Now().UTC()}); err != nil {
		return err
	}
	for _, ev := range b.Events {
		if err := line(ev); err != nil {
			return err
		}
	}
	for _, r := range b.Reports {
		var sr SignedReport
		if err := json.Unmarshal(r.Body, &sr); err != nil {
			return fmt.Errorf("outbox entry %s: %w", r.ID, err)
		}
		if err := line(reportLine{Report: &sr}); err != nil {
			return err
		}
	}
	t := BundleTrailer{Events: len(b.Events), Reports: len(b.Reports), Sig: ed25519.Sign(p.Priv, h.Sum(nil))}
	raw, _ := json.Marshal(t)
	if _, err := bw.Write(append(raw, '\n')); err != nil {
		return err
	}
	return bw.Flush()
}

// ReadBundle verifies a bundle (addressed to this node, signed by an
// active partner, numbered above the last imported from it, every event
// signed by its origin and every report by its sender) and applies it:
// events as the partner's feed would, reports through recv (a receipt is
// owed for each), receipts to the outbox. A bundle that does not verify
// applies nothing.
//
// r is read twice (parseBundle): a file, not a stream.
func (p *Peer) ReadBundle(ctx context.Context, r io.ReadSeeker, name string, recv ReportReceiver) (*BundleResult, error) {
	if _, err := p.Reload(ctx); err != nil {
		return nil, err
	}
	head, evs, reports, err := p.parseBundle(r, name)
	if err != nil {
		return nil, err
	}
	res := &BundleResult{From: head.From, Seq: head.Seq}
	last, err := p.Store.LastBundle(ctx, head.From)
	if err != nil {
		return nil, err
	}
	if head.Seq <= last {
		return nil, tripline.Errorf(tripline.ECONFLICT, "%s: bundle %d from %q was already imported or is older than one that was "+
			"(last imported: %d); import the partner's newest bundle", name, head.Seq, head.From, last)
	}
	for _, sr := range reports {
		if err := p.verifyReport(sr); err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "%s: %s", name, tripline.ErrorMessage(err))
		}
	}
	byOrigin := map[string][]*tripline.Event{}
	var order []string
	for _, ev := range evs {
		if byOrigin[ev.Origin] == nil {
			order = append(order, ev.Origin)
		}
		byOrigin[ev.Origin] = append(byOrigin[ev.Origin], ev)
	}
	for _, o := range order {
		applied, err := p.Apply(ctx, head.From, byOrigin[o])
		res.Events += applied
		if err != nil {
			return res, tripline.Errorf(tripline.ErrorCode(err), "%s: %s", name, tripline.ErrorMessage(err))
		}
	}
	for _, sr := range reports {
		if sr.Kind == KindReceipt {
			if err := p.receipt(ctx, head.From, sr); err != nil {
				return res, fmt.Errorf("%s: %w", name, err)
			}
			res.Receipt++
			continue
		}
		if recv == nil {
			return res, tripline.Errorf(tripline.EUNAVAILABLE, "%s: encounter reports are not taken here", name)
		}
		status, err := recv(ctx, head.From, sr)
		if err != nil {
			return res, tripline.Errorf(tripline.ErrorCode(err), "%s: report from %q: %s", name, sr.From, tripline.ErrorMessage(err))
		}
		res.Reports++
		if status == tripline.ReportAcknowledged {
			// Delivered here: the sender learns it from our next bundle
			// (or, given an address later, at once).
			if err := p.queueReceipt(ctx, head.From, reportKey(sr), fmt.Sprint(head.Seq)); err != nil {
				return res, err
			}
		}
	}
	return res, p.Store.BundleImported(ctx, head.From, head.Seq)
}

// Bounds of a bundle, checked before anything in it is decoded: a bundle
// is a file that came by hand, and until its signature verifies nothing
// in it is trusted. MaxBundleEvents is a list of two million listings and
// more (exports carry every event after a sequence number, not a feed's
// page); MaxBundleReports is the reports, updates and receipts.
const (
	MaxBundleEvents  = 4_000_000
	MaxBundleReports = 100_000
)

// parseBundle reads and verifies a bundle's lines, header to trailer, in
// two passes over r: the first checks the header (to this node, from an
// active partner), the bounds and the trailer's signature over the hash
// of the lines before it, decoding nothing else and holding at most two
// lines; the second decodes, hashing again, so that a file changed between
// the passes is refused. A hostile bundle costs a read of the file, not
// its size in memory.
func (p *Peer) parseBundle(r io.ReadSeeker, name string) (*BundleHeader, []*tripline.Event, []*SignedReport, error) {
	bad := func(n int, format string, args ...any) error {
		return tripline.Errorf(tripline.EINVALID, "%s: line %d: %s", name, n, fmt.Sprintf(format, args...))
	}
	scanner := func() *bufio.Scanner {
		sc := bufio.NewScanner(r)
		// A line is one event: at most its payload limit and the rest of
		// its fields, so a bundle cannot make this node hold a line of any
		// size.
		sc.Buffer(make([]byte, 64<<10), bundleLineMax)
		return sc
	}
	scanErr := func(sc *bufio.Scanner) error {
		if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
			return tripline.Errorf(tripline.EINVALID, "%s: a line over %d bytes: an event over the limit", name, bundleLineMax)
		} else if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	// Pass 1: header, bounds, signature.
	sc := scanner()
	if !sc.Scan() {
		if err := scanErr(sc); err != nil {
			return nil, nil, nil, err
		}
		return nil, nil, nil, bad(1, "not a Tripline bundle")
	}
	var head BundleHeader
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil || head.Bundle == 0 {
		return nil, nil, nil, bad(1, "not a Tripline bundle")
	}
	if head.Bundle != BundleVersion || head.Seq < 1 {
		return nil, nil, nil, bad(1, "bundle format %d (seq %d): this node reads format %d; export it again with this version",
			head.Bundle, head.Seq, BundleVersion)
	}
	if head.To != p.Self {
		return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "%s: addressed to %q, this node is %q", name, head.To, p.Self)
	}
	pub, ok := p.Key(head.From)
	if !ok || head.From == p.Self {
		return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "%s: bundle from %q: not a partner of this node", name, head.From)
	}
	if x, ok := p.Partner(head.From); ok && x.Suspended() {
		return nil, nil, nil, tripline.Errorf(tripline.EFORBIDDEN, "%s: bundle from %q: the partner is suspended", name, head.From)
	}
	h := sha256.New()
	h.Write(sc.Bytes())
	h.Write([]byte{'\n'})
	// The trailer is the last line: each line is hashed once the next is
	// read, and the last is left over.
	var last []byte
	lines := 1
	for sc.Scan() {
		if lines > 1 {
			h.Write(last)
			h.Write([]byte{'\n'})
		}
		last = append(last[:0], sc.Bytes()...)
		if lines++; lines > MaxBundleEvents+MaxBundleReports+2 {
			return nil, nil, nil, bad(lines, "more than %d events and %d reports", MaxBundleEvents, MaxBundleReports)
		}
	}
	if err := scanErr(sc); err != nil {
		return nil, nil, nil, err
	}
	var trail BundleTrailer
	if lines < 2 || json.Unmarshal(last, &trail) != nil || trail.Sig == nil ||
		trail.Events < 0 || trail.Reports < 0 || trail.Events+trail.Reports != lines-2 {
		return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "%s: truncated: no trailer at the end, or a wrong count of events or reports", name)
	}
	if trail.Events > MaxBundleEvents || trail.Reports > MaxBundleReports {
		return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "%s: %d events and %d reports: at most %d and %d in a bundle",
			name, trail.Events, trail.Reports, MaxBundleEvents, MaxBundleReports)
	}
	sum := h.Sum(nil)
	if !ed25519.Verify(pub, sum, trail.Sig) {
		return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "%s: bundle signature of %q does not verify", name, head.From)
	}
	// Pass 2: decode what the partner signed.
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var (
		evs     []*tripline.Event
		reports []*SignedReport
	)
	sc = scanner()
	h.Reset()
	for n := 1; n < lines && sc.Scan(); n++ {
		b := sc.Bytes()
		h.Write(b)
		h.Write([]byte{'\n'})
		if n == 1 {
			continue
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(b, &probe); err != nil {
			return nil, nil, nil, bad(n, "%v", err)
		}
		if probe["report"] != nil {
			var rl reportLine
			if err := json.Unmarshal(b, &rl); err != nil || rl.Report == nil {
				return nil, nil, nil, bad(n, "report: malformed")
			}
			reports = append(reports, rl.Report)
			continue
		}
		var ev tripline.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, nil, nil, bad(n, "event: %v", err)
		}
		if err := checkEventSize(&ev); err != nil {
			return nil, nil, nil, bad(n, "%s", tripline.ErrorMessage(err))
		}
		evs = append(evs, &ev)
	}
	if err := scanErr(sc); err != nil {
		return nil, nil, nil, err
	}
	if !bytes.Equal(h.Sum(nil), sum) {
		return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "%s: the file changed while it was read", name)
	}
	if trail.Events != len(evs) || trail.Reports != len(reports) {
		return nil, nil, nil, tripline.Errorf(tripline.EINVALID, "%s: truncated: no trailer or a wrong count of events or reports", name)
	}
	return &head, evs, reports, nil
}

// receiptPrefix names the outbox entries that are receipts: what a node
// owes a partner that handed it reports by bundle.
const receiptPrefix = "receipt:"

func isReceipt(id string) bool { return strings.HasPrefix(id, receiptPrefix) }

// queueReceipt queues, for partner to, the receipt of the report or update
// with outbox key id; bundle makes each receipt's own key unique, so that
// a report handed over again is receipted again.
func (p *Peer) queueReceipt(ctx context.Context, to, id, bundle string) error {
	now := p.Now()
	body, err := p.signReport(KindReceipt, ReportAck{ID: id}, to)
	if err != nil {
		return err
	}
	return p.Store.QueueReport(ctx, &tripline.Report{ID: receiptPrefix + id + ":" + bundle, ToOrigin: to, NextHop: to,
		NextAttempt: now, Deadline: now.Add(ReportDeadline), Body: body})
}

// receipt takes a partner's receipt: the report or update it names, which
// this node handed to that partner, is delivered. A receipt for anything
// else changes nothing.
func (p *Peer) receipt(ctx context.Context, from string, sr *SignedReport) error {
	var a ReportAck
	if err := json.Unmarshal(sr.Encounter, &a); err != nil || a.ID == "" || sr.ToOrigin != p.Self || sr.From != from {
		return tripline.Errorf(tripline.EINVALID, "receipt from %q: malformed, or not %q's own receipt for this node", from, from)
	}
	_, err := p.acknowledged(ctx, a.ID, from) // another's receipt changes nothing, as that of an unknown report
	return err
}

// reportKey is the outbox key of a signed report or update: the same at
// every hop.
func reportKey(sr *SignedReport) string {
	switch sr.Kind {
	case KindUpdate:
		var u tripline.EncounterUpdate
		_ = json.Unmarshal(sr.Encounter, &u)
		return u.Key()
	default:
		var e tripline.Encounter
		_ = json.Unmarshal(sr.Encounter, &e)
		return e.ID
	}
}
