package clerkecho

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// GuardError is the error RequireAuth and RequireAuthenticated return for
// a request they refuse: the status and the JSON body clerk.Authorize (or
// clerk.AuthorizeCaller) decided on.
//
// It is what echo v5 calls an error that knows its answer: an
// echo.HTTPStatusCoder (StatusCode is Status) and a json.Marshaler
// (MarshalJSON is Body). echo's DefaultHTTPErrorHandler therefore writes
// Body as it is, followed by the newline of its JSON encoder, and this
// package's ErrorHandler writes it byte for byte. That matters for a stale
// verification: Clerk's front end reads that 403's body to prompt the
// user, so it must arrive unchanged. An HTTPErrorHandler of your own finds
// it with errors.As, or answers echo.StatusCode(err) and
// json.Marshal(err).
//
// It unwraps to why the request was refused, for handlers that log: the
// *clerk.AuthError of a 401 or 503 (errors.Is(err,
// clerk.ErrUnauthenticated)), or clerk.ErrNoMiddleware for a request that
// Middleware did not see; a 403 has none.
type GuardError struct {
	// Status is the HTTP status: 401, 403 or 503.
	Status int
	// Body is the JSON answer, e.g. {"message":"Forbidden"} or Clerk's
	// reverification body.
	Body string

	cause error
}

// newGuardError builds a refusal. A new one each time: a shared error
// could be changed by one request's error handler under another's.
func newGuardError(status int, body string, cause error) *GuardError {
	return &GuardError{Status: status, Body: body, cause: cause}
}

// StatusCode is Status, for echo.StatusCode and echo's error handlers.
func (e *GuardError) StatusCode() int { return e.Status }

// MarshalJSON returns Body, valid and compact JSON from the core; a
// GuardError built by hand without a Body marshals as
// {"message":"<status text>"}, so an error handler never sends nothing.
func (e *GuardError) MarshalJSON() ([]byte, error) {
	if e.Body == "" {
		return json.Marshal(messageBody{Message: http.StatusText(e.Status)})
	}
	return []byte(e.Body), nil
}

// Error reads as an *echo.HTTPError does, "code=401,
// message=Unauthorized", followed by the cause when there is one, so
// request logs say why. Neither a token nor a key is ever part of it.
func (e *GuardError) Error() string {
	msg := fmt.Sprintf("code=%d, message=%s", e.Status, http.StatusText(e.Status))
	if e.cause != nil {
		msg += ", err=" + e.cause.Error()
	}
	return msg
}

// Unwrap returns why the request was refused, or nil for a 403.
func (e *GuardError) Unwrap() error { return e.cause }
