package clerk

import (
	"context"
	"time"
)

// Observer receives what a Client and an Authenticator do, for metrics and
// traces: the clerkotel module (github.com/clerkkit/clerkkit/otel) turns
// one into OpenTelemetry spans and instruments, and any other telemetry
// library can be wired the same way without the core depending on it.
//
// Every field is optional, and an unset one costs a nil check: no clock
// reading, no allocation. Hooks are called synchronously, on the goroutine
// doing the work, so they must be quick and safe for concurrent use. They
// get the context of the work, so a span started in APICallStart parents
// the HTTP client's own spans. No hook ever sees a secret key or a token,
// and every string a hook gets that is meant as a label comes from a fixed
// set of values.
type Observer struct {
	// APICallStart is called before the first attempt of every call to
	// Clerk: Backend API calls (getToken, the key set, machine token
	// verification, and any endpoint added later, since every call goes
	// through one transport) and public key set fetches. The context it
	// returns (nil: ctx) is the one the attempts and the other API hooks
	// of this call get.
	APICallStart func(ctx context.Context, call APICall) context.Context
	// APIAttempt is called after each attempt of a call, with its outcome
	// and, when the call will be tried again, the wait before that.
	APIAttempt func(ctx context.Context, call APICall, attempt APIAttempt)
	// APICallEnd is called once a call has its answer or has given up.
	APICallEnd func(ctx context.Context, call APICall, result APICallResult)

	// Authentication is called once per Authenticate (and
	// AuthenticateRequest, Middleware, the adapters) and VerifyToken.
	Authentication func(ctx context.Context, event AuthenticationEvent)

	// TokenCache is called for each getToken lookup in the token cache
	// (hit or miss), each call that joined another's request in flight
	// (coalesced), and each token request sent to Clerk (upstream): the
	// events TokenStats counts.
	TokenCache func(ctx context.Context, outcome TokenCacheOutcome)

	// JWKSFetch is called after each fetch of the key set, successful or
	// not.
	JWKSFetch func(ctx context.Context, event JWKSFetchEvent)
}

// WithObserver reports what a Client or Authenticator does to o (see
// Observer). An Authenticator reports its own calls to Clerk (key set
// fetches, machine token verification) to its observer, or, without one,
// to that of the Client given with WithClient.
func WithObserver(o Observer) Option {
	set := func(dst **Observer) error {
		if o.empty() {
			*dst = nil // no hook: keep the hot paths free of even the nil checks
			return nil
		}
		*dst = &o
		return nil
	}
	return sharedOption{
		client: func(s *settings) error { return set(&s.observer) },
		auth:   func(s *authSettings) error { return set(&s.observer) },
	}
}

// Endpoint names a Clerk endpoint in an APICall: a fixed set of values,
// fit for a metric label.
type Endpoint string

// The endpoints a call to Clerk can be labelled with.
const (
	EndpointGetToken         Endpoint = "get_token"          // POST /v1/sessions/{session_id}/tokens[/{template}]
	EndpointJWKS             Endpoint = "jwks"               // GET /v1/jwks or /.well-known/jwks.json
	EndpointVerifyM2MToken   Endpoint = "verify_m2m_token"   // POST /m2m_tokens/verify
	EndpointVerifyAPIKey     Endpoint = "verify_api_key"     // POST /api_keys/verify
	EndpointVerifyOAuthToken Endpoint = "verify_oauth_token" // POST /oauth_applications/access_tokens/verify
	EndpointCreateM2MToken   Endpoint = "create_m2m_token"   // POST /m2m_tokens
	EndpointRevokeM2MToken   Endpoint = "revoke_m2m_token"   // POST /m2m_tokens/{m2m_token_id}/revoke
	EndpointOther            Endpoint = "other"              // any other path
)

// APICall describes one call to Clerk, for every hook of that call.
type APICall struct {
	// Endpoint is the endpoint called.
	Endpoint Endpoint
	// Method is the HTTP method.
	Method string
	// Route is the endpoint's path template, such as
	// "/v1/sessions/{session_id}/tokens/{template}": never the path
	// itself, which names a session. "" for EndpointOther.
	Route string
	// ServerAddress and ServerPort are the host called and its port (the
	// scheme's default when the URL names none).
	ServerAddress string
	ServerPort    int
}

