package clerkfiber

import (
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
)

// An Option configures Middleware. It is the option every clerkkit adapter
// shares, so the same rules (checked where Middleware is built) hold in
// fiber as in gin and echo.
type Option = adapter.Option

// AcceptsToken sets the kinds of token Middleware accepts, as Clerk's
// acceptsToken does: clerk.TokenTypeM2MToken and clerk.TokenTypeAPIKey for
// a route machines call, clerk.TokenTypeAny for every kind. Without the
// option Middleware accepts the Authenticator's default (session tokens
// unless clerk.WithAcceptedTokens says otherwise); given twice, the last
// one counts. A token of another kind gives a signed-out Auth with
// clerk.ReasonTokenTypeMismatch, without any call to Clerk. A machine
// caller's Auth is Authenticated but never SignedIn, so guard such routes
// with RequireAuthenticated. The kinds are copied. It panics when no kind
// is named or one is not a clerk.TokenType: a typo would otherwise refuse
// every request, so it is reported while wiring.
func AcceptsToken(types ...clerk.TokenType) Option { return adapter.AcceptsToken(types...) }

// WithReasonHeader makes Middleware answer every request it did not
// authenticate with the header X-Clerk-Auth-Reason naming why
// (token-expired, token-type-mismatch, …). It is off by default: the
// reason helps debugging and tells a prober which check failed. A later
// Middleware that authenticates the request (one on a route accepting
// machine tokens) removes the header.
func WithReasonHeader() Option { return adapter.WithReasonHeader() }
