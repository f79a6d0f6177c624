package clerkecho

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ErrorHandler is an echo.HTTPErrorHandler that renders errors as echo's
// default handler does, except that the body carries no trailing newline,
// so its answers are byte for byte those of the gin and fiber adapters and
// of Clerk's examples: the refusals of RequireAuth and RequireAuthenticated
// read {"message":"Unauthorized"}, {"message":"Forbidden"}, Clerk's
// reverification body and {"message":"Service Unavailable"}, as
// clerk.Authorize gives them. Like echo's:
//
//   - an *echo.HTTPError answers its code, and its Internal when that is an
//     *echo.HTTPError itself; a string or error message becomes
//     {"message":"…"}, any other message is marshalled as it is;
//   - any other error answers 500 {"message":"Internal Server Error"}, its
//     text kept out of the answer unless the Echo instance is in Debug mode,
//     which adds it as "error";
//   - a HEAD request gets the status alone, and an answer already under
//     way is left alone; a message that does not marshal also gets the
//     status alone, and is logged to the Echo instance's Logger.
//
// Install it with e.HTTPErrorHandler = clerkecho.ErrorHandler.
func ErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	he := asHTTPError(err)
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(he.Code)
	} else if body, mErr := errorBody(he, err, c.Echo().Debug); mErr != nil {
		werr = errors.Join(mErr, c.NoContent(he.Code))
	} else {
		werr = c.JSONBlob(he.Code, body)
	}
	if werr != nil {
		c.Echo().Logger.Error(werr)
	}
}

// asHTTPError is the *echo.HTTPError err stands for, following echo's
// default handler: an HTTPError wrapping another one answers as the inner
// one, and any other error is a 500.
func asHTTPError(err error) *echo.HTTPError {
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return &echo.HTTPError{Code: http.StatusInternalServerError, Message: http.StatusText(http.StatusInternalServerError)}
	}
	var inner *echo.HTTPError
	if errors.As(he.Internal, &inner) {
		return inner
	}
	return he
}

// errorBody is the JSON body for he; debug adds err's text as echo's
// default handler does in Debug mode.
func errorBody(he *echo.HTTPError, err error, debug bool) ([]byte, error) {
	message := he.Message
	switch m := message.(type) {
	case string:
		message = messageBody{Message: m}
		if debug {
			message = debugBody{Error: err.Error(), Message: m}
		}
	case json.Marshaler:
		// It knows its own JSON.
	case error:
		message = messageBody{Message: m.Error()}
	}
	return json.Marshal(message)
}

// messageBody marshals as {"message":"…"}.
type messageBody struct {
	Message string `json:"message"`
}

// debugBody marshals as echo.Map{"message": …, "error": …} does, keys in
// order.
type debugBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}
