package clerkgin

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
)

// An Option configures Middleware; see [adapter.Option].
type Option = adapter.Option

// AcceptsToken sets the kinds of token Middleware accepts, as Clerk's
// acceptsToken option: clerk.TokenTypeM2MToken and clerk.TokenTypeAPIKey
// for a route that machines call, clerk.TokenTypeAny for every kind.
// Without it Middleware accepts the Authenticator's default. It panics on
// no kinds or a value that is not a clerk.TokenType; see
// [adapter.AcceptsToken].
func AcceptsToken(types ...clerk.TokenType) Option { return adapter.AcceptsToken(types...) }

// WithReasonHeader makes Middleware answer every request without a valid
// token of an accepted kind with the header X-Clerk-Auth-Reason naming
// why; off by default. See [adapter.WithReasonHeader].
func WithReasonHeader() Option { return adapter.WithReasonHeader() }
