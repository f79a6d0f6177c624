package clerk

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/jose"
)

// verifyMachineJWT checks an M2M or OAuth JWT with the instance's keys and
// the same strictness as a session token: algorithm, key by kid, the
// signature before any claim, then sub, the times and, for OAuth, the
// audience when one is configured.
func (a *Authenticator) verifyMachineJWT(ctx context.Context, token string, p *jose.Parts, kind TokenType, now time.Time) (*Auth, *AuthError) {
	hash := jose.HashFor(p.Header.Alg)
	if hash == 0 {
		return nil, authErr(ReasonTokenInvalidAlgorithm, "alg must be RS256, RS384 or RS512")
	}
	if kind == TokenTypeM2MToken && p.Header.HasTyp && p.Header.Typ != "JWT" {
		return nil, authErr(ReasonTokenInvalid, "typ must be JWT")
	}
	var c machineClaims
	if err := parseMachineClaims(p.Payload, &c); err != nil {
		return nil, authErr(ReasonTokenInvalid, "claims: "+err.Error())
	}
	key, version, err := a.keys.key(ctx, p.Header.Kid, p.Header.HasKid)
	if err != nil {
		return nil, err
	}
	if key.Alg != "" && key.Alg != p.Header.Alg {
		return nil, authErr(ReasonTokenInvalidAlgorithm, "alg differs from the key's")
	}
	if !jose.VerifyPKCS1(key.Pub, hash, p.SigningInput, p.Signature) {
		return nil, authErr(ReasonTokenInvalidSignature, "signature does not match the key")
	}
	switch {
	case c.badClaim != "":
		return nil, authErr(ReasonTokenVerificationFailed, "a claim has the wrong JSON type")
	case c.sub == "":
		return nil, authErr(ReasonTokenVerificationFailed, "sub is missing")
	case !c.hasExp:
		return nil, authErr(ReasonTokenVerificationFailed, "exp is missing")
	case kind == TokenTypeOAuthToken && len(a.audiences) > 0 && !slices.ContainsFunc(c.aud, a.isAudience):
		return nil, authErr(ReasonTokenVerificationFailed, "aud names none of the configured audiences")
	}
	m := &machineIdentity{
		id: c.jti, subject: c.sub,
		exp: c.exp, nbf: c.nbf, iat: c.iat, hasNbf: c.hasNbf, hasIat: c.hasIat,
	}
	if kind == TokenTypeM2MToken {
		m.scopes = c.m2mScopes()
	} else {
		m.scopes = c.oauthScopes()
	}
	if err := a.checkMachineTimes(m, now); err != nil {
		return nil, err
	}
	m.jwtPayload = true
	auth := &Auth{kind: kind, machine: m, token: token, payload: p.Payload}
	a.remember(token, auth, p.Header.Kid, key.Pub, version, now)
	return auth, nil
}

func (a *Authenticator) isAudience(aud string) bool { return slices.Contains(a.audiences, aud) }

// checkMachineTimes applies the session token's inequalities to a machine
// JWT (exp is required there; opaque tokens' expiry bounds their cache
// entry instead).
func (a *Authenticator) checkMachineTimes(m *machineIdentity, now time.Time) *AuthError {
	return a.checkWindow(now, m.exp, m.nbf, m.hasNbf, m.iat, m.hasIat)
}

// subjectPrefix is the prefix a kind's subject must have, checked on
// opaque verify answers as a sanity check of what Clerk said.
func subjectLooksRight(kind TokenType, subject string) bool {
	switch kind {
	case TokenTypeM2MToken:
		return strings.HasPrefix(subject, "mch_")
	case TokenTypeAPIKey:
		return strings.HasPrefix(subject, "user_") || strings.HasPrefix(subject, "org_") || strings.HasPrefix(subject, "mch_")
	}
	return subject != ""
}
