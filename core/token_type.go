package clerk

import "strings"

// TokenType is the kind of token a request carries, with the names Clerk's
// SDKs use. A route accepts one or more kinds (WithAcceptedTokens, or the
// accepts argument of Authenticate and Middleware); a token of another
// kind is refused with ReasonTokenTypeMismatch before any key lookup or
// call to Clerk.
type TokenType string

// The kinds of token, as Clerk tells them apart: by prefix for the opaque
// ones, by the JWT's claims and header for the others.
const (
	// TokenTypeSessionToken is a signed-in user's session token (a JWT).
	TokenTypeSessionToken TokenType = "session_token"
	// TokenTypeM2MToken is a machine's M2M token: opaque "mt_…", or a JWT
	// whose sub is a machine ("mch_…").
	TokenTypeM2MToken TokenType = "m2m_token"
	// TokenTypeAPIKey is an API key, "ak_…", always opaque.
	TokenTypeAPIKey TokenType = "api_key"
	// TokenTypeOAuthToken is an OAuth access token Clerk issued: opaque
	// "oat_…", or a JWT with typ "at+jwt" (RFC 9068).
	TokenTypeOAuthToken TokenType = "oauth_token"
	// TokenTypeAny accepts every kind above.
	TokenTypeAny TokenType = "any"
)

// Opaque token prefixes.
const (
	prefixM2MToken   = "mt_"
	prefixOAuthToken = "oat_"
	prefixAPIKey     = "ak_"
)

// tokenKinds is a set of accepted kinds, one bit per kind, so checking a
// token against a route's kinds costs nothing on the hot path.
type tokenKinds uint8

const (
	kindSession tokenKinds = 1 << iota
	kindM2M
	kindAPIKey
	kindOAuth

	kindsAll     = kindSession | kindM2M | kindAPIKey | kindOAuth
	kindsMachine = kindM2M | kindAPIKey | kindOAuth
)

// kindsOf turns accepted TokenTypes into a set; ok is false for a name
// that is not a TokenType.
func kindsOf(types []TokenType) (set tokenKinds, ok bool) {
	for _, t := range types {
		k := kindOf(t)
		if k == 0 {
			return 0, false
		}
		set |= k
	}
	return set, true
}

func kindOf(t TokenType) tokenKinds {
	switch t {
	case TokenTypeSessionToken:
		return kindSession
	case TokenTypeM2MToken:
		return kindM2M
	case TokenTypeAPIKey:
		return kindAPIKey
	case TokenTypeOAuthToken:
		return kindOAuth
	case TokenTypeAny:
		return kindsAll
	}
	return 0
}

// opaqueKind tells an opaque machine token by its prefix; "" means the
// token is not one (it is then a JWT, or garbage).
func opaqueKind(token string) TokenType {
	switch {
	case strings.HasPrefix(token, prefixM2MToken):
		return TokenTypeM2MToken
	case strings.HasPrefix(token, prefixOAuthToken):
		return TokenTypeOAuthToken
	case strings.HasPrefix(token, prefixAPIKey):
		return TokenTypeAPIKey
	}
	return ""
}

// isOAuthTyp reports the JWT typ values of an OAuth 2.0 access token
// (RFC 9068), compared as Clerk does: case-insensitively.
func isOAuthTyp(typ string) bool {
	return strings.EqualFold(typ, "at+jwt") || strings.EqualFold(typ, "application/at+jwt")
}

// Valid reports whether t is one of the TokenType constants, for adapters
// that check the kinds a route accepts when it is wired.
func (t TokenType) Valid() bool { return kindOf(t) != 0 }
