// Package clerkgin makes clerkkit native in gin: middleware that attaches
// the Clerk session (or a machine caller) to each request, a guard that
// answers 401 when it is signed out and 403 when it lacks a role or
// permission, and getToken for the current session.
//
// The pieces mirror Clerk's Next.js SDK:
//
//   - [Middleware] is clerkMiddleware: it verifies the session token (an
//     "Authorization: Bearer" header, else the __session cookie) through a
//     *clerk.Authenticator and stores the *clerk.Auth in the gin context and
//     in the request's context.Context. It never rejects.
//   - [RequireAuth] guards a group or a route: it aborts signed-out
//     requests with 401 {"message":"Unauthorized"} and, given requirements
//     such as clerk.Role("admin") (checked as has() in Clerk's SDKs),
//     signed-in ones that lack them with 403 {"message":"Forbidden"}, and
//     with 503 {"message":"Service Unavailable"} when Clerk could not be
//     asked.
//   - [GetAuth] is auth(): the request's *clerk.Auth, with ok false when
//     Middleware did not run (a wiring mistake, not a signed-out request).
//   - [GetToken] is auth().getToken({template}) for the request's session,
//     minted by the *clerk.Client passed in. A signed-out request gets the
//     Auth's *clerk.AuthError and Clerk is not called.
//   - [TokenHandler] is the App Router route of Clerk's getToken example,
//     answering {"token":{"jwt":"…"}}, or as clerk.Client.TokenResponse
//     documents when that fails, like every other adapter.
//
// Wiring:
//
//	r.Use(clerkgin.Middleware(authn))
//	api := r.Group("/api", clerkgin.RequireAuth())
//	api.GET("/get-token-example", clerkgin.TokenHandler(client, "test"))
//	api.GET("/admin", clerkgin.RequireAuth(clerk.Role("admin")), adminPage)
//
// The Client is an argument of GetToken and TokenHandler rather than a
// Middleware option, so a handler that mints cannot be built without one.
//
// # Machine callers
//
// Services call with M2M tokens or API keys (OAuth access tokens too)
// rather than session tokens. [AcceptsToken] tells Middleware which kinds
// a route accepts, as acceptsToken in Clerk's SDKs; [RequireAuthenticated]
// then lets any accepted caller through, answering 401
// {"message":"Unauthorized"} otherwise and 503 {"message":"Service
// Unavailable"} when Clerk could not be asked to verify the token.
// RequireAuth stays for users: a machine is never signed in. A Middleware
// on a route or group replaces the Auth of an engine-wide one, so:
//
//	r.Use(clerkgin.Middleware(authn)) // sessions everywhere
//	internal := r.Group("/internal",
//		clerkgin.Middleware(authn, clerkgin.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)),
//		clerkgin.RequireAuthenticated())
//	internal.POST("/jobs", jobs) // GetAuth: TokenType, Subject, TokenID, Scopes
//
// Opaque machine tokens are verified by Clerk, so the Authenticator needs
// a Client (clerk.WithClient).
//
// The adapter only translates: authentication, authorization, minting,
// caching, retries and the error mapping live in the core module.
//
// # Upgrading from 0.1
//
//   - Middleware(a, WithClient(client)): WithClient is gone; pass the
//     client to GetToken(c, client, template) and
//     TokenHandler(client, template).
//   - WithLogger is gone: token failures are logged to the Client's logger
//     (clerk.WithLogger when creating the Client).
//   - RequireAuth(WithUnauthorizedMessage(…)): WithUnauthorizedMessage and
//     RequireOption are gone; RequireAuth takes clerk.Requirement values and
//     always answers {"message":"Unauthorized"} (401) or
//     {"message":"Forbidden"} (403).
//   - GetToken on a signed-out request returns the Auth's *clerk.AuthError
//     (errors.Is(err, clerk.ErrUnauthenticated)) instead of
//     *clerk.SignedOutError / clerk.ErrSignedOut; clerk.ErrNoClient is gone.
package clerkgin
