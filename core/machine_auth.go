package clerk

import "slices"

// machineIdentity is what a machine caller's token says about it, from the
// Backend API's verify answer (opaque tokens) or the verified JWT.
type machineIdentity struct {
	id      string // mt_…, ak_…, oat_… (the token's id, or the JWT's jti)
	subject string // mch_… for M2M; user_… or org_… for API keys; user_… for OAuth
	name    string // an API key's name
	scopes  []string

	// jwtPayload marks an Auth whose payload is the whole JWT payload:
	// its custom claims are worked out when asked for, off the hot path.
	jwtPayload bool

	// Times in Unix milliseconds; exp 0 means no expiry (API keys may
	// have none).
	exp, nbf, iat  int64
	hasNbf, hasIat bool
}

// Subject is who the caller acts for: the machine ("mch_…") of an M2M
// token, the user or organization ("user_…", "org_…") an API key belongs
// to, the user of an OAuth access token, or a session's user. Empty unless
// authenticated.
func (a *Auth) Subject() string {
	switch {
	case !a.Authenticated():
		return ""
	case a.machine != nil:
		return a.machine.subject
	}
	return a.claims.sub
}

// TokenID is the id of a machine caller's token ("mt_…", "ak_…", "oat_…",
// or a JWT's jti); empty for sessions and unless authenticated.
func (a *Auth) TokenID() string {
	if !a.Authenticated() || a.machine == nil {
		return ""
	}
	return a.machine.id
}

// Scopes are a machine caller's scopes: for an M2M token the machines it
// may call, for an API key or an OAuth token what it was granted. nil for
// sessions and unless authenticated. The slice is the caller's own copy.
func (a *Auth) Scopes() []string {
	if !a.Authenticated() || a.machine == nil {
		return nil
	}
	return slices.Clone(a.machine.scopes)
}

// Name is an API key's name; empty for every other caller.
func (a *Auth) Name() string {
	if !a.Authenticated() || a.machine == nil {
		return ""
	}
	return a.machine.name
}
