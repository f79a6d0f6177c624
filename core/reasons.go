package clerk

import "errors"

// Reason says, in Clerk's vocabulary, why a request is signed out. The
// values are the strings Clerk's JavaScript SDK reports, so logs and
// dashboards read the same whichever backend answered; the few this package
// adds (token-too-large, session-pending,
// token-type-mismatch) follow the same pattern.
type Reason string

// Reasons a request is signed out. A signed-in Auth has the empty Reason.
const (
	// ReasonSessionTokenMissing: the request carried no session token.
	ReasonSessionTokenMissing Reason = "session-token-missing"
	// ReasonTokenTooLarge: the token is longer than the configured limit and
	// was refused before any parsing.
	ReasonTokenTooLarge Reason = "token-too-large"
	// ReasonTokenInvalid: the token is not a well-formed JWT (parts,
	// base64url, JSON, duplicate keys, trailing data).
	ReasonTokenInvalid Reason = "token-invalid"
	// ReasonTokenTypeMismatch: a JWT-template, M2M or machine token was sent
	// where a session token is expected.
	ReasonTokenTypeMismatch Reason = "token-type-mismatch"
	// ReasonTokenInvalidAlgorithm: alg is not RS256, RS384 or RS512, or not
	// the algorithm the key is published for.
	ReasonTokenInvalidAlgorithm Reason = "token-invalid-algorithm"
	// ReasonJWKKidMismatch: no known key has the token's kid (or it has
	// none).
	ReasonJWKKidMismatch Reason = "jwk-kid-mismatch"
	// ReasonJWKFailedToLoad: the key set could not be fetched and none is
	// cached.
	ReasonJWKFailedToLoad Reason = "jwk-remote-failed-to-load"
	// ReasonTokenInvalidSignature: the signature does not match the key.
	ReasonTokenInvalidSignature Reason = "token-invalid-signature"
	// ReasonTokenVerificationFailed: the signature is good but a required
	// claim (sub, sid, exp) is missing or a claim has the wrong JSON type.
	ReasonTokenVerificationFailed Reason = "token-verification-failed"
	// ReasonTokenInvalidIssuer: iss is not the instance's Frontend API.
	ReasonTokenInvalidIssuer Reason = "token-invalid-issuer"
	// ReasonTokenInvalidAuthorizedParties: azp is missing or not one of the
	// configured authorized parties.
	ReasonTokenInvalidAuthorizedParties Reason = "token-invalid-authorized-parties"
	// ReasonTokenExpired: exp is at or before now minus the clock skew.
	ReasonTokenExpired Reason = "token-expired"
	// ReasonTokenNotActiveYet: nbf is after now plus the clock skew.
	ReasonTokenNotActiveYet Reason = "token-not-active-yet"
	// ReasonTokenIatInTheFuture: iat is after now plus the clock skew.
	ReasonTokenIatInTheFuture Reason = "token-iat-in-the-future"
	// ReasonSessionPending: the session still has tasks to complete (sts
	// "pending") and the Authenticator does not accept pending sessions.
	ReasonSessionPending Reason = "session-pending"
	// ReasonSessionTokenWithoutClientUAT: a session cookie came without
	// __client_uat (or with "0"): the user signed out in another tab.
	ReasonSessionTokenWithoutClientUAT Reason = "session-token-but-no-client-uat"
	// ReasonClientUATWithoutSessionToken: __client_uat says signed in, but
	// no session cookie came with it.
	ReasonClientUATWithoutSessionToken Reason = "client-uat-but-no-session-token"
	// ReasonSessionTokenIATBeforeClientUAT: the session cookie was issued
	// before the client last signed in or out (__client_uat).
	ReasonSessionTokenIATBeforeClientUAT Reason = "session-token-iat-before-client-uat"
	// ReasonDevBrowserMissing: a development instance's request without
	// the dev browser cookie (__clerk_db_jwt).
	ReasonDevBrowserMissing Reason = "dev-browser-missing"
	// ReasonTokenRevoked: Clerk says the machine token was revoked. (Clerk's
	// JavaScript SDK signs such a caller in; this package does not.)
	ReasonTokenRevoked Reason = "token-revoked"
	// ReasonUnexpectedError: Clerk could not be asked whether an opaque
	// machine token is valid (5xx, 429, timeout, unreachable). The caller
	// should retry, not sign in again: guards answer 503.
	ReasonUnexpectedError Reason = "unexpected-error"
	// ReasonVerificationThrottled: too many unknown opaque tokens arrived
	// at once, and this one was not sent to Clerk (see
	// WithMachineTokenReuse). Guards answer 503; a retry a second later
	// gets through.
	ReasonVerificationThrottled Reason = "verification-throttled"
)

// ErrUnauthenticated is matched by every *AuthError, so callers can write
// errors.Is(err, clerk.ErrUnauthenticated) without listing reasons.
var ErrUnauthenticated = errors.New("clerk: request is not authenticated")

// AuthError says why a session token was refused. It never holds the token:
// the message names the rule, and Err the underlying failure (a JWKS fetch
// error, say) when there is one.
type AuthError struct {
	// Reason is the machine-readable cause, in Clerk's vocabulary.
	Reason Reason
	// Detail is a short human explanation of the rule that failed.
	Detail string
	// Err is the underlying error, if any.
	Err error
}

// Error reads like "clerk: session token refused: token-expired: exp is in
// the past".
func (e *AuthError) Error() string {
	msg := "clerk: session token refused: " + string(e.Reason)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *AuthError) Unwrap() error { return e.Err }

// Is makes every AuthError match ErrUnauthenticated.
func (e *AuthError) Is(target error) bool { return target == ErrUnauthenticated }

// transient reports reasons that say nothing about the token: Clerk could
// not be asked. A guard answers them 503, so the caller retries instead of
// signing in again.
func (r Reason) transient() bool {
	return r == ReasonUnexpectedError || r == ReasonVerificationThrottled
}

func authErr(reason Reason, detail string) *AuthError {
	return &AuthError{Reason: reason, Detail: detail}
}
