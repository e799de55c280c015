package tripline

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// The federation trust rules (design.md §6a), written once for every store:
// a partner may change only what its origin owns, never this node's own
// records, and every foreign payload is validated like local input. A store
// calls CheckForeign inside its apply transaction, with how it holds the
// event's record at that moment.

// RecordKind names the kind of record a partner's event may change.
type RecordKind string

// Record kinds that cross nodes.
const (
	KindListing       RecordKind = "listing"
	KindDocumentAlert RecordKind = "document_alert"
)

// ForeignKind returns the kind of record an event of type t changes at a
// receiving node, "" for an event that changes nothing there (encounters,
// clearances, consents stay at the node that made them).
func ForeignKind(t EventType) RecordKind {
	switch t {
	case EventListingUpserted, EventListingWithdrawn, EventListingExpired:
		return KindListing
	case EventDocumentAlert, EventDocumentAlertWithdrawn:
		return KindDocumentAlert
	}
	return ""
}

// PublishedSources are the public lists every node imports itself (UN,
// OFAC). A partner's copy of one never changes a node's copy, and no
// partner may originate records under their names.
var PublishedSources = []string{"un-sc", "ofac-sdn"}

// IsPublishedSource reports whether source is one of PublishedSources.
func IsPublishedSource(source string) bool {
	for _, s := range PublishedSources {
		if s == source {
			return true
		}
	}
	return false
}

// Holding is how a node holds a record now: the origin whose event made its
// current version (its owner) and that version. Origin is "" when the node
// holds no such record.
type Holding struct {
	Origin  string
	Version int64
}

// ForeignChange is the state change an accepted partner event makes to the
// record ID of kind Kind. Drop means stop holding it (a placeholder: the
// partner may no longer show it); otherwise the record takes the event's
// payload, with the columns a store filters on.
type ForeignChange struct {
	Kind       RecordKind
	ID         string
	Drop       bool
	Source     string
	Status     Status
	Version    int64
	UpdatedAt  time.Time
	ValidUntil *time.Time
	ReviewBy   *time.Time
}

// CheckForeign judges ev, an event of a partner origin received by node
// self, whose origin is registered as agency originAgency, about a record
// held as held. It returns the change to make, nil when the event changes
// nothing here (a placeholder for a record another origin owns, an event of
// a kind that stays at its node), or an EINVALID or EFORBIDDEN error naming
// the event and what is wrong. The rules:
//   - the payload agrees with the event: its id is the event's subject, the
//     id's source prefix is its source, the event type agrees with its status;
//   - the origin's agency is the record's originator and owns the source
//     (a partner never writes under another agency's or a public list's name);
//   - the record is not this node's and not another origin's (no hijack, no
//     tug-of-war, no "high version" that blocks the real originator), and an
//     older version never replaces a newer one;
//   - the payload is valid as local input would have to be;
//   - nothing is left out of the signed payload but what a feed leaves out
//     for a partner that may see less (PartnerTrim): a relay that left out
//     the handling code (H3), the re-share rule, the expiry or the birth
//     dates would widen what the record allows here.
func CheckForeign(self, originAgency string, ev *Event, held Holding) (*ForeignChange, error) {
	kind := ForeignKind(ev.Type)
	at := func(format string, args ...any) error {
		return Errorf(EINVALID, "event %s/%d (%s %s): %s", ev.Origin, ev.Seq, ev.Type, ev.Subject, fmt.Sprintf(format, args...))
	}
	forbid := func(format string, args ...any) error {
		return Errorf(EFORBIDDEN, "event %s/%d (%s %s): %s", ev.Origin, ev.Seq, ev.Type, ev.Subject, fmt.Sprintf(format, args...))
	}
	if ev.Origin == "" || ev.Origin == self {
		return nil, forbid("origin %q is not a partner's", ev.Origin)
	}
	if ev.Redacted {
		// A placeholder may drop only what its own origin gave us; any
		// other is a gap-filler with nothing to do here.
		if kind == "" || held.Origin != ev.Origin {
			return nil, nil
		}
		return &ForeignChange{Kind: kind, ID: ev.Subject, Drop: true}, nil
	}
	if held.Origin == self && kind != "" {
		return nil, forbid("%s %q is this node's own", kind, ev.Subject)
	}
	if kind == "" {
		return nil, forbid("events of type %q do not cross nodes", ev.Type)
	}
	for path := range ev.Omitted {
		if !slices.Contains(PartnerTrim(LevelScreen), path) {
			return nil, forbid("left out %q: a feed leaves out only what a partner may not see (PartnerTrim); what restricts a record (its handling rules, expiry, directed actions) and what identifies its subject always travel", path)
		}
	}
	if held.Origin != "" && held.Origin != ev.Origin {
		return nil, forbid("%s %q is owned by origin %q", kind, ev.Subject, held.Origin)
	}
	var (
		h           recordFields
		actionGiven = true
	)
	if _, omitted := ev.Omitted["action"]; omitted {
		actionGiven = false // trimmed for a screen-only partner
	}
	switch kind {
	case KindListing:
		var l Listing
		if err := json.Unmarshal(ev.Payload, &l); err != nil {
			return nil, at("listing payload: %s", decodeMessage(ev.Payload, err, func() any { return new(Listing) }))
		}
		if !actionGiven && l.Action == "" {
			l.Action = ActionReport // what a screen-only partner's listing reads here
		}
		if err := l.Validate(); err != nil {
			return nil, at("%s", ErrorMessage(err))
		}
		h = recordFields{l.ID, l.Source, l.Provenance.Originator, l.Status, l.Version, l.UpdatedAt, l.ValidUntil, l.ReviewBy}
	case KindDocumentAlert:
		var a DocumentAlert
		if err := json.Unmarshal(ev.Payload, &a); err != nil {
			return nil, at("document alert payload: %s", decodeMessage(ev.Payload, err, func() any { return new(DocumentAlert) }))
		}
		if !actionGiven && a.Action == "" {
			a.Action = ActionReport
		}
		if err := a.Validate(); err != nil {
			return nil, at("%s", ErrorMessage(err))
		}
		h = recordFields{a.ID, a.Source, a.Provenance.Originator, a.Status, a.Version, a.UpdatedAt, nil, nil}
	}
	if h.id != ev.Subject {
		return nil, at("payload id %q is not the event's subject", h.id)
	}
	if src, _, _ := strings.Cut(h.id, ":"); src != h.source {
		return nil, at("id prefix %q does not match source %q", src, h.source)
	}
	if !statusAgrees(ev.Type, h.status) {
		return nil, at("status %q contradicts the event type", h.status)
	}
	if h.version < 1 {
		return nil, at("version: %d, want 1 or more", h.version)
	}
	if h.originator != originAgency {
		return nil, forbid("provenance.originator %q is not %q, the agency of origin %q", h.originator, originAgency, ev.Origin)
	}
	if h.source != h.originator {
		return nil, forbid("source %q is not its originator's (%q)", h.source, h.originator)
	}
	if IsPublishedSource(h.source) {
		return nil, forbid("source %q is a published list: every node imports it itself", h.source)
	}
	if held.Origin != "" && h.version < held.Version {
		return nil, forbid("version %d is older than the version %d held", h.version, held.Version)
	}
	return &ForeignChange{Kind: kind, ID: h.id, Source: h.source, Status: h.status, Version: h.version, UpdatedAt: h.updatedAt,
		ValidUntil: h.validUntil, ReviewBy: h.reviewBy}, nil
}

