package tripline

import "context"

// Identity is who is calling: a user of an agency in a role, or a partner
// node. It travels in the request context, the one context value Tripline
// uses.
type Identity struct {
	User   string `json:"user"`
	Agency string `json:"agency"`
	Role   Role   `json:"role"`
	// Superuser marks a node-wide admin, made only by the command line
	// (tripline users add --superuser): it manages users of every agency.
	// Every other admin manages its own agency's users only.
	Superuser bool `json:"superuser,omitempty"`
	// Session is true when the caller authenticated with a console
	// session rather than an API token: a session never starts another.
	Session bool `json:"-"`
}

// Role is what a user may do.
type Role string

// Roles.
const (
	RoleOfficer    Role = "officer"
	RoleAnalyst    Role = "analyst"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
	RoleAuditor    Role = "auditor"
	RoleNode       Role = "node" // a partner node, for federation
)

type identityKey struct{}

// WithIdentity returns a context carrying id.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity in ctx, or nil.
func IdentityFrom(ctx context.Context) *Identity {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	return id
}
