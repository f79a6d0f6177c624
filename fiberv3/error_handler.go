package clerkfiber

import (
	"errors"

	"github.com/gofiber/fiber/v3"
)

// messageBody marshals as {"message":"…"}.
type messageBody struct {
	Message string `json:"message"`
}

// ErrorHandler is a fiber.ErrorHandler that answers in Clerk's JSON shape:
// a *GuardError (the guards' refusals) becomes its status and its Body
// byte for byte, so {"message":"Unauthorized"}, {"message":"Forbidden"},
// {"message":"Service Unavailable"} or Clerk's reverification body; any
// other *fiber.Error becomes its code and {"message":"<its message>"}; any
// other error becomes 500 {"message":"Internal Server Error"}, its text
// kept out of the answer. Every answer is Content-Type application/json,
// as the fiber v2 adapter's (fiber v3's c.JSON would add a charset).
// Install it with fiber.Config{ErrorHandler: clerkfiber.ErrorHandler}, or
// handle *GuardError in your own.
func ErrorHandler(c fiber.Ctx, err error) error {
	var ge *GuardError
	if errors.As(err, &ge) {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Status(ge.Status).SendString(ge.Body)
	}
	body := messageBody{Message: "Internal Server Error"}
	code := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, body.Message = fe.Code, fe.Message
	}
	return c.Status(code).JSON(body, fiber.MIMEApplicationJSON)
}
