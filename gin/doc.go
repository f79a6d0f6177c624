// Package clerkgin makes clerkkit native in gin: middleware that attaches
// the Clerk session (or a machine caller) to each request, a guard that
// answers 401 when it is signed out and 403 when it lacks a role,
// permission, feature, plan or recent verification, and getToken for the
// current session.
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
//     *clerk.Authenticator and stores the *clerk.Auth in the request's
//     context.Context. It never rejects. As in Clerk's SDKs, a __session
//     cookie counts only with the __client_uat cookie a browser sends
//     beside it (and, on a development instance, the __clerk_db_jwt dev
//     browser cookie); without them the request is signed out with Clerk's
//     reason (session-token-but-no-client-uat, …).
//   - [RequireAuth] guards a group or a route: it aborts signed-out
//     requests with 401 {"message":"Unauthorized"} and, given requirements
//     such as clerk.Role("admin") (checked as has() in Clerk's SDKs),
//     signed-in ones that lack them with 403 {"message":"Forbidden"}, and
//     with 503 {"message":"Service Unavailable"} when Clerk could not be
//     asked. A requirement that can never be met panics where the guard is
//     built.
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
// # Requirements
//
// RequireAuth takes the requirements of has() in Clerk's SDKs:
// clerk.Role and clerk.Permission in the active organization, clerk.Feature
// and clerk.Plan of the user's or the organization's plan, and
// clerk.Reverification ("strict_mfa", "strict", "moderate", "lax") or
// clerk.ReverificationAfter for a recent enough verification:
//
//	api.GET("/export", clerkgin.RequireAuth(clerk.Feature("org:export")), export)
//	api.GET("/billing", clerkgin.RequireAuth(clerk.Plan("pro")), billing)
//	api.POST("/account/delete", clerkgin.RequireAuth(clerk.Reverification("strict")), deleteAccount)
//
// A user who meets every other requirement but verified too long ago gets
// 403 with Clerk's reverification body, written as clerk.Authorize gives it
// so that Clerk's front end (useReverification) asks the user to verify
// again and retries:
//
//	{"clerk_error":{"type":"forbidden","reason":"reverification-error",
//	 "metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
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
//     answers with clerk.Authorize's bodies: {"message":"Unauthorized"}
//     (401), {"message":"Forbidden"} or Clerk's reverification body (403),
//     {"message":"Service Unavailable"} (503).
//   - GetToken on a signed-out request returns the Auth's *clerk.AuthError
//     (errors.Is(err, clerk.ErrUnauthenticated)) instead of
//     *clerk.SignedOutError / clerk.ErrSignedOut; clerk.ErrNoClient is gone.
package clerkgin
