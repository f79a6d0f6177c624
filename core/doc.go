// Package clerk is Clerk's getToken for Go: it authenticates the requests a
// Clerk front end sends to a Go service, and mints JWTs from Clerk JWT
// templates for their sessions over the Backend API. It depends on no web
// framework; the gin, echo and fiber adapter modules only translate between
// their framework and this package.
//
// # Setting up
//
// Start from [NewClientFromEnv] and [NewAuthenticatorFromEnv], which read
// Clerk's own environment variables (CLERK_SECRET_KEY, CLERK_API_URL,
// CLERK_PUBLISHABLE_KEY, CLERK_JWT_KEY, CLERK_AUTHORIZED_PARTIES):
//
//	client, err := clerk.NewClientFromEnv()
//	if err != nil {
//		log.Fatal(err) // names the variable to fix
//	}
//	authn, err := clerk.NewAuthenticatorFromEnv(client)
//	if err != nil {
//		log.Fatal(err)
//	}
//	if err := authn.Warm(ctx); err != nil {
//		log.Fatal(err) // API unreachable, secret key refused, …
//	}
//
// A [Client] holds one Clerk instance's secret key and calls its Backend
// API; an [Authenticator] verifies that instance's session tokens. Build
// each once and share it. Every constructor returns an error for a bad
// configuration rather than failing at request time, and an error for an
// environment variable's value names the variable.
//
// Options are values: a [ClientOption] configures a Client, an
// [AuthenticatorOption] an Authenticator, and an [Option] either, for the
// settings that mean the same to both ([WithLogger], [WithHTTPClient]).
//
// # Authenticating requests
//
// [Middleware] (net/http) and each adapter's Middleware authenticate every
// request and attach an [*Auth] to it; like Clerk's clerkMiddleware they
// never reject. The token is read from what the request carries (a
// [Carrier]: headers and cookies): an Authorization header with the Bearer
// scheme wins, otherwise the __session cookie (or its suffixed variant when
// a publishable key is configured). It is verified in Clerk's order, with
// the signature checked before any claim, by a narrow RS256/RS384/RS512
// verifier on the standard library.
//
// Keys come from CLERK_JWT_KEY ([WithJWTKey], no network), from the Backend
// API ([WithClient]) or from the Frontend API ([WithFrontendJWKS]).
// The key set is cached per Authenticator: concurrent misses share one
// fetch, an unknown kid triggers at most one refetch per interval, and the
// last good keys keep serving while Clerk is unreachable. A token seen
// again is answered from a bounded cache without paying for RSA again (see
// [WithVerificationCache]).
//
// [Authenticator.Warm] loads the key set at start-up and says why it
// cannot ([NotReadyError]: Clerk refused the secret key, the API is
// unreachable, …); [Authenticator.Ready] answers a readiness probe without
// waiting for Clerk.
//
// A request that fails verification gets a signed-out Auth whose [Reason]
// uses Clerk's vocabulary (token-expired, token-invalid-signature, …); it is
// never an error and never holds the token.
//
// # Machine callers
//
// A route may also accept machine callers: M2M tokens, API keys and OAuth
// access tokens ([TokenType]; [WithAcceptedTokens], or the accepts
// argument of [Authenticator.Authenticate] and [Middleware]). Kinds are
// told apart as Clerk does, and a kind the route does not accept is signed
// out with token-type-mismatch before any key lookup or call to Clerk.
// JWT-format M2M and OAuth tokens are verified with the instance's keys,
// as strictly as session tokens; opaque ones over the Backend API with the
// Client's secret key ([WithClient]), concurrent requests with one token
// sharing one call and a verified answer reused briefly
// ([WithMachineTokenReuse]). A machine caller is [Auth.Authenticated] but
// never [Auth.SignedIn]: [Auth.Subject], [Auth.TokenID], [Auth.Scopes] and
// [Auth.Name] describe it, and every session accessor is empty.
// [RequireAuthenticated] guards a route open to machines.
//
// # Authorizing
//
// [Auth.Has] checks [Requirement] values ([Role], [Permission], [Feature],
// [Plan], [Reverification]) with the semantics of has() in Clerk's SDKs.
// [RequireAuth] and every adapter's RequireAuth take the same requirements
// (refusing, where the guard is built, one that can never pass) and answer
// as [Authorize] decides: 401 {"message":"Unauthorized"} when signed out,
// 403 {"message":"Forbidden"} when a requirement is not met, and for a
// stale verification the 403 body Clerk's front end reads to prompt the
// user.
//
// A session token from the __session cookie needs __client_uat (and, on a
// development instance, the dev browser cookie), as Clerk's
// authenticateRequest requires.
//
// # Minting tokens
//
// [Client.GetToken] is sessions.getToken of Clerk's SDKs: it calls
// POST {apiURL}/v1/sessions/{id}/tokens/{template} and returns the JWT.
// [Client.GetTokenFor] does it for a request's Auth, and [TokenHandler]
// answers a token request as Clerk's App Router example does
// ([Client.TokenResponse] writes down every answer). Every session ID and
// template name is checked before anything is sent, and escaped, so no input
// can change the path the server sees.
//
// Concurrent GetToken calls for the same session, template and lifetime
// share one request, which any caller may leave at once. With
// [WithTokenCache] (a [MemoryTokenCache], or a store shared by replicas) a
// token with enough life left is returned without a request.
// [Client.InvalidateSession] is the sign-out hook.
//
// # Machine-to-machine tokens for outgoing calls
//
// The machine half of getToken: a worker, cron job or backend that calls
// another service accepting M2M tokens builds an [M2MClient] with its
// machine secret key ([NewM2MClientFromEnv] reads CLERK_MACHINE_SECRET_KEY)
// and a [M2MTokenSource] from it, modelled on golang.org/x/oauth2's
// ReuseTokenSource. The source mints once ([M2MClient.CreateM2MToken],
// with the create parameters as [M2MTokenOption]s), reuses the token until
// a refresh margin before expiry (by default the larger of 10 s and a
// fifth of its lifetime), refreshes once however many goroutines ask, and
// keeps serving a still-valid token when a refresh fails, so callers see an
// error only when no valid token is left. [M2MTokenSource.Transport] and
// [M2MTokenSource.HTTPClient] attach it as a Bearer token to outgoing
// requests and, on a 401 from the called service, refresh once and resend
// a request whose body can be replayed. With an [M2MTokenStore] (the
// clerkredis module has one) replicas share one token per machine and
// parameters. Errors, retries and input checks are those of GetToken.
//
// # Errors, retries and timeouts
//
// A non-2xx answer becomes an [*APIError] that keeps the status, Clerk's
// errors, the trace id and Retry-After, and matches sentinel errors with
// errors.Is ([ErrNotFound], [ErrRateLimited], …). Unlike Clerk's SDKs, a
// Client retries 429, 5xx and transport failures ([WithRetry]), honours
// Retry-After, and never waits past the context's deadline.
//
// # What it guarantees
//
//   - A cached verification lasts only while the key that verified it is in
//     the key set, and at most the cache's maximum age, whatever the
//     token's exp.
//   - Sign-out is final: after InvalidateSession returns, no GetToken that
//     starts later receives a token minted or cached before it.
//   - The secret key never follows a redirect, and never appears in an
//     error, a log record or a formatted Client; a Token or an Auth never
//     prints its JWT.
package clerk
