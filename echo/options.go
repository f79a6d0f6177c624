package clerkecho

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
)

// An Option configures Middleware; see [adapter.Option].
type Option = adapter.Option

// AcceptsToken makes Middleware accept the kinds of token named, as
// Clerk's acceptsToken option does: clerk.TokenTypeM2MToken and
// clerk.TokenTypeAPIKey for a route open to other services and customers'
// keys, clerk.TokenTypeAny for every kind. Machine callers are
// authenticated but never signed in, so guard their routes with
// RequireAuthenticated. It panics on a value that is not a
// clerk.TokenType; see [adapter.AcceptsToken]. Unlike there, no kinds is
// allowed here and means the Authenticator's default, as without the
// option.
func AcceptsToken(types ...clerk.TokenType) Option {
	if len(types) == 0 {
		return func(cfg *adapter.Config) { cfg.Accepts = nil }
	}
	return adapter.AcceptsToken(types...)
}

// WithReasonHeader makes Middleware answer every request it does not
// authenticate with the header X-Clerk-Auth-Reason naming why; off by
// default. See [adapter.WithReasonHeader].
func WithReasonHeader() Option { return adapter.WithReasonHeader() }
