package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds what every framework adapter shares, so that gin, echo,
// fiber and plain net/http answer a token request byte for byte alike:
// getToken for an Auth, the mapping of its errors to HTTP answers, and the
// net/http TokenHandler.

// ReasonHeader is the response header the adapters' debugging option sets
// on signed-out requests, with the Reason as its value. It is Clerk's own
// header name.
const ReasonHeader = "X-Clerk-Auth-Reason"

// ErrNoMiddleware is returned when getToken is asked for a request no
// authentication middleware saw: a wiring mistake, distinct from a
// signed-out request. Its message, which TokenHandler logs, says what to
// add.
var ErrNoMiddleware = errors.New("clerk: no Auth on the request: the authentication middleware did not run; " +
	"add Middleware(authn) ahead of RequireAuth, TokenHandler or GetToken on this route, " +
	"with authn from clerk.NewAuthenticator(clerk.WithClient(client)) or clerk.NewAuthenticatorFromEnv(client)")

// GetTokenFor mints a token for auth's session: getToken for the current
// request, as auth().getToken({template}) in Clerk's SDKs. A nil auth (no
// middleware ran) gives ErrNoMiddleware, and a signed-out one its
// *AuthError (errors.Is(err, ErrUnauthenticated)), both without any
// request to Clerk.
func (c *Client) GetTokenFor(ctx context.Context, auth *Auth, template string, opts ...TokenOption) (*Token, error) {
	switch {
	case auth == nil:
		return nil, ErrNoMiddleware
	case auth.machine != nil && auth.err == nil:
		return nil, authErr(ReasonTokenTypeMismatch, "getToken needs a session; the caller is a "+string(auth.kind))
	case !auth.SignedIn():
		return nil, auth.Err()
	}
	return c.GetToken(ctx, auth.SessionID(), template, opts...)
}

// TokenResponse is the HTTP answer to a token request.
type TokenResponse struct {
	// Status is the HTTP status code.
	Status int
	// Body is the JSON body: {"token":{"jwt":"…"}} on success, else
	// {"message":"<status text>"}.
	Body []byte
	// RetryAfter is the Retry-After header value in seconds for a 429, or
	// "" for no header.
	RetryAfter string
}

// TokenResponse turns the outcome of a getToken call into the answer every
// adapter's TokenHandler sends; this table is the one place it is written:
//
//	success                                 200 {"token":{"jwt":"…"}}
//	signed out (or session gone at Clerk)   401 {"message":"Unauthorized"}
//	Clerk 429                               429 {"message":"Too Many Requests"}, Retry-After when Clerk sent one
//	Clerk 5xx, transport error, bad answer  502 {"message":"Bad Gateway"}
//	timeout or cancelled request            504 {"message":"Gateway Timeout"}
//	anything else                           500 {"message":"Internal Server Error"}
//
// "Anything else" is a server-side mistake the browser cannot fix: an
// unknown JWT template, a secret key Clerk refused (its 401/403 must not
// read as the user's), a refused parameter, no middleware. A
// Clerk 404 for the session (it ended after its token was issued) is a
// 401, so the front end signs in again; a 404 naming the template is a 500.
//
// Bodies carry only the status text: never the secret key, a token or
// Clerk's message. Every failure except a signed-out request is logged to
// the Client's logger (WithLogger; slog.Default() without one) with Clerk's
// trace id, so the cause is in the server's logs instead of the answer.
func (c *Client) TokenResponse(ctx context.Context, tok *Token, err error) TokenResponse {
	return newTokenResponse(ctx, c.logger, tok, err)
}

func newTokenResponse(ctx context.Context, logger *slog.Logger, tok *Token, err error) TokenResponse {
	if err == nil && tok != nil {
		body, mErr := json.Marshal(tokenBody{Token: tokenJWT{JWT: tok.JWT}})
		if mErr == nil {
			return TokenResponse{Status: http.StatusOK, Body: body}
		}
		err = mErr
	} else if err == nil {
		err = ErrInvalidResponse
	}
	status, level, retryAfter := tokenErrorStatus(err)
	if status != http.StatusUnauthorized || level > slog.LevelDebug {
		logTokenFailure(ctx, logger, level, status, err)
	}
	resp := TokenResponse{Status: status, Body: messageBody(status)}
	if retryAfter > 0 {
		resp.RetryAfter = strconv.FormatInt(int64((retryAfter+time.Second-1)/time.Second), 10)
	}
	return resp
}

