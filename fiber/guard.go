package clerkfiber

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
	"github.com/gofiber/fiber/v2"
)

// RequireAuth passes a request on when it is signed in and meets every
// requirement (with none, being signed in is enough), as clerk.Authorize
// decides: clerk.Role, clerk.Permission, clerk.Feature, clerk.Plan,
// clerk.Reverification. Otherwise it returns a *GuardError rather than
// writing an answer, so the app's ErrorHandler renders it as it renders
// every other error. The error carries Authorize's status and body: 401
// {"message":"Unauthorized"} when signed out (a machine caller included),
// 403 {"message":"Forbidden"} when a requirement is not met, 503
// {"message":"Service Unavailable"} when Clerk could not be asked (the
// caller should retry, not sign in again), and, when only a
// reverification is missing, 403 with Clerk's reverification body, which
// a Clerk front end (useReverification) reads to ask the user to verify
// again. This package's ErrorHandler writes the body byte for byte.
//
// A *GuardError unwraps to a *fiber.Error with message "Unauthorized",
// "Forbidden" or "Service Unavailable", so fiber's DefaultErrorHandler
// answers the status with that message as text/plain (the reverification
// body is then lost: it is a plain 403 "Forbidden").
//
// A request that Middleware did not see is refused too: failing closed
// turns a wiring mistake into a visible 401. The reason is not in the
// error; an ErrorHandler that wants it calls GetAuth.
//
// It panics, where the guard is built, on a requirement that can never be
// met (clerk.Role(""), an unknown reverification preset, …; see
// clerk.CheckRequirements), rather than refusing every request with 403.
func RequireAuth(reqs ...clerk.Requirement) fiber.Handler {
	reqs = adapter.Requirements("clerkfiber", reqs)
	return func(c *fiber.Ctx) error {
		auth, _ := GetAuth(c)
		if ok, status, body := clerk.Authorize(auth, reqs...); !ok {
			return newGuardError(status, body)
		}
		return c.Next()
	}
}

// RequireAuthenticated passes a request on when it carries any token its
// Middleware accepted, a machine caller's included (see AcceptsToken), as
// clerk.AuthorizeCaller decides. Otherwise it returns a *GuardError for
// the app's ErrorHandler, as RequireAuth does: 401
// {"message":"Unauthorized"}, or 503 {"message":"Service Unavailable"}
// when Clerk could not be asked to verify the token. A request that
// Middleware did not see is refused with 401. Check who the caller is in
// the handler: GetAuth, then TokenType, Subject and Scopes.
func RequireAuthenticated() fiber.Handler {
	return func(c *fiber.Ctx) error {
		auth, _ := GetAuth(c)
		if ok, status, body := clerk.AuthorizeCaller(auth); !ok {
			return newGuardError(status, body)
		}
		return c.Next()
	}
}
