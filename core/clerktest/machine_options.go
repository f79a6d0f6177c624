package clerktest

import (
	"crypto/rsa"
	"errors"
	"slices"
	"strings"
	"time"
)

// MachineTokenOption adjusts an M2M token, API key or OAuth access token
// made through the Go API (CreateM2MToken, CreateAPIKey, CreateOAuthToken).
// An option that has no meaning for the kind being made is an error rather
// than silently ignored, so a fixture never tests less than it says.
type MachineTokenOption func(*machineTokenConfig)

// optionBit records which options were given, to refuse the ones a kind
// does not take.
type optionBit uint

const (
	optJWT optionBit = 1 << iota
	optClaims
	optAudience
	optHeader
	optPayload
	optSignedBy
	optRevoked
)

// optionNames gives optionBit's names in bit order for error messages.
const optionNames = "MachineTokenJWT MachineTokenClaims MachineTokenAudience MachineTokenHeader MachineTokenPayload MachineTokenSignedBy MachineTokenRevoked"

type machineTokenConfig struct {
	set       optionBit
	lifetime  time.Duration
	issuedAt  time.Time
	expired   bool
	reason    string
	scopes    []string
	scopesSet bool
	claims    map[string]any
	audience  []string
	header    map[string]any
	payload   map[string]any
	key       *rsa.PrivateKey
	kid       string
}

// MachineTokenLifetime sets how long the credential lives. M2M tokens
// default to their machine's DefaultTokenTTL, OAuth tokens to one hour, and
// API keys never expire unless given a lifetime.
func MachineTokenLifetime(d time.Duration) MachineTokenOption {
	return func(c *machineTokenConfig) { c.lifetime = d }
}

// MachineTokenIssuedAt sets the creation time (iat for JWTs); the expiry
// follows from it and the lifetime. A time ahead of the clock makes a JWT
// that is not yet valid.
func MachineTokenIssuedAt(t time.Time) MachineTokenOption {
	return func(c *machineTokenConfig) { c.issuedAt = t }
}

// MachineTokenExpired makes a credential that expired one minute ago: it is
// created one lifetime plus a minute in the past (an hour's lifetime for an
// API key that has none). MachineTokenIssuedAt, when also given, wins.
func MachineTokenExpired() MachineTokenOption {
	return func(c *machineTokenConfig) { c.expired = true }
}

// MachineTokenRevoked stores the credential already revoked, with reason
// ("" answers revocation_reason null). JWT-format M2M tokens are stateless
// and cannot be revoked, as on Clerk.
func MachineTokenRevoked(reason string) MachineTokenOption {
	return func(c *machineTokenConfig) { c.set |= optRevoked; c.reason = reason }
}

// MachineTokenJWT makes an M2M or OAuth token in JWT format, signed by the
// instance key, instead of an opaque "mt_…" or "oat_…" string.
func MachineTokenJWT() MachineTokenOption {
	return func(c *machineTokenConfig) { c.set |= optJWT }
}

// MachineTokenScopes sets the scopes: for an M2M token the machine ids it
// is granted to (default: its machine's Scopes), for API keys and OAuth
// tokens free-form names (default: none).
func MachineTokenScopes(scopes ...string) MachineTokenOption {
	return func(c *machineTokenConfig) { c.scopes, c.scopesSet = slices.Clone(scopes), true }
}

// MachineTokenClaims sets the custom claims of an M2M token or API key.
// An M2M JWT carries them at the top level of its payload, below the
// claims Clerk sets itself, which they cannot override.
func MachineTokenClaims(claims map[string]any) MachineTokenOption {
	return func(c *machineTokenConfig) { c.set |= optClaims; c.claims = claims }
}

// MachineTokenAudience sets an OAuth token's audience: aud is a string for
// one value and a list for several.
func MachineTokenAudience(aud ...string) MachineTokenOption {
	return func(c *machineTokenConfig) { c.set |= optAudience; c.audience = slices.Clone(aud) }
}

// MachineTokenHeader merges fields into a JWT's JOSE header after the
// defaults (a nil value removes one), to build tokens a verifier must
// refuse, such as a wrong cat or typ.
func MachineTokenHeader(fields map[string]any) MachineTokenOption {
	return func(c *machineTokenConfig) { c.set |= optHeader; c.header = mergeInto(c.header, fields) }
}

// MachineTokenPayload merges fields into a JWT's payload after everything
// else, overriding even reserved claims (a nil value removes one), for
// example a scopes claim that is a JSON array.
func MachineTokenPayload(fields map[string]any) MachineTokenOption {
	return func(c *machineTokenConfig) { c.set |= optPayload; c.payload = mergeInto(c.payload, fields) }
}

// MachineTokenSignedBy signs a JWT with key under kid instead of the
// instance key, e.g. a key missing from the JWKS.
func MachineTokenSignedBy(key *rsa.PrivateKey, kid string) MachineTokenOption {
	return func(c *machineTokenConfig) { c.set |= optSignedBy; c.key, c.kid = key, kid }
}

func mergeInto(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// machineTokenOptions applies opts and refuses any option outside allowed.
func machineTokenOptions(kind string, allowed optionBit, opts []MachineTokenOption) (machineTokenConfig, error) {
	var c machineTokenConfig
	for _, o := range opts {
		o(&c)
	}
	if extra := c.set &^ allowed; extra != 0 {
		var names []string
		for i, name := range strings.Fields(optionNames) {
			if extra&(1<<i) != 0 {
				names = append(names, name)
			}
		}
		return c, errors.New("clerktest: " + kind + " does not take " + strings.Join(names, ", "))
	}
	if c.set&(optHeader|optPayload|optSignedBy) != 0 && c.set&optJWT == 0 {
		return c, errors.New("clerktest: " + kind + ": JWT options need MachineTokenJWT")
	}
	if c.set&optSignedBy != 0 && (c.key == nil || c.kid == "") {
		return c, errors.New("clerktest: MachineTokenSignedBy needs a key and a kid")
	}
	if c.lifetime < 0 {
		return c, errors.New("clerktest: " + kind + ": negative lifetime")
	}
	return c, nil
}

// times gives the creation and expiry times of a credential; def is the
// kind's default lifetime, 0 meaning it never expires.
func (c *machineTokenConfig) times(now time.Time, def time.Duration) (created, expires time.Time) {
	lifetime := def
	if c.lifetime > 0 {
		lifetime = c.lifetime
	}
	if c.expired && lifetime == 0 {
		lifetime = time.Hour
	}
	created = now
	switch {
	case !c.issuedAt.IsZero():
		created = c.issuedAt
	case c.expired:
		created = now.Add(-lifetime - time.Minute)
	}
	if lifetime == 0 {
		return created, time.Time{}
	}
	return created, created.Add(lifetime)
}
