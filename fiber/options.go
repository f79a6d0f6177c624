package clerkfiber

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
)

// An Option configures Middleware; see [adapter.Option].
type Option = adapter.Option

// AcceptsToken sets the kinds of token Middleware accepts, as Clerk's
// acceptsToken does: clerk.TokenTypeM2MToken and clerk.TokenTypeAPIKey for
// a route machines call, clerk.TokenTypeAny for every kind. A machine
// caller's Auth is Authenticated but never SignedIn, so guard such routes
// with RequireAuthenticated. It panics on a value that is not a
// clerk.TokenType; see [adapter.AcceptsToken]. Unlike there, no kinds is
// allowed here and means the Authenticator's default, as without the
// option.
func AcceptsToken(types ...clerk.TokenType) Option {
	if len(types) == 0 {
		return func(cfg *adapter.Config) { cfg.Accepts = nil }
	}
	return adapter.AcceptsToken(types...)
}

// WithReasonHeader makes Middleware answer every request it did not
// authenticate with the header X-Clerk-Auth-Reason naming why; off by
// default. A later Middleware that authenticates the request removes it.
// See [adapter.WithReasonHeader].
func WithReasonHeader() Option { return adapter.WithReasonHeader() }
