package clerkecho

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"
)

// ErrorHandler is an echo.HTTPErrorHandler that answers as echo's
// DefaultHTTPErrorHandler(false) does, except that the body carries no
// trailing newline, so its answers are byte for byte those of the other
// adapters and of Clerk's examples: the refusals of RequireAuth and
// RequireAuthenticated read {"message":"Unauthorized"},
// {"message":"Forbidden"}, Clerk's reverification body and
// {"message":"Service Unavailable"}, as clerk.Authorize gives them. Like
// echo's:
//
//   - the first error in err's chain that knows its status code
//     (echo.HTTPStatusCoder: a *GuardError, an *echo.HTTPError,
//     echo.ErrNotFound, …) sets the status; without one it is a 500;
//   - that error is written as it marshals when it is a json.Marshaler (a
//     *GuardError's Body), as {"message":"<its Message>"} when it is an
//     *echo.HTTPError, and as {"message":"<status text>"} otherwise, so
//     the text of an unexpected error stays out of the answer;
//   - a HEAD request gets the status alone, and an answer already under
//     way is left alone.
//
// An answer that cannot be written (a json.Marshaler that fails, say) is
// logged to the request's logger (c.Logger()). Install it with
// e.HTTPErrorHandler = clerkecho.ErrorHandler, or with
// echo.Config{HTTPErrorHandler: clerkecho.ErrorHandler}.
func ErrorHandler(c *echo.Context, err error) {
	if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Committed {
		return
	}
	code, body, mErr := errorAnswer(err)
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(code)
	case mErr != nil:
		werr = errors.Join(mErr, c.NoContent(code))
	default:
		werr = c.JSONBlob(code, body)
	}
	if werr != nil {
		c.Logger().Error("clerkecho: ErrorHandler could not send the answer", "error", werr)
	}
}

// errorAnswer is the status and JSON body for err, chosen as echo's
// default handler chooses them.
func errorAnswer(err error) (code int, body []byte, mErr error) {
	code = http.StatusInternalServerError
	var sc echo.HTTPStatusCoder
	if errors.As(err, &sc) {
		if s := sc.StatusCode(); s != 0 {
			code = s
		}
	}
	switch m := sc.(type) {
	case json.Marshaler:
		// It knows its own answer; json.Marshal checks and compacts it.
		body, mErr = json.Marshal(m)
	case *echo.HTTPError:
		text := m.Message
		if text == "" {
			text = http.StatusText(code)
		}
		body, mErr = json.Marshal(messageBody{Message: text})
	default:
		body, mErr = json.Marshal(messageBody{Message: http.StatusText(code)})
	}
	return code, body, mErr
}

// messageBody marshals as {"message":"…"}.
type messageBody struct {
	Message string `json:"message"`
}
