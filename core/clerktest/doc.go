// Package clerktest is an offline emulator of the parts of Clerk's Backend
// API that clerkkit uses, in the spirit of net/http/httptest: start one per
// test, point a client at its URL and secret key, and assert on what it saw.
//
// # Pieces
//
// A Server owns one emulated Clerk instance:
//
//   - Instance identity (server.go, keys.go, options.go): a secret key
//     "sk_test_…", the publishable key derived from the Frontend API host, the
//     issuer "https://<host>", and RSA-2048 signing keys with "ins_…" kids.
//     RotateKey adds a signer while keeping older keys in the JWKS; RetireKey
//     removes one. Options fix the clock, keys and randomness so tokens are
//     reproducible.
//   - State (state.go, templates.go): users, organizations, memberships,
//     sessions and JWT templates, added through Go methods rather than HTTP,
//     because tests arrange state directly.
//   - Tokens (tokens.go, sign.go, templates.go): session tokens with Clerk's
//     version-2 claims and template tokens with rendered shortcodes, both
//     reachable through the Go API (SessionToken, TemplateToken) and the
//     Backend API.
//   - HTTP (handlers.go, errors.go): GET /v1/jwks (secret key required),
//     GET /.well-known/jwks.json (public), POST /v1/sessions/{id}/tokens and
//     POST /v1/sessions/{id}/tokens/{template}. Every error is a ClerkErrors
//     body with a fresh clerk_trace_id. A Clerk-API-Version header that is
//     not one YYYY-MM-DD date is refused with 400 api_version_invalid.
//   - Machine callers (machines.go, machine_*.go): machines, each with an
//     "ak_…" secret key and the machines it may call, and the three machine
//     credentials: M2M tokens (opaque "mt_…" or an RS256 JWT with cat
//     cl_B7d4PD333AAA), API keys ("ak_…") and OAuth access tokens (opaque
//     "oat_…" or a JWT with typ at+jwt). AddMachine, CreateM2MToken,
//     CreateAPIKey, CreateOAuthToken and the Revoke methods arrange them;
//     MachineTokenOption values make them expired, revoked, scoped, JWT or
//     deliberately malformed. The Backend API side is POST /m2m_tokens,
//     /m2m_tokens/verify, /m2m_tokens/{id}/revoke, /api_keys,
//     /api_keys/verify, /api_keys/{id}/revoke and
//     /oauth_applications/access_tokens/verify, each under /v1 and also
//     without it, as Clerk's JavaScript SDK calls them.
//   - Faults and observation (faults.go, observe.go): FailNext, RateLimitNext,
//     DropNext and SetLatency, optionally scoped to an endpoint, and request
//     counters plus the last request, for wire-level assertions.
//
// Each request goes through one pipeline: it is recorded and counted, then
// delayed by any latency, then answered by a queued fault if one matches,
// then routed (404 for unknown paths, 405 for wrong methods), then
// authenticated, then handled. Faults come before authentication because
// the outages they stand for happen in front of Clerk.
//
// # Choices worth knowing
//
// Ended, revoked and expired sessions answer the token endpoints with the
// same 404 resource_not_found as an unknown session id. Clerk only mints for
// sessions that are still alive, and a client cannot act differently on
// "never existed" and "no longer alive" (both mean: the user must sign in
// again), so the emulator does not invent a distinction a client could come
// to rely on. Pending sessions still mint, with sts "pending". The Go methods
// SessionToken and TemplateToken mint for a session in any status, because
// tests use them to build tokens, including tokens for sessions that ended.
//
// Path segments are percent-decoded exactly once, so an escaped "/" stays
// inside a session id or template name and cannot reach another route.
//
// A session may belong to a user that was never added: its tokens carry the
// id as sub and user shortcodes other than {{user.id}} render as null.
//
// The pla and fea claims appear only when plans or features are configured.
// An organization's features default to those its membership's permissions
// name, so a membership holding only "org:memberships:manage" yields fea
// "o:memberships", per "manage" and fpm "1", exactly as Clerk encodes them;
// set Organization.Features to model a plan that lacks some features.
//
// Verifying a revoked or expired machine credential answers 200 with
// revoked or expired set, as Clerk does, so the client must decide; only an
// unknown one is 404. A machine secret key sees only the M2M tokens granted
// to its machine (others are 404, like unknown ones) and revokes only the
// tokens it minted; creating M2M tokens takes a machine secret key, and the
// instance key there is 401 authentication_invalid. JWT-format M2M tokens
// are stateless, as on Clerk: never stored, so verify and revoke answer
// 404 for them. OAuth JWTs are stored, and an expired one answers
// {"active": false}, the specification's second form. The OAuth verify
// answer adds aud when the token has one, because Clerk's JavaScript SDK
// reads it there. A body that fails its schema is 400 bad_request naming
// the member in meta.param_name; revoke bodies may be empty, and revoking
// twice keeps the first revocation. last_used_at is always null.
//
// The package keeps no global state: two servers never share keys or data,
// and every method may be called while requests are in flight.
//
// # Standalone
//
// cmd/clerk-emulator runs a server as a process for non-Go front ends and
// manual trials; it seeds a demo user, session and "test" template and prints
// the URL, keys and a fresh session token (as JSON with -json). With
// -control it also takes commands on stdin, so a harness in another language
// can queue faults (rate-limit-next, fail-next, clear-faults) and mint
// expired or not-yet-valid tokens, and expired or revoked machine
// credentials (machine-token), without an extra HTTP route; it exits
// when stdin ends, so it never outlives its harness. It also seeds two
// machines, the first allowed to call the second, and prints an opaque
// M2M token, an M2M JWT, an API key and an OAuth access token.
package clerktest
