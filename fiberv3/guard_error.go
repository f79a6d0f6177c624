package clerkfiber

import (
	"net/http"

	"github.com/gofiber/fiber/v3"
)

// GuardError is the error RequireAuth and RequireAuthenticated return for
// a request they refuse: the status and the JSON body clerk.Authorize (or
// clerk.AuthorizeCaller) decided on. ErrorHandler writes Body as is, which
// matters for a stale verification: Clerk's front end reads that 403's
// body to prompt the user, so it must arrive byte for byte.
//
// It unwraps to a *fiber.Error of the same code whose message is the
// status text ("Unauthorized", "Forbidden", "Service Unavailable"), and
// Error returns that text, so an ErrorHandler that only knows *fiber.Error
// (fiber's DefaultErrorHandler included) still answers the right status.
// An ErrorHandler of your own that wants Clerk's bodies uses errors.As
// with a *GuardError and writes Body with Content-Type application/json.
type GuardError struct {
	// Status is the HTTP status: 401, 403 or 503.
	Status int
	// Body is the JSON answer, e.g. {"message":"Forbidden"} or Clerk's
	// reverification body.
	Body string

	fe *fiber.Error
}

// newGuardError builds a refusal. A new one each time: a shared error
// could be changed by one request's ErrorHandler under another's.
func newGuardError(status int, body string) *GuardError {
	return &GuardError{Status: status, Body: body, fe: fiber.NewError(status, http.StatusText(status))}
}

// Error is the status text, as fiber.NewError(status) would say it.
func (e *GuardError) Error() string { return http.StatusText(e.Status) }

// Unwrap gives the *fiber.Error of the same status, for error handlers
// that match *fiber.Error.
func (e *GuardError) Unwrap() error { return e.fe }
