package clerkfiber

import (
	"fmt"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gofiber/fiber/v2"
)

// An Option configures Middleware.
type Option func(*config)

type config struct {
	reasonHeader bool
	accepts      []clerk.TokenType // nil: the Authenticator's default
}

// WithReasonHeader makes Middleware answer every request it did not
// authenticate with the header X-Clerk-Auth-Reason naming why
// (token-expired, token-type-mismatch, …). It is off by default: the
// reason helps debugging and tells a prober which check failed. A later
// Middleware that authenticates the request (one on a route accepting
// machine tokens) removes the header.
func WithReasonHeader() Option { return func(cfg *config) { cfg.reasonHeader = true } }

// AcceptsToken sets the kinds of token Middleware accepts, as Clerk's
// acceptsToken does: clerk.TokenTypeM2MToken and clerk.TokenTypeAPIKey for
// a route machines call, clerk.TokenTypeAny for every kind. With no kinds,
// or without the option, Middleware accepts the Authenticator's default
// (session tokens unless clerk.WithAcceptedTokens says otherwise). A token
// of another kind gives a signed-out Auth with
// clerk.ReasonTokenTypeMismatch, without any call to Clerk. A machine
// caller's Auth is Authenticated but never SignedIn, so guard such routes
// with RequireAuthenticated. The kinds are copied; it panics on a value
// that is not a clerk.TokenType, at wiring time rather than by refusing
// every request.
func AcceptsToken(types ...clerk.TokenType) Option {
	for _, t := range types {
		if !t.Valid() {
			panic(fmt.Sprintf("clerkfiber: AcceptsToken: %q is not a clerk.TokenType", string(t)))
		}
	}
	types = slices.Clone(types) // the caller's slice may change after wiring
	return func(cfg *config) { cfg.accepts = types }
}

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
		auth := authn.Authenticate(ctx, carrier{c}, cfg.accepts...)
		c.Locals(authKey{}, auth)
		c.SetUserContext(clerk.ContextWithAuth(ctx, auth))
		switch {
		case !auth.Authenticated():
			if cfg.reasonHeader {
				c.Set(clerk.ReasonHeader, string(auth.Reason()))
			}
		case c.Response().Header.Peek(clerk.ReasonHeader) != nil:
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
