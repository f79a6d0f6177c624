package clerk

import (
	"context"
	"crypto"
	"crypto/rsa"
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
// kind before keys (a kind the route does not accept costs nothing), form
// before keys, algorithm before any network call, signature before any
// claim. A token seen before is answered from the verification cache after
// its times are checked again, until its entry's time is up and while the
// key that verified it is still in the key set. kind is the token's kind,
// also when it is refused.
func (a *Authenticator) verify(ctx context.Context, token string, inCookie bool, accepts tokenKinds) (auth *Auth, kind TokenType, err *AuthError) {
	switch {
	case token == "":
		return nil, "", authErr(ReasonSessionTokenMissing, "no token in the request")
	case len(token) > maxTokenBytes:
		return nil, "", authErr(ReasonTokenTooLarge, "token is longer than the limit")
	}
	now := a.now()
	if a.verified != nil {
		if e := a.verified.get(token); e != nil && now.UnixMilli() < e.until &&
			(e.key == nil || a.fixedKey || e.version == a.keys.version() || a.keys.holds(e.kid, e.key)) {
			return a.admitCached(e.auth, inCookie, accepts, now)
		}
		// Not cached, too old, or its key has left the key set: verify
		// it as if it had never been seen.
	}
	if kind := opaqueKind(token); kind != "" {
		if err := admissible(kind, inCookie, accepts); err != nil {
			return nil, kind, err
		}
		auth, err := a.verifyOpaque(ctx, strings.Clone(token), kind, now)
		return auth, kind, err
	}

	// From here on parts of the token may be kept (in the Auth and the
	// cache), so it must not share memory with the caller's buffers.
	token = strings.Clone(token)
	// The form is judged before the header's content: header and claims
	// must both be well-formed JSON.
	p, perr := jose.Parse(token)
	if perr != nil {
		return nil, TokenTypeSessionToken, authErr(ReasonTokenInvalid, perr.Error())
	}
	kind = jwtKind(&p)
	if kind != TokenTypeSessionToken {
		if err := admissible(kind, inCookie, accepts); err != nil {
			return nil, kind, err
		}
		auth, err := a.verifyMachineJWT(ctx, token, &p, kind, now)
		return auth, kind, err
	}
	var claims sessionClaims
	if err := parseClaims(p.Payload, &claims); err != nil {
		return nil, kind, authErr(ReasonTokenInvalid, "claims: "+err.Error())
	}
	if strings.HasPrefix(claims.sub, "mch_") && (p.Header.Cat == "" || p.Header.Cat == catM2MToken) {
		kind = TokenTypeM2MToken // an M2M JWT: its sub is a machine
		if err := admissible(kind, inCookie, accepts); err != nil {
			return nil, kind, err
		}
		auth, err := a.verifyMachineJWT(ctx, token, &p, kind, now)
		return auth, kind, err
	}
	if accepts&kindSession == 0 {
		return nil, kind, authErr(ReasonTokenTypeMismatch, "session token, not accepted here")
	}
	hash, err := checkHeader(&p.Header)
	if err != nil {
		return nil, kind, err
	}
	key, version, err := a.keys.key(ctx, p.Header.Kid, p.Header.HasKid)
	if err != nil {
		return nil, kind, err
	}
	if key.Alg != "" && key.Alg != p.Header.Alg {
		return nil, kind, authErr(ReasonTokenInvalidAlgorithm, "alg differs from the key's")
	}
	if !jose.VerifyPKCS1(key.Pub, hash, p.SigningInput, p.Signature) {
		return nil, kind, authErr(ReasonTokenInvalidSignature, "signature does not match the key")
	}
	if err := a.checkClaims(&claims, now); err != nil {
		return nil, kind, err
	}
	auth = newAuth(token, p.Payload, &claims)
	a.remember(token, auth, p.Header.Kid, key.Pub, version, now)
	auth, err = a.admit(auth)
	return auth, kind, err
}

// jwtKind tells an OAuth JWT by its typ; M2M JWTs are told by their sub,
// once the claims are read. Anything else is a session token.
func jwtKind(p *jose.Parts) TokenType {
	if p.Header.HasTyp && isOAuthTyp(p.Header.Typ) {
		return TokenTypeOAuthToken
	}
	return TokenTypeSessionToken
}

// admissible refuses a token of a kind the route does not accept, and any
// machine token in a cookie, where only session tokens live.
func admissible(kind TokenType, inCookie bool, accepts tokenKinds) *AuthError {
	switch {
	case accepts&kindOf(kind) == 0:
		return authErr(ReasonTokenTypeMismatch, string(kind)+", not accepted here")
	case inCookie && kind != TokenTypeSessionToken:
		return authErr(ReasonTokenTypeMismatch, string(kind)+" in a cookie")
	}
	return nil
}

// admitCached applies to a cached Auth what depends on the request (the
// kinds accepted, where the token was) or on the time.
func (a *Authenticator) admitCached(auth *Auth, inCookie bool, accepts tokenKinds, now time.Time) (*Auth, TokenType, *AuthError) {
	if auth.machine != nil {
		if err := admissible(auth.kind, inCookie, accepts); err != nil {
			return nil, auth.kind, err
		}
		// An opaque token's entry ends by its reuse time and expiry; a
		// machine JWT's times are checked as a session token's are.
		if auth.machine.jwtPayload {
			if err := a.checkMachineTimes(auth.machine, now); err != nil {
				return nil, auth.kind, err
			}
		}
		return auth, auth.kind, nil
	}
	if accepts&kindSession == 0 { // a session token may sit in a cookie
		return nil, auth.kind, authErr(ReasonTokenTypeMismatch, "session token, not accepted here")
	}
	if err := a.checkTimes(&auth.claims, now); err != nil {
		return nil, auth.kind, err
	}
	auth, err := a.admit(auth)
	return auth, TokenTypeSessionToken, err
}

// remember puts a token verified by key into the cache for the maximum age.
func (a *Authenticator) remember(token string, auth *Auth, kid string, key *rsa.PublicKey, version uint64, now time.Time) {
	if a.verified != nil {
		a.verified.put(token, verifiedToken{auth: auth, kid: kid, key: key, version: version,
			until: now.UnixMilli() + a.cacheMaxAgeMillis})
	}
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
	return a.checkWindow(now, c.exp, c.nbf, c.hasNbf, c.iat, c.hasIat)
}

// checkWindow is the time check of every JWT kind, in milliseconds.
func (a *Authenticator) checkWindow(now time.Time, exp, nbf int64, hasNbf bool, iat int64, hasIat bool) *AuthError {
	ms := now.UnixMilli()
	switch {
	case exp <= ms-a.skewMillis:
		return authErr(ReasonTokenExpired, "exp is in the past")
	case hasNbf && nbf > ms+a.skewMillis:
		return authErr(ReasonTokenNotActiveYet, "nbf is in the future")
	case hasIat && iat > ms+a.skewMillis:
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
