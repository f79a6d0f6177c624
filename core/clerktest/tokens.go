package clerktest

import (
	"crypto/rsa"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Token categories Clerk writes to the cat header, which verifiers use to
// refuse a template or M2M token where a session token is expected.
const (
	CategorySessionToken  = "cl_B7d4PD111AAA"
	CategoryTemplateToken = "cl_B7d4PD222AAA"
	CategoryM2MToken      = "cl_B7d4PD333AAA"
)

// Default token lifetimes and the nbf back-dating of session tokens.
const (
	sessionTokenLifetime = 60 * time.Second
	sessionTokenSkew     = 10 * time.Second
)

// reservedClaims are the default claims of a template token, which the
// template's own claims cannot override (a constant: no mutable globals).
const reservedClaims = "azp exp iat iss jti nbf sub"

// TokenOption adjusts a token minted through the Go API, mostly to build
// the invalid tokens a verifier must refuse.
type TokenOption func(*tokenConfig)

type tokenConfig struct {
	issuedAt    time.Time
	lifetime    time.Duration
	expired     bool
	notYetValid bool
	claims      map[string]any
	header      map[string]any
	azp         *string
	key         *rsa.PrivateKey
	kid         string
}

// TokenExpired mints a token whose exp lies one minute in the past
// (iat moved back by the lifetime plus a minute), beyond any sane skew.
func TokenExpired() TokenOption { return func(c *tokenConfig) { c.expired = true } }

// TokenNotYetValid mints a token issued a minute in the future, so both nbf
// and iat are ahead of the verifier's clock by more than any sane skew.
func TokenNotYetValid() TokenOption { return func(c *tokenConfig) { c.notYetValid = true } }

// TokenIssuedAt sets iat (and everything derived from it) to t.
func TokenIssuedAt(t time.Time) TokenOption { return func(c *tokenConfig) { c.issuedAt = t } }

// TokenLifetime sets exp = iat + d, like expires_in_seconds does over the API.
func TokenLifetime(d time.Duration) TokenOption { return func(c *tokenConfig) { c.lifetime = d } }

// TokenClaims merges claims into the payload after the defaults, so it can
// override any claim; a nil value removes the claim.
func TokenClaims(claims map[string]any) TokenOption {
	return func(c *tokenConfig) {
		if c.claims == nil {
			c.claims = map[string]any{}
		}
		for k, v := range claims {
			c.claims[k] = v
		}
	}
}

// TokenHeader merges fields into the JOSE header (a nil value removes one).
// The signature is still made with the real algorithm, so changing alg
// yields a token whose header lies, as an attacker's would.
func TokenHeader(fields map[string]any) TokenOption {
	return func(c *tokenConfig) {
		if c.header == nil {
			c.header = map[string]any{}
		}
		for k, v := range fields {
			c.header[k] = v
		}
	}
}

// TokenAuthorizedParty sets azp for this token, overriding the session's.
func TokenAuthorizedParty(origin string) TokenOption {
	return func(c *tokenConfig) { c.azp = &origin }
}

// TokenSignedBy signs with key under kid instead of the instance key, e.g.
// a key that is not in the JWKS. It does not apply to templates with a
// custom signing key.
func TokenSignedBy(key *rsa.PrivateKey, kid string) TokenOption {
	return func(c *tokenConfig) { c.key, c.kid = key, kid }
}

// SessionToken mints a session token (version 2 claims) for a known session,
// whatever its status: the Go API is a fixture for building tokens, while
// the HTTP endpoint enforces that only active or pending sessions mint.
func (s *Server) SessionToken(sessionID string, opts ...TokenOption) (string, error) {
	return s.mint(sessionID, "", false, false, opts)
}

// TemplateToken mints a token from a JWT template for a session, as the
// template endpoint does but without the status check (see SessionToken).
func (s *Server) TemplateToken(sessionID, template string, opts ...TokenOption) (string, error) {
	return s.mint(sessionID, template, true, false, opts)
}

// mintInput is the state one mint needs, copied out under the lock so
// signing (the slow part) runs without it.
type mintInput struct {
	sess     Session
	user     *User
	org      *Organization
	member   membership
	tmpl     *template
	instance signingKey
}

func (s *Server) gather(sessionID, templateName string, templated, api bool) (mintInput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var in mintInput
	stored, ok := s.sessions[sessionID]
	if !ok {
		return in, fmt.Errorf("%w: %s", ErrSessionNotFound, sessionID)
	}
	in.sess = s.sessionSnapshot(stored)
	if api && !in.sess.Status.canMint() {
		// Clerk only mints for sessions that are still alive; the API
		// answers as for an unknown id (see doc.go).
		return in, fmt.Errorf("%w: %s is %s", ErrSessionNotFound, sessionID, in.sess.Status)
	}
	// Not-found answers come before state inconsistencies, as a client
	// can act on the former.
	if templated {
		t, ok := s.templates[templateName]
		if !ok {
			return in, fmt.Errorf("%w: %s", ErrTemplateNotFound, templateName)
		}
		in.tmpl = t
	}
	if u, ok := s.users[in.sess.UserID]; ok {
		in.user = &u
	}
	if orgID := in.sess.ActiveOrganizationID; orgID != "" {
		o, ok := s.orgs[orgID]
		if !ok {
			return in, fmt.Errorf("%w: active organization %s of session %s", ErrOrganizationNotFound, orgID, sessionID)
		}
		m, ok := s.memberships[membershipKey{orgID, in.sess.UserID}]
		if !ok {
			return in, fmt.Errorf("%w: user %s in active organization %s", ErrMembershipNotFound, in.sess.UserID, orgID)
		}
		in.org, in.member = &o, m
	}
	in.instance = *s.current
	return in, nil
}

func (s *Server) mint(sessionID, templateName string, templated, api bool, opts []TokenOption) (string, error) {
	var cfg tokenConfig
	for _, o := range opts {
		o(&cfg)
	}
	in, err := s.gather(sessionID, templateName, templated, api)
	if err != nil {
		return "", err
	}
	now := s.now()
	lifetime := sessionTokenLifetime
	if in.tmpl != nil {
		lifetime = in.tmpl.lifetime
	}
	if cfg.lifetime > 0 {
		lifetime = cfg.lifetime
	}
	iat := now
	switch {
	case !cfg.issuedAt.IsZero():
		iat = cfg.issuedAt
	case cfg.expired:
		iat = now.Add(-lifetime - time.Minute)
	case cfg.notYetValid:
		iat = now.Add(time.Minute)
	}
	azp := in.sess.AuthorizedParty
	if cfg.azp != nil {
		azp = *cfg.azp
	}

	var claims map[string]any
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": in.instance.kid}
	sig := &signer{alg: "RS256", rsa: in.instance.key}
	if in.tmpl == nil {
		header["cat"] = CategorySessionToken
		claims = s.sessionClaims(in, now)
		claims["nbf"] = iat.Add(-sessionTokenSkew).Unix()
	} else {
		header["cat"] = CategoryTemplateToken
		claims = templateClaims(in)
		claims["nbf"] = iat.Add(-in.tmpl.skew).Unix()
		if in.tmpl.signer != nil {
			// A custom key is not in the instance JWKS, so a kid would
			// only point verifiers at the wrong key.
			sig = in.tmpl.signer
			header["alg"] = sig.alg
			delete(header, "kid")
		}
	}
	claims["sub"] = in.sess.UserID
	claims["iss"] = s.issuer
	claims["iat"] = iat.Unix()
	claims["exp"] = iat.Add(lifetime).Unix()
	claims["jti"] = s.ids.jti()
	if azp != "" {
		claims["azp"] = azp
	}
	if cfg.key != nil && sig.rsa == in.instance.key {
		sig = &signer{alg: "RS256", rsa: cfg.key}
		header["kid"] = cfg.kid
	}
	merge(claims, cfg.claims)
	merge(header, cfg.header)
	return sig.sign(header, claims)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = v
		}
	}
}

