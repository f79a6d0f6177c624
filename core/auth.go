package clerk

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Auth is the authentication state of one request: a signed-in user (a
// session token), an authenticated machine caller (an M2M token, an API key
// or an OAuth access token, when the route accepts them), or signed out,
// with the Reason. Authenticate never returns nil.
//
// SignedIn is true only for a session: code written for users never admits
// a machine by accident, and every session accessor (SessionID, UserID, the
// organization) is empty for one. Authenticated is true for any accepted
// caller; TokenType says which kind, and Subject, TokenID, Scopes and Name
// describe a machine caller.
//
// An Auth is immutable. Verified values are shared between requests that
// carry the same token (see WithVerificationCache), so every accessor
// returns a copy where the caller could otherwise change what another
// request sees.
type Auth struct {
	err     *AuthError       // nil when authenticated
	kind    TokenType        // the token's kind, also when refused
	machine *machineIdentity // nil for a session token
	token   string
	payload string // the claims JSON, for RawClaims and DecodeClaims
	claims  sessionClaims

	orgRole        string
	orgPermissions []string
}

// Actor is the "act" claim: who is impersonating the session's user.
type Actor struct {
	// Issuer is the actor's issuer (act.iss), such as the dashboard.
	Issuer string `json:"iss,omitempty"`
	// SessionID is the actor's own session (act.sid).
	SessionID string `json:"sid,omitempty"`
	// Subject is the actor's user ID (act.sub).
	Subject string `json:"sub,omitempty"`
}

// FactorAge is the "fva" claim: minutes since the user last verified each
// factor, -1 when never.
type FactorAge struct {
	FirstFactorMinutes  int
	SecondFactorMinutes int
}

// SessionStatus is the state of a session, the token's sts claim.
type SessionStatus string

// Session states. A pending session has tasks left (choosing an
// organization, say) and counts as signed out unless the Authenticator
// accepts pending sessions.
const (
	SessionStatusActive  SessionStatus = "active"
	SessionStatusPending SessionStatus = "pending"
)

// newAuth builds the signed-in Auth for verified claims.
func newAuth(token, payload string, c *sessionClaims) *Auth {
	a := &Auth{kind: TokenTypeSessionToken, token: token, payload: payload, claims: *c}
	if c.version >= 2 {
		if c.org.rol != "" {
			a.orgRole = "org:" + c.org.rol
		}
		if c.org.id != "" {
			a.orgPermissions = orgPermissionsV2(c.fea, c.org.per, c.org.fpm)
		}
	} else {
		a.orgRole = c.v1OrgRole
		a.orgPermissions = c.v1Permissions
	}
	return a
}

// signedOut builds the Auth of a refused request.
func signedOut(kind TokenType, err *AuthError) *Auth { return &Auth{kind: kind, err: err} }

// SignedIn reports whether the request carries a valid session token: a
// signed-in user. A pending session counts only when the Authenticator
// accepts pending sessions. A machine caller is never signed in; see
// Authenticated.
func (a *Auth) SignedIn() bool { return a != nil && a.err == nil && a.machine == nil }

// Authenticated reports whether the request carries a valid token of a kind
// the route accepts: a session, or a machine caller.
func (a *Auth) Authenticated() bool { return a != nil && a.err == nil }

// TokenType is the kind of token the request carried, also when it was
// refused (ReasonTokenTypeMismatch says the route does not accept it); ""
// when there was none.
func (a *Auth) TokenType() TokenType {
	if a == nil {
		return ""
	}
	return a.kind
}

// Reason says why the request is signed out; empty when signed in.
func (a *Auth) Reason() Reason {
	switch {
	case a == nil:
		return ReasonSessionTokenMissing
	case a.err == nil:
		return ""
	}
	return a.err.Reason
}

// Err returns the *AuthError that signed the request out, or nil. It is
// meant for logs: it never contains the token.
func (a *Auth) Err() error {
	if a == nil || a.err == nil {
		return nil
	}
	return a.err
}

// Token returns the verified token, for forwarding to another service;
// empty unless authenticated.
func (a *Auth) Token() string {
	if !a.Authenticated() {
		return ""
	}
	return a.token
}

// Every accessor below returns the zero value on a signed-out (or nil)
// Auth: a refused token's claims are never exposed.

// SessionID is the sid claim.
func (a *Auth) SessionID() string {
	if !a.SignedIn() {
		return ""
	}
	return a.claims.sid
}

// UserID is the sub claim.
func (a *Auth) UserID() string {
	if !a.SignedIn() {
		return ""
	}
	return a.claims.sub
}

// OrgID is the active organization's ID (o.id, or org_id in v1 tokens).
func (a *Auth) OrgID() string {
	switch {
	case !a.SignedIn():
		return ""
	case a.claims.version >= 2:
		return a.claims.org.id
	}
	return a.claims.v1OrgID
}

// OrgSlug is the active organization's slug (o.slg, or org_slug).
func (a *Auth) OrgSlug() string {
	switch {
	case !a.SignedIn():
		return ""
	case a.claims.version >= 2:
		return a.claims.org.slg
	}
	return a.claims.v1OrgSlug
}

// OrgRole is the user's role in the active organization, "org:" + o.rol
// (v1 tokens carry the prefixed org_role).
func (a *Auth) OrgRole() string {
	if !a.SignedIn() {
		return ""
	}
	return a.orgRole
}

// OrgPermissions lists the user's permissions in the active organization,
// such as "org:memberships:manage". The slice is the caller's own copy.
func (a *Auth) OrgPermissions() []string {
	if !a.SignedIn() {
		return nil
	}
	return slices.Clone(a.orgPermissions)
}

// SessionStatus is the sts claim: SessionStatusActive, SessionStatusPending
// or empty for tokens that predate it.
func (a *Auth) SessionStatus() SessionStatus {
	if !a.SignedIn() {
		return ""
	}
	return SessionStatus(a.claims.sts)
}

// FactorVerificationAge returns the fva claim; ok is false when the token
// has none.
func (a *Auth) FactorVerificationAge() (age FactorAge, ok bool) {
	if !a.SignedIn() || !a.claims.hasFVA {
		return FactorAge{}, false
	}
	return FactorAge{FirstFactorMinutes: int(a.claims.fva[0]), SecondFactorMinutes: int(a.claims.fva[1])}, true
}

// Actor returns the impersonator when the session is impersonated.
func (a *Auth) Actor() (actor Actor, ok bool) {
	if !a.SignedIn() || !a.claims.hasActor {
		return Actor{}, false
	}
	return a.claims.actor, true
}

// Issuer is the iss claim: the instance's Frontend API URL.
func (a *Auth) Issuer() string {
	if !a.SignedIn() {
		return ""
	}
	return a.claims.iss
}

// AuthorizedParty is the azp claim: the origin of the page that asked.
func (a *Auth) AuthorizedParty() string {
	if !a.SignedIn() {
		return ""
	}
	return a.claims.azp
}

// Version is the session token version: 2 for current tokens, 1 for tokens
// without a v claim.
func (a *Auth) Version() int {
	if !a.SignedIn() {
		return 0
	}
	return int(max(a.claims.version, 1))
}

// Expiry is when the token expires (exp); zero when signed out.
func (a *Auth) Expiry() time.Time {
	switch {
	case !a.Authenticated():
		return time.Time{}
	case a.machine != nil:
		if a.machine.exp == 0 {
			return time.Time{} // an API key without an expiry
		}
		return time.UnixMilli(a.machine.exp)
	}
	return time.UnixMilli(a.claims.exp)
}

// IssuedAt is the iat claim; zero when absent or signed out.
func (a *Auth) IssuedAt() time.Time {
	if !a.SignedIn() || !a.claims.hasIat {
		return time.Time{}
	}
	return time.UnixMilli(a.claims.iat)
}

// RawClaims returns the claims as JSON: all of a session token's, custom
// ones included, and a machine caller's custom claims; nil when signed out
// or when a machine token has none. The slice is the caller's own copy.
func (a *Auth) RawClaims() json.RawMessage {
	if !a.Authenticated() {
		return nil
	}
	claims := a.claimsJSON()
	if claims == "" {
		return nil
	}
	return json.RawMessage(claims)
}

// claimsJSON is what RawClaims and DecodeClaims read: the session token's
// payload, or a machine caller's custom claims.
func (a *Auth) claimsJSON() string {
	if a.machine != nil && a.machine.jwtPayload {
		return customClaims(a.payload)
	}
	return a.payload
}

// DecodeClaims unmarshals the claims into v with encoding/json, for custom
// claims added in Clerk's session token customisation. On a signed-out
// Auth it returns the Auth's *AuthError, which matches ErrUnauthenticated.
func (a *Auth) DecodeClaims(v any) error {
	if !a.Authenticated() {
		if err := a.Err(); err != nil {
			return err
		}
		return &AuthError{Reason: ReasonSessionTokenMissing, Detail: "no Auth"}
	}
	payload := a.claimsJSON()
	if payload == "" {
		payload = "{}" // a machine token without custom claims
	}
	return json.Unmarshal([]byte(payload), v)
}

// String describes the Auth without its token.
func (a *Auth) String() string {
	switch {
	case a == nil:
		return "clerk.Auth(nil)"
	case a.err != nil:
		return "clerk.Auth{signed out: " + string(a.err.Reason) + "}"
	case a.machine != nil:
		return "clerk.Auth{" + string(a.kind) + ": " + a.machine.subject + "}"
	}
	return "clerk.Auth{user: " + a.claims.sub + ", session: " + a.claims.sid + "}"
}

// GoString keeps %#v from printing the token.
func (a *Auth) GoString() string { return a.String() }

// Format prints the String form for every verb and flag: without it %d,
// %x, %q or %+10s would print the struct, token and claims included. Its
// receiver is a value so that an Auth held by value (a copy of *auth) is
// redacted too; fmt therefore prints a nil *Auth as <nil>.
func (a Auth) Format(f fmt.State, verb rune) { writeRedacted(f, verb, a.String()) }

// LogValue keeps slog from printing the token.
func (a *Auth) LogValue() slog.Value {
	switch {
	case !a.Authenticated():
		return slog.GroupValue(slog.Bool("signed_in", false), slog.String("reason", string(a.Reason())))
	case a.machine != nil:
		return slog.GroupValue(
			slog.String("token_type", string(a.kind)),
			slog.String("subject", a.machine.subject),
		)
	}
	return slog.GroupValue(
		slog.Bool("signed_in", true),
		slog.String("user_id", a.claims.sub),
		slog.String("session_id", a.claims.sid),
	)
}
