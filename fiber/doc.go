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
// fiber hands out (c.Get, c.Cookies, c.Params) may point into them. This
// package copies, once, every value it passes the core:
//
//   - the Authorization header and the session cookie (__session, or the
//     instance's suffixed one) that Middleware reads straight from
//     fasthttp, each into a string of its own, before the core sees it;
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
// The adapter only translates: authentication, minting, caching, retries
// and the error mapping live in the core module.
package clerkfiber
