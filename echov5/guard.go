package clerkecho

import (
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/labstack/echo/v5"
)

// RequireAuth passes a request on when it is signed in and meets every
// requirement (with none, being signed in is enough), as clerk.Authorize
// decides: a role, a permission, a feature or plan (clerk.Feature,
// clerk.Plan) or a recent verification (clerk.Reverification). Otherwise
// it returns a *GuardError rather than answering, so the app's
// HTTPErrorHandler renders it the way it renders every other error. Its
// status and body are Authorize's:
//
//	signed out                      401 {"message":"Unauthorized"}
//	signed in, a requirement unmet  403 {"message":"Forbidden"}
//	only the verification too old   403 Clerk's reverification body
//	Clerk could not be asked        503 {"message":"Service Unavailable"}
//
// The reverification body is the one Clerk's front end reads to ask the
// user to verify again and retry (useReverification):
//
//	{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
//
// ErrorHandler writes the body byte for byte, echo's default handler
// followed by a newline.
//
// A 503 only comes from a Middleware that accepts opaque machine tokens
// (AcceptsToken), verified over Clerk's Backend API; the caller should
// retry, not sign in again. A machine caller is never signed in, so it
// gets a 401 here: RequireAuthenticated is the guard for routes open to
// machines. A 401 or 503 unwraps to the *clerk.AuthError saying why. A
// request that Middleware did not see is refused with a 401 too,
// unwrapping to clerk.ErrNoMiddleware: failing closed turns a wiring
// mistake into a visible 401 instead of an open door.
//
// It panics, where the guard is built, when a requirement can never be met
// (an empty role, a feature with an unknown scope, an unknown
// reverification preset; see clerk.CheckRequirements): such a guard would
// refuse every request.
func RequireAuth(reqs ...clerk.Requirement) echo.MiddlewareFunc {
	reqs = adapter.Requirements("clerkecho", reqs)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			auth, found := GetAuth(c)
			ok, status, body := clerk.Authorize(auth, reqs...)
			if ok {
				return next(c)
			}
			return newGuardError(status, body, refusalCause(auth, found, status))
		}
	}
}

// refusalCause is what a refusal unwraps to: clerk.ErrNoMiddleware when no
// middleware ran, the Auth's error for a 401 or 503, nothing for a 403 (the
// user is signed in; a requirement decided).
func refusalCause(auth *clerk.Auth, found bool, status int) error {
	switch {
	case !found:
		return clerk.ErrNoMiddleware
	case status == http.StatusForbidden:
		return nil
	}
	return auth.Err()
}
