package clerkgin

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/gin-gonic/gin"
)

// Middleware authenticates every request through authn, accepting the
// kinds of token AcceptsToken names (session tokens by default), and
// stores the resulting *clerk.Auth in the request's context.Context, where
// GetAuth and clerk.AuthFromContext find it, so net/http code below gin
// finds it too. A Middleware on a route or group replaces the Auth of one
// installed earlier, so a machine route can sit under an engine-wide
// session Middleware. Like Clerk's clerkMiddleware it never rejects: a
// missing or bad token gives a signed-out Auth with a Reason, and
// handlers, RequireAuth or RequireAuthenticated decide. It panics if authn
// is nil, at wiring time rather than per request.
func Middleware(authn *clerk.Authenticator, opts ...Option) gin.HandlerFunc {
	cfg := adapter.NewConfig("clerkgin", authn, opts)
	return func(c *gin.Context) {
		auth := authn.AuthenticateRequest(c.Request, cfg.Accepts...)
		// Only in the request's context, not also with c.Set: net/http
		// code needs it there anyway, and c.Set would allocate gin's Keys
		// map on every request for a second copy of the same pointer.
		c.Request = c.Request.WithContext(clerk.ContextWithAuth(c.Request.Context(), auth))
		switch reason := cfg.ReasonHeader(auth); {
		case reason != "":
			c.Header(clerk.ReasonHeader, reason)
		case auth.Authenticated():
			// A route's Middleware that accepts the caller clears the
			// reason an engine-wide one gave for refusing it.
			c.Writer.Header().Del(clerk.ReasonHeader)
		}
	}
}

// GetAuth returns the request's Auth, read from c.Request's
// context.Context. ok is false when no middleware ran, a wiring mistake
// distinct from a signed-out request (whose Auth has SignedIn() false). It
// also finds an Auth that clerk.Middleware attached when the gin engine is
// wrapped as a net/http handler. A handler that replaces c.Request keeps
// the Auth by deriving the new request's context from the old one.
func GetAuth(c *gin.Context) (auth *clerk.Auth, ok bool) {
	if c.Request == nil {
		return nil, false
	}
	return clerk.AuthFromContext(c.Request.Context())
}