// sessionClaims builds the version-2 claims other than the time claims,
// sub, iss, jti and azp, which mint adds for both kinds of token.
func (s *Server) sessionClaims(in mintInput, now time.Time) map[string]any {
	sts := "active"
	if in.sess.Status == SessionPending {
		sts = "pending"
	}
	claims := map[string]any{
		"sid": in.sess.ID,
		"v":   2,
		"sts": sts,
		"fva": []int{factorAge(now, in.sess.FirstFactorVerifiedAt), factorAge(now, in.sess.SecondFactorVerifiedAt)},
	}
	var plans, features []string
	if in.user != nil {
		if in.user.Plan != "" {
			plans = append(plans, "u:"+in.user.Plan)
		}
		for _, f := range in.user.Features {
			features = append(features, "u:"+f)
		}
	}
	if in.org != nil {
		if in.org.Plan != "" {
			plans = append(plans, "o:"+in.org.Plan)
		}
		orgFeatures, per, fpm := encodePermissions(in.org.Features, in.member.permissions)
		for _, f := range orgFeatures {
			features = append(features, "o:"+f)
		}
		o := map[string]any{"id": in.org.ID, "rol": strings.TrimPrefix(in.member.role, "org:")}
		if in.org.Slug != "" {
			o["slg"] = in.org.Slug
		}
		if len(per) > 0 {
			o["per"] = strings.Join(per, ",")
			o["fpm"] = strings.Join(fpm, ",")
		}
		claims["o"] = o
	}
	if len(plans) > 0 {
		claims["pla"] = strings.Join(plans, ",")
	}
	if len(features) > 0 {
		claims["fea"] = strings.Join(features, ",")
	}
	if act := actorClaim(in.sess.Actor); act != nil {
		claims["act"] = act
	}
	return claims
}

