package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"tripline"
)

// FederationStore keeps partners, applies partners' events and holds the
// encounter-report outbox.
type FederationStore struct {
	db *DB
	// Agency is the agency running this node: consent requests addressed
	// to it, and decisions on its own requests, are taken from partners
	// ("" takes none).
	Agency string
	// MaxOriginListings and MaxOriginAlerts bound the listings and the
	// document alerts held from one partner origin (0:
	// tripline.DefaultMaxOriginListings, DefaultMaxOriginAlerts); a new
	// record past its bound is refused as the trust rules refuse an event.
	MaxOriginListings int
	MaxOriginAlerts   int
	// MaxOriginClearances bounds the shared clearances held from one
	// partner origin (0: tripline.DefaultMaxOriginClearances).
	MaxOriginClearances int
	// MaxPendingConsents bounds the consent requests pending on one of
	// this node's listings (0: tripline.DefaultMaxPendingConsents), the
	// partners' as the local writers'.
	MaxPendingConsents int

	// held is how many records of each kind this node holds of each
	// origin, as the last ApplyForeign left it (take).
	heldMu sync.Mutex
	held   map[recordsOf]int
}

// maxOrigin is the bound on records of kind held from one origin.
func (s *FederationStore) maxOrigin(kind tripline.RecordKind) int {
	switch kind {
	case tripline.KindDocumentAlert:
		return cmp.Or(s.MaxOriginAlerts, tripline.DefaultMaxOriginAlerts)
	case tripline.KindSharedClearance:
		return cmp.Or(s.MaxOriginClearances, tripline.DefaultMaxOriginClearances)
	}
	return cmp.Or(s.MaxOriginListings, tripline.DefaultMaxOriginListings)
}

// NewFederationStore returns a FederationStore on db.
func NewFederationStore(db *DB) *FederationStore { return &FederationStore{db: db} }

