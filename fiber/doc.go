// Package clerkfiber makes clerkkit native in fiber v2: middleware that
// attaches the Clerk session to each request, a guard that answers 401 when
// it is signed out, and getToken for the current session.
//
// The pieces mirror Clerk's Next.js SDK:
//
//   - [Middleware] is clerkMiddleware: it verifies the session token (an
//     "Authorization: Bearer" header, else the __session cookie) through a
//     *clerk.Authenticator and stores the *clerk.Auth in c.Locals and in
//     c.UserContext(). It never rejects.
//   - [RequireAuth] returns a *fiber.Error (401, "Unauthorized") for
//     signed-out requests, so the app's ErrorHandler renders it.
//   - [ErrorHandler] renders every *fiber.Error as {"message":"…"}; fiber's
//     DefaultErrorHandler writes text/plain instead.
//   - [GetAuth] is auth(): the request's *clerk.Auth, with ok false when
//     Middleware did not run (a wiring mistake, not a signed-out request).
//   - [GetToken] is auth().getToken({template}) for the request's session.
//     A signed-out request gets a *clerk.SignedOutError and Clerk is not
//     called.
//   - [TokenHandler] is the App Router route of Clerk's getToken example,
//     answering {"token":{"jwt":"…"}}; its error statuses are those of
//     clerk.NewTokenResponse, shared with the gin and echo adapters and the
//     net/http clerk.TokenHandler so that every server answers alike.
//
// # fasthttp buffers
//
// fasthttp reuses a request's buffers once its handler returns, and strings
// fiber hands out (c.Get, c.Cookies) may point into them. The middleware
// reads the Authorization header and the session cookie straight from
// fasthttp and copies them before the core sees them, so the Auth, its
// token and claims, and the core's verified-token cache never alias a
// buffer. Everything this package returns is safe to keep after the
// handler.
//
// The adapter only translates: authentication, minting, caching, retries
// and the error mapping live in the core module.
package clerkfiber
