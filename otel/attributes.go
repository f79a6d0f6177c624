package clerkotel

import (
	"context"
	"errors"
	"strconv"

	clerk "github.com/clerkkit/clerkkit/core"
	"go.opentelemetry.io/otel/attribute"
)

// Attribute keys: OpenTelemetry's semantic conventions where one exists,
// clerk.* otherwise.
const (
	keyMethod      = attribute.Key("http.request.method")
	keyStatus      = attribute.Key("http.response.status_code")
	keyServer      = attribute.Key("server.address")
	keyPort        = attribute.Key("server.port")
	keyURLTemplate = attribute.Key("url.template")
	keyErrorType   = attribute.Key("error.type")
	keyResendCount = attribute.Key("http.request.resend_count")

	keyEndpoint    = attribute.Key("clerk.api.endpoint")
	keyAttempts    = attribute.Key("clerk.api.attempts")
	keyStatusClass = attribute.Key("clerk.api.status_class")
	keyTraceID     = attribute.Key("clerk.trace_id")
	keyRetryWait   = attribute.Key("clerk.retry.wait")
	keyOutcome     = attribute.Key("clerk.auth.outcome")
	keyTokenType   = attribute.Key("clerk.token.type")
	keyReason      = attribute.Key("clerk.auth.reason")
	keyReuse       = attribute.Key("clerk.reuse.outcome")
	keyJWKSOutcome = attribute.Key("clerk.jwks.outcome")
)

// errorType names an error by its kind, from a fixed set: the HTTP status
// of an error answer (as the HTTP conventions ask), or a word. The message
// is never used: it may name the path, and so a session.
func errorType(err error) string {
	var apiErr *clerk.APIError
	var redirect *clerk.RedirectError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &apiErr):
		return strconv.Itoa(apiErr.StatusCode)
	case errors.As(err, &redirect):
		return strconv.Itoa(redirect.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, clerk.ErrTransport):
		return "transport"
	case errors.Is(err, clerk.ErrResponseTooLarge):
		return "response_too_large"
	case errors.Is(err, clerk.ErrInvalidResponse):
		return "invalid_response"
	}
	return "_OTHER"
}

// statusClass buckets a call's outcome for clerk.api.calls.
func statusClass(status int, err error) string {
	switch {
	case status >= 200 && status < 300 && err == nil:
		return "2xx"
	case status >= 300 && status < 400:
		return "3xx"
	case status >= 400 && status < 500:
		return "4xx"
	case status >= 500 && status < 600:
		return "5xx"
	}
	return "error"
}

// callAttributes are the attributes every span and attempt of a call has.
func callAttributes(c clerk.APICall) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		keyMethod.String(c.Method),
		keyServer.String(c.ServerAddress),
		keyEndpoint.String(string(c.Endpoint)),
	}
	if c.ServerPort != 0 {
		attrs = append(attrs, keyPort.Int(c.ServerPort))
	}
	if c.Route != "" {
		attrs = append(attrs, keyURLTemplate.String(c.Route))
	}
	return attrs
}
