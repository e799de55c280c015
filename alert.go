package tripline

import (
	"context"
	"strings"
	"time"
)

// AlertKind says why a travel document is flagged (the INTERPOL SLTD model).
type AlertKind string

// Document alert kinds.
const (
	AlertRevoked     AlertKind = "revoked"
	AlertStolen      AlertKind = "stolen"
	AlertLost        AlertKind = "lost"
	AlertInvalidated AlertKind = "invalidated"
)

// DocumentAlert flags one travel document, keyed by issuing state and
// number. A traveller presenting it gets a hit even when no listing matches.
type DocumentAlert struct {
	// ID is "<source>:<country>:<number>".
	ID          string     `json:"id"`
	Source      string     `json:"source"`
	Country     string     `json:"country"` // issuing state, alpha-3
	Number      string     `json:"number"`
	Type        string     `json:"type,omitempty"` // P, I, ...
	Kind        AlertKind  `json:"kind"`
	Action      Action     `json:"action"`
	Instruction string     `json:"instruction,omitempty"`
	Contact     string     `json:"contact,omitempty"`
	Reported    string     `json:"reported,omitempty"` // YYYY-MM-DD
	Handling    Handling   `json:"handling"`
	Provenance  Provenance `json:"provenance"`
	Status      Status     `json:"status"`
	Version     int64      `json:"version"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// DocumentAlertID returns the stable id of an alert.
func DocumentAlertID(source, country, number string) string {
	return source + ":" + strings.ToUpper(country) + ":" + NormaliseDocNumber(number)
}

// NormaliseDocNumber upper-cases a document number and drops the spaces,
// dashes and MRZ fillers that issuers and scanners add.
func NormaliseDocNumber(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// RecordID returns the alert's id.
func (a *DocumentAlert) RecordID() string { return a.ID }

// RecordSource returns the alert's source.
func (a *DocumentAlert) RecordSource() string { return a.Source }

// ContentHash is a digest of what the reporter said, without the fields the
// store maintains.
func (a *DocumentAlert) ContentHash() string { return contentHash(a) }

// Validate reports the first problem with a, naming the field.
func (a *DocumentAlert) Validate() error {
	if a.Source == "" {
		return Errorf(EINVALID, "source: required")
	}
	if n := len(a.Country); n != 3 && n != 1 {
		return Errorf(EINVALID, "country: %q is not an ISO 3166 alpha-3 code", a.Country)
	}
	if NormaliseDocNumber(a.Number) == "" {
		return Errorf(EINVALID, "number: required")
	}
	if a.ID != DocumentAlertID(a.Source, a.Country, a.Number) {
		return Errorf(EINVALID, "id: %q, want %q", a.ID, DocumentAlertID(a.Source, a.Country, a.Number))
	}
	switch a.Kind {
	case AlertRevoked, AlertStolen, AlertLost, AlertInvalidated:
	default:
		return Errorf(EINVALID, "kind: %q is not revoked, stolen, lost or invalidated", a.Kind)
	}
	if !a.Action.Valid() {
		return Errorf(EINVALID, "action: %q is not one of refuse_entry, detain, secondary_check, report, info", a.Action)
	}
	if a.Provenance.Originator == "" {
		return Errorf(EINVALID, "provenance.originator: required")
	}
	return nil
}

// AlertFilter selects document alerts: of Source ("" = all), ordered by
// id, after the id After, at most Limit (0 = all).
type AlertFilter struct {
	Source string
	After  string
	Limit  int
}

// DocumentAlertService stores document alerts and appends their events.
type DocumentAlertService interface {
	// DocumentAlerts returns the alerts f selects. A stolen-document list
	// runs to millions: readers page through it.
	DocumentAlerts(ctx context.Context, f AlertFilter) ([]*DocumentAlert, error)
	// DocumentAlert returns one alert; ENOTFOUND when there is none.
	DocumentAlert(ctx context.Context, id string) (*DocumentAlert, error)
	// PutDocumentAlert creates or updates one alert.
	PutDocumentAlert(ctx context.Context, a *DocumentAlert) (*DocumentAlert, error)
	// ImportDocumentAlerts makes source hold exactly as, like ImportListings.
	ImportDocumentAlerts(ctx context.Context, source string, as []*DocumentAlert) (*ImportSummary, error)
	// WithdrawDocumentAlert withdraws an active alert.
	WithdrawDocumentAlert(ctx context.Context, id string) (*DocumentAlert, error)
}