// PutPartner creates or updates a partner (a new key rotates it); a
// partner without a status is active. An invalid partner is EINVALID.
func (s *FederationStore) PutPartner(ctx context.Context, p *tripline.Partner) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.ID == s.db.Origin {
		return tripline.Errorf(tripline.EINVALID, "partner id: %q is this node's own id", p.ID)
	}
	status := p.Status
	if status == "" {
		status = tripline.PartnerActive
	}
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO partners (id, agency, public_key, url, follows, tls_pins, tls_ca, insecure_http, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET agency = excluded.agency, public_key = excluded.public_key, url = excluded.url, follows = excluded.follows,
		tls_pins = excluded.tls_pins, tls_ca = excluded.tls_ca, insecure_http = excluded.insecure_http, status = excluded.status`,
		p.ID, p.Agency, p.PublicKey, p.URL, strings.Join(p.Follows, ","), strings.Join(p.TLSPins, ","), p.TLSCA, p.InsecureHTTP, status)
	if err != nil {
		return fmt.Errorf("store partner %s: %w", p.ID, err)
	}
	return nil
}

// SetPartnerStatus suspends or resumes partner id; ENOTFOUND when there is
// no such partner.
func (s *FederationStore) SetPartnerStatus(ctx context.Context, id, status string) error {
	if err := (&tripline.Partner{ID: id, Agency: "-", PublicKey: "-", Status: status}).Validate(); err != nil {
		return err
	}
	return s.changePartner(ctx, id, `UPDATE partners SET status = ? WHERE id = ?`, status, id)
}

// RemovePartner forgets partner id: it is no longer pulled, served or
// trusted. The events of it already held stay in the log. ENOTFOUND when
// there is no such partner.
func (s *FederationStore) RemovePartner(ctx context.Context, id string) error {
	return s.changePartner(ctx, id, `DELETE FROM partners WHERE id = ?`, id)
}

func (s *FederationStore) changePartner(ctx context.Context, id, query string, args ...any) error {
	res, err := s.db.db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("change partner %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tripline.Errorf(tripline.ENOTFOUND, "partner %q not found", id)
	}
	return nil
}

// Partners returns every partner, ordered by id.
func (s *FederationStore) Partners(ctx context.Context) ([]*tripline.Partner, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, agency, public_key, url, follows, tls_pins, tls_ca, insecure_http, status FROM partners ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("query partners: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Partner
	for rows.Next() {
		var p tripline.Partner
		var follows, pins string
		if err := rows.Scan(&p.ID, &p.Agency, &p.PublicKey, &p.URL, &follows, &pins, &p.TLSCA, &p.InsecureHTTP, &p.Status); err != nil {
			return nil, fmt.Errorf("scan partner: %w", err)
		}
		if follows != "" {
			p.Follows = strings.Split(follows, ",")
		}
		if pins != "" {
			p.TLSPins = strings.Split(pins, ",")
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// OwnOrigins returns the origins of the events held that are no partner's:
// those this data directory wrote as itself, sorted. A node fixes its id
// from them when its directory predates the identity file.
func (s *FederationStore) OwnOrigins(ctx context.Context) ([]string, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT DISTINCT origin FROM events WHERE origin NOT IN (SELECT id FROM partners) ORDER BY origin`)
	if err != nil {
		return nil, fmt.Errorf("query own origins: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, fmt.Errorf("scan origin: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Cursor returns the highest sequence number of origin held here.
func (s *FederationStore) Cursor(ctx context.Context, origin string) (int64, error) {
	return NewEventService(s.db).LastSeq(ctx, origin)
}

// ChainHead returns origin's last sequence number and chain value held here.
func (s *FederationStore) ChainHead(ctx context.Context, origin string) (int64, string, error) {
	return NewEventService(s.db).ChainHead(ctx, origin)
}

// ApplyForeign stores events of other origins, verified by the caller, in
// one transaction: each event in order and once (an event already held is
// skipped; a gap is refused), and so the cursor, which is the highest
// sequence held. Each event's state change is judged by the federation
// trust rules (tripline.CheckForeign) against how the record is held at
// that moment; a refused event stays in the log (its origin's chain goes
// on, and the partner's signed event is kept as evidence) but changes
// nothing and is returned among the rejections, with the rest of the
// events applied. An event that took no effect (refused, or with nothing
// to change here) is stored marked Ignored, so that a process reading the
// log later (a node tailing another process's import, a replica) never
// applies it, and only events that took effect are published to
// subscribers. An event of an origin that is not a partner, or of this
// node's own origin, refuses the whole batch. A range's DropsSig, like its
// chain, is the caller's to verify (federation.Peer drops one that does
// not): one given is taken as the origin's word on what the range drops.
func (s *FederationStore) ApplyForeign(ctx context.Context, via string, evs []*tripline.Event) (*tripline.ForeignResult, error) {
	res := &tripline.ForeignResult{}
	if len(evs) == 0 {
		return res, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cursors, agencies := map[string]int64{}, map[string]string{}
	held := originRecords{}
	var published []*tripline.Event
	for _, ev := range evs {
		if ev.Origin == s.db.Origin {
			return nil, tripline.Errorf(tripline.EINVALID, "event %s/%d: claims this node's own origin", ev.Origin, ev.Seq)
		}
		cur, ok := cursors[ev.Origin]
		if !ok {
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE origin = ?`, ev.Origin).Scan(&cur); err != nil {
				return nil, fmt.Errorf("cursor %s: %w", ev.Origin, err)
			}
			agency, err := partnerAgency(ctx, tx, ev.Origin)
			if err != nil {
				return nil, err
			}
			agencies[ev.Origin] = agency
		}
		if ev.Seq <= cur {
			continue // already held: the same event twice changes nothing
		}
		if ev.First() != cur+1 {
			return nil, tripline.Errorf(tripline.ECONFLICT, "event %s/%d (from %d): expected %d next (a gap or an overlap)", ev.Origin, ev.Seq, ev.First(), cur+1)
		}
		cursors[ev.Origin] = ev.Seq
		c := *ev
		c.Via = via
		took, refused, err := s.take(ctx, tx, agencies[c.Origin], &c, held)
		if err != nil {
			return nil, err
		}
		if refused != nil {
			res.Rejected = append(res.Rejected, &tripline.Rejection{Event: &c, Err: refused})
		}
		// Stored after the judgement, which reads only the records the
		// event would change, never the log.
		c.Ignored = !took
		if err := tx.insertForeign(ctx, &c); err != nil {
			return nil, err
		}
		res.Stored = append(res.Stored, &c)
		if took {
			published = append(published, &c)
		}
	}
	tx.events = published
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	s.keepHeld(held)
	return res, nil
}

// take makes the change a partner's event ev brings where the trust rules
// allow it, and reports whether it changed anything here; refused is the
// rules' refusal, err a failure that aborts the batch.
func (s *FederationStore) take(ctx context.Context, tx *Tx, originAgency string, ev *tripline.Event, records originRecords) (took bool, refused, err error) {
	if tripline.IsConsentEvent(ev.Type) {
		took, err := s.applyConsent(ctx, tx, originAgency, ev)
		return split(took, err)
	}
	if ev.Type == tripline.EventClearance && !ev.Redacted {
		err := s.applySharedClearance(ctx, tx, ev, records)
		return split(err == nil, err)
	}
	dropped, err := tx.applyDrops(ctx, ev)
	if err != nil {
		return false, nil, err
	}
	held, err := holding(ctx, tx, tripline.ForeignKind(ev.Type), ev.Subject)
	if err != nil {
		return false, nil, err
	}
	change, refused := tripline.CheckForeign(s.db.Origin, originAgency, ev, held)
	if refused != nil || change == nil {
		return dropped, refused, nil
	}
	// A record new to this node counts against its origin's bound; what
	// is held already may still change or leave.
	added := held.Origin != ev.Origin && !change.Drop
	if added {
		n, err := s.heldOf(ctx, tx, records, recordsOf{change.Kind, ev.Origin}, s.maxOrigin(change.Kind))
		if err != nil {
			return false, nil, err
		}
		if refused := tripline.CheckOriginRecords(change.Kind, ev.Origin, ev.Subject, n, s.maxOrigin(change.Kind)); refused != nil {
			return dropped, refused, nil
		}
	}
	if err := tx.applyForeign(ctx, ev, change); err != nil {
		return false, nil, err
	}
	switch {
	case added:
		records.add(change.Kind, ev.Origin, 1)
	case change.Drop && held.Origin == ev.Origin:
		records.add(change.Kind, ev.Origin, -1)
	}
	return true, nil, nil
}

// originRecords is how many records of each kind of each origin this node
// holds, during one ApplyForeign: at least as many as it does, counted
// exactly when that reaches the bound. A count reads an index range
// (migrations 50 and 51) of up to the bound, a third of a second for a
// million listings on a busy machine, inside the write transaction; it is
// made once per origin and process, then kept as events add records, and
// again only when an origin reaches its bound. A record dropped without
// being counted here leaves the count high, which the exact count at the
// bound corrects. Another process adding an origin's records (a bundle
// import beside a serving node) is seen at its next start.
type originRecords map[recordsOf]heldCount

type recordsOf struct {
	kind   tripline.RecordKind
	origin string
}

type heldCount struct {
	n     int
	exact bool
}

// heldOf returns how many records k names this node holds: from records,
// else as the last ApplyForeign left it, else (or when that reaches max)
// counted.
func (s *FederationStore) heldOf(ctx context.Context, tx *Tx, records originRecords, k recordsOf, max int) (int, error) {
	c, ok := records[k]
	if !ok {
		s.heldMu.Lock()
		c.n, ok = s.held[k]
		s.heldMu.Unlock()
	}
	if !ok || c.n >= max && !c.exact {
		c.exact = true
		q := `SELECT COUNT(*) FROM ` + kindTable[k.kind] + ` WHERE ev_origin = ?`
		if k.kind == tripline.KindSharedClearance {
			// Those of the listings held of the origin (migration 52).
			q = `SELECT COUNT(*) FROM listings l JOIN clearances c ON c.listing = l.id WHERE l.ev_origin = ? AND c.id LIKE '` +
				tripline.SharedClearancePrefix + `%'`
		}
		if err := tx.QueryRowContext(ctx, q, k.origin).Scan(&c.n); err != nil {
			return 0, fmt.Errorf("count %ss of %s: %w", k.kind, k.origin, err)
		}
	}
	records[k] = c
	return c.n, nil
}

// add changes the count of origin's records of kind, if it was read.
func (o originRecords) add(kind tripline.RecordKind, origin string, n int) {
	k := recordsOf{kind, origin}
	if c, ok := o[k]; ok {
		c.n += n
		o[k] = c
	}
}

// keepHeld keeps the counts of a committed ApplyForeign for the next.
func (s *FederationStore) keepHeld(records originRecords) {
	s.heldMu.Lock()
	defer s.heldMu.Unlock()
	if s.held == nil {
		s.held = map[recordsOf]int{}
	}
	for k, c := range records {
		s.held[k] = c.n
	}
}

// split tells a refusal (a coded error) from a failure (EINTERNAL).
func split(took bool, err error) (bool, error, error) {
	if tripline.ErrorCode(err) == tripline.EINTERNAL {
		return false, nil, err
	}
	return took && err == nil, err, nil
}

// applyConsent stores a partner's consent event where the trust rules
// take it (tripline.CheckForeignConsent), reporting whether it did; the
// error is the rules' refusal.
func (s *FederationStore) applyConsent(ctx context.Context, tx *Tx, originAgency string, ev *tripline.Event) (bool, error) {
	if s.Agency == "" {
		return false, nil
	}
	held, err := tx.consent(ctx, ev.Subject)
	if err != nil {
		return false, err
	}
	var probe struct {
		Listing string `json:"listing"`
	}
	if json.Unmarshal(ev.Payload, &probe) != nil {
		probe.Listing = "" // CheckForeignConsent says what is wrong with it
	}
	listing, err := holding(ctx, tx, tripline.KindListing, probe.Listing)
	if err != nil {
		return false, err
	}
	c, err := tripline.CheckForeignConsent(s.Agency, originAgency, ev, held, listing.Origin)
	if err != nil || c == nil {
		return false, err
	}
	if held == nil && c.Status == tripline.ConsentPending {
		// A new request counts against its listing's bound.
		if err := tx.checkPendingConsents(ctx, c.Listing, c.Requester, s.MaxPendingConsents); err != nil {
			return false, tripline.Errorf(tripline.ErrorCode(err), "event %s/%d (%s %s): %s", ev.Origin, ev.Seq, ev.Type, ev.Subject, tripline.ErrorMessage(err))
		}
	}
	_, err = tx.storeConsent(ctx, c) // a partner's event: none of this node's
	return true, err
}

// partnerAgency returns the registered agency of origin, the one its
// events may speak for; EFORBIDDEN for an origin that is no partner, or a
// suspended one.
func partnerAgency(ctx context.Context, tx *Tx, origin string) (string, error) {
	var agency, status string
	err := tx.QueryRowContext(ctx, `SELECT agency, status FROM partners WHERE id = ?`, origin).Scan(&agency, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tripline.Errorf(tripline.EFORBIDDEN, "events of origin %q: not a partner of this node", origin)
	} else if err != nil {
		return "", fmt.Errorf("load partner %s: %w", origin, err)
	}
	if status == tripline.PartnerSuspended {
		return "", tripline.Errorf(tripline.EFORBIDDEN, "events of origin %q: the partner is suspended", origin)
	}
	return agency, nil
}

// kindTable is the table holding each kind of record a partner may change.
var kindTable = map[tripline.RecordKind]string{tripline.KindListing: "listings", tripline.KindDocumentAlert: "document_alerts"}

// holding returns how this node holds record id of kind now: its owner
// origin and version.
func holding(ctx context.Context, tx *Tx, kind tripline.RecordKind, id string) (tripline.Holding, error) {
	var h tripline.Holding
	table, ok := kindTable[kind]
	if !ok {
		return h, nil
	}
	st, err := tx.stmt(ctx, `SELECT ev_origin, version FROM `+table+` WHERE id = ?`)
	if err != nil {
		return h, err
	}
	err = st.QueryRowContext(ctx, id).Scan(&h.Origin, &h.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return tripline.Holding{}, nil
	} else if err != nil {
		return h, fmt.Errorf("load %s %s: %w", kind, id, err)
	}
	return h, nil
}

// applyDrops stops holding the records a range names (Drops) that its
// origin gave this node, as a placeholder of each would; it reports
// whether any was held.
func (tx *Tx) applyDrops(ctx context.Context, ev *tripline.Event) (bool, error) {
	if ev.RangeFrom == 0 {
		return false, nil
	}
	dropped := false
	for _, d := range ev.Drops {
		kind := tripline.ForeignKind(d.Type)
		held, err := holding(ctx, tx, kind, d.Subject)
		if err != nil {
			return false, err
		}
		if kind == "" || held.Origin != ev.Origin {
			continue // only what its own origin gave us
		}
		// The events inside a range are not sent: what it drops is its
		// server's word. Taken from the origin itself, signed by it
		// (DropsSig, checked by the peer before the store), or for a record
		// whose current event came through the same relay (which could
		// drop it anyway, by a placeholder of its next event); never a
		// relay's word on a record another path gave this node.
		if ev.Via != ev.Origin && len(ev.DropsSig) == 0 {
			heldVia, err := tx.heldVia(ctx, kind, d.Subject)
			if err != nil {
				return false, err
			}
			if heldVia != ev.Via {
				continue
			}
		}
		if err := tx.applyForeign(ctx, ev, &tripline.ForeignChange{Kind: kind, ID: d.Subject, Drop: true}); err != nil {
			return false, err
		}
		dropped = true
	}
	return dropped, nil
}

// heldVia returns the node the current event of record id of kind came
// through ("" when none).
func (tx *Tx) heldVia(ctx context.Context, kind tripline.RecordKind, id string) (string, error) {
	var via string
	err := tx.QueryRowContext(ctx, `SELECT e.via FROM `+kindTable[kind]+` r JOIN events e ON e.origin = r.ev_origin AND e.seq = r.ev_seq
		WHERE r.id = ?`, id).Scan(&via)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("load %s %s: %w", kind, id, err)
	}
	return via, nil
}

func (tx *Tx) insertForeign(ctx context.Context, ev *tripline.Event) error {
	omitted, drops := "", encodeDrops(ev)
	if len(ev.Omitted) > 0 {
		b, _ := json.Marshal(ev.Omitted)
		omitted = string(b)
	}
	key, salts := encodeSalts(ev)
	st, err := tx.stmt(ctx, `INSERT INTO events (origin, seq, type, subject, payload, at, sig, omitted, via, chain, digest, redacted,
		range_from, range_chain, drops, ignored, salt_key, salts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, ev.Origin, ev.Seq, string(ev.Type), ev.Subject, []byte(ev.Payload), formatTime(ev.At), ev.Sig, omitted, ev.Via,
		ev.Chain, ev.Digest, ev.Redacted, ev.RangeFrom, ev.RangeChain, drops, ev.Ignored, key, salts); err != nil {
		return fmt.Errorf("store event %s/%d: %w", ev.Origin, ev.Seq, err)
	}
	return nil
}

// applyForeign makes the change the trust rules accepted: the record
// points at the partner's event, or (a placeholder) is no longer held.
//
// A partner's record is held in its current version only: the event of the
// version it replaces is erased to a placeholder (its payload digest keeps
// the chain verifiable), so a share the originator narrowed leaves no field
// behind in an older event; a revoked share (a placeholder) erases the
// current one too and the record is no longer held at all.
func (tx *Tx) applyForeign(ctx context.Context, ev *tripline.Event, ch *tripline.ForeignChange) error {
	table := kindTable[ch.Kind]
	var prevSeq int64
	var prevHash string
	// Prepared once per transaction: a catch-up asks it for every event.
	sel, err := tx.stmt(ctx, `SELECT ev_seq, hash FROM `+table+` WHERE id = ? AND ev_origin = ?`)
	if err != nil {
		return err
	}
	err = sel.QueryRowContext(ctx, ch.ID, ev.Origin).Scan(&prevSeq, &prevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("load %s %s: %w", ch.Kind, ch.ID, err)
	}
	if prevSeq > 0 && prevSeq != ev.Seq {
		if _, err := tx.ExecContext(ctx, `UPDATE events SET payload = NULL, omitted = '', salts = '', salt_key = '', redacted = 1, digest = ? WHERE origin = ? AND seq = ? AND redacted = 0`,
			prevHash, ev.Origin, prevSeq); err != nil {
			return fmt.Errorf("erase the replaced version of %s: %w", ch.ID, err)
		}
	}
	if ch.Drop {
		// The receiver may no longer see the subject: stop holding it.
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = ? AND ev_origin = ?`, ch.ID, ev.Origin); err != nil {
			return fmt.Errorf("redact %s: %w", ch.ID, err)
		}
		return nil
	}
	// The payload digest stands for the content: it is what the originator
	// signed, and it changes exactly when the content does.
	hash, err := ev.PayloadDigest()
	if err != nil {
		return err
	}
	st, err := tx.stmt(ctx, "INSERT INTO "+table+" (id, source, status, version, hash, updated_at, valid_until, review_by, ev_origin, ev_seq)"+
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"+
		" ON CONFLICT (id) DO UPDATE SET source = excluded.source, status = excluded.status, version = excluded.version, hash = excluded.hash,"+
		" updated_at = excluded.updated_at, valid_until = excluded.valid_until, review_by = excluded.review_by,"+
		" ev_origin = excluded.ev_origin, ev_seq = excluded.ev_seq")
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, ch.ID, ch.Source, string(ch.Status), ch.Version, hash, formatTime(ch.UpdatedAt), optTime(ch.ValidUntil),
		optTime(ch.ReviewBy), ev.Origin, ev.Seq); err != nil {
		return fmt.Errorf("store %s %s from %s: %w", ch.Kind, ch.ID, ev.Origin, err)
	}
	return nil
}

