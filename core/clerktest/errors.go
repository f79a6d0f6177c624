package clerktest

import (
	"encoding/json"
	"net/http"
)

// apiError is one entry of a ClerkErrors body.
type apiError struct {
	Code        string         `json:"code"`
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message"`
	Meta        map[string]any `json:"meta"`
}

// clerkErrors is the body of every non-2xx answer, shaped like Clerk's
// ClerkErrors schema so clients parse emulator and real errors alike.
type clerkErrors struct {
	Errors       []apiError     `json:"errors"`
	Meta         map[string]any `json:"meta"`
	ClerkTraceID string         `json:"clerk_trace_id"`
}

func (s *Server) writeError(w http.ResponseWriter, status int, errs ...apiError) {
	for i := range errs {
		if errs[i].Meta == nil {
			errs[i].Meta = map[string]any{}
		}
	}
	writeJSON(w, status, clerkErrors{Errors: errs, Meta: map[string]any{}, ClerkTraceID: s.ids.traceID()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only emulator bugs reach this; answer like a server fault.
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"code":"internal_clerk_error","message":"internal error","long_message":"the emulator could not encode its response","meta":{}}],"meta":{}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// The error constructors below carry the codes Clerk uses; the wording is
// the emulator's own.

func errAuthHeaderFormat() apiError {
	return apiError{
		Code:        "authorization_header_format_invalid",
		Message:     "Invalid Authorization header format",
		LongMessage: `The Authorization header must be "Bearer <secret key>".`,
	}
}

func errSecretKeyInvalid() apiError {
	return apiError{
		Code:        "clerk_key_invalid",
		Message:     "Secret key invalid",
		LongMessage: "The secret key in the Authorization header is not valid for this instance.",
	}
}

func errAPIVersionInvalid() apiError {
	return apiError{
		Code:        "api_version_invalid",
		Message:     "Invalid API version",
		LongMessage: "The Clerk-API-Version header must be a date such as 2026-05-12.",
	}
}

func errNotFound(long string) apiError {
	return apiError{Code: "resource_not_found", Message: "not found", LongMessage: long}
}

func errTemplateNotFound(name string) apiError {
	// This message is the one Clerk's documentation quotes, and clients
	// surface it to users, so it is reproduced verbatim.
	return apiError{
		Code:        "resource_not_found",
		Message:     "not found",
		LongMessage: "No JWT template exists with name: " + name,
	}
}

func errMethodNotAllowed(method string) apiError {
	return apiError{
		Code:        "method_not_allowed",
		Message:     "method not allowed",
		LongMessage: "This endpoint does not accept " + method + " requests.",
	}
}

func errParamFormat(param, long string) apiError {
	return apiError{
		Code:        "form_param_format_invalid",
		Message:     "is invalid",
		LongMessage: long,
		Meta:        map[string]any{"param_name": param},
	}
}

func errParamValue(param, long string) apiError {
	return apiError{
		Code:        "form_param_value_invalid",
		Message:     "is invalid",
		LongMessage: long,
		Meta:        map[string]any{"param_name": param},
	}
}

func errParamUnknown(param string) apiError {
	return apiError{
		Code:        "form_param_unknown",
		Message:     "is unknown",
		LongMessage: param + " is not a parameter of this endpoint.",
		Meta:        map[string]any{"param_name": param},
	}
}

func errBodyInvalid() apiError {
	return apiError{
		Code:        "request_body_invalid",
		Message:     "Request body invalid",
		LongMessage: "The request body must be empty or a JSON object.",
	}
}

func errTooManyRequests() apiError {
	return apiError{
		Code:        "too_many_requests",
		Message:     "Too many requests",
		LongMessage: "The rate limit was exceeded; retry after the delay in the Retry-After header.",
	}
}

func errInternal(long string) apiError {
	return apiError{Code: "internal_clerk_error", Message: "internal error", LongMessage: long}
}

// errForStatus gives FailNext a plausible code for the status it injects.
func errForStatus(status int) apiError {
	text := http.StatusText(status)
	if text == "" {
		text = "Injected failure"
	}
	code := map[int]string{
		http.StatusBadRequest:          "bad_request",
		http.StatusUnauthorized:        "authentication_invalid",
		http.StatusForbidden:           "authorization_invalid",
		http.StatusNotFound:            "resource_not_found",
		http.StatusConflict:            "conflict",
		http.StatusUnprocessableEntity: "unprocessable_entity",
		http.StatusTooManyRequests:     "too_many_requests",
		http.StatusInternalServerError: "internal_clerk_error",
		http.StatusBadGateway:          "bad_gateway",
		http.StatusServiceUnavailable:  "service_unavailable",
		http.StatusGatewayTimeout:      "gateway_timeout",
	}[status]
	if code == "" {
		code = "injected_failure"
	}
	return apiError{Code: code, Message: text, LongMessage: "Failure injected by the emulator (FailNext)."}
}

// errBadRequest is the 400 of the machine-token endpoints, whose
// specification uses the code bad_request for a body that fails its
// schema; param (when not "") names the offending member.
func errBadRequest(param, long string) apiError {
	e := apiError{Code: "bad_request", Message: "Bad Request", LongMessage: long}
	if param != "" {
		e.Meta = map[string]any{"param_name": param}
	}
	return e
}

// errMachineKeyRequired answers an instance secret key where only a
// machine secret key will do (creating M2M tokens).
func errMachineKeyRequired() apiError {
	return apiError{
		Code:        "authentication_invalid",
		Message:     "Machine secret key required",
		LongMessage: "This endpoint must be called with a machine secret key, not the instance secret key.",
	}
}
