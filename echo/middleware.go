package clerkecho

import (
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/labstack/echo/v4"
)

// Middleware authenticates every request through a, accepting the kinds of
// token AcceptsToken names (by default the Authenticator's), and stores the
// resulting *clerk.Auth in the request's context.Context, where GetAuth and
// clerk.AuthFromContext find it, so net/http code called from a handler
// finds it too. Like Clerk's clerkMiddleware it never rejects: a missing or
// bad token gives a signed-out Auth with a Reason, and handlers,
// RequireAuth or RequireAuthenticated decide. A route's own Middleware
// (one accepting machine tokens, say) replaces the Auth an app-wide one
// stored, and removes the X-Clerk-Auth-Reason header an earlier one set
// when it authenticates the request. The next handler's error is returned
// unchanged, so the app's HTTPErrorHandler still sees it. It panics if a
// is nil, at wiring time rather than per request.
func Middleware(a *clerk.Authenticator, opts ...Option) echo.MiddlewareFunc {
	m := &middleware{authn: a, cfg: adapter.NewConfig("clerkecho", a, opts)}
	// echo v4 applies middleware to the route's handler on every request,
	// so the closure below is allocated per request: it holds next and
	// one pointer rather than a copy of the configuration.
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return m.serve(c, next) }
	}
}

// middleware is what a Middleware shares between its requests.
type middleware struct {
	authn *clerk.Authenticator
	cfg   adapter.Config
}

func (m *middleware) serve(c echo.Context, next echo.HandlerFunc) error {
	req := c.Request()
	auth := m.authn.AuthenticateRequest(req, m.cfg.Accepts...)
	// Only in the request's context, not also with c.Set: net/http code
	// needs it there anyway, and c.Set would allocate echo's store map on
	// every request for a second copy of the pointer.
	c.SetRequest(req.WithContext(clerk.ContextWithAuth(req.Context(), auth)))
	setReasonHeader(c.Response().Header(), m.cfg.ReasonHeader(auth), auth)
	return next(c)
}

// setReasonHeader sets the reason Config.ReasonHeader gave, if any. An
// authenticated request loses the header an earlier Middleware set, so
// behind several Middleware it tells what the last one decided.
func setReasonHeader(h http.Header, reason string, auth *clerk.Auth) {
	switch {
	case reason != "":
		h.Set(clerk.ReasonHeader, reason)
	case auth.Authenticated():
		// clerk.ReasonHeader is already canonical, as Set stored it:
		// deleting the key directly spares every authenticated request
		// Del's canonicalisation.
		delete(h, clerk.ReasonHeader)
	}
}

// GetAuth returns the request's Auth, read from c.Request()'s
// context.Context. ok is false when no middleware ran, a wiring mistake
// distinct from a signed-out request (whose Auth has SignedIn() false). It
// also finds an Auth that clerk.Middleware attached when the echo server
// is wrapped as a net/http handler. A handler that calls c.SetRequest
// keeps the Auth by deriving the new request's context from the old one.
func GetAuth(c echo.Context) (auth *clerk.Auth, ok bool) {
	if c.Request() == nil {
		return nil, false
	}
	return clerk.AuthFromContext(c.Request().Context())
}