// QueueReport adds a report to the outbox, once.
func (s *FederationStore) QueueReport(ctx context.Context, r *tripline.Report) error {
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO reports (id, to_origin, next_hop, from_node, status, attempts, next_attempt, deadline, body)
		VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		r.ID, r.ToOrigin, r.NextHop, r.FromNode, formatTime(r.NextAttempt), formatTime(r.Deadline), []byte(r.Body))
	if err != nil {
		return fmt.Errorf("queue report %s: %w", r.ID, err)
	}
	return nil
}

// reportColumns are a report's columns, as scanReports reads them.
const reportColumns = `SELECT id, to_origin, next_hop, from_node, status, attempts, next_attempt, deadline, acked_at, body FROM reports`

// Reports returns the reports f selects, oldest deadline first (keyset on
// After: EINVALID when there is no such report).
func (s *FederationStore) Reports(ctx context.Context, f tripline.ReportFilter) ([]*tripline.Report, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.After != "" {
		var deadline string
		err := s.db.db.QueryRowContext(ctx, `SELECT deadline FROM reports WHERE id = ?`, f.After).Scan(&deadline)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, tripline.Errorf(tripline.EINVALID, "after: no report %.80q in the outbox", f.After)
		} else if err != nil {
			return nil, fmt.Errorf("report %s: %w", f.After, err)
		}
		where, args = append(where, "(deadline > ? OR (deadline = ? AND id > ?))"), append(args, deadline, deadline, f.After)
	}
	q := reportColumns + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY deadline, id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return s.scanReports(ctx, q, args...)
}

