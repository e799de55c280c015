package tripline

import (
	"encoding/json"
	"time"
)

// Partner is another node: its key verifies its events and requests, its
// URL is where its feed is pulled (empty for a node known only by key,
// whose events arrive through a relay), and Follows lists the other origins
// pulled through it. How its URL may be reached is CheckTransport's rule
// (transport.go).
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
}

// Report statuses: queued, handed to the next hop, acknowledged by the
// originator, or past its deadline without acknowledgement.
const (
	ReportPending      = "pending"
	ReportSent         = "sent"
	ReportAcknowledged = "acknowledged"
	ReportOverdue      = "overdue"
)

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
