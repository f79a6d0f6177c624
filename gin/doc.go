// Package clerkgin makes clerkkit native in gin: middleware that attaches
// the Clerk session to each request, a guard that answers 401 when it is
// signed out, and getToken for the current session.
//
// The pieces mirror Clerk's Next.js SDK:
//
//   - [Middleware] is clerkMiddleware: it verifies the session token (an
//     "Authorization: Bearer" header, else the __session cookie) through a
//     *clerk.Authenticator and stores the *clerk.Auth in the gin context and
//     in the request's context.Context. It never rejects.
//   - [RequireAuth] aborts signed-out requests with 401
//     {"message":"Unauthorized"}; put it on a group.
//   - [GetAuth] is auth(): the request's *clerk.Auth, with ok false when
//     Middleware did not run (a wiring mistake, not a signed-out request).
//   - [GetToken] is auth().getToken({template}) for the request's session.
//     A signed-out request gets a *clerk.SignedOutError and Clerk is not
//     called.
//   - [TokenHandler] is the App Router route of Clerk's getToken example,
//     answering {"token":{"jwt":"…"}}; its error statuses are those of
//     clerk.NewTokenResponse, shared with the echo and fiber adapters and
//     the net/http clerk.TokenHandler so that every server answers alike.
//
// The adapter only translates: authentication, minting, caching, retries
// and the error mapping live in the core module.
package clerkgin
