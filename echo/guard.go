package clerkecho

import (
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/labstack/echo/v4"
)

// RequireAuth passes a request on when it is signed in and meets every
// requirement (with none, being signed in is enough), as clerk.Authorize
// decides: a role, a permission, a feature or plan (clerk.Feature,
// clerk.Plan) or a recent verification (clerk.Reverification). Otherwise it
// returns an *echo.HTTPError rather than answering, so the app's
// HTTPErrorHandler renders it the way it renders every other error. Its
// code and body are Authorize's:
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
// The error's Message is a json.Marshaler that gives that body, so
// ErrorHandler writes it byte for byte and echo's default handler writes
// it followed by the newline its JSON encoder adds; printed, the Message
// reads as the status text ("Forbidden"), and json.Marshal gives the body
// to an app's own handler.
//
// A 503 only comes from a Middleware that accepts opaque machine tokens
// (AcceptsToken), verified over Clerk's Backend API; the caller should
// retry, not sign in again. A machine caller is never signed in, so it
// gets a 401 here: RequireAuthenticated is the guard for routes open to
// machines. A 401's or 503's Internal is the *clerk.AuthError saying why,
// for handlers that log. A request that Middleware did not see is refused
// with a 401 too (Internal is clerk.ErrNoMiddleware): failing closed turns
// a wiring mistake into a visible 401 instead of an open door.
//
// It panics, where the guard is built, naming the error of
// clerk.CheckRequirements when a requirement can never be met (an empty
// role, a feature with an unknown scope, an unknown reverification
// preset): such a guard would refuse every request.
func RequireAuth(reqs ...clerk.Requirement) echo.MiddlewareFunc {
	g := &guard{reqs: adapter.Requirements("clerkecho", reqs)}
	// Applied per request by echo v4, like Middleware: the closure holds
	// next and one pointer.
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return g.check(c, next) }
	}
}

// guard is what a RequireAuth shares between its requests.
type guard struct{ reqs []clerk.Requirement }

func (g *guard) check(c echo.Context, next echo.HandlerFunc) error {
	auth, found := GetAuth(c)
	ok, status, body := clerk.Authorize(auth, g.reqs...)
	if ok {
		return next(c)
	}
	refusal := newRefusal(status, body)
	switch {
	case !found:
		refusal.Internal = clerk.ErrNoMiddleware
	case status != http.StatusForbidden:
		refusal.Internal = auth.Err()
	}
	return refusal
}
