package clerkecho

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/labstack/echo/v5"
)

// RequireAuthenticated passes a request on when it carries any token its
// Middleware accepted, a machine caller's included (see AcceptsToken), as
// clerk.AuthorizeCaller decides. Otherwise it returns a *GuardError for
// the app's HTTPErrorHandler, as RequireAuth does:
//
//	no accepted token, or a bad one  401 {"message":"Unauthorized"}
//	Clerk could not be asked         503 {"message":"Service Unavailable"}
//
// A 503 tells the caller to retry. The error unwraps to the
// *clerk.AuthError saying why, or to clerk.ErrNoMiddleware for a request
// that Middleware did not see (refused, failing closed). Roles and
// permissions are a session's: routes that need them use RequireAuth.
// Check who the caller is in the handler: GetAuth, then TokenType,
// Subject and Scopes.
func RequireAuthenticated() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			auth, found := GetAuth(c)
			ok, status, body := clerk.AuthorizeCaller(auth)
			if ok {
				return next(c)
			}
			return newGuardError(status, body, refusalCause(auth, found, status))
		}
	}
}
