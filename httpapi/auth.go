package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"tripline"
	"tripline/federation"
)

// SessionCookie is the console's session cookie: a session token, stored
// hashed like any token, HttpOnly and SameSite=Strict.
const SessionCookie = "tripline_session"

// MaxNodeBodyBytes bounds a partner node's request body, read whole to
// check its signature before anything else: reports, acknowledgements and
// blind batches are far smaller.
const MaxNodeBodyBytes = 16 << 20

// SessionTTL is how long a console session lasts.
const SessionTTL = 12 * time.Hour

// authenticate returns the caller's identity from a bearer token or the
// session cookie. Every request looks the token up again, so a disabled
// user or token is refused on the very next request.
func (s *Server) authenticate(r *http.Request) (*tripline.Identity, error) {
	if r.Header.Get(federation.HeaderNode) != "" && s.Federation != nil {
		// A partner node signs its requests: read the body to check the
		// signature, then hand it on unchanged. Who it claims to be is
		// checked first, and what is read is bounded whatever the route
		// takes (an import takes gigabytes): a stranger makes the node
		// hold nothing.
		if err := s.Federation.NodeHeaders(r); err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxNodeBodyBytes+1))
		if err != nil {
			return nil, tripline.Errorf(tripline.EINVALID, "body: %v", err)
		}
		if len(body) > MaxNodeBodyBytes {
			return nil, tripline.Errorf(tripline.EINVALID, "body: a node request's body is at most %d bytes", MaxNodeBodyBytes)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		return s.Federation.NodeIdentity(r, body)
	}
	token := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, tripline.Errorf(tripline.EUNAUTHORIZED, "Authorization: want \"Bearer <token>\"")
		}
		token = strings.TrimSpace(t)
	} else if c, err := r.Cookie(SessionCookie); err == nil {
		token = c.Value
	}
	if token == "" {
		return nil, tripline.Errorf(tripline.EUNAUTHORIZED, "authentication required: send \"Authorization: Bearer <token>\"")
	}
	if s.Identity == nil {
		return nil, tripline.Errorf(tripline.EUNAUTHORIZED, "invalid or disabled token")
	}
	id, err := s.Identity.Authenticate(r.Context(), token)
	if err != nil {
		return nil, err
	}
	// A partner node signs its requests: a bearer token claiming role
	// node is refused whatever store issued it.
	if !tripline.BearerRole(id.Role) {
		return nil, tripline.Errorf(tripline.EUNAUTHORIZED, "invalid or disabled token")
	}
	return id, nil
}

// authorize authenticates the caller and checks the route's roles; it
// returns the request with the identity in its context.
func (s *Server) authorize(rt route, r *http.Request) (*http.Request, error) {
	if rt.Public {
		return r, nil
	}
	id, err := s.authenticate(r)
	if err != nil {
		s.recordAuth(r, nil, "auth.refused", err)
		return nil, err
	}
	if !slices.Contains(rt.Roles, id.Role) {
		err := tripline.Errorf(tripline.EFORBIDDEN, "role %s may not call %s %s", id.Role, rt.Method, rt.Pattern)
		s.recordAuth(r, id, "auth.forbidden", err)
		return nil, err
	}
	return r.WithContext(tripline.WithIdentity(r.Context(), id)), nil
}

func (s *Server) recordAuth(r *http.Request, id *tripline.Identity, action string, err error) {
	if s.Policy == nil {
		return
	}
	ctx, detail := r.Context(), tripline.ErrorMessage(err)
	if id != nil {
		ctx = tripline.WithIdentity(ctx, id)
	} else {
		// Nobody is accountable for an unauthenticated refusal: what it
		// costs the audit log is bounded per client (refusals.go).
		ok, dropped := s.refused.take(clientKey(r), s.now())
		if !ok {
			s.refusalsUnaudited.Inc()
			return
		}
		if dropped > 0 {
			detail += fmt.Sprintf(" (and %d refused requests from %s before it, not recorded one by one)", dropped, clientKey(r))
		}
	}
	s.Policy.Record(ctx, action, r.Method+" "+r.URL.Path, detail)
}

// Login is the body of POST /v1/session.
type Login struct {
	Token string `json:"token"`
}

// handleLogin exchanges a user's API token for a console session cookie.
// The session is bound to that token: it ends when the token is revoked or
// its user disabled, and at SessionTTL at the latest, since a session
// cannot be exchanged for a new one.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	// A JSON body only: a form on another site can post text/plain shaped
	// like JSON without asking first, a JSON content type it cannot.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "Content-Type: %.60q, want application/json", r.Header.Get("Content-Type")))
		return
	}
	var in Login
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	token := strings.TrimSpace(in.Token)
	id, err := s.Identity.Authenticate(r.Context(), token)
	if err == nil && !tripline.BearerRole(id.Role) {
		err = tripline.Errorf(tripline.EUNAUTHORIZED, "invalid or disabled token")
	}
	if err == nil && id.Session {
		err = tripline.Errorf(tripline.EUNAUTHORIZED, "a session cannot start another session: log in with an API token")
	}
	if err != nil {
		s.recordAuth(r, id, "login.refused", err)
		Error(w, r, s.Logger, err)
		return
	}
	sess, err := s.Identity.IssueSession(r.Context(), token, "console", s.now().Add(SessionTTL))
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(tripline.WithIdentity(r.Context(), id), "login", id.User, "console session")
	http.SetCookie(w, sessionCookie(r, sess, int(SessionTTL/time.Second)))
	writeJSON(w, http.StatusOK, id)
}

// sessionCookie is the session cookie with value, kept maxAge seconds
// (-1: removed). Over TLS it is Secure: a browser never sends it in clear.
func sessionCookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: maxAge}
}

