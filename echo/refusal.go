package clerkecho

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// refusal is the Message of the *echo.HTTPError the guards return: the
// JSON body clerk.Authorize or clerk.AuthorizeCaller gave. As a
// json.Marshaler it is written as it is, by ErrorHandler and by echo's
// default handler alike, so Clerk's reverification body reaches the front
// end unchanged. Printed, it reads as the status text ("Forbidden"), so
// HTTPError.Error and an app's own handler formatting the message read as
// they did when the message was that string.
type refusal struct {
	status int
	body   string
}

// MarshalJSON returns the body; it is valid, compact JSON from the core.
func (r refusal) MarshalJSON() ([]byte, error) { return []byte(r.body), nil }

// String is the status text, for logs and fmt.
func (r refusal) String() string { return http.StatusText(r.status) }

// newRefusal is the guards' *echo.HTTPError for an Authorize answer.
func newRefusal(status int, body string) *echo.HTTPError {
	return echo.NewHTTPError(status, refusal{status: status, body: body})
}
