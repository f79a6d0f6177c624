package clerk

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. An *APIError matches the one for its status class with
// errors.Is, so callers can write errors.Is(err, clerk.ErrNotFound) without
// looking at status codes.
var (
	// ErrInvalidConfig is wrapped by every error NewClient returns for bad
	// configuration.
	ErrInvalidConfig = errors.New("clerk: invalid configuration")
	// ErrInvalidInput is matched by *InputError: a session ID, template name
	// or lifetime that was refused before any request was sent.
	ErrInvalidInput = errors.New("clerk: invalid input")
	// ErrUnauthorized matches 401 and 403 answers: a wrong, revoked or
	// malformed secret key.
	ErrUnauthorized = errors.New("clerk: unauthorized")
	// ErrNotFound matches 404 answers: an unknown session or JWT template.
	ErrNotFound = errors.New("clerk: not found")
	// ErrBadRequest matches 400 and 422 answers: Clerk refused the request
	// itself (an invalid parameter or API version).
	ErrBadRequest = errors.New("clerk: bad request")
	// ErrRateLimited matches 429 answers; APIError.RetryAfter says how long
	// Clerk asked to wait.
	ErrRateLimited = errors.New("clerk: rate limited")
	// ErrServerError matches 5xx answers.
	ErrServerError = errors.New("clerk: server error")
	// ErrTransport matches failures below HTTP after every retry: refused
	// or reset connections, truncated bodies. The underlying error (io.EOF,
	// a *net.OpError, …) stays reachable with errors.As.
	ErrTransport = errors.New("clerk: transport failure")
	// ErrResponseTooLarge is returned when a response body exceeds the
	// client's limit; the body is not parsed.
	ErrResponseTooLarge = errors.New("clerk: response body too large")
	// ErrInvalidResponse is returned when a 2xx answer is not what the
	// endpoint promises (not JSON, or no JWT in it).
	ErrInvalidResponse = errors.New("clerk: invalid response")
	// ErrRedirect is matched by *RedirectError: Clerk's answer was a
	// redirect, which is never followed.
	ErrRedirect = errors.New("clerk: redirect refused")
)

// RedirectError is a redirect answered to a call to Clerk. Redirects are
// never followed, and such an answer is not retried: net/http would re-send
// the Authorization header, the secret key, to any URL on the same host
// name whatever its scheme or port, and Clerk's endpoints do not move. A
// redirect usually means a misconfigured API URL or a proxy in between.
type RedirectError struct {
	// StatusCode is the HTTP status of the answer (301, 302, 303, 307, …).
	StatusCode int
	// Host is the redirect target's host, with its port when the Location
	// named one; "" when the Location could not be read. The target's path
	// and query are left out: they may carry anything.
	Host string
}

func (e *RedirectError) Error() string {
	target := e.Host
	if target == "" {
		target = "an unreadable location"
	}
	return "clerk: redirect refused: " + strconv.Itoa(e.StatusCode) + " to " + target + " (redirects are never followed)"
}

// Is makes every RedirectError match ErrRedirect.
func (e *RedirectError) Is(target error) bool { return target == ErrRedirect }

// APIError is a non-2xx answer from the Backend API.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Errors is Clerk's error list; empty when the body was not ClerkErrors
	// JSON (a proxy's HTML page, say).
	Errors []ErrorDetail
	// TraceID is clerk_trace_id from the body, else the cf-ray header: the
	// value Clerk support asks for.
	TraceID string
	// RetryAfter is the wait the Retry-After header asked for; zero when
	// there was none.
	RetryAfter time.Duration
}

// ErrorDetail is one entry of Clerk's errors list.
type ErrorDetail struct {
	Code        string         `json:"code"`
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message"`
	Meta        map[string]any `json:"meta,omitempty"`
}

// Code returns the code of Clerk's first error, or "" when there is none.
func (e *APIError) Code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// HasCode reports whether any of Clerk's errors carries code.
func (e *APIError) HasCode(code string) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// Error reads like "clerk: 404 resource_not_found: No JWT template exists
// with name: x (trace 1a2b)". It holds only what Clerk answered.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("clerk: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if len(e.Errors) > 0 {
		d := e.Errors[0]
		if d.Code != "" {
			b.WriteString(" ")
			b.WriteString(d.Code)
		}
		msg := d.LongMessage
		if msg == "" {
			msg = d.Message
		}
		if msg != "" {
			b.WriteString(": ")
			b.WriteString(msg)
		}
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteString(")")
	}
	if e.TraceID != "" {
		b.WriteString(" (trace ")
		b.WriteString(e.TraceID)
		b.WriteString(")")
	}
	return b.String()
}

// Is matches the sentinel of the error's status class.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServerError:
		return e.StatusCode >= http.StatusInternalServerError
	}
	return false
}

// InputError is an argument refused before any request was sent. It names
// the parameter and the rule, never the value: a hostile value has no place
// in a log line.
type InputError struct {
	// Param is the argument's name: "session ID", "template" or
	// "expires_in_seconds".
	Param string
	// Reason says which rule the value broke.
	Reason string
}

func (e *InputError) Error() string {
	return "clerk: invalid " + e.Param + ": " + e.Reason
}

// Is makes every InputError match ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }
