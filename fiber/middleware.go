package clerkfiber

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/gofiber/fiber/v2"
)

// authKey is the c.Locals key of the Auth; an unexported type so no other
// package collides with it.
type authKey struct{}

// Middleware authenticates every request through authn, accepting the
// kinds of token AcceptsToken names (else the Authenticator's default),
// and stores the resulting *clerk.Auth both in c.Locals (see GetAuth) and
// in c.UserContext() (see clerk.AuthFromContext). It reads the Authorization
// header and session cookie from fasthttp directly, with no net/http
// conversion, and copies each into a string of its own before the core sees
// it: nothing the Auth or the core keeps points into fasthttp's reused
// buffers. Like Clerk's clerkMiddleware it never rejects: a missing or bad
// token gives a signed-out Auth with a Reason, and handlers, RequireAuth
// or RequireAuthenticated decide. It panics if authn is nil, at wiring time rather than per
// request.
func Middleware(authn *clerk.Authenticator, opts ...Option) fiber.Handler {
	cfg := adapter.NewConfig("clerkfiber", authn, opts)
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		auth := authn.Authenticate(ctx, carrier{c}, cfg.Accepts...)
		c.Locals(authKey{}, auth)
		c.SetUserContext(clerk.ContextWithAuth(ctx, auth))
		switch reason := cfg.ReasonHeader(auth); {
		case reason != "":
			c.Set(clerk.ReasonHeader, reason)
		case auth.Authenticated() && c.Response().Header.Peek(clerk.ReasonHeader) != nil:
			// A Middleware before this one (an app-wide one accepting
			// only sessions, say) refused the token this one accepts:
			// its reason no longer describes the request.
			c.Response().Header.Del(clerk.ReasonHeader)
		}
		return c.Next()
	}
}

// GetAuth returns the request's Auth. ok is false when no middleware ran,
// a wiring mistake distinct from a signed-out request (whose Auth has
// SignedIn() false). It also finds an Auth put in c.UserContext() with
// clerk.ContextWithAuth.
func GetAuth(c *fiber.Ctx) (auth *clerk.Auth, ok bool) {
	if auth, ok = c.Locals(authKey{}).(*clerk.Auth); ok && auth != nil {
		return auth, true
	}
	return clerk.AuthFromContext(c.UserContext())
}
