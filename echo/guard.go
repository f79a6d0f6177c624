package clerkecho

import (
	"net/http"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/labstack/echo/v4"
)

// RequireAuth passes a request on when it is signed in and meets every
// requirement (with none, being signed in is enough), as clerk.Authorize
// decides. Otherwise it returns an *echo.HTTPError rather than answering,
// so the app's HTTPErrorHandler renders it the way it renders every other
// error:
//
//	signed out                     code 401, message "Unauthorized"
//	signed in, a requirement unmet code 403, message "Forbidden"
//
// ErrorHandler writes them as {"message":"Unauthorized"} and
// {"message":"Forbidden"}; echo's default handler writes the same plus the
// newline its JSON encoder adds. A 401's Internal is the *clerk.AuthError
// saying why, for handlers that log. A request that Middleware did not see
// is refused with a 401 too (Internal is clerk.ErrNoMiddleware): failing
// closed turns a wiring mistake into a visible 401 instead of an open door.
func RequireAuth(reqs ...clerk.Requirement) echo.MiddlewareFunc {
	reqs = slices.Clone(reqs)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth, found := GetAuth(c)
			ok, status, _ := clerk.Authorize(auth, reqs...)
			if ok {
				return next(c)
			}
			refusal := echo.NewHTTPError(status, http.StatusText(status))
			switch {
			case !found:
				refusal.Internal = clerk.ErrNoMiddleware
			case status == http.StatusUnauthorized:
				refusal.Internal = auth.Err()
			}
			return refusal
		}
	}
}
