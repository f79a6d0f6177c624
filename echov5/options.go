package clerkecho

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
)

// An Option configures Middleware. It is the option type every clerkkit
// adapter shares, so the same values work for each.
type Option = adapter.Option

// AcceptsToken makes Middleware accept the kinds of token named, as
// Clerk's acceptsToken option does: clerk.TokenTypeM2MToken and
// clerk.TokenTypeAPIKey for a route open to other services and customers'
// keys, clerk.TokenTypeAny for every kind. A token of another kind is
// signed out with clerk.ReasonTokenTypeMismatch, at no cost. Without the
// option Middleware accepts the Authenticator's default (session tokens
// unless clerk.WithAcceptedTokens says otherwise); given twice, the last
// one counts. Machine callers are authenticated but never signed in, so
// guard their routes with RequireAuthenticated, not RequireAuth.
//
// It panics, where the route is built, when given no kinds or a value that
// is not a clerk.TokenType: a typo would otherwise refuse every request.
// The kinds are copied, so the caller's slice may change afterwards.
func AcceptsToken(types ...clerk.TokenType) Option { return adapter.AcceptsToken(types...) }

// WithReasonHeader makes Middleware answer every request it does not
// authenticate with the header X-Clerk-Auth-Reason naming why
// (token-expired, token-type-mismatch, …). It is off by default: the
// reason helps debugging and tells a prober which check failed. A later
// Middleware that authenticates the request (one on a route accepting
// machine tokens) removes the header an earlier one set.
func WithReasonHeader() Option { return adapter.WithReasonHeader() }
