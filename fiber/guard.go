package clerkfiber

import (
	"errors"
	"net/http"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gofiber/fiber/v2"
)

// RequireAuth passes a request on when it is signed in and meets every
// requirement (with none, being signed in is enough), as clerk.Authorize
// decides. Otherwise it returns a *fiber.Error rather than writing an
// answer, so the app's ErrorHandler renders it as it renders every other
// error: code 401 and message "Unauthorized" when signed out (a machine
// caller included), 403 "Forbidden" when a requirement is not met, 503
// "Service Unavailable" when Clerk could not be asked (the caller should
// retry, not sign in again). With this package's ErrorHandler the bodies
// are {"message":"Unauthorized"}, {"message":"Forbidden"} and
// {"message":"Service Unavailable"}; fiber's DefaultErrorHandler writes
// the message as text/plain. A request that Middleware did not see is
// refused too:
// failing closed turns a wiring mistake into a visible 401. The reason is
// not in the error; an ErrorHandler that wants it calls GetAuth.
func RequireAuth(reqs ...clerk.Requirement) fiber.Handler {
	reqs = slices.Clone(reqs) // the caller's slice may change after wiring
	return func(c *fiber.Ctx) error {
		auth, _ := GetAuth(c)
		if ok, status, _ := clerk.Authorize(auth, reqs...); !ok {
			// A new error each time: a shared *fiber.Error could be
			// changed by one request's ErrorHandler under another's.
			return fiber.NewError(status, http.StatusText(status))
		}
		return c.Next()
	}
}

// RequireAuthenticated passes a request on when it carries any token its
// Middleware accepted, a machine caller's included (see AcceptsToken), as
// clerk.AuthorizeCaller decides. Otherwise it returns a *fiber.Error for
// the app's ErrorHandler, as RequireAuth does: 401 "Unauthorized", or 503
// "Service Unavailable" when Clerk could not be asked to verify the token.
// A request that Middleware did not see is refused with 401. Check who the
// caller is in the handler: GetAuth, then TokenType, Subject and Scopes.
func RequireAuthenticated() fiber.Handler {
	return func(c *fiber.Ctx) error {
		auth, _ := GetAuth(c)
		if ok, status, _ := clerk.AuthorizeCaller(auth); !ok {
			return fiber.NewError(status, http.StatusText(status))
		}
		return c.Next()
	}
}

// messageBody marshals as {"message":"…"}.
type messageBody struct {
	Message string `json:"message"`
}

// ErrorHandler is a fiber.ErrorHandler that answers in Clerk's JSON shape:
// a *fiber.Error becomes its code and {"message":"<its message>"}, so the
// guards' refusals read {"message":"Unauthorized"}, {"message":"Forbidden"}
// and {"message":"Service Unavailable"}; any other error becomes 500
// {"message":"Internal Server Error"}, its text kept out of the answer.
// Install it with fiber.Config{ErrorHandler: clerkfiber.ErrorHandler}, or
// render *fiber.Error as JSON in your own.
func ErrorHandler(c *fiber.Ctx, err error) error {
	body := messageBody{Message: "Internal Server Error"}
	code := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, body.Message = fe.Code, fe.Message
	}
	return c.Status(code).JSON(body)
}