// tokenBody is the success body of Clerk's getToken examples. It carries
// the JWT in its own struct because a Token marshals to its redacted form.
type tokenBody struct {
	Token tokenJWT `json:"token"`
}

type tokenJWT struct {
	JWT string `json:"jwt"`
}

// messageBody is {"message":"<status text>"}; status texts need no JSON
// escaping.
func messageBody(status int) []byte {
	if status == http.StatusUnauthorized {
		return []byte(UnauthorizedJSON)
	}
	return []byte(`{"message":"` + http.StatusText(status) + `"}`)
}

// tokenErrorStatus classifies a getToken error: the status to answer, the
// level to log it at and the wait Clerk asked for.
func tokenErrorStatus(err error) (status int, level slog.Level, retryAfter time.Duration) {
	var apiErr *APIError
	switch {
	case errors.Is(err, ErrUnauthenticated):
		return http.StatusUnauthorized, slog.LevelDebug, 0
	case errors.As(err, &apiErr):
		switch {
		case apiErr.StatusCode == http.StatusTooManyRequests:
			return http.StatusTooManyRequests, slog.LevelWarn, apiErr.RetryAfter
		case apiErr.StatusCode >= 500:
			return http.StatusBadGateway, slog.LevelError, 0
		case apiErr.StatusCode == http.StatusNotFound && !namesTemplate(apiErr):
			return http.StatusUnauthorized, slog.LevelInfo, 0
		}
		return http.StatusInternalServerError, slog.LevelError, 0
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, slog.LevelWarn, 0
	case errors.Is(err, context.Canceled):
		return http.StatusGatewayTimeout, slog.LevelDebug, 0
	case errors.Is(err, ErrInvalidResponse), errors.Is(err, ErrResponseTooLarge), isTransport(err):
		return http.StatusBadGateway, slog.LevelError, 0
	}
	return http.StatusInternalServerError, slog.LevelError, 0
}

// namesTemplate reports whether a 404 is about the JWT template ("No JWT
// template exists with name: …") rather than the session.
func namesTemplate(e *APIError) bool {
	for _, d := range e.Errors {
		if strings.Contains(strings.ToLower(d.LongMessage+" "+d.Message), "template") {
			return true
		}
	}
	return false
}

func isTransport(err error) bool {
	var t *transportError
	return errors.As(err, &t)
}

func logTokenFailure(ctx context.Context, logger *slog.Logger, level slog.Level, status int, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	if !logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.Int("status", status), slog.String("error", err.Error())}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		attrs = append(attrs,
			slog.Int("clerk_status", apiErr.StatusCode),
			slog.String("clerk_code", apiErr.Code()),
			slog.String("clerk_trace_id", apiErr.TraceID))
	}
	logger.LogAttrs(ctx, level, "clerk: getToken failed", attrs...)
}

// WriteTokenResponse writes resp to w with Content-Type application/json
// and Cache-Control no-store: a token must not sit in a shared cache.
func WriteTokenResponse(w http.ResponseWriter, resp TokenResponse) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if resp.RetryAfter != "" {
		h.Set("Retry-After", resp.RetryAfter)
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// TokenHandler answers with a token from the named JWT template ("" for a
// plain session token) for the request's session: Clerk's App Router
// getToken example for chi, gorilla and stdlib servers, behind Middleware.
// It answers as Client.TokenResponse documents. It panics if client is nil, at
// wiring time rather than per request.
func TokenHandler(client *Client, template string, opts ...TokenOption) http.Handler {
	if client == nil {
		panic("clerk: TokenHandler needs a *Client, got nil")
	}
	opts = slices.Clone(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		auth, _ := AuthFromContext(ctx)
		tok, err := client.GetTokenFor(ctx, auth, template, opts...)
		WriteTokenResponse(w, client.TokenResponse(ctx, tok, err))
	})
}
