package clerkecho

import (
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/labstack/echo/v4"
)

// authKey is the echo context key of the Auth. echo only takes string
// keys, so it carries the module path to keep clear of the application's
// own.
const authKey = "github.com/clerkkit/clerkkit/echo.auth"

// Middleware authenticates every request through a, accepting the kinds of
// token AcceptsToken names (by default the Authenticator's), and stores the
// resulting *clerk.Auth both in the echo context (see GetAuth) and in the
// request's context.Context (see clerk.AuthFromContext), so net/http code
// called from a handler finds it too. Like Clerk's clerkMiddleware it never
// rejects: a missing or bad token gives a signed-out Auth with a Reason,
// and handlers, RequireAuth or RequireAuthenticated decide. A route's own
// Middleware (one accepting machine tokens, say) replaces the Auth an
// app-wide one stored, and removes the X-Clerk-Auth-Reason header an
// earlier one set when it authenticates the request. The next handler's
// error is returned unchanged, so the app's HTTPErrorHandler still sees
// it. It panics if a is nil, at wiring time rather than per request.
func Middleware(a *clerk.Authenticator, opts ...Option) echo.MiddlewareFunc {
	cfg := adapter.NewConfig("clerkecho", a, opts)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			auth := a.AuthenticateRequest(req, cfg.Accepts...)
			c.Set(authKey, auth)
			c.SetRequest(req.WithContext(clerk.ContextWithAuth(req.Context(), auth)))
			setReasonHeader(c.Response().Header(), cfg.ReasonHeader(auth), auth)
			return next(c)
		}
	}
}

// setReasonHeader sets the reason Config.ReasonHeader gave, if any. An
// authenticated request loses the header an earlier Middleware set, so
// behind several Middleware it tells what the last one decided.
func setReasonHeader(h http.Header, reason string, auth *clerk.Auth) {
	switch {
	case reason != "":
		h.Set(clerk.ReasonHeader, reason)
	case auth.Authenticated():
		h.Del(clerk.ReasonHeader)
	}
}

// GetAuth returns the request's Auth. ok is false when no middleware ran,
// a wiring mistake distinct from a signed-out request (whose Auth has
// SignedIn() false). It also finds an Auth that clerk.Middleware attached
// when the echo server is wrapped as a net/http handler.
func GetAuth(c echo.Context) (auth *clerk.Auth, ok bool) {
	if auth, ok = c.Get(authKey).(*clerk.Auth); ok && auth != nil {
		return auth, true
	}
	if c.Request() == nil {
		return nil, false
	}
	return clerk.AuthFromContext(c.Request().Context())
}
