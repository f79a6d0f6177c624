package clerkgin

import (
	"log/slog"
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gin-gonic/gin"
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

// Keys of the gin context; unexported types so no other package collides.
type (
	authKey   struct{}
	configKey struct{}
)

// Middleware authenticates every request through a and stores the
// resulting *clerk.Auth both in the gin context (see GetAuth) and in the
// request's context.Context (see clerk.AuthFromContext), so net/http code
// below gin finds it too. Like Clerk's clerkMiddleware it never rejects: a
// missing or bad token gives a signed-out Auth with a Reason, and handlers
// or RequireAuth decide. It panics if a is nil, at wiring time rather than
// per request.
func Middleware(a *clerk.Authenticator, opts ...Option) gin.HandlerFunc {
	if a == nil {
		panic("clerkgin: Middleware needs a *clerk.Authenticator, got nil")
	}
	cfg := &config{}
	for _, opt := range opts {
		if opt != nil {
			opt(cfg)
		}
	}
	return func(c *gin.Context) {
		auth := a.AuthenticateRequest(c.Request)
		c.Set(authKey{}, auth)
		c.Set(configKey{}, cfg)
		c.Request = c.Request.WithContext(clerk.ContextWithAuth(c.Request.Context(), auth))
		if cfg.reasonHeader && !auth.SignedIn() {
			c.Header(clerk.ReasonHeader, string(auth.Reason()))
		}
	}
}

// A RequireOption configures RequireAuth.
type RequireOption func(*requireConfig)

type requireConfig struct{ message string }

// WithUnauthorizedMessage replaces "Unauthorized" in RequireAuth's
// {"message":"Unauthorized"} body.
func WithUnauthorizedMessage(msg string) RequireOption {
	return func(rc *requireConfig) { rc.message = msg }
}

// unauthorizedBody marshals as {"message":"…"}.
type unauthorizedBody struct {
	Message string `json:"message"`
}

// RequireAuth aborts requests that are not signed in with 401
// {"message":"Unauthorized"} (c.AbortWithStatusJSON), as Clerk's Next.js
// getToken example answers. A request that Middleware did not see is
// refused too: failing closed turns a wiring mistake into a visible 401.
func RequireAuth(opts ...RequireOption) gin.HandlerFunc {
	rc := requireConfig{message: "Unauthorized"}
	for _, opt := range opts {
		if opt != nil {
			opt(&rc)
		}
	}
	body := unauthorizedBody{Message: rc.message}
	return func(c *gin.Context) {
		if auth, ok := GetAuth(c); ok && auth.SignedIn() {
			return
		}
		c.AbortWithStatusJSON(http.StatusUnauthorized, body)
	}
}

// GetAuth returns the request's Auth. ok is false when no middleware ran,
// a wiring mistake distinct from a signed-out request (whose Auth has
// SignedIn() false). It also finds an Auth that clerk.Middleware attached
// when the gin engine is wrapped as a net/http handler.
func GetAuth(c *gin.Context) (auth *clerk.Auth, ok bool) {
	if v, found := c.Get(authKey{}); found {
		if auth, ok = v.(*clerk.Auth); ok && auth != nil {
			return auth, true
		}
	}
	if c.Request == nil {
		return nil, false
	}
	return clerk.AuthFromContext(c.Request.Context())
}

// GetToken mints a token from the named JWT template ("" for a plain
// session token) for the request's session, with the request's context:
// auth().getToken({template}) in Clerk's SDKs. A signed-out request gives a
// *clerk.SignedOutError (errors.Is(err, clerk.ErrSignedOut)) without any
// call to Clerk; no middleware gives clerk.ErrNoMiddleware and a middleware
// without WithClient clerk.ErrNoClient. Clerk's failures are *clerk.APIError.
func GetToken(c *gin.Context, template string, opts ...clerk.TokenOption) (*clerk.Token, error) {
	auth, _ := GetAuth(c)
	return configOf(c).client.GetTokenFor(c.Request.Context(), auth, template, opts...)
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
// clerk.NewTokenResponse documents the mapping in full. Bodies hold nothing
// internal; failures are logged (WithLogger) with Clerk's trace id.
func TokenHandler(template string, opts ...clerk.TokenOption) gin.HandlerFunc {
	return func(c *gin.Context) {
		tok, err := GetToken(c, template, opts...)
		clerk.WriteTokenResponse(c.Writer, clerk.NewTokenResponse(c.Request.Context(), configOf(c).logger, tok, err))
	}
}

var noConfig = &config{}

func configOf(c *gin.Context) *config {
	if v, ok := c.Get(configKey{}); ok {
		if cfg, ok := v.(*config); ok {
			return cfg
		}
	}
	return noConfig
}
