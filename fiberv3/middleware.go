package clerkfiber

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/gofiber/fiber/v3"
)

// authKey is the c.Locals key of the Auth; an unexported type so no other
// package collides with it.
type authKey struct{}

// Middleware authenticates every request through authn, accepting the
// kinds of token AcceptsToken names (else the Authenticator's default),
// and stores the resulting *clerk.Auth both in c.Locals (see GetAuth) and
// in c.Context() (see clerk.AuthFromContext). It reads the Authorization
// header and session cookie from fasthttp directly, with no net/http
// conversion, and copies each into a string of its own before the core sees
// it: nothing the Auth or the core keeps points into fasthttp's reused
// buffers. Like Clerk's clerkMiddleware it never rejects: a missing or bad
// token gives a signed-out Auth with a Reason, and handlers, RequireAuth
// or RequireAuthenticated decide. It returns the next handler's error
// unchanged. It panics if authn is nil, at wiring time rather than per
// request.
func Middleware(authn *clerk.Authenticator, opts ...Option) fiber.Handler {
	cfg := adapter.NewConfig("clerkfiber", authn, opts)
	return func(c fiber.Ctx) error {
		ctx := c.Context()
		auth := authn.Authenticate(ctx, carrier{c.Request()}, cfg.Accepts...)
		c.Locals(authKey{}, auth)
		c.SetContext(clerk.ContextWithAuth(ctx, auth))
		if reason := cfg.ReasonHeader(auth); reason != "" {
			c.Set(clerk.ReasonHeader, reason)
		} else if auth.Authenticated() {
			// A Middleware before this one (an app-wide one accepting
			// only sessions, say) may have refused the token this one
			// accepts: its reason no longer describes the request.
			c.Response().Header.Del(clerk.ReasonHeader)
		}
		return c.Next()
	}
}

// GetAuth returns the request's Auth. ok is false when no middleware ran,
// a wiring mistake distinct from a signed-out request (whose Auth has
// SignedIn() false). It also finds an Auth put in c.Context() with
// clerk.ContextWithAuth.
//
// Use it, or clerk.AuthFromContext(c.Context()), rather than
// clerk.AuthFromContext(c): a fiber v3 Ctx is itself a context.Context, but
// its Value reads c.Locals, where the Auth is under this package's key, not
// the core's.
func GetAuth(c fiber.Ctx) (auth *clerk.Auth, ok bool) {
	if auth = fiber.Locals[*clerk.Auth](c, authKey{}); auth != nil {
		return auth, true
	}
	return clerk.AuthFromContext(c.Context())
}