// recordFields are what the rules read of a listing or an alert.
type recordFields struct {
	id, source, originator string
	status                 Status
	version                int64
	updatedAt              time.Time
	validUntil, reviewBy   *time.Time
}

// statusAgrees reports whether a record's status fits the event that
// carries it: an upsert makes it active, a withdrawal withdrawn, an expiry
// expired (alerts expire with their withdrawal event).
func statusAgrees(t EventType, s Status) bool {
	switch t {
	case EventListingUpserted, EventDocumentAlert:
		return s == StatusActive
	case EventListingWithdrawn:
		return s == StatusWithdrawn
	case EventListingExpired:
		return s == StatusExpired
	case EventDocumentAlertWithdrawn:
		return s == StatusWithdrawn || s == StatusExpired
	}
	return false
}

// decodeMessage says what is wrong with a payload that did not decode into
// the value fresh returns, naming the field (and array element) at fault:
// a partner's operators must be told "birth_dates[0]: month 13 out of
// range", not only "month 13 out of range". It runs only on the error path.
func decodeMessage(payload []byte, err error, fresh func() any) string {
	msg := err.Error()
	if ErrorCode(err) != EINTERNAL {
		msg = ErrorMessage(err)
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(payload, &top) != nil {
		return msg
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		one := func(v json.RawMessage) error {
			b, _ := json.Marshal(map[string]json.RawMessage{k: v})
			return json.Unmarshal(b, fresh())
		}
		if one(top[k]) == nil {
			continue
		}
		var elems []json.RawMessage
		if json.Unmarshal(top[k], &elems) == nil {
			for i, e := range elems {
				if err := one(json.RawMessage("[" + string(e) + "]")); err != nil {
					return fmt.Sprintf("%s[%d]: %s", k, i, msg)
				}
			}
		}
		return k + ": " + msg
	}
	return msg
}

// DefaultMaxOriginListings is how many listings a node holds from one
// partner origin unless told otherwise (serve --partner-max-listings):
// each takes disk, and memory in the matching index, so a partner
// publishing without end would fill both. A million is the size a node is
// measured at (README) and above any shared watchlist yet seen; the UN
// list holds 700, OpenSanctions' people some 300,000.
const DefaultMaxOriginListings = 1_000_000

// DefaultMaxOriginAlerts is the same bound for document alerts (serve
// --partner-max-alerts), each held whole in memory for screening: a
// country's stolen and lost documents run to a few million.
const DefaultMaxOriginAlerts = 5_000_000

// KindSharedClearance names a partner's shared clearances in
// CheckOriginRecords: they are no record a ForeignChange makes.
const KindSharedClearance RecordKind = "shared_clearance"

// DefaultMaxOriginClearances bounds the shared clearances a node holds from
// one partner origin (each spares a namesake of one of its listings, and
// is held in memory by the screener): an originator clears a few of its
// listings' namesakes, not millions.
const DefaultMaxOriginClearances = 1_000_000

// CheckOriginRecords refuses record id of kind, new from origin, when this
// node already holds max records of that kind from origin (EFORBIDDEN,
// naming the bound): changes to those held still apply.
func CheckOriginRecords(kind RecordKind, origin, id string, held, max int) error {
	if held < max {
		return nil
	}
	hint := ""
	switch kind {
	case KindListing:
		hint = " (serve --partner-max-listings)"
	case KindDocumentAlert:
		hint = " (serve --partner-max-alerts)"
	}
	noun := strings.ReplaceAll(string(kind), "_", " ")
	return Errorf(EFORBIDDEN, "%s %q of origin %s: this node already holds %d %ss of that origin, the most it takes from one%s",
		noun, id, origin, held, noun, hint)
}

// ForeignResult is what applying a run of partner events did: the events
// newly stored (the cursor moved past them) and, among them, those the
// trust rules refused, which changed nothing.
type ForeignResult struct {
	Stored   []*Event
	Rejected []*Rejection
}

// Rejection is a partner's event the trust rules refused, and why.
type Rejection struct {
	Event *Event
	Err   error
}