// APIAttempt is the outcome of one attempt of an APICall.
type APIAttempt struct {
	// Number counts the attempts of the call from 1.
	Number int
	// StatusCode is the HTTP status; 0 when no answer came.
	StatusCode int
	// TraceID is Clerk's trace id of a non-2xx answer (clerk_trace_id, or
	// the Cf-Ray header), "" otherwise.
	TraceID string
	// Err is nil for a 2xx answer that was read in full. It holds no key
	// or token but may name the request's path, so use it to classify
	// (errors.As *APIError, errors.Is ErrTransport), not as a label.
	Err error
	// Duration is the attempt's own time, the wait before it excluded.
	Duration time.Duration
	// Retry reports that the call will be tried again after Wait (unless
	// its context ends first).
	Retry bool
	Wait  time.Duration
}

// APICallResult is how an APICall ended.
type APICallResult struct {
	// Attempts is how many attempts were made.
	Attempts int
	// StatusCode, TraceID and Err are the last attempt's (Err also tells a
	// call that gave up waiting to retry); Err is nil on success.
	StatusCode int
	TraceID    string
	Err        error
	// Duration is the whole call's time, retries and waits included.
	Duration time.Duration
}

// AuthOutcome is the result of an authentication.
type AuthOutcome string

// Authentication outcomes, as Auth's methods tell them.
const (
	// AuthOutcomeSignedIn: a valid session token (Auth.SignedIn).
	AuthOutcomeSignedIn AuthOutcome = "signed_in"
	// AuthOutcomeAuthenticated: a valid machine token (Auth.Authenticated
	// but not SignedIn).
	AuthOutcomeAuthenticated AuthOutcome = "authenticated"
	// AuthOutcomeSignedOut: no valid token of an accepted kind.
	AuthOutcomeSignedOut AuthOutcome = "signed_out"
)

// AuthenticationEvent is one request's authentication.
type AuthenticationEvent struct {
	Outcome AuthOutcome
	// TokenType is the kind of token the request carried, "" when none.
	TokenType TokenType
	// Reason is why the request is signed out (one of the Reason
	// constants), "" otherwise.
	Reason Reason
	// Duration is the time the verification took.
	Duration time.Duration
}

// TokenCacheOutcome is a getToken reuse event; see Observer.TokenCache.
type TokenCacheOutcome string

// Token reuse events.
const (
	TokenCacheHit       TokenCacheOutcome = "hit"
	TokenCacheMiss      TokenCacheOutcome = "miss"
	TokenCacheCoalesced TokenCacheOutcome = "coalesced"
	TokenCacheUpstream  TokenCacheOutcome = "upstream"
)

// JWKSFetchEvent is one fetch of the key set.
type JWKSFetchEvent struct {
	// Err is nil when a key set was fetched and read.
	Err error
	// Keys is the number of keys in use after the fetch: the new set's,
	// or after a failure the last good set's; 0 when none ever loaded.
	Keys int
	// LoadedAt is when the key set in use was loaded (by the
	// Authenticator's clock); zero when none ever loaded. Its age is how
	// stale the keys are.
	LoadedAt time.Time
	// Duration is the fetch's time, its retries included.
	Duration time.Duration
}

func (o *Observer) empty() bool {
	return o.APICallStart == nil && o.APIAttempt == nil && o.APICallEnd == nil &&
		o.Authentication == nil && o.TokenCache == nil && o.JWKSFetch == nil
}

// The helpers below are nil-safe, so a call site reads as one line and
// costs one comparison when nothing observes.

func (o *Observer) tokenCache(ctx context.Context, outcome TokenCacheOutcome) {
	if o != nil && o.TokenCache != nil {
		o.TokenCache(ctx, outcome)
	}
}

func (o *Observer) observesAuthentication() bool { return o != nil && o.Authentication != nil }

// authentication reports the outcome of one verification that began at
// start: err is nil when a token of kind was accepted, machine tells a
// machine caller from a session.
func (o *Observer) authentication(ctx context.Context, kind TokenType, machine bool, err *AuthError, start time.Time) {
	e := AuthenticationEvent{TokenType: kind, Duration: time.Since(start)}
	switch {
	case err != nil:
		e.Outcome, e.Reason = AuthOutcomeSignedOut, err.Reason
	case machine:
		e.Outcome = AuthOutcomeAuthenticated
	default:
		e.Outcome = AuthOutcomeSignedIn
	}
	o.Authentication(ctx, e)
}
