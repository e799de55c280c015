package tripline

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Partner is another node: its key verifies its events and requests, its
// URL is where its feed is pulled (empty for a node known only by key,
// whose events arrive through a relay), and Follows lists the other origins
// pulled through it besides those its feed announces. How its URL may be
// reached is CheckTransport's rule (transport.go).
type Partner struct {
	ID        string   `json:"id"`
	Agency    string   `json:"agency"`
	PublicKey string   `json:"public_key"` // base64 Ed25519
	URL       string   `json:"url,omitempty"`
	Follows   []string `json:"follows,omitempty"`
	// TLSPins are the SHA-256 pins ("sha256/BASE64") of the public key of
	// the partner's TLS certificate: an https URL then answers only with
	// one of these keys, whichever CA signed it. Several allow a rotation.
	TLSPins []string `json:"tls_pins,omitempty"`
	// TLSCA holds PEM certificates of the CA that signs the partner's TLS
	// certificate, for an agency running its own CA; empty: the system's.
	TLSCA string `json:"tls_ca,omitempty"`
	// InsecureHTTP allows a plain http:// URL to another machine.
	InsecureHTTP bool `json:"insecure_http,omitempty"`
	// Status is PartnerActive or PartnerSuspended: a suspended partner is
	// not pulled, its requests and events are refused, and nothing is
	// delivered to it, until it is resumed.
	Status string `json:"status,omitempty"`
}

// Partner statuses.
const (
	PartnerActive    = "active"
	PartnerSuspended = "suspended"
)

// Suspended reports whether p is suspended.
func (p *Partner) Suspended() bool { return p.Status == PartnerSuspended }

// CheckNodeID reports what is wrong with a node id: it names an origin in
// every partner's log, in URLs and in file names, so it is short and plain.
func CheckNodeID(id string) error {
	if id == "" || len(id) > 64 {
		return Errorf(EINVALID, "node id: %.80q: want 1 to 64 characters", id)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return Errorf(EINVALID, "node id: %q: only letters, digits, '-', '_' and '.'", id)
		}
	}
	return nil
}

// Validate reports the first problem with p's id, agency, key, follows
// and status, naming the field. How it is reached is CheckTransport's to
// judge, where a partner is added (a store keeps partners added before
// that rule), and the key's encoding the federation package's.
func (p *Partner) Validate() error {
	if err := CheckNodeID(p.ID); err != nil {
		return Errorf(EINVALID, "partner id: %s", ErrorMessage(err))
	}
	if p.Agency == "" {
		return Errorf(EINVALID, "agency: required")
	}
	if p.PublicKey == "" {
		return Errorf(EINVALID, "public_key: required")
	}
	for i, f := range p.Follows {
		if err := CheckNodeID(f); err != nil {
			return Errorf(EINVALID, "follows[%d]: %s", i, ErrorMessage(err))
		}
	}
	switch p.Status {
	case "", PartnerActive, PartnerSuspended:
	default:
		return Errorf(EINVALID, "status: %.40q is not active or suspended", p.Status)
	}
	return nil
}

