package clerk_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// TestAuthenticateAttacksAndEdges runs every attack and edge case through
// Authenticate, both with a plain Carrier and with a real *http.Request,
// and checks the reason (empty: signed in).
func TestAuthenticateAttacksAndEdges(t *testing.T) {
	key, other := rsaKey(t, 0), rsaKey(t, 1)
	clock := newFakeClock()
	now := clock.Now()
	skew := clerk.DefaultClockSkew
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))

	// with builds a token from the standard session claims, changed by edit.
	with := func(edit func(h, c map[string]any)) string {
		h, c := sessionHeader(testKID), sessionClaimsAt(now)
		edit(h, c)
		return mint(t, key, h, c)
	}
	valid := with(func(h, c map[string]any) {})
	parts := strings.Split(valid, ".")
	validHeader, validClaims := mustJSON(t, sessionHeader(testKID)), mustJSON(t, sessionClaimsAt(now))
	expired := with(func(_, c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() })
	pemText := publicPEM(t, key)
	suffixed := "__session_" + cookieSuffix(testPublishableKey)

	jwks := []clerk.AuthenticatorOption{clerk.WithClient(backendClient(t, srv))}
	withPK := []clerk.AuthenticatorOption{clerk.WithPublishableKey(testPublishableKey)}
	sfx := "_" + cookieSuffix(testPublishableKey)
	withParties := []clerk.AuthenticatorOption{clerk.WithAuthorizedParties(testOrigin, "https://other.example.test")}

	type tc struct {
		name  string
		src   fakeSource
		opts  []clerk.AuthenticatorOption // added to WithJWTKey, or replacing it when jwks
		jwks  bool
		want  clerk.Reason
		check func(t *testing.T, a *clerk.Auth)
	}
	cases := []tc{
		{name: "valid v2 session token", src: bearer(valid), check: func(t *testing.T, a *clerk.Auth) {
			if a.UserID() != "user_123" || a.SessionID() != "sess_123" || a.SessionStatus() != "active" ||
				a.Token() != valid || a.Issuer() != testIssuer || a.AuthorizedParty() != testOrigin || a.Version() != 2 {
				t.Errorf("claims not exposed: %v", a)
			}
			if fva, ok := a.FactorVerificationAge(); !ok || fva.FirstFactorMinutes != 3 || fva.SecondFactorMinutes != -1 {
				t.Errorf("fva = %+v, %v", fva, ok)
			}
			if !a.Expiry().Equal(time.Unix(now.Unix()+60, 0)) {
				t.Errorf("expiry = %v", a.Expiry())
			}
		}},
		{name: "no token at all", src: fakeSource{}, want: clerk.ReasonSessionTokenMissing},
		{name: "alg none, empty signature", src: bearer(b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."), want: clerk.ReasonTokenInvalid},
		{name: "alg none with a signature", src: bearer(b64([]byte(`{"alg":"none","kid":"ins_test1"}`)) + "." + parts[1] + "." + parts[2]), want: clerk.ReasonTokenInvalidAlgorithm},
		{name: "HS256 signed with the PEM text as secret", src: bearer(signHS256(`{"alg":"HS256","kid":"ins_test1","typ":"JWT"}`, validClaims, []byte(pemText))), want: clerk.ReasonTokenInvalidAlgorithm},
		{name: "ES256 claimed", src: bearer(b64([]byte(`{"alg":"ES256","kid":"ins_test1"}`)) + "." + parts[1] + "." + parts[2]), want: clerk.ReasonTokenInvalidAlgorithm},
		{name: "PS256 claimed", src: bearer(b64([]byte(`{"alg":"PS256","kid":"ins_test1"}`)) + "." + parts[1] + "." + parts[2]), want: clerk.ReasonTokenInvalidAlgorithm},
		{name: "alg missing", src: bearer(signRaw(t, key, "RS256", `{"kid":"ins_test1"}`, validClaims)), want: clerk.ReasonTokenInvalidAlgorithm},
		{name: "RS256 by another key", src: bearer(mint(t, other, sessionHeader(testKID), sessionClaimsAt(now))), want: clerk.ReasonTokenInvalidSignature},
		{name: "RS256 by another key, JWKS", jwks: true, src: bearer(mint(t, other, sessionHeader(testKID), sessionClaimsAt(now))), want: clerk.ReasonTokenInvalidSignature},
		{name: "kid unknown", jwks: true, src: bearer(mint(t, key, sessionHeader("ins_unknown"), sessionClaimsAt(now))), want: clerk.ReasonJWKKidMismatch},
		{name: "kid missing, JWKS", jwks: true, src: bearer(with(func(h, _ map[string]any) { delete(h, "kid") })), want: clerk.ReasonJWKKidMismatch},
		{name: "kid missing, static key (as Clerk)", src: bearer(with(func(h, _ map[string]any) { delete(h, "kid") }))},
		{name: "valid, JWKS", jwks: true, src: bearer(valid)},
		{name: "RS512 token, key published for RS256", jwks: true, src: bearer(with(func(h, _ map[string]any) { h["alg"] = "RS512" })), want: clerk.ReasonTokenInvalidAlgorithm},
		{name: "RS384 with static key", src: bearer(with(func(h, _ map[string]any) { h["alg"] = "RS384" }))},
		{name: "RS512 with static key", src: bearer(with(func(h, _ map[string]any) { h["alg"] = "RS512" }))},
		{name: "tampered payload", src: bearer(parts[0] + "." + b64([]byte(strings.Replace(validClaims, "user_123", "user_999", 1))) + "." + parts[2]), want: clerk.ReasonTokenInvalidSignature},
		{name: "tampered header", src: bearer(b64([]byte(strings.Replace(validHeader, `"typ":"JWT"`, `"typ":"JWT","x":1`, 1))) + "." + parts[1] + "." + parts[2]), want: clerk.ReasonTokenInvalidSignature},
		{name: "truncated signature", src: bearer(parts[0] + "." + parts[1] + "." + b64(mustB64(t, parts[2])[:253])), want: clerk.ReasonTokenInvalidSignature},
		{name: "exp at now-skew: expired", src: bearer(with(func(_, c map[string]any) { c["exp"] = now.Add(-skew).Unix() })), want: clerk.ReasonTokenExpired},
		{name: "exp one second inside the skew", src: bearer(with(func(_, c map[string]any) { c["exp"] = now.Add(-skew + time.Second).Unix() }))},
		{name: "nbf at now+skew", src: bearer(with(func(_, c map[string]any) { c["nbf"] = now.Add(skew).Unix() }))},
		{name: "nbf one second past the skew", src: bearer(with(func(_, c map[string]any) { c["nbf"] = now.Add(skew + time.Second).Unix() })), want: clerk.ReasonTokenNotActiveYet},
		{name: "iat at now+skew", src: bearer(with(func(_, c map[string]any) { c["iat"] = now.Add(skew).Unix() }))},
		{name: "iat one second past the skew", src: bearer(with(func(_, c map[string]any) { c["iat"] = now.Add(skew + time.Second).Unix() })), want: clerk.ReasonTokenIatInTheFuture},
		{name: "exp missing", src: bearer(with(func(_, c map[string]any) { delete(c, "exp") })), want: clerk.ReasonTokenVerificationFailed},
		{name: "exp is a string", src: bearer(with(func(_, c map[string]any) { c["exp"] = "tomorrow" })), want: clerk.ReasonTokenVerificationFailed},
		{name: "azp listed", opts: withParties, src: bearer(valid)},
		{name: "azp mismatch", opts: withParties, src: bearer(with(func(_, c map[string]any) { c["azp"] = "https://evil.example" })), want: clerk.ReasonTokenInvalidAuthorizedParties},
		{name: "azp missing with parties configured", opts: withParties, src: bearer(with(func(_, c map[string]any) { delete(c, "azp") })), want: clerk.ReasonTokenInvalidAuthorizedParties},
		{name: "azp missing, no parties configured", src: bearer(with(func(_, c map[string]any) { delete(c, "azp") }))},
		{name: "iss matches the publishable key", opts: withPK, src: bearer(valid)},
		{name: "iss mismatch", opts: withPK, src: bearer(with(func(_, c map[string]any) { c["iss"] = "https://clerk.evil.example" })), want: clerk.ReasonTokenInvalidIssuer},
		{name: "iss missing with issuer known", opts: withPK, src: bearer(with(func(_, c map[string]any) { delete(c, "iss") })), want: clerk.ReasonTokenInvalidIssuer},
		{name: "JWT template token", src: bearer(with(func(h, c map[string]any) { h["cat"] = "cl_B7d4PD222AAA"; delete(c, "sid") })), want: clerk.ReasonTokenTypeMismatch},
		{name: "M2M token", src: bearer(with(func(h, _ map[string]any) { h["cat"] = "cl_B7d4PD333AAA" })), want: clerk.ReasonTokenTypeMismatch},
		{name: "category Clerk says to ignore is a session token", src: bearer(with(func(h, _ map[string]any) { h["cat"] = "cl_I7d4PD111III" })), check: func(t *testing.T, a *clerk.Auth) {
			if a.SessionID() != "sess_123" {
				t.Errorf("session = %q", a.SessionID())
			}
		}},
		{name: "unknown token category", src: bearer(with(func(h, _ map[string]any) { h["cat"] = "cl_other" })), want: clerk.ReasonTokenTypeMismatch},
		{name: "machine token by sub", src: bearer(with(func(_, c map[string]any) { c["sub"] = "mch_123" })), want: clerk.ReasonTokenTypeMismatch},
		{name: "machine token by typ at+jwt", src: bearer(with(func(h, _ map[string]any) { h["typ"] = "at+jwt" })), want: clerk.ReasonTokenTypeMismatch},
		{name: "typ other than JWT", src: bearer(with(func(h, _ map[string]any) { h["typ"] = "JOSE" })), want: clerk.ReasonTokenInvalid},
		{name: "typ absent", src: bearer(with(func(h, _ map[string]any) { delete(h, "typ") }))},
		{name: "crit header", src: bearer(with(func(h, _ map[string]any) { h["crit"] = []string{"exp"} })), want: clerk.ReasonTokenInvalid},
		{name: "unknown header parameter tolerated", src: bearer(with(func(h, _ map[string]any) { h["x-new"] = map[string]any{"a": 1} }))},
		{name: "sid missing", src: bearer(with(func(_, c map[string]any) { delete(c, "sid") })), want: clerk.ReasonTokenVerificationFailed},
		{name: "sub missing", src: bearer(with(func(_, c map[string]any) { delete(c, "sub") })), want: clerk.ReasonTokenVerificationFailed},
		{name: "pending session refused", src: bearer(with(func(_, c map[string]any) { c["sts"] = "pending" })), want: clerk.ReasonSessionPending},
		{name: "pending session accepted when opted in", opts: []clerk.AuthenticatorOption{clerk.WithAcceptPendingSessions()}, src: bearer(with(func(_, c map[string]any) { c["sts"] = "pending" })),
			check: func(t *testing.T, a *clerk.Auth) {
				if a.SessionStatus() != clerk.SessionStatusPending {
					t.Errorf("status = %q", a.SessionStatus())
				}
			}},
		{name: "v1 organization claims", src: bearer(with(func(_, c map[string]any) {
			delete(c, "v")
			c["org_id"], c["org_role"], c["org_slug"] = "org_1", "org:admin", "acme"
			c["org_permissions"] = []string{"org:sys_memberships:manage", "org:billing:read"}
		})), check: func(t *testing.T, a *clerk.Auth) {
			wantOrg(t, a, "org_1", "org:admin", "acme", []string{"org:sys_memberships:manage", "org:billing:read"})
			if a.Version() != 1 {
				t.Errorf("version = %d", a.Version())
			}
		}},
		{name: "v2 organization claims", src: bearer(with(func(_, c map[string]any) {
			c["fea"] = "u:free,o:impersonation,o:memberships"
			c["o"] = map[string]any{"id": "org_2", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "1,3"}
		})), check: func(t *testing.T, a *clerk.Auth) {
			wantOrg(t, a, "org_2", "org:admin", "acme", []string{"org:impersonation:read", "org:memberships:read", "org:memberships:manage"})
		}},
		{name: "v2 token ignores v1 org fields", src: bearer(with(func(_, c map[string]any) { c["org_id"] = "org_v1" })),
			check: func(t *testing.T, a *clerk.Auth) { wantOrg(t, a, "", "", "", nil) }},
		{name: "impersonation actor", src: bearer(with(func(_, c map[string]any) {
			c["act"] = map[string]any{"iss": "https://dashboard.clerk.com", "sid": "sess_actor", "sub": "user_admin"}
		})), check: func(t *testing.T, a *clerk.Auth) {
			if act, ok := a.Actor(); !ok || act.Subject != "user_admin" || act.SessionID != "sess_actor" || act.Issuer != "https://dashboard.clerk.com" {
				t.Errorf("actor = %+v, %v", act, ok)
			}
		}},
		{name: "header beats cookie", src: fakeSource{
			headers: map[string]string{"Authorization": "Bearer " + expired},
			cookies: map[string]string{"__session": valid, "__client_uat": "1"},
		}, want: clerk.ReasonTokenExpired},
		{name: "Basic header falls through to the cookie", src: fakeSource{
			headers: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"},
			cookies: map[string]string{"__session": valid, "__client_uat": "1"},
		}},
		{name: "lower-case bearer is not Bearer", src: fakeSource{
			headers: map[string]string{"Authorization": "bearer " + expired},
			cookies: map[string]string{"__session": valid, "__client_uat": "1"},
		}},
		{name: "empty Bearer falls through to the cookie", src: fakeSource{
			headers: map[string]string{"Authorization": "Bearer "},
			cookies: map[string]string{"__session": valid, "__client_uat": "1"},
		}},
		{name: "cookie only", src: fakeSource{cookies: map[string]string{"__session": valid, "__client_uat": "1"}}},
		{name: "suffixed cookies preferred", opts: withPK, src: fakeSource{cookies: map[string]string{
			"__session": expired, suffixed: valid, "__client_uat" + sfx: "1", "__clerk_db_jwt" + sfx: "dvb_1"}}},
		{name: "suffixed session without its __client_uat: the unsuffixed cookies count", opts: withPK, src: fakeSource{cookies: map[string]string{
			"__session": expired, suffixed: valid, "__client_uat": "1", "__clerk_db_jwt": "dvb_1"}}, want: clerk.ReasonTokenExpired},
		{name: "suffixed cookie ignored without publishable key", src: fakeSource{cookies: map[string]string{"__session": expired, suffixed: valid, "__client_uat": "1"}}, want: clerk.ReasonTokenExpired},
		{name: "unsuffixed cookies as fallback", opts: withPK, src: fakeSource{cookies: map[string]string{"__session": valid, "__client_uat": "1", "__clerk_db_jwt": "dvb_1"}}},
		// The __client_uat rule: a session cookie alone is not enough.
		{name: "cookie without __client_uat", src: fakeSource{cookies: map[string]string{"__session": valid}}, want: clerk.ReasonSessionTokenWithoutClientUAT},
		{name: "cookie with __client_uat 0 (signed out elsewhere)", src: fakeSource{cookies: map[string]string{"__session": valid, "__client_uat": "0"}}, want: clerk.ReasonSessionTokenWithoutClientUAT},
		{name: "__client_uat that is no number", src: fakeSource{cookies: map[string]string{"__session": valid, "__client_uat": "x"}}, want: clerk.ReasonSessionTokenWithoutClientUAT},
		{name: "__client_uat without a session cookie", src: fakeSource{cookies: map[string]string{"__client_uat": "1"}}, want: clerk.ReasonClientUATWithoutSessionToken},
		{name: "token issued before __client_uat", src: fakeSource{cookies: map[string]string{"__session": valid, "__client_uat": strconv.FormatInt(testNow.Unix()+1, 10)}}, want: clerk.ReasonSessionTokenIATBeforeClientUAT},
		{name: "token issued at __client_uat", src: fakeSource{cookies: map[string]string{"__session": valid, "__client_uat": strconv.FormatInt(testNow.Unix(), 10)}}},
		{name: "development instance without the dev browser cookie", opts: withPK, src: fakeSource{cookies: map[string]string{"__session": valid, "__client_uat": "1"}}, want: clerk.ReasonDevBrowserMissing},
		{name: "the header needs no __client_uat", src: bearer(valid)},
		{name: "oversized token", src: bearer(valid + strings.Repeat("A", clerk.DefaultMaxTokenBytes)), want: clerk.ReasonTokenTooLarge},
		{name: "bad base64: padding", src: bearer(valid + "=="), want: clerk.ReasonTokenInvalid},
		{name: "bad base64: standard alphabet", src: bearer(strings.Replace(valid, parts[2][:1], "+", 1)), want: clerk.ReasonTokenInvalid},
		{name: "bad base64: impossible length", src: bearer(parts[0] + "." + parts[1] + "A." + parts[2]), want: clerk.ReasonTokenInvalid},
		{name: "line break inside the token", src: bearer(parts[0] + ".\n" + parts[1] + "." + parts[2]), want: clerk.ReasonTokenInvalid},
		{name: "two parts", src: bearer(parts[0] + "." + parts[1]), want: clerk.ReasonTokenInvalid},
		{name: "four parts", src: bearer(valid + ".e30"), want: clerk.ReasonTokenInvalid},
		{name: "bad JSON payload", src: bearer(signRaw(t, key, "RS256", validHeader, `{"sub":"user_123",`)), want: clerk.ReasonTokenInvalid},
		{name: "payload is an array", src: bearer(signRaw(t, key, "RS256", validHeader, `[1,2]`)), want: clerk.ReasonTokenInvalid},
		{name: "invalid UTF-8 in a claim", src: bearer(signRaw(t, key, "RS256", validHeader, strings.Replace(validClaims, "user_123", "user_\xff", 1))), want: clerk.ReasonTokenInvalid},
		{name: "duplicate claim", src: bearer(signRaw(t, key, "RS256", validHeader, strings.Replace(validClaims, `"sub":"user_123"`, `"sub":"user_123","sub":"user_admin"`, 1))), want: clerk.ReasonTokenInvalid},
		{name: "duplicate claim differing in case", src: bearer(signRaw(t, key, "RS256", validHeader, strings.Replace(validClaims, `"sub":"user_123"`, `"sub":"user_123","SUB":"user_admin"`, 1))), want: clerk.ReasonTokenInvalid},
		{name: "duplicate claim spelled with an escape", src: bearer(signRaw(t, key, "RS256", validHeader, strings.Replace(validClaims, `"sub":"user_123"`, `"sub":"user_123","s\u0075b":"user_admin"`, 1))), want: clerk.ReasonTokenInvalid},
		{name: "duplicate key in a nested object", src: bearer(signRaw(t, key, "RS256", validHeader, strings.Replace(validClaims, `{`, `{"o":{"id":"org_1","id":"org_2"},`, 1))), want: clerk.ReasonTokenInvalid},
		{name: "duplicate header parameter", src: bearer(signRaw(t, key, "RS256", `{"alg":"RS256","kid":"ins_test1","alg":"none"}`, validClaims)), want: clerk.ReasonTokenInvalid},
		{name: "trailing data after the claims", src: bearer(signRaw(t, key, "RS256", validHeader, validClaims+`{}`)), want: clerk.ReasonTokenInvalid},
		{name: "trailing data after the header", src: bearer(signRaw(t, key, "RS256", validHeader+"x", validClaims)), want: clerk.ReasonTokenInvalid},
		{name: "deep nesting", src: bearer(signRaw(t, key, "RS256", validHeader, strings.Replace(validClaims, `{`, `{"deep":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`,`, 1))), want: clerk.ReasonTokenInvalid},
		{name: "null claims count as absent", src: bearer(signRaw(t, key, "RS256", validHeader, strings.Replace(validClaims, `{`, `{"act":null,"o":null,`, 1))),
			check: func(t *testing.T, a *clerk.Auth) {
				if _, ok := a.Actor(); ok {
					t.Error("null act gave an actor")
				}
			}},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := []clerk.AuthenticatorOption{clerk.WithClock(clock.Now)}
			if c.jwks {
				opts = append(opts, jwks...)
			} else {
				opts = append(opts, clerk.WithJWTKey(pemText))
			}
			a := newAuthenticator(t, append(opts, c.opts...)...)
			for _, via := range []string{"Carrier", "http.Request"} {
				var auth *clerk.Auth
				if via == "Carrier" {
					auth = a.Authenticate(context.Background(), c.src)
				} else {
					auth = a.AuthenticateRequest(requestFrom(c.src))
				}
				if auth == nil {
					t.Fatalf("%s: nil Auth", via)
				}
				if auth.Reason() != c.want || auth.SignedIn() != (c.want == "") {
					t.Fatalf("%s: reason %q (signed in %v, %v), want %q", via, auth.Reason(), auth.SignedIn(), auth.Err(), c.want)
				}
				assertNoTokenLeak(t, c.src, auth)
				if c.check != nil && auth.SignedIn() {
					c.check(t, auth)
				}
			}
		})
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantOrg(t *testing.T, a *clerk.Auth, id, role, slug string, perms []string) {
	t.Helper()
	if a.OrgID() != id || a.OrgRole() != role || a.OrgSlug() != slug || !slices.Equal(a.OrgPermissions(), perms) {
		t.Errorf("org = %q %q %q %q, want %q %q %q %q", a.OrgID(), a.OrgRole(), a.OrgSlug(), a.OrgPermissions(), id, role, slug, perms)
	}
	for _, p := range perms {
		if !a.Has(clerk.Permission(p)) {
			t.Errorf("Has(Permission(%q)) = false", p)
		}
	}
}

// assertNoTokenLeak checks that no rendering of a signed-out Auth shows any
// token the request carried, nor its signature.
func assertNoTokenLeak(t *testing.T, src fakeSource, auth *clerk.Auth) {
	t.Helper()
	if auth.SignedIn() {
		return
	}
	shown := fmt.Sprint(auth, " ", auth.Err()) + fmt.Sprintf(" %#v %+v", auth, auth)
	for _, v := range slices.Concat(slices.Collect(maps.Values(src.headers)), slices.Collect(maps.Values(src.cookies))) {
		_, token, _ := strings.Cut(v, " ")
		for _, s := range []string{v, token} {
			if len(s) > 20 && strings.Contains(shown, s) {
				t.Fatalf("signed-out Auth shows the token: %s", shown)
			}
		}
		if i := strings.LastIndexByte(v, '.'); i >= 0 && len(v)-i > 20 && strings.Contains(shown, v[i+1:]) {
			t.Fatalf("signed-out Auth shows the signature: %s", shown)
		}
	}
	if auth.Token() != "" || auth.UserID() != "" || auth.RawClaims() != nil {
		t.Fatal("signed-out Auth exposes token or claims")
	}
}

// requestFrom turns a fakeSource into the *http.Request a browser would send.
func requestFrom(src fakeSource) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for k, v := range src.headers {
		r.Header.Set(k, v)
	}
	for k, v := range src.cookies {
		if strings.ContainsAny(v, "\n") {
			continue // not sendable in a Cookie header
		}
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return r
}
