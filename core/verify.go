package clerk

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"strings"
	"time"
)

// Token categories Clerk puts in the header's "cat".
const (
	catSessionToken  = "cl_B7d4PD111AAA"
	catTemplateToken = "cl_B7d4PD222AAA"
	catM2MToken      = "cl_B7d4PD333AAA"
	// catIgnore is the category Clerk's verifiers are told to disregard:
	// such a token is judged as a session token. Refusing it would sign
	// out real users the day Clerk issues it.
	catIgnore = "cl_I7d4PD111III"
)

// verify checks one token, in an order that matters: size before parsing,
// form before keys, algorithm before any network call, signature before
// any claim. A token seen before is answered from the verified-token cache
// after its times are checked again, while the key that verified it is
// still in the key set and the entry is younger than the cache's maximum
// age.
func (a *Authenticator) verify(ctx context.Context, token string) (*Auth, *AuthError) {
	switch {
	case token == "":
		return nil, authErr(ReasonSessionTokenMissing, "no session token in the request")
	case len(token) > maxTokenBytes:
		return nil, authErr(ReasonTokenTooLarge, "token is longer than the limit")
	}
	now := a.now()
	if a.verified != nil {
		if e, ok := a.verified.get(token); ok && now.UnixMilli()-e.verifiedAt < a.cacheMaxAgeMillis &&
			a.keys.holds(e.kid, e.key) {
			if err := a.checkTimes(&e.auth.claims, now); err != nil {
				return nil, err
			}
			return a.admit(e.auth)
		}
		// Not cached, too old, or its key has left the key set: verify
		// it as if it had never been seen.
	}

	// From here on parts of the token may be kept (in the Auth and the
	// cache), so it must not share memory with the caller's buffers.
	token = strings.Clone(token)
	var p jwtParts
	if err := parseJWT(token, &p); err != nil {
		return nil, err
	}
	hash, err := checkHeader(&p.header)
	if err != nil {
		return nil, err
	}
	key, err := a.keys.key(ctx, p.header.kid, p.header.hasKid)
	if err != nil {
		return nil, err
	}
	if key.alg != "" && key.alg != p.header.alg {
		return nil, authErr(ReasonTokenInvalidAlgorithm, "alg differs from the key's")
	}
	if !verifyPKCS1(key.pub, hash, p.signingInput, p.signature) {
		return nil, authErr(ReasonTokenInvalidSignature, "signature does not match the key")
	}
	if err := a.checkClaims(&p.claims, now); err != nil {
		return nil, err
	}
	auth := newAuth(token, p.payload, &p.claims)
	if a.verified != nil {
		a.verified.put(token, verifiedToken{auth: auth, kid: p.header.kid, key: key.pub, verifiedAt: now.UnixMilli()})
	}
	return a.admit(auth)
}

// checkHeader refuses tokens that are not session tokens and algorithms
// other than RS256/384/512 (none, HS*, ES*, PS*: the classic confusions).
func checkHeader(h *tokenHeader) (crypto.Hash, *AuthError) {
	if h.cat != "" && h.cat != catSessionToken && h.cat != catIgnore {
		if h.cat == catTemplateToken || h.cat == catM2MToken {
			return 0, authErr(ReasonTokenTypeMismatch, "JWT template or M2M token, not a session token")
		}
		return 0, authErr(ReasonTokenTypeMismatch, "unknown token category")
	}
	if h.hasTyp && h.typ != "JWT" {
		if strings.EqualFold(h.typ, "at+jwt") {
			return 0, authErr(ReasonTokenTypeMismatch, "machine access token, not a session token")
		}
		return 0, authErr(ReasonTokenInvalid, "typ must be JWT")
	}
	hash := hashFor(h.alg)
	if hash == 0 {
		return 0, authErr(ReasonTokenInvalidAlgorithm, "alg must be RS256, RS384 or RS512")
	}
	return hash, nil
}

// hashFor maps the accepted algorithms to their hash; 0 means refused.
func hashFor(alg string) crypto.Hash {
	switch alg {
	case "RS256":
		return crypto.SHA256
	case "RS384":
		return crypto.SHA384
	case "RS512":
		return crypto.SHA512
	}
	return 0
}

// verifyPKCS1 checks an RSASSA-PKCS1-v1_5 signature. The digest arrays stay
// on the stack; crypto/rsa checks the signature length against the key.
func verifyPKCS1(pub *rsa.PublicKey, hash crypto.Hash, input string, sig []byte) bool {
	var err error
	switch hash {
	case crypto.SHA256:
		d := sha256.Sum256([]byte(input))
		err = rsa.VerifyPKCS1v15(pub, hash, d[:], sig)
	case crypto.SHA384:
		d := sha512.Sum384([]byte(input))
		err = rsa.VerifyPKCS1v15(pub, hash, d[:], sig)
	case crypto.SHA512:
		d := sha512.Sum512([]byte(input))
		err = rsa.VerifyPKCS1v15(pub, hash, d[:], sig)
	default:
		return false
	}
	return err == nil
}

// checkClaims runs after the signature: sub and sid, issuer, authorized
// party, then the times.
func (a *Authenticator) checkClaims(c *sessionClaims, now time.Time) *AuthError {
	switch {
	case strings.HasPrefix(c.sub, "mch_"):
		return authErr(ReasonTokenTypeMismatch, "machine token, not a session token")
	case c.badClaim != "":
		return authErr(ReasonTokenVerificationFailed, "a claim has the wrong JSON type")
	case c.sub == "":
		return authErr(ReasonTokenVerificationFailed, "sub is missing")
	case c.sid == "":
		return authErr(ReasonTokenVerificationFailed, "sid is missing (not a session token)")
	case !c.hasExp:
		return authErr(ReasonTokenVerificationFailed, "exp is missing")
	case a.issuer != "" && c.iss != a.issuer:
		return authErr(ReasonTokenInvalidIssuer, "iss is not this instance's Frontend API")
	case len(a.parties) > 0 && !a.authorizedParty(c.azp):
		return authErr(ReasonTokenInvalidAuthorizedParties, "azp is missing or not an authorized party")
	}
	return a.checkTimes(c, now)
}

func (a *Authenticator) authorizedParty(azp string) bool {
	if azp == "" {
		return false
	}
	for _, p := range a.parties {
		if p == azp {
			return true
		}
	}
	return false
}

// checkTimes applies Clerk's inequalities, in milliseconds: expired when
// exp <= now - skew; refused when nbf or iat > now + skew.
func (a *Authenticator) checkTimes(c *sessionClaims, now time.Time) *AuthError {
	ms := now.UnixMilli()
	switch {
	case c.exp <= ms-a.skewMillis:
		return authErr(ReasonTokenExpired, "exp is in the past")
	case c.hasNbf && c.nbf > ms+a.skewMillis:
		return authErr(ReasonTokenNotActiveYet, "nbf is in the future")
	case c.hasIat && c.iat > ms+a.skewMillis:
		return authErr(ReasonTokenIatInTheFuture, "iat is in the future")
	}
	return nil
}

// admit applies the policy on pending sessions to a verified token.
func (a *Authenticator) admit(auth *Auth) (*Auth, *AuthError) {
	if SessionStatus(auth.claims.sts) == SessionStatusPending && !a.acceptPending {
		return nil, authErr(ReasonSessionPending, "session has pending tasks")
	}
	return auth, nil
}
