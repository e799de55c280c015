package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"tripline"
)

// IdentityService keeps agencies, groups, users and tokens.
type IdentityService struct {
	db    *DB
	known tokenCache

	// The identity version as last read, and the store's commit mark
	// (CommitMarker) read before it: while the mark stands, no process
	// committed anything, so the version stands too.
	versionMu sync.Mutex
	version   int64
	mark      []byte
	scratch   []byte
}

// NewIdentityService returns an IdentityService on db.
func NewIdentityService(db *DB) *IdentityService { return &IdentityService{db: db} }

// tokenCache holds the identities of tokens verified while the store's
// identity version (migration 0037: moved by every change of users or
// tokens, whoever makes it) stood at version: Authenticate then reads the
// version, not the token, its user and its parent.
type tokenCache struct {
	mu      sync.RWMutex
	version int64
	ids     map[string]knownToken // by token hash
}

// knownToken is a verified token: its identity, valid until its own or its
// parent token's expiry (zero: none).
type knownToken struct {
	id    tripline.Identity
	until time.Time
}

// maxKnownTokens bounds the cache: only tokens that verified enter it, so
// this is reached only by a node with that many callers.
const maxKnownTokens = 10_000

func (c *tokenCache) get(hash string, version int64) (knownToken, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.ids[hash]
	return k, ok && c.version == version
}

func (c *tokenCache) put(hash string, version int64, k knownToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version || len(c.ids) >= maxKnownTokens {
		if version < c.version {
			return // read before a newer version was seen: drop it
		}
		c.ids, c.version = map[string]knownToken{}, version
	}
	if c.ids == nil {
		c.ids = map[string]knownToken{}
	}
	c.ids[hash] = k
}

var _ tripline.IdentityService = (*IdentityService)(nil)

// PutAgency creates or updates an agency.
func (s *IdentityService) PutAgency(ctx context.Context, a *tripline.Agency) error {
	if err := a.Validate(); err != nil {
		return err
	}
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO agencies (id, name, country, contact) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, country = excluded.country, contact = excluded.contact`,
		a.ID, a.Name, a.Country, a.Contact)
	if err != nil {
		return fmt.Errorf("store agency %s: %w", a.ID, err)
	}
	return nil
}

// Agencies returns every agency, ordered by id.
func (s *IdentityService) Agencies(ctx context.Context) ([]*tripline.Agency, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, name, country, contact FROM agencies ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("query agencies: %w", err)
	}
	defer rows.Close()
	var out []*tripline.Agency
	for rows.Next() {
		var a tripline.Agency
		if err := rows.Scan(&a.ID, &a.Name, &a.Country, &a.Contact); err != nil {
			return nil, fmt.Errorf("scan agency: %w", err)
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}

// SetGroup makes group hold exactly members.
func (s *IdentityService) SetGroup(ctx context.Context, group string, members []string) error {
	if strings.TrimSpace(group) == "" || group == "*" {
		return tripline.Errorf(tripline.EINVALID, "group: a name is required (and \"*\" is reserved)")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM agency_groups WHERE grp = ?`, group); err != nil {
		return fmt.Errorf("clear group %s: %w", group, err)
	}
	for _, m := range members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agency_groups (grp, agency) VALUES (?, ?) ON CONFLICT DO NOTHING`, group, m); err != nil {
			return fmt.Errorf("add %s to group %s: %w", m, group, err)
		}
	}
	return tx.Commit()
}

// Groups returns agency → its groups.
func (s *IdentityService) Groups(ctx context.Context) (tripline.GroupMap, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT grp, agency FROM agency_groups ORDER BY grp, agency`)
	if err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	defer rows.Close()
	out := tripline.GroupMap{}
	for rows.Next() {
		var g, a string
		if err := rows.Scan(&g, &a); err != nil {
			return nil, fmt.Errorf("scan group: %w", err)
		}
		out[a] = append(out[a], g)
	}
	return out, rows.Err()
}

// CreateUser stores a new user; ECONFLICT when the id is taken.
func (s *IdentityService) CreateUser(ctx context.Context, u *tripline.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.Created = s.db.Now().UTC()
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO users (id, agency, role, disabled, created, superuser) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Agency, string(u.Role), u.Disabled, formatTime(u.Created), u.Superuser)
	if err != nil && s.db.dialect.Duplicate(err) {
		return tripline.Errorf(tripline.ECONFLICT, "user %q already exists", u.ID)
	} else if err != nil {
		return fmt.Errorf("store user %s: %w", u.ID, err)
	}
	return nil
}

