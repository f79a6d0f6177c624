package clerkgin

import (
	"fmt"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
)

// AcceptsToken sets the kinds of token Middleware accepts, as Clerk's
// acceptsToken option: clerk.TokenTypeM2MToken and clerk.TokenTypeAPIKey
// for a route that machines call, clerk.TokenTypeAny for every kind.
// Without it Middleware accepts the Authenticator's default (session
// tokens unless clerk.WithAcceptedTokens says otherwise). A token of
// another kind gives a signed-out Auth with clerk.ReasonTokenTypeMismatch,
// without any call to Clerk. Given twice, the last one counts.
//
// It panics when types is empty or holds a value that is not a
// clerk.TokenType: a typo would otherwise refuse every request, so it is
// reported at wiring time instead.
func AcceptsToken(types ...clerk.TokenType) Option {
	if len(types) == 0 {
		panic("clerkgin: AcceptsToken needs one or more clerk.TokenType values, got none")
	}
	for _, t := range types {
		if !t.Valid() {
			panic(fmt.Sprintf("clerkgin: AcceptsToken: %q is not a clerk.TokenType", string(t)))
		}
	}
	// A copy, so a caller reusing its slice cannot change a live
	// middleware.
	types = slices.Clone(types)
	return func(cfg *config) { cfg.accepts = types }
}