// handleLogout ends the console session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		_ = s.Identity.DisableToken(r.Context(), c.Value)
	}
	http.SetCookie(w, sessionCookie(r, "", -1))
	writeJSON(w, http.StatusOK, map[string]string{"status": "logged out"})
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, tripline.IdentityFrom(r.Context()))
}

// NewUser is the body of POST /v1/users. Agency defaults to the caller's;
// only a superuser names another. ID is AGENCY:NAME (tripline.UserIDAgency)
// unless a superuser creates it.
type NewUser struct {
	ID     string        `json:"id"`
	Agency string        `json:"agency"`
	Role   tripline.Role `json:"role"`
}

// IssuedToken carries a new token: shown once, stored only as a hash.
type IssuedToken struct {
	User  string `json:"user"`
	Token string `json:"token"`
}

// handleCreateUser creates a user of the caller's agency (the default) and
// issues its first token. Only a superuser, made from the command line,
// creates users of another agency; no one creates a user of role node.
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	var in NewUser
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	caller := tripline.IdentityFrom(r.Context())
	if in.Agency == "" {
		in.Agency = caller.Agency
	}
	u := &tripline.User{ID: in.ID, Agency: in.Agency, Role: in.Role}
	if in.Agency != caller.Agency && !caller.Superuser {
		err := tripline.Errorf(tripline.EFORBIDDEN, "an admin of agency %s creates users of agency %s only, not of %s", caller.Agency, caller.Agency, in.Agency)
		s.Policy.Record(r.Context(), "user.create.refused", in.ID, tripline.ErrorMessage(err))
		Error(w, r, s.Logger, err)
		return
	}
	// A plain admin names its users in its agency's namespace: a bare id
	// another agency's user holds would answer 409, and so tell that it
	// exists. Only a superuser, who sees every agency's users, names any.
	if agency, ok := tripline.UserIDAgency(in.ID); !caller.Superuser && (!ok || agency != in.Agency) {
		Error(w, r, s.Logger, tripline.Errorf(tripline.EINVALID, "id: an admin of %s names its users %s:NAME (e.g. %q), so that no other agency's ids can meet them", in.Agency, in.Agency, in.Agency+":"+lastPart(in.ID)))
		return
	}
	if err := s.Identity.CreateUser(r.Context(), u); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	tok, err := s.Identity.IssueToken(r.Context(), in.ID, "api", "", time.Time{})
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "user.create", in.ID, string(in.Role)+" of "+in.Agency)
	writeJSON(w, http.StatusOK, IssuedToken{User: in.ID, Token: tok})
}

// lastPart is what follows an id's last colon, for an example in a
// message: at most 60 bytes of it.
func lastPart(id string) string {
	if i := strings.LastIndexByte(id, ':'); i >= 0 {
		id = id[i+1:]
	}
	return strings.ToValidUTF8(id[:min(len(id), 60)], "")
}

// managedUser loads the user of the request path if the caller may manage
// it (tripline.MayManageUser): a user of another agency is not found.
func (s *Server) managedUser(r *http.Request, action string) (*tripline.User, error) {
	u, err := s.Identity.User(r.Context(), r.PathValue("id"))
	if err == nil {
		err = tripline.MayManageUser(tripline.IdentityFrom(r.Context()), u)
	}
	if err != nil {
		s.Policy.Record(r.Context(), action+".refused", r.PathValue("id"), tripline.ErrorMessage(err))
		return nil, err
	}
	return u, nil
}

func (s *Server) handleIssueToken(w http.ResponseWriter, r *http.Request) {
	u, err := s.managedUser(r, "token.issue")
	if err == nil && !tripline.BearerRole(u.Role) {
		err = tripline.Errorf(tripline.EINVALID, "user %q has role %s, which never holds a token: a partner node signs its requests", u.ID, u.Role)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	tok, err := s.Identity.IssueToken(r.Context(), u.ID, "api", "", time.Time{})
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "token.issue", u.ID, "")
	writeJSON(w, http.StatusOK, IssuedToken{User: u.ID, Token: tok})
}

func (s *Server) handleSetDisabled(disabled bool) http.HandlerFunc {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.managedUser(r, action)
		if err == nil {
			err = s.Identity.SetUserDisabled(r.Context(), u.ID, disabled)
		}
		if err != nil {
			Error(w, r, s.Logger, err)
			return
		}
		s.Policy.Record(r.Context(), action, u.ID, "")
		writeJSON(w, http.StatusOK, map[string]any{"user": u.ID, "disabled": disabled})
	}
}

// TokenRevocation is the body of POST /v1/tokens/revoke.
type TokenRevocation struct {
	Token string `json:"token"`
}

// handleRevokeToken revokes a token of a user the caller manages, and the
// sessions made from it; another agency's token is not found.
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	var in TokenRevocation
	if err := decodeJSON(r, &in); err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	u, err := s.Identity.TokenUser(r.Context(), in.Token)
	if err == nil {
		if refused := tripline.MayManageUser(tripline.IdentityFrom(r.Context()), u); refused != nil {
			s.Policy.Record(r.Context(), "token.revoke.refused", u.ID, tripline.ErrorMessage(refused))
			err = tripline.Errorf(tripline.ENOTFOUND, "token not found")
		}
	}
	if err == nil {
		err = s.Identity.DisableToken(r.Context(), in.Token)
	}
	if err != nil {
		Error(w, r, s.Logger, err)
		return
	}
	s.Policy.Record(r.Context(), "token.revoke", u.ID, "")
	writeJSON(w, http.StatusOK, map[string]string{"status": "revoked"})
}