// SetUserDisabled disables or enables a user.
func (s *IdentityService) SetUserDisabled(ctx context.Context, id string, disabled bool) error {
	res, err := s.db.db.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id)
	if err != nil {
		return fmt.Errorf("update user %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tripline.Errorf(tripline.ENOTFOUND, "user %q not found", id)
	}
	return nil
}

const userColumns = `id, agency, role, disabled, created, superuser`

func scanUser(row interface{ Scan(...any) error }) (*tripline.User, error) {
	var u tripline.User
	var role, created string
	if err := row.Scan(&u.ID, &u.Agency, &role, &u.Disabled, &created, &u.Superuser); err != nil {
		return nil, err
	}
	u.Role = tripline.Role(role)
	u.Created, _ = parseTime(created)
	return &u, nil
}

// User returns one user; ENOTFOUND when there is none.
func (s *IdentityService) User(ctx context.Context, id string) (*tripline.User, error) {
	u, err := scanUser(s.db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "user %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("load user %s: %w", id, err)
	}
	return u, nil
}

// Users returns every user, ordered by id.
func (s *IdentityService) Users(ctx context.Context) ([]*tripline.User, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("query users: %w", err)
	}
	defer rows.Close()
	var out []*tripline.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// tokenHash is how a token is stored: its SHA-256. The token itself has
// 256 random bits, so no salt or slow hash is needed.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	return string(h[:]) // one allocation (EncodeToString makes two): on every request
}

// IssueToken returns a new secret API token for user; only its hash is
// kept. A zero expires never expires. Sessions come from IssueSession,
// which binds them to the token they were made from.
func (s *IdentityService) IssueToken(ctx context.Context, user, kind, label string, expires time.Time) (string, error) {
	if kind == "session" {
		return "", tripline.Errorf(tripline.EINVALID, "kind: a session is made from an API token (IssueSession)")
	}
	if _, err := s.User(ctx, user); err != nil {
		return "", err
	}
	return s.insertToken(ctx, user, kind, label, "", expires)
}

func (s *IdentityService) insertToken(ctx context.Context, user, kind, label, parent string, expires time.Time) (string, error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := "tl_" + base64.RawURLEncoding.EncodeToString(b)
	exp := ""
	if !expires.IsZero() {
		exp = formatTime(expires)
	}
	if _, err := s.db.db.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, kind, label, created, expires, parent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tokenHash(token), user, kind, label, formatTime(s.db.Now()), exp, parent); err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}
	return token, nil
}

// IssueSession returns a session made from token, an enabled API token of
// an enabled user. It ends at expires, or earlier when the token expires
// or is disabled, or its user is: Authenticate checks the token on every
// request. A session never makes another one, so none outlives its
// absolute lifetime.
func (s *IdentityService) IssueSession(ctx context.Context, token, label string, expires time.Time) (string, error) {
	id, err := s.Authenticate(ctx, token)
	if err != nil {
		return "", err
	}
	if id.Session {
		return "", tripline.Errorf(tripline.EUNAUTHORIZED, "a session cannot start another session: log in with an API token")
	}
	return s.insertToken(ctx, id.User, "session", label, tokenHash(token), expires)
}

// TokenUser returns the user token belongs to; ENOTFOUND when the token is
// unknown.
func (s *IdentityService) TokenUser(ctx context.Context, token string) (*tripline.User, error) {
	var user string
	err := s.db.db.QueryRowContext(ctx, `SELECT user_id FROM tokens WHERE hash = ?`, tokenHash(token)).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tripline.Errorf(tripline.ENOTFOUND, "token not found")
	} else if err != nil {
		return nil, fmt.Errorf("load token: %w", err)
	}
	return s.User(ctx, user)
}

