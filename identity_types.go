package tripline

import (
	"context"
	"time"
)

// User is a person who calls Tripline, in one agency and one role.
type User struct {
	ID       string    `json:"id"`
	Agency   string    `json:"agency"`
	Role     Role      `json:"role"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
}

// Validate reports the first problem with u, naming the field.
func (u *User) Validate() error {
	if u.ID == "" {
		return Errorf(EINVALID, "id: required")
	}
	if u.Agency == "" {
		return Errorf(EINVALID, "agency: required")
	}
	switch u.Role {
	case RoleOfficer, RoleAnalyst, RoleSupervisor, RoleAdmin, RoleAuditor, RoleNode:
	default:
		return Errorf(EINVALID, "role: %q is not officer, analyst, supervisor, admin, auditor or node", u.Role)
	}
	return nil
}

// IdentityService keeps agencies, sharing groups, users and tokens.
type IdentityService interface {
	// PutAgency creates or updates an agency.
	PutAgency(ctx context.Context, a *Agency) error
	// Agencies returns every agency.
	Agencies(ctx context.Context) ([]*Agency, error)
	// SetGroup makes group hold exactly members.
	SetGroup(ctx context.Context, group string, members []string) error
	// Groups returns agency → its groups.
	Groups(ctx context.Context) (GroupMap, error)
	// CreateUser stores a new user; ECONFLICT when the id is taken.
	CreateUser(ctx context.Context, u *User) error
	// SetUserDisabled disables or enables a user.
	SetUserDisabled(ctx context.Context, id string, disabled bool) error
	// IssueToken returns a new secret token for user; only its hash is kept.
	IssueToken(ctx context.Context, user, kind, label string, expires time.Time) (string, error)
	// DisableToken disables a token given the token itself.
	DisableToken(ctx context.Context, token string) error
	// Authenticate returns the identity of an enabled token of an enabled
	// user, EUNAUTHORIZED otherwise.
	Authenticate(ctx context.Context, token string) (*Identity, error)
	// Users returns every user.
	Users(ctx context.Context) ([]*User, error)
}

// ConsentStatus is where a consent request stands.
type ConsentStatus string

// Consent statuses.
const (
	ConsentPending ConsentStatus = "pending"
	ConsentGranted ConsentStatus = "granted"
	ConsentRefused ConsentStatus = "refused"
)

// Consent is a request to the originator of a listing to let a holder pass
// it to a third party, and the originator's answer.
type Consent struct {
	ID         string        `json:"id"`
	Listing    string        `json:"listing"`
	Originator string        `json:"originator"`
	Requester  string        `json:"requester"` // the agency holding the listing
	Recipient  string        `json:"recipient"` // the third party
	Reason     string        `json:"reason,omitempty"`
	Status     ConsentStatus `json:"status"`
	DecidedBy  string        `json:"decided_by,omitempty"`
	At         time.Time     `json:"at"`
	DecidedAt  *time.Time    `json:"decided_at,omitempty"`
}

// ConsentService stores consent requests and decisions, each an event.
type ConsentService interface {
	RequestConsent(ctx context.Context, c *Consent) (*Consent, error)
	DecideConsent(ctx context.Context, id string, grant bool, by string) (*Consent, error)
	Consents(ctx context.Context, listing string) ([]*Consent, error)
}
