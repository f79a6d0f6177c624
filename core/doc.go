// Package clerk is a framework-agnostic client for Clerk's getToken: it mints
// JWTs from Clerk JWT templates for a session over the Backend API, and (in
// the authentication files) verifies the Clerk session tokens that browsers
// send, so a Go service behind a Clerk front end can do both without a web
// framework.
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
// Client: String, GoString and LogValue redact it.
package clerk
