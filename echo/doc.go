// Package clerkecho makes clerkkit native in echo v4: middleware that
// attaches the Clerk session to each request, a guard that answers 401 when
// it is signed out, and getToken for the current session.
//
// The pieces mirror Clerk's Next.js SDK:
//
//   - [Middleware] is clerkMiddleware: it verifies the session token (an
//     "Authorization: Bearer" header, else the __session cookie) through a
//     *clerk.Authenticator and stores the *clerk.Auth in the echo context and
//     in the request's context.Context. It never rejects, and returns the
//     next handler's error unchanged.
//   - [RequireAuth] returns an *echo.HTTPError (401, "Unauthorized") for
//     signed-out requests, so the app's HTTPErrorHandler renders it; echo's
//     default one writes {"message":"Unauthorized"}.
//   - [GetAuth] is auth(): the request's *clerk.Auth, with ok false when
//     Middleware did not run (a wiring mistake, not a signed-out request).
//   - [GetToken] is auth().getToken({template}) for the request's session.
//     A signed-out request gets a *clerk.SignedOutError and Clerk is not
//     called.
//   - [TokenHandler] is the App Router route of Clerk's getToken example,
//     answering {"token":{"jwt":"…"}}; its error statuses are those of
//     clerk.NewTokenResponse, shared with the gin and fiber adapters and
//     the net/http clerk.TokenHandler so that every server answers alike.
//
// echo's context only takes string keys, so the Auth is stored under a key
// prefixed with this module's path; read it with GetAuth.
//
// The adapter only translates: authentication, minting, caching, retries
// and the error mapping live in the core module.
package clerkecho
