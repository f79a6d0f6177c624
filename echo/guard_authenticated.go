package clerkecho

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/labstack/echo/v4"
)

// RequireAuthenticated passes a request on when it carries any token its
// Middleware accepted, a machine caller's included (see AcceptsToken), as
// clerk.AuthorizeCaller decides. Otherwise it returns an *echo.HTTPError
// for the app's HTTPErrorHandler, as RequireAuth does:
//
//	no accepted token, or a bad one  code 401, message "Unauthorized"
//	Clerk could not be asked         code 503, message "Service Unavailable"
//
// The Message marshals as clerk.AuthorizeCaller's body, which ErrorHandler
// writes as {"message":"Unauthorized"} and {"message":"Service
// Unavailable"}; a 503 tells the caller to retry. The
// Internal is the *clerk.AuthError saying why, or clerk.ErrNoMiddleware
// for a request that Middleware did not see (refused, failing closed).
// Roles and permissions are a session's: routes that need them use
// RequireAuth.
func RequireAuthenticated() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth, found := GetAuth(c)
			ok, status, body := clerk.AuthorizeCaller(auth)
			if ok {
				return next(c)
			}
			refusal := newRefusal(status, body)
			if found {
				refusal.Internal = auth.Err()
			} else {
				refusal.Internal = clerk.ErrNoMiddleware
			}
			return refusal
		}
	}
}
