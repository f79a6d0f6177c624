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
		if !t.Valid() {
			panic(fmt.Sprintf("clerkecho: AcceptsToken: %q is not a clerk.TokenType", string(t)))
		}
	}
	// A copy: the caller's slice may change after wiring.
	types = slices.Clone(types)
	return func(cfg *config) { cfg.accepts = types }
}