// PartnerHealth is how following a partner goes, as this node sees it.
type PartnerHealth struct {
	// LastPull is the last pull that succeeded; LastError the last that
	// failed, and why.
	LastPull    *time.Time `json:"last_pull,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	Pulls       int64      `json:"pulls"`
	Errors      int64      `json:"errors"`
	Bytes       int64      `json:"bytes"`  // of feed pages read from it
	Events      int64      `json:"events"` // new events applied from it
	// Origins are the logs pulled through it: its own and those it relays.
	Origins []OriginHealth `json:"origins,omitempty"`
	// Unknown are origins it announces that this node knows no key for,
	// so cannot verify: add them as partners (by key) to follow them.
	Unknown []string `json:"unknown_origins,omitempty"`
	// Witnessed is the newest entry of its audit log this node holds a
	// checkpoint of, as its witness; WitnessConflicts counts the
	// checkpoints it signed that contradict one kept (since this node
	// started): its log was rewritten or cut back.
	Witnessed        int64 `json:"witnessed,omitempty"`
	WitnessConflicts int64 `json:"witness_conflicts,omitempty"`
}

// OriginHealth is one origin's log pulled through a partner: what this
// node holds (Cursor) against what the partner announced it holds (Head),
// and for how long it has been behind.
type OriginHealth struct {
	Origin     string  `json:"origin"`
	Cursor     int64   `json:"cursor"`
	Head       int64   `json:"head"`
	LagEvents  int64   `json:"lag_events"`
	LagSeconds float64 `json:"lag_seconds"`
}

// PartnerView is a partner with its health, as /v1/partners shows it.
type PartnerView struct {
	*Partner
	Health *PartnerHealth `json:"health,omitempty"`
}

// Report statuses: queued, handed to the next hop, acknowledged by the
// originator, past its deadline without acknowledgement, or expired:
// undelivered when what it carries reached its retention (the encounter
// it reports was erased here, or it waited longer than a resolved
// encounter is kept), so it is no longer sent and keeps only its
// ReportResidue.
const (
	ReportPending      = "pending"
	ReportSent         = "sent"
	ReportAcknowledged = "acknowledged"
	ReportOverdue      = "overdue"
	ReportExpired      = "expired"
)

// ReportStatuses are the report statuses, in the order a report moves.
var ReportStatuses = []string{ReportPending, ReportSent, ReportOverdue, ReportAcknowledged, ReportExpired}

// ReportResidue is what an outbox report keeps of its signed body once it
// is delivered or expired: whose it was (an update's or receipt's kind;
// a report's encounter id, reporting agency, originator and notice
// recipient, which the policy layer reads to show the entry), never the
// traveller. A body that is not a report keeps nothing.
func ReportResidue(body []byte) []byte {
	var sr struct {
		Kind      string          `json:"kind"`
		Encounter json.RawMessage `json:"encounter"`
	}
	if json.Unmarshal(body, &sr) != nil {
		return []byte(`{}`)
	}
	var keep any = map[string]string{"kind": sr.Kind}
	if sr.Kind == "" {
		var e struct {
			ID         string `json:"id"`
			Agency     string `json:"agency,omitempty"`
			Originator string `json:"originator,omitempty"`
			NoticeTo   string `json:"notice_to,omitempty"`
		}
		if json.Unmarshal(sr.Encounter, &e) != nil {
			return []byte(`{}`)
		}
		keep = map[string]any{"encounter": e}
	}
	b, err := json.Marshal(keep)
	if err != nil {
		return []byte(`{}`)
	}
	return b
}

// ReportFilter selects outbox reports: Status ("" = all), oldest deadline
// first, continuing after the report After, at most Limit (0 = all).
type ReportFilter struct {
	Status string
	After  string
	Limit  int
}

// Validate reports a status that is none of ReportStatuses: an unknown
// one would select nothing, silently.
func (f ReportFilter) Validate() error {
	if f.Status != "" && !slices.Contains(ReportStatuses, f.Status) {
		return Errorf(EINVALID, "status: %.40q is not one of %s", f.Status, strings.Join(ReportStatuses, ", "))
	}
	return nil
}

// Report is an encounter report on its way to a listing's originator, hop
// by hop, retried with backoff until acknowledged.
type Report struct {
	ID          string          `json:"id"` // the encounter id
	ToOrigin    string          `json:"to_origin"`
	NextHop     string          `json:"next_hop"`
	FromNode    string          `json:"from_node,omitempty"` // who handed it to us: the acknowledgement goes back there
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	NextAttempt time.Time       `json:"next_attempt"`
	Deadline    time.Time       `json:"deadline"`
	AckedAt     *time.Time      `json:"acked_at,omitempty"`
	Body        json.RawMessage `json:"body"` // the signed report
}
