// Package clerk is a framework-agnostic client for Clerk's getToken: it
// verifies the Clerk session tokens that browsers send, and mints JWTs from
// Clerk JWT templates for the session over the Backend API, so a Go service
// behind a Clerk front end can do both without a web framework. The gin,
// echo and fiber adapter modules only translate between their framework and
// this package.
//
// # Authenticating requests
//
// An [Authenticator] turns a request into an [*Auth]. [Authenticator.Authenticate]
// reads the token from a [TokenSource] (a header getter and a cookie getter,
// so fasthttp-based frameworks need no net/http conversion): an Authorization
// header with the Bearer scheme wins, otherwise the __session cookie (or its
// suffixed variant when a publishable key is configured). The token is
// verified by a narrow RS256/RS384/RS512 verifier on the standard library, in
// Clerk's order: strict decoding, token type and algorithm, key by kid, the
// signature, and only then the claims (sub, sid, azp against the authorized
// parties, exp/nbf/iat with a clock skew, iss against the instance's issuer,
// pending sessions).
//
// Keys come from CLERK_JWT_KEY ([WithJWTKey], no network), from the Backend
// API's JWKS ([WithBackendJWKS]) or from the Frontend API's public JWKS
// ([WithFrontendJWKS]). The key set is cached per Authenticator: concurrent
// misses share one fetch, refreshes happen in the background, an unknown kid
// triggers at most one refetch per interval, and the last good keys keep
// serving while Clerk is unreachable. A token already verified is served
// from a bounded cache, its expiry checked again on every hit.
//
// A request that fails verification gets a signed-out Auth whose [Reason]
// uses Clerk's vocabulary (token-expired, token-invalid-signature, …); it is
// never an error and never holds the token. [Middleware] attaches the Auth
// to a net/http request's context without rejecting anything, as Clerk's
// clerkMiddleware does; [RequireAuth] answers 401 to signed-out requests;
// [AuthFromContext] reads it back.
//
// # Minting tokens
//
// A [Client] holds one Clerk instance's secret key and talks to its Backend
// API. [Client.GetToken] is the Go counterpart of the JavaScript SDK's
// sessions.getToken(sessionId, template, expiresInSeconds): it calls
// POST {apiURL}/{version}/sessions/{id}/tokens/{template} and returns the JWT.
//
// Every session ID and template name is checked before anything is sent: an
// empty value, a dot segment or a control character is refused with an
// [*InputError], and every other character is escaped, so no input can change
// the path the server sees.
//
// # Reusing tokens
//
// Concurrent GetToken calls for the same session, template and lifetime
// share one Backend API request. With [WithTokenCache] (for example a
// [MemoryTokenCache]), a token that still has enough of its life left (see
// [Freshness]) is returned without any request; [Client.InvalidateSession]
// forgets a session's tokens at sign-out and [WithoutCache] bypasses the
// cache for one call. [Client.TokenStats] counts hits, misses, coalesced and
// upstream calls for export to metrics. [TokenCache] is small enough for a
// shared store to implement.
//
// # Errors
//
// A non-2xx answer becomes an [*APIError] that keeps the HTTP status, Clerk's
// error list, the trace id and Retry-After. It matches the sentinel errors
// with errors.Is ([ErrNotFound], [ErrRateLimited], [ErrUnauthorized], …), so
// callers branch on the class of failure without parsing messages.
//
// # Retries and timeouts
//
// Clerk's own SDKs never retry. A Client retries 429, 5xx and transport
// failures with jittered exponential backoff, honours Retry-After, and never
// sleeps past the context's deadline: when the wait would outlast it, the
// last error is returned at once. [WithRetry] tunes the policy and
// [WithoutRetries] turns it off.
//
// # Secrets
//
// The secret key never appears in an error, a log record or a formatted
// Client: String, GoString and LogValue redact it. No call to Clerk follows
// a redirect, since net/http would re-send the key to another port or scheme
// of the same host: the answer becomes a [*RedirectError].
package clerk
