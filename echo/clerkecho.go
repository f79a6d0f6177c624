package clerkecho

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/labstack/echo/v4"
)

// An Option configures Middleware.
type Option func(*config)

type config struct {
	client       *clerk.Client
	logger       *slog.Logger // nil: slog.Default() when logging
	reasonHeader bool
}

// WithClient gives GetToken and TokenHandler the Client to mint tokens
// with. Without it they fail with clerk.ErrNoClient.
func WithClient(c *clerk.Client) Option { return func(cfg *config) { cfg.client = c } }

// WithLogger sets where TokenHandler logs failed getToken calls, with
// Clerk's trace id; the default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithReasonHeader makes Middleware answer every signed-out request with
// the header X-Clerk-Auth-Reason naming why (token-expired, …). It is off
// by default: the reason helps debugging and tells a prober which check
// failed.
func WithReasonHeader() Option { return func(cfg *config) { cfg.reasonHeader = true } }

// Keys of the echo context. echo only takes string keys, so they carry the
// module path to keep clear of the application's own.
const (
	authKey   = "github.com/clerkkit/clerkkit/echo.auth"
	configKey = "github.com/clerkkit/clerkkit/echo.config"
)

// Middleware authenticates every request through a and stores the
// resulting *clerk.Auth both in the echo context (see GetAuth) and in the
// request's context.Context (see clerk.AuthFromContext). Like Clerk's
// clerkMiddleware it never rejects: a missing or bad token gives a
// signed-out Auth with a Reason, and handlers or RequireAuth decide. The
// next handler's error is returned unchanged. It panics if a is nil, at
// wiring time rather than per request.
func Middleware(a *clerk.Authenticator, opts ...Option) echo.MiddlewareFunc {
	if a == nil {
		panic("clerkecho: Middleware needs a *clerk.Authenticator, got nil")
	}
	cfg := &config{}
	for _, opt := range opts {
		if opt != nil {
			opt(cfg)
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			auth := a.AuthenticateRequest(req)
			c.Set(authKey, auth)
			c.Set(configKey, cfg)
			c.SetRequest(req.WithContext(clerk.ContextWithAuth(req.Context(), auth)))
			if cfg.reasonHeader && !auth.SignedIn() {
				c.Response().Header().Set(clerk.ReasonHeader, string(auth.Reason()))
			}
			return next(c)
		}
	}
}

// A RequireOption configures RequireAuth.
type RequireOption func(*requireConfig)

type requireConfig struct{ message string }

// WithUnauthorizedMessage replaces "Unauthorized" as the message of
// RequireAuth's *echo.HTTPError.
func WithUnauthorizedMessage(msg string) RequireOption {
	return func(rc *requireConfig) { rc.message = msg }
}

// RequireAuth refuses requests that are not signed in by returning an
// *echo.HTTPError with code 401 and message "Unauthorized", so the app's
// HTTPErrorHandler renders it: echo's default one answers
// {"message":"Unauthorized"} (plus the newline its JSON encoder adds). The
// error's Internal is the *clerk.AuthError saying why, for handlers that
// log. A request that Middleware did not see is refused too (Internal is
// clerk.ErrNoMiddleware): failing closed turns a wiring mistake into a
// visible 401.
func RequireAuth(opts ...RequireOption) echo.MiddlewareFunc {
	rc := requireConfig{message: "Unauthorized"}
	for _, opt := range opts {
		if opt != nil {
			opt(&rc)
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			auth, ok := GetAuth(c)
			switch {
			case !ok:
				return echo.NewHTTPError(http.StatusUnauthorized, rc.message).SetInternal(clerk.ErrNoMiddleware)
			case !auth.SignedIn():
				return echo.NewHTTPError(http.StatusUnauthorized, rc.message).SetInternal(auth.Err())
			}
			return next(c)
		}
	}
}

// ErrorHandler is an echo.HTTPErrorHandler that answers in Clerk's JSON
// shape, byte for byte as the gin and fiber adapters do: an *echo.HTTPError
// becomes its code and {"message":"<its message>"} (without the newline
// echo's encoder adds), so RequireAuth's error reads
// {"message":"Unauthorized"}; any other error becomes 500
// {"message":"Internal Server Error"}, its text kept out of the answer.
// Install it with e.HTTPErrorHandler = clerkecho.ErrorHandler.
func ErrorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, message := http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if m, ok := he.Message.(string); ok {
			message = m
		} else {
			message = http.StatusText(code)
		}
	}
	body, mErr := json.Marshal(messageBody{Message: message})
	if mErr != nil || c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	_ = c.JSONBlob(code, body)
}

// messageBody marshals as {"message":"…"}.
type messageBody struct {
	Message string `json:"message"`
}

// GetAuth returns the request's Auth. ok is false when no middleware ran,
// a wiring mistake distinct from a signed-out request (whose Auth has
// SignedIn() false). It also finds an Auth that clerk.Middleware attached
// when the echo server is wrapped as a net/http handler.
func GetAuth(c echo.Context) (auth *clerk.Auth, ok bool) {
	if auth, ok = c.Get(authKey).(*clerk.Auth); ok && auth != nil {
		return auth, true
	}
	if c.Request() == nil {
		return nil, false
	}
	return clerk.AuthFromContext(c.Request().Context())
}

// GetToken mints a token from the named JWT template ("" for a plain
// session token) for the request's session, with the request's context:
// auth().getToken({template}) in Clerk's SDKs. A signed-out request gives a
// *clerk.SignedOutError (errors.Is(err, clerk.ErrSignedOut)) without any
// call to Clerk; no middleware gives clerk.ErrNoMiddleware and a middleware
// without WithClient clerk.ErrNoClient. Clerk's failures are *clerk.APIError.
func GetToken(c echo.Context, template string, opts ...clerk.TokenOption) (*clerk.Token, error) {
	auth, _ := GetAuth(c)
	return configOf(c).client.GetTokenFor(c.Request().Context(), auth, template, opts...)
}

// TokenHandler answers with a token from the named JWT template for the
// request's session, as Clerk's App Router getToken example does:
//
//	signed in                 200 {"token":{"jwt":"…"}}
//	signed out                401 {"message":"Unauthorized"}
//	Clerk rate limit          429 {"message":"Too Many Requests"} + Retry-After
//	Clerk 5xx or unreachable  502 {"message":"Bad Gateway"}
//	timeout                   504 {"message":"Gateway Timeout"}
//	misconfiguration          500 {"message":"Internal Server Error"}
//
// clerk.NewTokenResponse documents the mapping in full. The answer is
// written directly, byte for byte as the gin and fiber adapters write it,
// rather than through the HTTPErrorHandler; use GetToken to route failures
// there instead. Bodies hold nothing internal; failures are logged
// (WithLogger) with Clerk's trace id.
func TokenHandler(template string, opts ...clerk.TokenOption) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok, err := GetToken(c, template, opts...)
		clerk.WriteTokenResponse(c.Response(), clerk.NewTokenResponse(c.Request().Context(), configOf(c).logger, tok, err))
		return nil
	}
}

var noConfig = &config{}

func configOf(c echo.Context) *config {
	if cfg, ok := c.Get(configKey).(*config); ok {
		return cfg
	}
	return noConfig
}