// DisableToken disables a token given the token itself, and the sessions
// made from it (Authenticate would refuse them anyway: this keeps the
// table saying so).
func (s *IdentityService) DisableToken(ctx context.Context, token string) error {
	h := tokenHash(token)
	res, err := s.db.db.ExecContext(ctx, `UPDATE tokens SET disabled = 1 WHERE hash = ? OR parent = ?`, h, h)
	if err != nil {
		return fmt.Errorf("disable token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tripline.Errorf(tripline.ENOTFOUND, "token not found")
	}
	return nil
}

// authenticateQuery reads a token with its user and, for a session, the
// API token it was made from; it runs on every request, prepared once.
const authenticateQuery = `SELECT u.id, u.agency, u.role, u.superuser, u.disabled, t.kind, t.disabled, t.expires,
		p.disabled = 0 AND p.kind != 'session' AND p.user_id = t.user_id, p.expires
	FROM tokens t JOIN users u ON u.id = t.user_id LEFT JOIN tokens p ON t.parent != '' AND p.hash = t.parent
	WHERE t.hash = ?`

// errRefused is Authenticate's one refusal: it never says which part
// failed. Made when needed: an accepted token costs no error.
func errRefused() error {
	return tripline.Errorf(tripline.EUNAUTHORIZED, "invalid or disabled token")
}

// identityVersionQuery reads the counter every change of users or tokens
// moves (migration 0037).
const identityVersionQuery = `SELECT version FROM identity_version`

// Authenticate returns the identity of an enabled, unexpired token of an
// enabled user; for a session, the API token it was made from must be
// enabled and unexpired too. Every call reads the identity version, which
// any change of users or tokens moves, and a token verified while that
// version stood is not read again: disabling takes effect on the very
// next request, whichever process made the change. Expiry is checked on
// every call. A user of role node is refused (tripline.BearerRole). The
// message never says which part failed.
func (s *IdentityService) Authenticate(ctx context.Context, token string) (*tripline.Identity, error) {
	if !strings.HasPrefix(token, "tl_") {
		return nil, errRefused()
	}
	hash := tokenHash(token)
	// The version is read before the token: a change committed in between
	// moves it again, so what is cached below is never kept past it.
	version, err := s.identityVersion(ctx)
	if err != nil {
		return nil, err
	}
	if k, ok := s.known.get(hash, version); ok {
		if !k.until.IsZero() && !s.db.Now().Before(k.until) {
			return nil, errRefused()
		}
		id := k.id
		return &id, nil
	}
	id, until, err := s.verify(ctx, hash)
	if err != nil {
		return nil, err
	}
	s.known.put(hash, version, knownToken{id: *id, until: until})
	return id, nil
}

// identityVersion returns the identity version: read again only when
// the store's commit mark moved (or it has none).
func (s *IdentityService) identityVersion(ctx context.Context) (int64, error) {
	s.versionMu.Lock()
	defer s.versionMu.Unlock()
	var ok bool
	s.scratch, ok = s.db.commitMark(s.scratch[:0])
	if ok && s.mark != nil && bytes.Equal(s.scratch, s.mark) {
		return s.version, nil
	}
	s.mark = nil
	st, err := s.db.prepared(ctx, identityVersionQuery)
	if err != nil {
		return 0, fmt.Errorf("authenticate: %w", err)
	}
	var version int64
	if err := st.QueryRowContext(ctx).Scan(&version); err != nil {
		return 0, fmt.Errorf("authenticate: %w", err)
	}
	if ok {
		s.version, s.mark = version, append(s.scratch[:0:0], s.scratch...)
	}
	return version, nil
}

// verify reads the token of hash with its user and parent, and returns
// its identity and the earliest expiry of the token and its parent.
func (s *IdentityService) verify(ctx context.Context, hash string) (*tripline.Identity, time.Time, error) {
	refused := errRefused()
	var id tripline.Identity
	var role, kind, expires string
	var tokDisabled, userDisabled bool
	var parentOK sql.NullBool
	var parentExpires sql.NullString
	st, err := s.db.prepared(ctx, authenticateQuery)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("authenticate: %w", err)
	}
	err = st.QueryRowContext(ctx, hash).
		Scan(&id.User, &id.Agency, &role, &id.Superuser, &userDisabled, &kind, &tokDisabled, &expires, &parentOK, &parentExpires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, refused
	} else if err != nil {
		return nil, time.Time{}, fmt.Errorf("authenticate: %w", err)
	}
	until, ok := s.expiry(expires, time.Time{})
	if tokDisabled || userDisabled || !ok {
		return nil, time.Time{}, refused
	}
	if kind == "session" {
		// Bound to its API token: a session without one (or of another
		// user, or made from a session) is refused.
		if !parentOK.Valid || !parentOK.Bool {
			return nil, time.Time{}, refused
		}
		if until, ok = s.expiry(parentExpires.String, until); !ok {
			return nil, time.Time{}, refused
		}
		id.Session = true
	}
	id.Role = tripline.Role(role)
	if !tripline.BearerRole(id.Role) {
		return nil, time.Time{}, refused
	}
	return &id, until, nil
}

// expiry returns the earlier of until and a stored expiry ("" for none;
// a zero time is none), and whether that lies ahead.
func (s *IdentityService) expiry(expires string, until time.Time) (time.Time, bool) {
	if expires == "" {
		return until, until.IsZero() || s.db.Now().Before(until)
	}
	t, err := parseTime(expires)
	if err != nil {
		return until, false
	}
	if until.IsZero() || t.Before(until) {
		until = t
	}
	return until, s.db.Now().Before(until)
}
