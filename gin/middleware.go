package clerkgin

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/gin-gonic/gin"
)

// authKey is the gin context key of the Auth; an unexported type so no
// other package collides with it.
type authKey struct{}

// Middleware authenticates every request through authn, accepting the
// kinds of token AcceptsToken names (session tokens by default), and
// stores the resulting *clerk.Auth both in the gin context (see GetAuth)
// and in the request's context.Context (see clerk.AuthFromContext), so
// net/http code below gin finds it too. A Middleware on a route or group
// replaces the Auth of one installed earlier, so a machine route can sit
// under an engine-wide session Middleware. Like Clerk's clerkMiddleware it
// never rejects: a missing or bad token gives a signed-out Auth with a
// Reason, and handlers, RequireAuth or RequireAuthenticated decide. It
// panics if authn is nil, at wiring time rather than per request.
func Middleware(authn *clerk.Authenticator, opts ...Option) gin.HandlerFunc {
	cfg := adapter.NewConfig("clerkgin", authn, opts)
	return func(c *gin.Context) {
		auth := authn.AuthenticateRequest(c.Request, cfg.Accepts...)
		c.Set(authKey{}, auth)
		c.Request = c.Request.WithContext(clerk.ContextWithAuth(c.Request.Context(), auth))
		if reason := cfg.ReasonHeader(auth); reason != "" {
			c.Header(clerk.ReasonHeader, reason)
		}
	}
}

// GetAuth returns the request's Auth. ok is false when no middleware ran,
// a wiring mistake distinct from a signed-out request (whose Auth has
// SignedIn() false). It also finds an Auth that clerk.Middleware attached
// when the gin engine is wrapped as a net/http handler.
func GetAuth(c *gin.Context) (auth *clerk.Auth, ok bool) {
	if v, found := c.Get(authKey{}); found {
		if auth, ok = v.(*clerk.Auth); ok && auth != nil {
			return auth, true
		}
	}
	if c.Request == nil {
		return nil, false
	}
	return clerk.AuthFromContext(c.Request.Context())
}