// OpenReports returns the reports not yet acknowledged, oldest deadline
// first: what delivery and bundles work on, however many were delivered
// before (reports_status serves it).
func (s *FederationStore) OpenReports(ctx context.Context) ([]*tripline.Report, error) {
	return s.scanReports(ctx, reportColumns+` WHERE status IN (?, ?, ?) ORDER BY deadline, id`,
		tripline.ReportPending, tripline.ReportSent, tripline.ReportOverdue)
}

// Report returns the report of id; ENOTFOUND when there is none.
func (s *FederationStore) Report(ctx context.Context, id string) (*tripline.Report, error) {
	rs, err := s.scanReports(ctx, reportColumns+` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "report %q not found", id)
	}
	return rs[0], nil
}

// ReportCounts returns how many reports the outbox holds by status.
func (s *FederationStore) ReportCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM reports GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count reports: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count reports: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

func (s *FederationStore) scanReports(ctx context.Context, q string, args ...any) ([]*tripline.Report, error) {
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query reports: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Report
	for rows.Next() {
		var r tripline.Report
		var next, deadline, acked string
		var body []byte
		if err := rows.Scan(&r.ID, &r.ToOrigin, &r.NextHop, &r.FromNode, &r.Status, &r.Attempts, &next, &deadline, &acked, &body); err != nil {
			return nil, fmt.Errorf("scan report: %w", err)
		}
		r.NextAttempt, _ = parseTime(next)
		r.Deadline, _ = parseTime(deadline)
		if acked != "" {
			t, _ := parseTime(acked)
			r.AckedAt = &t
		}
		r.Body = body
		out = append(out, &r)
	}
	return out, rows.Err()
}

// MarkReport records a delivery attempt's outcome: status and the next
// attempt time (retries back off); acknowledged sets the ack time. A
// report acknowledged or expired meanwhile stays so.
func (s *FederationStore) MarkReport(ctx context.Context, id, status string, next time.Time) error {
	acked := ""
	if status == tripline.ReportAcknowledged {
		acked = formatTime(s.db.Now())
	}
	_, err := s.db.db.ExecContext(ctx, `UPDATE reports SET status = ?, attempts = attempts + 1, next_attempt = ?,
		acked_at = CASE WHEN ? != '' THEN ? ELSE acked_at END WHERE id = ? AND status NOT IN (?, ?)`,
		status, formatTime(next), acked, acked, id, tripline.ReportAcknowledged, tripline.ReportExpired)
	if err != nil {
		return fmt.Errorf("mark report %s: %w", id, err)
	}
	return nil
}

// AcknowledgeReport marks report id acknowledged (once) and keeps of its
// body only keep: what says whose report it was, without the encounter
// it carried.
func (s *FederationStore) AcknowledgeReport(ctx context.Context, id string, keep []byte) error {
	_, err := s.db.db.ExecContext(ctx, `UPDATE reports SET status = ?, attempts = attempts + 1, acked_at = ?, body = ?
		WHERE id = ? AND status != ?`, tripline.ReportAcknowledged, formatTime(s.db.Now()), keep, id, tripline.ReportAcknowledged)
	if err != nil {
		return fmt.Errorf("acknowledge report %s: %w", id, err)
	}
	return nil
}

// NextBundle returns the number of the next bundle for partner to: one
// above the last, from 1.
func (s *FederationStore) NextBundle(ctx context.Context, to string) (int64, error) {
	var seq int64
	err := s.db.db.QueryRowContext(ctx, `INSERT INTO bundles (peer, direction, seq, at) VALUES (?, 'out', 1, ?)
		ON CONFLICT (peer, direction) DO UPDATE SET seq = bundles.seq + 1, at = excluded.at RETURNING seq`,
		to, formatTime(s.db.Now())).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("number a bundle for %s: %w", to, err)
	}
	return seq, nil
}

// LastBundle returns the number of the last bundle imported from partner
// from, 0 for none.
func (s *FederationStore) LastBundle(ctx context.Context, from string) (int64, error) {
	var seq int64
	err := s.db.db.QueryRowContext(ctx, `SELECT seq FROM bundles WHERE peer = ? AND direction = 'in'`, from).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last bundle from %s: %w", from, err)
	}
	return seq, nil
}

// BundleImported records that bundle seq from partner from was imported;
// the number never goes back.
func (s *FederationStore) BundleImported(ctx context.Context, from string, seq int64) error {
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO bundles (peer, direction, seq, at) VALUES (?, 'in', ?, ?)
		ON CONFLICT (peer, direction) DO UPDATE SET seq = CASE WHEN excluded.seq > bundles.seq THEN excluded.seq ELSE bundles.seq END, at = excluded.at`,
		from, seq, formatTime(s.db.Now()))
	if err != nil {
		return fmt.Errorf("record bundle %d from %s: %w", seq, from, err)
	}
	return nil
}
