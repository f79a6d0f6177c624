package clerkfiber

import (
	"errors"
	"log/slog"
	"strings"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gofiber/fiber/v2"
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

// Keys of c.Locals; unexported types so no other package collides.
type (
	authKey   struct{}
	configKey struct{}
)

// tokenSource reads the session token from fasthttp's request and hands
// the core a copy: fasthttp reuses the bytes behind Peek and Cookie for the
// next request once the handler returns, so a view of them kept anywhere
// (an Auth, a cache or flight-map key) would silently change into another
// request's token. Copying here, once, keeps that out of the core's hands
// whatever it keeps or shares, at the cost of one allocation the size of
// the header (about 1 KiB) per request that sends one.
type tokenSource struct{ c *fiber.Ctx }

func (s tokenSource) Header(name string) string {
	return string(s.c.Request().Header.Peek(name))
}

func (s tokenSource) Cookie(name string) (string, bool) {
	v := s.c.Request().Header.Cookie(name)
	if v == nil {
		return "", false
	}
	return string(v), true
}

// Middleware authenticates every request through a and stores the
// resulting *clerk.Auth both in c.Locals (see GetAuth) and in
// c.UserContext() (see clerk.AuthFromContext). It reads the Authorization
// header and session cookie from fasthttp directly, with no net/http
// conversion, and copies each into a string of its own before the core sees
// it: nothing the Auth or the core keeps points into fasthttp's reused
// buffers. Like
// Clerk's clerkMiddleware it never rejects: a missing or bad token gives a
// signed-out Auth with a Reason, and handlers or RequireAuth decide. It
// panics if a is nil, at wiring time rather than per request.
func Middleware(a *clerk.Authenticator, opts ...Option) fiber.Handler {
	if a == nil {
		panic("clerkfiber: Middleware needs a *clerk.Authenticator, got nil")
	}
	cfg := &config{}
	for _, opt := range opts {
		if opt != nil {
			opt(cfg)
		}
	}
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		auth := a.Authenticate(ctx, tokenSource{c})
		c.Locals(authKey{}, auth)
		c.Locals(configKey{}, cfg)
		c.SetUserContext(clerk.ContextWithAuth(ctx, auth))
		if cfg.reasonHeader && !auth.SignedIn() {
			c.Set(clerk.ReasonHeader, string(auth.Reason()))
		}
		return c.Next()
	}
}

// A RequireOption configures RequireAuth.
type RequireOption func(*requireConfig)

type requireConfig struct{ message string }

// WithUnauthorizedMessage replaces "Unauthorized" as the message of
// RequireAuth's *fiber.Error.
func WithUnauthorizedMessage(msg string) RequireOption {
	return func(rc *requireConfig) { rc.message = msg }
}

// RequireAuth refuses requests that are not signed in by returning a
// *fiber.Error with code 401 and message "Unauthorized", so the app's
// ErrorHandler renders it. fiber's DefaultErrorHandler writes text/plain
// "Unauthorized"; with ErrorHandler from this package (or any handler that
// renders *fiber.Error as JSON) the body is {"message":"Unauthorized"}. A
// request that Middleware did not see is refused too: failing closed turns
// a wiring mistake into a visible 401. The reason is not in the error; an
// ErrorHandler that wants it calls GetAuth.
func RequireAuth(opts ...RequireOption) fiber.Handler {
	rc := requireConfig{message: "Unauthorized"}
	for _, opt := range opts {
		if opt != nil {
			opt(&rc)
		}
	}
	return func(c *fiber.Ctx) error {
		if auth, ok := GetAuth(c); ok && auth.SignedIn() {
			return c.Next()
		}
		return fiber.NewError(fiber.StatusUnauthorized, rc.message)
	}
}

// messageBody marshals as {"message":"…"}.
type messageBody struct {
	Message string `json:"message"`
}

// ErrorHandler is a fiber.ErrorHandler that answers in Clerk's JSON shape:
// a *fiber.Error becomes its code and {"message":"<its message>"}, so
// RequireAuth's error reads {"message":"Unauthorized"}; any other error
// becomes 500 {"message":"Internal Server Error"}, its text kept out of
// the answer. Install it with fiber.Config{ErrorHandler:
// clerkfiber.ErrorHandler}, or render *fiber.Error as JSON in your own.
func ErrorHandler(c *fiber.Ctx, err error) error {
	body := messageBody{Message: "Internal Server Error"}
	code := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, body.Message = fe.Code, fe.Message
	}
	return c.Status(code).JSON(body)
}

// GetAuth returns the request's Auth. ok is false when no middleware ran,
// a wiring mistake distinct from a signed-out request (whose Auth has
// SignedIn() false). It also finds an Auth put in c.UserContext() with
// clerk.ContextWithAuth.
func GetAuth(c *fiber.Ctx) (auth *clerk.Auth, ok bool) {
	if auth, ok = c.Locals(authKey{}).(*clerk.Auth); ok && auth != nil {
		return auth, true
	}
	return clerk.AuthFromContext(c.UserContext())
}

// GetToken mints a token from the named JWT template ("" for a plain
// session token) for the request's session, with c.UserContext():
// auth().getToken({template}) in Clerk's SDKs. A signed-out request gives a
// *clerk.SignedOutError (errors.Is(err, clerk.ErrSignedOut)) without any
// call to Clerk; no middleware gives clerk.ErrNoMiddleware and a middleware
// without WithClient clerk.ErrNoClient. Clerk's failures are *clerk.APIError.
// The token is the caller's own: it does not point into fasthttp buffers.
// template is copied, so a name from c.Params may be passed: it becomes
// part of the token cache's key, which outlives the request.
func GetToken(c *fiber.Ctx, template string, opts ...clerk.TokenOption) (*clerk.Token, error) {
	auth, _ := GetAuth(c)
	// strings.Clone of "" allocates nothing; a short name costs one small
	// allocation per call, against a view of fiber's path buffer turning
	// into another request's template inside the cache.
	return configOf(c).client.GetTokenFor(c.UserContext(), auth, strings.Clone(template), opts...)
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
// written directly, byte for byte as the gin and echo adapters write it,
// rather than through the ErrorHandler; use GetToken to route failures
// there instead. Bodies hold nothing internal; failures are logged
// (WithLogger) with Clerk's trace id.
func TokenHandler(template string, opts ...clerk.TokenOption) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok, err := GetToken(c, template, opts...)
		return WriteTokenResponse(c, clerk.NewTokenResponse(c.UserContext(), configOf(c).logger, tok, err))
	}
}

// WriteTokenResponse writes resp as clerk.WriteTokenResponse does for
// net/http, for handlers that call GetToken themselves but answer the way
// TokenHandler does.
func WriteTokenResponse(c *fiber.Ctx, resp clerk.TokenResponse) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if resp.RetryAfter != "" {
		c.Set(fiber.HeaderRetryAfter, resp.RetryAfter)
	}
	return c.Status(resp.Status).Send(resp.Body)
}

var noConfig = &config{}

func configOf(c *fiber.Ctx) *config {
	if cfg, ok := c.Locals(configKey{}).(*config); ok {
		return cfg
	}
	return noConfig
}
