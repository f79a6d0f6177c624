package adapter

import (
	"fmt"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
)

// An Option configures an adapter's Middleware. Each adapter re-exports
// these under its own names (clerkgin.AcceptsToken, …).
type Option func(*Config)

// Config is a Middleware's configuration, built once where the middleware
// is built.
type Config struct {
	// Accepts are the kinds of token accepted; nil means the
	// Authenticator's default.
	Accepts []clerk.TokenType
	// reasonHeader sets clerk.ReasonHeader on unauthenticated requests.
	reasonHeader bool
}

// NewConfig applies opts. It panics when authn is nil, at wiring time
// rather than per request; prefix names the adapter in the message.
func NewConfig(prefix string, authn *clerk.Authenticator, opts []Option) Config {
	if authn == nil {
		panic(prefix + ": Middleware needs a *clerk.Authenticator, got nil: build one with " +
			"clerk.NewAuthenticator(clerk.WithClient(client)) or clerk.NewAuthenticatorFromEnv(client)")
	}
	var cfg Config
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return cfg
}

// AcceptsToken sets the kinds of token Middleware accepts, as Clerk's
// acceptsToken option; given twice, the last one counts. It panics when
// types is empty or holds a value that is not a clerk.TokenType: a typo
// would otherwise refuse every request, so it is reported at wiring time.
func AcceptsToken(types ...clerk.TokenType) Option {
	if len(types) == 0 {
		panic("clerkkit: AcceptsToken needs one or more clerk.TokenType values, got none")
	}
	for _, t := range types {
		if !t.Valid() {
			panic(fmt.Sprintf("clerkkit: AcceptsToken: %q is not a clerk.TokenType", string(t)))
		}
	}
	types = slices.Clone(types) // a caller reusing its slice cannot change a live middleware
	return func(cfg *Config) { cfg.Accepts = types }
}

// WithReasonHeader makes Middleware answer every request without a valid
// token of an accepted kind with the header X-Clerk-Auth-Reason naming why.
// It is off by default: the reason helps debugging and tells a prober which
// check failed.
func WithReasonHeader() Option { return func(cfg *Config) { cfg.reasonHeader = true } }

// ReasonHeader is the value of clerk.ReasonHeader to set for auth, or ""
// for none. An accepted machine caller has no reason to report.
func (c Config) ReasonHeader(auth *clerk.Auth) string {
	if !c.reasonHeader || auth.Authenticated() {
		return ""
	}
	return string(auth.Reason())
}

// Requirements checks a guard's requirements where it is built: it panics,
// naming the adapter, on one that can never pass, and returns a copy the
// caller cannot change later.
func Requirements(prefix string, reqs []clerk.Requirement) []clerk.Requirement {
	if err := clerk.CheckRequirements(reqs...); err != nil {
		panic(prefix + ": RequireAuth: " + err.Error())
	}
	return slices.Clone(reqs)
}
