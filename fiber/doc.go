// Package clerkfiber makes clerkkit native in fiber v2: middleware that
// attaches the Clerk session (or a machine caller) to each request, guards
// that refuse signed-out requests and those missing a role, permission,
// feature, plan or recent verification, and getToken for the current
// session.
//
// Wire [Middleware] ahead of [RequireAuth], [GetToken] and [TokenHandler]:
// without it they refuse the request and log clerk.ErrNoMiddleware, whose
// message says what to add. The *clerk.Client is an argument of GetToken
// and TokenHandler, not a Middleware option; the Authenticator takes it
// with clerk.WithClient (or clerk.NewAuthenticatorFromEnv(client)) to fetch
// the keys when CLERK_JWT_KEY is unset and to verify machine tokens.
//
// The pieces mirror Clerk's Next.js SDK:
//
//   - [Middleware] is clerkMiddleware: it verifies the session token (an
//     "Authorization: Bearer" header, else the __session cookie) through a
//     *clerk.Authenticator and stores the *clerk.Auth in c.Locals and in
//     c.UserContext(). It never rejects.
//   - [RequireAuth] is the check Clerk's examples open with (no userId:
//     401) plus has(): clerk.Role, clerk.Permission, clerk.Feature,
//     clerk.Plan and clerk.Reverification. It returns a [*GuardError]
//     carrying clerk.Authorize's status and JSON body, so the app's
//     ErrorHandler renders it: 401 {"message":"Unauthorized"} when signed
//     out, 403 {"message":"Forbidden"} when a requirement is not met, and
//     403 with Clerk's reverification body when only a reverification is
//     (see Guards). RequireAuth(clerk.Role("admin")) guards a route by
//     organization role. A requirement that can never be met panics where
//     the guard is built.
//   - [AcceptsToken] is acceptsToken: the kinds of token a Middleware
//     accepts, machine tokens included, and [RequireAuthenticated] the guard
//     for such a route (see Machine callers).
//   - [ErrorHandler] writes a *GuardError's body as is and renders every
//     other *fiber.Error as {"message":"…"}; fiber's DefaultErrorHandler
//     writes the status text as text/plain instead. Both guards answer 503
//     {"message":"Service Unavailable"} when Clerk could not be asked.
//   - [GetAuth] is auth(): the request's *clerk.Auth, with ok false when
//     Middleware did not run (a wiring mistake, not a signed-out request).
//   - [GetToken] is auth().getToken({template}) for the request's session,
//     with the *clerk.Client passed in. A signed-out request gets the
//     Auth's *clerk.AuthError and Clerk is not called.
//   - [TokenHandler] is the App Router route of Clerk's getToken example,
//     answering {"token":{"jwt":"…"}}, or as clerk.Client.TokenResponse
//     says on failure, like every other adapter and the net/http
//     clerk.TokenHandler. [WriteTokenResponse] writes such an answer from
//     a handler of your own.
//
// The Client is an argument of GetToken and TokenHandler rather than a
// Middleware option, so a route that mints cannot be wired without one;
// failures are logged to the Client's logger (clerk.WithLogger).
//
// # Guards
//
// Every requirement must pass; roles and permissions need an active
// organization, features and plans come from the token's fea and pla
// claims ("org:export" / "user:export" to name the scope), and
// clerk.Reverification("strict") (or "strict_mfa", "moderate", "lax", or
// clerk.ReverificationAfter) wants a recent enough verification:
//
//	app.Get("/reports", clerkfiber.RequireAuth(clerk.Feature("org:reports")), reports)
//	app.Get("/billing", clerkfiber.RequireAuth(clerk.Plan("pro")), billing)
//	app.Post("/api-keys", clerkfiber.RequireAuth(clerk.Role("admin"), clerk.Reverification("strict")), createKey)
//
// When the user meets everything but the reverification, the 403 body is
// Clerk's hint, which a Clerk front end (useReverification) reads to ask
// the user to verify again and retry:
//
//	{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
//
// [ErrorHandler] writes it byte for byte. fiber's DefaultErrorHandler, or
// an ErrorHandler that only knows *fiber.Error (a *GuardError unwraps to
// one), answers a plain 403 "Forbidden" instead, and the front end does
// not prompt: use ErrorHandler, or write the *GuardError's Body yourself.
//
// A session token from the __session cookie counts only with the
// __client_uat cookie a browser sends beside it (and, on a development
// instance, the __clerk_db_jwt dev browser cookie), as Clerk's own
// backend decides; without it the request is signed out with Clerk's
// reason (session-token-but-no-client-uat, …). Bearer tokens need
// neither.
//
// # Machine callers
//
// A route that machines call (M2M tokens, API keys, OAuth access tokens)
// gets a Middleware of its own with AcceptsToken, then
// RequireAuthenticated: a machine caller is Authenticated but never
// SignedIn, so RequireAuth refuses it.
//
//	app.Use(clerkfiber.Middleware(auth)) // sessions, for every route
//	app.Post("/api/jobs",
//		clerkfiber.Middleware(auth, clerkfiber.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)),
//		clerkfiber.RequireAuthenticated(),
//		jobsHandler) // GetAuth: TokenType, Subject, TokenID, Scopes, Name
//	api := app.Group("/api", clerkfiber.RequireAuth()) // after /api/jobs
//
// Opaque machine tokens are verified over Clerk's Backend API, so the
// Authenticator needs clerk.WithClient; when Clerk cannot be asked the
// guards answer 503 and the caller should retry. A token of a kind the
// route does not accept is refused (token-type-mismatch) without a call to
// Clerk. Register the route before a group guarded by RequireAuth on the
// same prefix: fiber runs a group's handlers for every path under it.
//
// # fasthttp buffers
//
// fasthttp reuses a request's buffers once its handler returns, and strings
// fiber hands out (c.Get, c.Cookies, c.Params) may point into them. This
// package copies, once, every value it passes the core:
//
//   - the Authorization header and the session cookie (__session, or the
//     instance's suffixed one) that Middleware reads straight from
//     fasthttp through a clerk.Carrier, each into a string of its own,
//     before the core sees it;
//   - the template name given to GetToken and TokenHandler, so a name from
//     c.Params is safe to pass.
//
// The core keeps these strings beyond the request: the token in the Auth
// and its verified-token cache, the template in the token cache's and the
// shared-mint table's keys. A view of a reused buffer kept there would not
// fail; it would silently read as another request's token or template. The
// copy costs one allocation the size of the header (about 1 KiB for a
// session token) per request that sends one. Everything this package
// returns (the Auth, its claims, tokens from GetToken) is therefore safe to
// keep after the handler. Strings your own handlers take from fiber are
// still views: copy them (utils.CopyString) or set fiber.Config.Immutable
// before keeping them.
//
// # Upgrading from 0.1
//
//   - Middleware options WithClient and WithLogger are gone: pass the
//     *clerk.Client to GetToken and TokenHandler, and give it its logger
//     with clerk.WithLogger.
//   - GetToken(c, template, …) is GetToken(c, client, template, …);
//     TokenHandler(template, …) is TokenHandler(client, template, …).
//   - RequireAuth's RequireOption and WithUnauthorizedMessage are gone: the
//     message is always "Unauthorized" (or "Forbidden"); an ErrorHandler of
//     your own may render it differently. RequireAuth now takes
//     clerk.Requirement values, and both guards return a *GuardError
//     (which unwraps to the *fiber.Error they used to return).
//   - A signed-out GetToken returns the Auth's *clerk.AuthError: match
//     clerk.ErrUnauthenticated instead of clerk.ErrSignedOut and
//     *clerk.SignedOutError. clerk.ErrNoClient is gone.
//   - clerk.NewTokenResponse(ctx, logger, tok, err) is
//     client.TokenResponse(ctx, tok, err), for WriteTokenResponse.
//
// The adapter only translates: authentication, minting, caching, retries
// and the error mapping live in the core module.
package clerkfiber
