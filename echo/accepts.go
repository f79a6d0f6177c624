package clerkecho

import (
	"fmt"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
)

// AcceptsToken makes Middleware accept the kinds of token named, as
// Clerk's acceptsToken option does: clerk.TokenTypeM2MToken and
// clerk.TokenTypeAPIKey for a route open to other services and customers'
// keys, clerk.TokenTypeAny for every kind. A token of another kind is
// signed out with clerk.ReasonTokenTypeMismatch, at no cost. Without the
// option, or with no kinds, Middleware accepts the Authenticator's default
// (session tokens unless clerk.WithAcceptedTokens says otherwise); given
// twice, the last one counts. Machine callers are authenticated but never
// signed in, so guard their routes with RequireAuthenticated, not
// RequireAuth. It panics on a value that is not a clerk.TokenType, at
// wiring time: a typo would otherwise refuse every request.
func AcceptsToken(types ...clerk.TokenType) Option {
	for _, t := range types {
		if !knownTokenType(t) {
			panic(fmt.Sprintf("clerkecho: AcceptsToken: %q is not a clerk.TokenType", string(t)))
		}
	}
	// A copy: the caller's slice may change after wiring.
	types = slices.Clone(types)
	return func(cfg *config) { cfg.accepts = types }
}

// knownTokenType reports the TokenType values clerk defines. The core
// keeps its own check unexported, so the list is repeated here; a kind
// added there and not here panics at wiring time rather than failing open.
func knownTokenType(t clerk.TokenType) bool {
	switch t {
	case clerk.TokenTypeSessionToken, clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey,
		clerk.TokenTypeOAuthToken, clerk.TokenTypeAny:
		return true
	}
	return false
}
