package clerk

import (
	"encoding/json"
	"strings"

	"github.com/clerkkit/clerkkit/core/internal/strictjson"
)

// machineClaims are the claims of an M2M or OAuth JWT this package reads.
// Times are Unix milliseconds.
type machineClaims struct {
	sub, jti, clientID string

	exp, nbf, iat          int64
	hasExp, hasNbf, hasIat bool

	// scopes: M2M's "scopes" (a space-separated string; a JSON array is
	// read too, deliberately, where Clerk's JavaScript SDK would throw);
	// OAuth's "scp" array or "scope" string (RFC 9068).
	scopes, scp []string
	scope       string
	hasScopes   bool
	aud         []string // "aud", a string or an array
	hasAud      bool
	badClaim    string
}

// reservedMachineClaims are the registered claims an M2M token's custom
// claims leave out, as Clerk's SDKs do.
var reservedMachineClaims = [...]string{"iss", "sub", "exp", "nbf", "iat", "jti"}

func parseMachineClaims(text string, c *machineClaims) error {
	return scanClaims(text, c.read, &c.badClaim)
}

func (c *machineClaims) read(name string, kind strictjson.Kind, raw string) bool {
	switch name {
	case "sub":
		return strictjson.ReadString(kind, raw, &c.sub)
	case "jti":
		return strictjson.ReadString(kind, raw, &c.jti)
	case "client_id":
		return strictjson.ReadString(kind, raw, &c.clientID)
	case "exp":
		c.hasExp = true
		return readTime(kind, raw, &c.exp)
	case "nbf":
		c.hasNbf = true
		return readTime(kind, raw, &c.nbf)
	case "iat":
		c.hasIat = true
		return readTime(kind, raw, &c.iat)
	case "scopes":
		c.hasScopes = true
		var s string
		if strictjson.ReadString(kind, raw, &s) {
			c.scopes = strings.Fields(s)
			return true
		}
		return strictjson.ReadStrings(kind, raw, &c.scopes)
	case "scp":
		return strictjson.ReadStrings(kind, raw, &c.scp)
	case "scope":
		return strictjson.ReadString(kind, raw, &c.scope)
	case "aud":
		c.hasAud = true
		var s string
		if strictjson.ReadString(kind, raw, &s) {
			c.aud = []string{s}
			return true
		}
		return strictjson.ReadStrings(kind, raw, &c.aud)
	}
	return true
}

// m2mScopes are an M2M token's scopes: "scopes", else "aud", else none.
func (c *machineClaims) m2mScopes() []string {
	switch {
	case c.hasScopes:
		return c.scopes
	case c.hasAud:
		return c.aud
	}
	return nil
}

// oauthScopes are an OAuth token's scopes: "scp", else "scope".
func (c *machineClaims) oauthScopes() []string {
	if c.scp != nil {
		return c.scp
	}
	return strings.Fields(c.scope)
}

// customClaims is the payload without the registered claims, as JSON; ""
// when nothing is left. It runs once per verified token, never on a cache
// hit, so encoding/json's cost does not matter here.
func customClaims(payload string) string {
	var all map[string]json.RawMessage
	if json.Unmarshal([]byte(payload), &all) != nil {
		return ""
	}
	for _, name := range reservedMachineClaims {
		delete(all, name)
	}
	if len(all) == 0 {
		return ""
	}
	out, err := json.Marshal(all)
	if err != nil {
		return ""
	}
	return string(out)
}