// encodePermissions packs "org:<feature>:<permission>" strings the way v2
// tokens do: a list of permission names (per) and, for each org-scoped
// feature in fea order, a decimal bitmask whose bit i grants per[i].
// System permissions (org:sys_*) are left out, as Clerk leaves them out of
// session tokens. With planFeatures nil, the features are those the
// permissions name, in first-appearance order.
func encodePermissions(planFeatures, permissions []string) (features, per, fpm []string) {
	derive := planFeatures == nil
	features = append([]string(nil), planFeatures...)
	featureIndex := map[string]int{}
	for i, f := range features {
		featureIndex[f] = i
	}
	permIndex := map[string]int{}
	var masks []uint64
	type grant struct{ feature, perm int }
	var grants []grant
	for _, p := range permissions {
		f, name, ok := splitPermission(p)
		if !ok || strings.HasPrefix(f, "sys_") {
			continue
		}
		fi, ok := featureIndex[f]
		if !ok {
			if !derive {
				continue // not on the plan: not granted
			}
			fi = len(features)
			featureIndex[f] = fi
			features = append(features, f)
		}
		pi, ok := permIndex[name]
		if !ok {
			pi = len(per)
			permIndex[name] = pi
			per = append(per, name)
		}
		grants = append(grants, grant{fi, pi})
	}
	masks = make([]uint64, len(features))
	for _, g := range grants {
		masks[g.feature] |= 1 << uint(g.perm)
	}
	for _, m := range masks {
		fpm = append(fpm, strconv.FormatUint(m, 10))
	}
	return features, per, fpm
}

func factorAge(now, verifiedAt time.Time) int {
	if verifiedAt.IsZero() {
		return -1
	}
	return int(now.Sub(verifiedAt) / time.Minute)
}

func actorClaim(a *Actor) map[string]any {
	if a == nil {
		return nil
	}
	act := map[string]any{"iss": a.Issuer, "sub": a.Subject}
	if a.SessionID != "" {
		act["sid"] = a.SessionID
	}
	return act
}

// templateClaims renders the template and strips the reserved claims, which
// mint then sets itself.
func templateClaims(in mintInput) map[string]any {
	rc := &renderContext{userID: in.sess.UserID, user: in.user, actor: actorClaim(in.sess.Actor)}
	if in.org != nil {
		rc.org, rc.role = in.org, in.member.role
	}
	claims := rc.render(in.tmpl.claims).(map[string]any)
	for _, k := range strings.Fields(reservedClaims) {
		delete(claims, k)
	}
	return claims
}
