package clerk

import (
	"context"
	"crypto"
	"strings"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/jose"
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
	// The form is judged before the header's content: header and claims
	// must both be well-formed JSON.
	p, perr := jose.Parse(token)
	if perr != nil {
		return nil, authErr(ReasonTokenInvalid, perr.Error())
	}
	var claims sessionClaims
	if err := parseClaims(p.Payload, &claims); err != nil {
		return nil, authErr(ReasonTokenInvalid, "claims: "+err.Error())
	}
	hash, err := checkHeader(&p.Header)
	if err != nil {
		return nil, err
	}
	key, err := a.keys.key(ctx, p.Header.Kid, p.Header.HasKid)
	if err != nil {
		return nil, err
	}
	if key.Alg != "" && key.Alg != p.Header.Alg {
		return nil, authErr(ReasonTokenInvalidAlgorithm, "alg differs from the key's")
	}
	if !jose.VerifyPKCS1(key.Pub, hash, p.SigningInput, p.Signature) {
		return nil, authErr(ReasonTokenInvalidSignature, "signature does not match the key")
	}
	if err := a.checkClaims(&claims, now); err != nil {
		return nil, err
	}
	auth := newAuth(token, p.Payload, &claims)
	if a.verified != nil {
		a.verified.put(token, verifiedToken{auth: auth, kid: p.Header.Kid, key: key.Pub, verifiedAt: now.UnixMilli()})
	}
	return a.admit(auth)
}

// checkHeader refuses tokens that are not session tokens and algorithms
// other than RS256/384/512 (none, HS*, ES*, PS*: the classic confusions).
func checkHeader(h *jose.Header) (crypto.Hash, *AuthError) {
	if h.Cat != "" && h.Cat != catSessionToken && h.Cat != catIgnore {
		if h.Cat == catTemplateToken || h.Cat == catM2MToken {
			return 0, authErr(ReasonTokenTypeMismatch, "JWT template or M2M token, not a session token")
		}
		return 0, authErr(ReasonTokenTypeMismatch, "unknown token category")
	}
	if h.HasTyp && h.Typ != "JWT" {
		if strings.EqualFold(h.Typ, "at+jwt") {
			return 0, authErr(ReasonTokenTypeMismatch, "machine access token, not a session token")
		}
		return 0, authErr(ReasonTokenInvalid, "typ must be JWT")
	}
	hash := jose.HashFor(h.Alg)
	if hash == 0 {
		return 0, authErr(ReasonTokenInvalidAlgorithm, "alg must be RS256, RS384 or RS512")
	}
	return hash, nil
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
