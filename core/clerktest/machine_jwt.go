package clerktest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// m2mReservedClaims are the M2M JWT claims Clerk sets itself; custom claims
// with these names do not replace them (a constant: no mutable globals).
const m2mReservedClaims = "iss sub jti iat nbf exp scopes"

// OAuthTokenType is the typ header of an OAuth access token in JWT format
// (RFC 9068), which is how verifiers tell it from other JWTs.
const OAuthTokenType = "at+jwt"

// signM2M builds an M2M JWT: header cat marks it as an M2M token, sub is
// the machine, jti the token id, and scopes the space-separated machine ids
// it is granted to (absent when there are none). No nbf back-dating is
// documented for these tokens, so nbf equals iat.
func (s *Server) signM2M(t M2MToken, cfg machineTokenConfig, key signingKey) (string, error) {
	header := map[string]any{"alg": "RS256", "kid": key.kid, "typ": "JWT", "cat": CategoryM2MToken}
	payload := cloneJSON(t.Claims)
	if payload == nil {
		payload = map[string]any{}
	}
	for _, k := range strings.Fields(m2mReservedClaims) {
		delete(payload, k)
	}
	payload["iss"] = s.issuer
	payload["sub"] = t.Subject
	payload["jti"] = t.ID
	payload["iat"] = t.CreatedAt.Unix()
	payload["nbf"] = t.CreatedAt.Unix()
	payload["exp"] = t.ExpiresAt.Unix()
	if len(t.Scopes) > 0 {
		payload["scopes"] = strings.Join(t.Scopes, " ")
	}
	return signMachineJWT(header, payload, cfg, key)
}

// signOAuth builds an OAuth access token JWT: typ at+jwt, the user as sub,
// scope space-separated (absent when empty), aud a string for one audience
// and a list for several (absent when none).
func (s *Server) signOAuth(t OAuthToken, cfg machineTokenConfig, key signingKey) (string, error) {
	header := map[string]any{"alg": "RS256", "kid": key.kid, "typ": OAuthTokenType}
	payload := map[string]any{
		"iss":       s.issuer,
		"sub":       t.Subject,
		"client_id": t.ClientID,
		"jti":       t.ID,
		"iat":       t.CreatedAt.Unix(),
		"nbf":       t.CreatedAt.Unix(),
		"exp":       t.ExpiresAt.Unix(),
	}
	if len(t.Scopes) > 0 {
		payload["scope"] = strings.Join(t.Scopes, " ")
	}
	switch len(t.Audience) {
	case 0:
	case 1:
		payload["aud"] = t.Audience[0]
	default:
		payload["aud"] = t.Audience
	}
	return signMachineJWT(header, payload, cfg, key)
}

// signMachineJWT applies the raw overrides last, so tests can build every
// malformed token a verifier must refuse.
func signMachineJWT(header, payload map[string]any, cfg machineTokenConfig, key signingKey) (string, error) {
	sig := &signer{alg: "RS256", rsa: key.key}
	if cfg.key != nil {
		sig.rsa = cfg.key
		header["kid"] = cfg.kid
	}
	merge(header, cfg.header)
	merge(payload, cfg.payload)
	return sig.sign(header, payload)
}

// signedByInstance reports whether token carries a valid RS256 signature by
// a key in the instance's JWKS, so a JWT signed elsewhere, or by a retired
// key, is unknown to the verify endpoints even if stored.
func (s *Server) signedByInstance(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	enc := base64.RawURLEncoding
	hb, err := enc.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if json.Unmarshal(hb, &h) != nil || h.Alg != "RS256" {
		return false
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return false
	}
	var pub *rsa.PublicKey
	s.mu.Lock()
	for _, k := range s.keys {
		if k.kid == h.Kid {
			pub = &k.key.PublicKey
		}
	}
	s.mu.Unlock()
	if pub == nil {
		return false
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
}
