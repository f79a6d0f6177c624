package clerkfiber

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gofiber/fiber/v2"
)

// An Option configures Middleware.
type Option func(*config)

type config struct {
	reasonHeader bool
}

// WithReasonHeader makes Middleware answer every signed-out request with
// the header X-Clerk-Auth-Reason naming why (token-expired, …). It is off
// by default: the reason helps debugging and tells a prober which check
// failed.
func WithReasonHeader() Option { return func(cfg *config) { cfg.reasonHeader = true } }

// authKey is the c.Locals key of the Auth; an unexported type so no other
// package collides with it.
type authKey struct{}

// Middleware authenticates every request through authn and stores the
// resulting *clerk.Auth both in c.Locals (see GetAuth) and in
// c.UserContext() (see clerk.AuthFromContext). It reads the Authorization
// header and session cookie from fasthttp directly, with no net/http
// conversion, and copies each into a string of its own before the core sees
// it: nothing the Auth or the core keeps points into fasthttp's reused
// buffers. Like Clerk's clerkMiddleware it never rejects: a missing or bad
// token gives a signed-out Auth with a Reason, and handlers or RequireAuth
// decide. It panics if authn is nil, at wiring time rather than per
// request.
func Middleware(authn *clerk.Authenticator, opts ...Option) fiber.Handler {
	if authn == nil {
		panic("clerkfiber: Middleware needs a *clerk.Authenticator, got nil")
	}
	var cfg config
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		auth := authn.Authenticate(ctx, carrier{c})
		c.Locals(authKey{}, auth)
		c.SetUserContext(clerk.ContextWithAuth(ctx, auth))
		if cfg.reasonHeader && !auth.SignedIn() {
			c.Set(clerk.ReasonHeader, string(auth.Reason()))
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
