package tripline

import (
	"context"
	"strings"
	"time"
)

// User is a person who calls Tripline, in one agency and one role.
type User struct {
	ID       string    `json:"id"`
	Agency   string    `json:"agency"`
	Role     Role      `json:"role"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
	// Superuser: a node-wide admin (see Identity.Superuser).
	Superuser bool `json:"superuser,omitempty"`
}

// Validate reports the first problem with u, naming the field. Role node
// is refused: a partner node proves itself by signing each request with
// its node key, never with a bearer token a user could hold. The id keeps
// to a listing id's rules (checkID): it names the user in every audit
// entry and in the paths of the user routes, so an id with a format
// character ("u-officer" and a zero-width space) would read in the log as
// another agency's user, and one with a slash could not be managed.
func (u *User) Validate() error {
	if u.ID == "" {
		return Errorf(EINVALID, "id: required")
	}
	if err := checkID(u.ID); err != nil {
		return err
	}
	if agency, ok := UserIDAgency(u.ID); ok && agency != u.Agency {
		return Errorf(EINVALID, "id: %q names agency %q: a user of %s is %s:NAME or has no colon", u.ID, agency, u.Agency, u.Agency)
	}
	if u.Agency == "" {
		return Errorf(EINVALID, "agency: required")
	}
	switch u.Role {
	case RoleOfficer, RoleAnalyst, RoleSupervisor, RoleAdmin, RoleAuditor:
	case RoleNode:
		return Errorf(EINVALID, "role: node is a partner node, which signs its requests; it is never a user with a token")
	default:
		return Errorf(EINVALID, "role: %q is not officer, analyst, supervisor, admin or auditor", u.Role)
	}
	if u.Superuser && u.Role != RoleAdmin {
		return Errorf(EINVALID, "superuser: only an admin may be a superuser, not a %s", u.Role)
	}
	return nil
}

// UserIDAgency returns the agency a user id names: all before its last
// colon ("tr-border:ana-1" is tr-border's). An id of that form belongs to
// that agency's namespace, which an admin of another agency cannot write
// in, so creating one tells nothing of another agency's users (a bare id
// taken by any agency's user would answer 409). ok is false for an id
// with no colon, which only the node's own shell or a superuser makes.
func UserIDAgency(id string) (agency string, ok bool) {
	i := strings.LastIndexByte(id, ':')
	if i < 0 {
		return "", false
	}
	return id[:i], true
}

// BearerRole reports whether a token may authenticate a caller in role r:
// every role but node, which only ever authenticates by its signature. A
// stored user of role node (from before this rule) is refused too.
func BearerRole(r Role) bool {
	switch r {
	case RoleOfficer, RoleAnalyst, RoleSupervisor, RoleAdmin, RoleAuditor:
		return true
	}
	return false
}

// MayManageUser reports whether admin may create, disable, enable or issue
// tokens for user u: an admin manages its own agency's users, a superuser
// every agency's. An admin of another agency is told the user does not
// exist (ENOTFOUND), so that users cannot be enumerated across agencies;
// EFORBIDDEN for a caller who is no admin. A superuser is managed by a
// superuser only (EFORBIDDEN): a token an admin of its agency issued for
// it would make that admin node-wide, and disabling it would lock the
// node's own admin out.
func MayManageUser(admin *Identity, u *User) error {
	if admin == nil || admin.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "only an admin manages users")
	}
	if !admin.Superuser && admin.Agency != u.Agency {
		return Errorf(ENOTFOUND, "user %q not found", u.ID)
	}
	if u.Superuser && !admin.Superuser {
		return Errorf(EFORBIDDEN, "user %q is a superuser: only a superuser manages it", u.ID)
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
	// User returns one user; ENOTFOUND when there is none.
	User(ctx context.Context, id string) (*User, error)
	// SetUserDisabled disables or enables a user.
	SetUserDisabled(ctx context.Context, id string, disabled bool) error
	// IssueToken returns a new secret API token for user; only its hash
	// is kept. Sessions come from IssueSession only.
	IssueToken(ctx context.Context, user, kind, label string, expires time.Time) (string, error)
	// IssueSession returns a console session made from an API token: it
	// lasts until expires or until that token or its user is disabled,
	// whichever comes first. EUNAUTHORIZED when token is not an enabled
	// API token of an enabled user (a session cannot make a session).
	IssueSession(ctx context.Context, token, label string, expires time.Time) (string, error)
	// TokenUser returns the user a token belongs to; ENOTFOUND when the
	// token is unknown.
	TokenUser(ctx context.Context, token string) (*User, error)
	// DisableToken disables a token given the token itself, and with it
	// every session made from it.
	DisableToken(ctx context.Context, token string) error
	// Authenticate returns the identity of an enabled token of an enabled
	// user (for a session, its API token enabled too), EUNAUTHORIZED
	// otherwise.
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
	// ConsentWithdrawn: the originator took a granted consent back; the
	// listing leaves the recipient's node (docs/federation.md).
	ConsentWithdrawn ConsentStatus = "withdrawn"
)

// Valid reports whether s is a known consent status.
func (s ConsentStatus) Valid() bool {
	switch s {
	case ConsentPending, ConsentGranted, ConsentRefused, ConsentWithdrawn:
		return true
	}
	return false
}

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

// ConsentFilter selects consent requests: those on Listing ("" for all)
// with Status ("" for any), with an id after After, by id, at most Limit
// (0 for all).
type ConsentFilter struct {
	Listing string
	Status  ConsentStatus
	After   string
	Limit   int
}

// ConsentService stores consent requests and decisions, each an event.
type ConsentService interface {
	RequestConsent(ctx context.Context, c *Consent) (*Consent, error)
	DecideConsent(ctx context.Context, id string, grant bool, by string) (*Consent, error)
	// Consents returns the requests f selects. Any agency may ask for
	// thousands: readers page through them.
	Consents(ctx context.Context, f ConsentFilter) ([]*Consent, error)
	// Consent returns one request; ENOTFOUND when there is none.
	Consent(ctx context.Context, id string) (*Consent, error)
	// WithdrawConsent takes a granted consent back; ECONFLICT when it is
	// not granted.
	WithdrawConsent(ctx context.Context, id, by string) (*Consent, error)
}
