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
//	Clerk could not be asked       code 503, message "Service Unavailable"
//
// ErrorHandler writes them as {"message":"Unauthorized"},
// {"message":"Forbidden"} and {"message":"Service Unavailable"}; echo's
// default handler writes the same plus the newline its JSON encoder adds.
// A 503 only comes from a Middleware that accepts opaque machine tokens
// (AcceptsToken), verified over Clerk's Backend API; the caller should
// retry, not sign in again. A machine caller is never signed in, so it
// gets a 401 here: RequireAuthenticated is the guard for routes open to
// machines. A 401's or 503's Internal is the *clerk.AuthError saying why,
// for handlers that log. A request that Middleware did not see
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
			case status != http.StatusForbidden:
				refusal.Internal = auth.Err()
			}
			return refusal
		}
	}
}
