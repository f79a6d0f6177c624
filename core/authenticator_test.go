package clerk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

func TestNewAuthenticatorRefusesBadOptions(t *testing.T) {
	pemText := publicPEM(t, rsaKey(t, 0))
	key := clerk.WithJWTKey(pemText)
	cases := []struct {
		name string
		opts []clerk.AuthenticatorOption
	}{
		{"no key source", nil},
		{"two key sources", []clerk.AuthenticatorOption{key, clerk.WithFrontendJWKS(), clerk.WithPublishableKey(testPublishableKey)}},
		{"frontend JWKS without publishable key", []clerk.AuthenticatorOption{clerk.WithFrontendJWKS()}},
		{"garbage JWT key", []clerk.AuthenticatorOption{clerk.WithJWTKey("hello")}},
		{"private key PEM", []clerk.AuthenticatorOption{clerk.WithJWTKey("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----")}},
		{"nil client", []clerk.AuthenticatorOption{clerk.WithClient(nil)}},
		{"bad JWKS URL", []clerk.AuthenticatorOption{clerk.WithJWKSURL("ftp://x")}},
		{"nil JWKS HTTP client", []clerk.AuthenticatorOption{key, clerk.WithHTTPClient(nil)}},
		{"bad publishable key prefix", []clerk.AuthenticatorOption{key, clerk.WithPublishableKey("sk_test_abc")}},
		{"publishable key without $", []clerk.AuthenticatorOption{key, clerk.WithPublishableKey("pk_test_Y2xlcmsuZXhhbXBsZS50ZXN0")}},
		{"publishable key with a path", []clerk.AuthenticatorOption{key, clerk.WithPublishableKey("pk_test_ZXZpbC5leGFtcGxlL3BhdGgk")}},
		{"no authorized parties", []clerk.AuthenticatorOption{key, clerk.WithAuthorizedParties()}},
		{"empty authorized party", []clerk.AuthenticatorOption{key, clerk.WithAuthorizedParties("")}},
		{"comma in authorized party", []clerk.AuthenticatorOption{key, clerk.WithAuthorizedParties("https://a,https://b")}},
		{"negative skew", []clerk.AuthenticatorOption{key, clerk.WithClockSkew(-time.Second)}},
		{"huge skew", []clerk.AuthenticatorOption{key, clerk.WithClockSkew(time.Hour)}},
		{"nil clock", []clerk.AuthenticatorOption{key, clerk.WithClock(nil)}},
		{"negative cache size", []clerk.AuthenticatorOption{key, clerk.WithVerificationCache(-1, clerk.DefaultVerificationCacheMaxAge)}},
		{"cache max age under a second", []clerk.AuthenticatorOption{key, clerk.WithVerificationCache(10, time.Millisecond)}},
		{"cache max age over an hour", []clerk.AuthenticatorOption{key, clerk.WithVerificationCache(10, 2*time.Hour)}},
		{"nil logger", []clerk.AuthenticatorOption{key, clerk.WithLogger(nil)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := clerk.NewAuthenticator(c.opts...)
			if err == nil || a != nil || !errors.Is(err, clerk.ErrInvalidConfig) {
				t.Fatalf("got %v, %v; want an ErrInvalidConfig", a, err)
			}
			if strings.Contains(err.Error(), "MIIB") {
				t.Fatalf("error shows key material: %v", err)
			}
		})
	}
}

func TestJWTKeyFormats(t *testing.T) {
	key := rsaKey(t, 0)
	pemText := publicPEM(t, key)
	body := strings.TrimSpace(strings.NewReplacer("-----BEGIN PUBLIC KEY-----", "", "-----END PUBLIC KEY-----", "").Replace(pemText))
	clock := newFakeClock()
	token := validToken(t, clock.Now())
	for name, text := range map[string]string{
		"PEM":                    pemText,
		"PEM with \\n escapes":   strings.ReplaceAll(pemText, "\n", `\n`),
		"bare base64 with lines": body,
		"bare base64 one line":   strings.ReplaceAll(body, "\n", ""),
	} {
		t.Run(name, func(t *testing.T) {
			a := newAuthenticator(t, clerk.WithJWTKey(text), clerk.WithClock(clock.Now))
			if _, err := a.VerifyToken(context.Background(), token); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewAuthenticatorFromEnv(t *testing.T) {
	pemText := publicPEM(t, rsaKey(t, 0))
	clock := newFakeClock()
	token := validToken(t, clock.Now())

	t.Run("JWT key, publishable key and parties", func(t *testing.T) {
		t.Setenv(clerk.EnvJWTKey, pemText)
		t.Setenv(clerk.EnvPublishableKey, testPublishableKey)
		t.Setenv(clerk.EnvAuthorizedParties, " https://other.example.test , "+testOrigin+",")
		a, err := clerk.NewAuthenticatorFromEnv(nil, clerk.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.VerifyToken(context.Background(), token); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("parties from the environment are enforced", func(t *testing.T) {
		t.Setenv(clerk.EnvJWTKey, pemText)
		t.Setenv(clerk.EnvAuthorizedParties, "https://only.example.test")
		a, err := clerk.NewAuthenticatorFromEnv(nil, clerk.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.VerifyToken(context.Background(), token); reasonOf(err) != clerk.ReasonTokenInvalidAuthorizedParties {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("issuer from the environment is enforced", func(t *testing.T) {
		t.Setenv(clerk.EnvJWTKey, pemText)
		t.Setenv(clerk.EnvPublishableKey, "pk_live_"+"Y2xlcmsub3RoZXIudGVzdCQ") // clerk.other.test$
		a, err := clerk.NewAuthenticatorFromEnv(nil, clerk.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.VerifyToken(context.Background(), token); reasonOf(err) != clerk.ReasonTokenInvalidIssuer {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("client when no JWT key", func(t *testing.T) {
		srv := newJWKSServer(t, jwkFor(testKID, "RS256", &rsaKey(t, 0).PublicKey))
		t.Setenv(clerk.EnvJWTKey, "")
		a, err := clerk.NewAuthenticatorFromEnv(backendClient(t, srv), clerk.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.VerifyToken(context.Background(), token); err != nil || srv.hits.Load() != 1 {
			t.Fatalf("err %v, %d fetches", err, srv.hits.Load())
		}
	})
	t.Run("options win over the environment", func(t *testing.T) {
		t.Setenv(clerk.EnvJWTKey, publicPEM(t, rsaKey(t, 1)))
		t.Setenv(clerk.EnvAuthorizedParties, "https://only.example.test")
		a, err := clerk.NewAuthenticatorFromEnv(nil, clerk.WithJWTKey(pemText),
			clerk.WithAuthorizedParties(testOrigin), clerk.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.VerifyToken(context.Background(), token); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no key source", func(t *testing.T) {
		t.Setenv(clerk.EnvJWTKey, "")
		if _, err := clerk.NewAuthenticatorFromEnv(nil); !errors.Is(err, clerk.ErrInvalidConfig) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("bad variable is named", func(t *testing.T) {
		t.Setenv(clerk.EnvJWTKey, "nonsense")
		_, err := clerk.NewAuthenticatorFromEnv(nil)
		if !errors.Is(err, clerk.ErrInvalidConfig) || !strings.Contains(err.Error(), clerk.EnvJWTKey) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestVerifiedTokenCache(t *testing.T) {
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithClock(clock.Now))
	c := sessionClaimsAt(clock.Now())
	c["fea"] = "o:memberships"
	c["o"] = map[string]any{"id": "org_1", "rol": "admin", "per": "read,manage", "fpm": "3"}
	token := mint(t, rsaKey(t, 0), sessionHeader(testKID), c)
	first, err := a.VerifyToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("callers cannot change a shared Auth", func(t *testing.T) {
		perms := first.OrgPermissions()
		perms[0] = "org:everything:manage"
		raw := first.RawClaims()
		copy(raw, `{"sub":"user_admin"}`)
		again, err := a.VerifyToken(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(again.OrgPermissions(), []string{"org:memberships:read", "org:memberships:manage"}) ||
			again.Has(clerk.Permission("org:everything:manage")) || again.UserID() != "user_123" {
			t.Fatalf("shared Auth changed: %v %v", again.OrgPermissions(), again.UserID())
		}
		var claims map[string]any
		err = again.DecodeClaims(&claims)
		if err != nil || claims["sub"] != "user_123" {
			t.Fatalf("claims changed: %v %v", claims, err)
		}
	})
	t.Run("expiry is checked on every hit", func(t *testing.T) {
		clock.Advance(60*time.Second + clerk.DefaultClockSkew)
		if _, err := a.VerifyToken(context.Background(), token); reasonOf(err) != clerk.ReasonTokenExpired {
			t.Fatalf("cached token past exp: %v", err)
		}
	})
}

func TestVerifiedTokenCacheEvicts(t *testing.T) {
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithClock(clock.Now),
		clerk.WithVerificationCache(2, clerk.DefaultVerificationCacheMaxAge))
	var tokens []string
	for i := range 5 {
		c := sessionClaimsAt(clock.Now())
		c["jti"] = "jti_" + string(rune('a'+i))
		tokens = append(tokens, mint(t, rsaKey(t, 0), sessionHeader(testKID), c))
	}
	for round := range 2 {
		for _, tok := range tokens {
			if _, err := a.VerifyToken(context.Background(), tok); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

func TestVerifyTokenErrors(t *testing.T) {
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))))
	auth, err := a.VerifyToken(context.Background(), "")
	if auth != nil || !errors.Is(err, clerk.ErrUnauthenticated) || reasonOf(err) != clerk.ReasonSessionTokenMissing {
		t.Fatalf("got %v, %v", auth, err)
	}
	if got := a.Authenticate(context.Background(), nil); got.SignedIn() || got.Reason() != clerk.ReasonSessionTokenMissing {
		t.Fatalf("nil source: %v", got)
	}
	var nilAuth *clerk.Auth
	if nilAuth.SignedIn() || nilAuth.UserID() != "" || nilAuth.Reason() != clerk.ReasonSessionTokenMissing {
		t.Fatal("nil Auth is not signed out")
	}
	if err := nilAuth.DecodeClaims(&struct{}{}); !errors.Is(err, clerk.ErrUnauthenticated) {
		t.Fatalf("DecodeClaims on nil: %v", err)
	}
}

func TestOrgPermissionsDecoding(t *testing.T) {
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithClock(clock.Now))
	cases := []struct {
		name          string
		fea, per, fpm string
		want          []string
	}{
		{"Clerk's example", "o:impersonation,o:memberships", "read,manage", "1,3", []string{"org:impersonation:read", "org:memberships:read", "org:memberships:manage"}},
		{"user features skipped", "u:free,o:a,u:x,ou:b,uo:c", "r,w", "2,1,3", []string{"org:a:w", "org:b:r", "org:c:r", "org:c:w"}},
		{"no bits", "o:a", "r,w", "0", nil},
		{"fewer masks than features", "o:a,o:b", "r", "1", []string{"org:a:r"}},
		{"bits past the permissions", "o:a", "r", "7", []string{"org:a:r"}},
		{"malformed mask grants nothing", "o:a,o:b", "r", "x,1", []string{"org:b:r"}},
		{"negative mask grants nothing", "o:a", "r", "-1", nil},
		{"huge mask", "o:a", "r", "36893488147419103233", []string{"org:a:r"}}, // 2^65 + 1
		{"no per", "o:a", "", "1", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			claims := sessionClaimsAt(clock.Now())
			claims["fea"] = c.fea
			claims["o"] = map[string]any{"id": "org_1", "rol": "member", "per": c.per, "fpm": c.fpm}
			auth, err := a.VerifyToken(context.Background(), mint(t, rsaKey(t, 0), sessionHeader(testKID), claims))
			if err != nil {
				t.Fatal(err)
			}
			if got := auth.OrgPermissions(); !slices.Equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestDecodeCustomClaims(t *testing.T) {
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithClock(clock.Now))
	c := sessionClaimsAt(clock.Now())
	c["metadata"] = map[string]any{"role": "editor", "plan": "pro"}
	auth, err := a.VerifyToken(context.Background(), mint(t, rsaKey(t, 0), sessionHeader(testKID), c))
	if err != nil {
		t.Fatal(err)
	}
	type custom struct {
		Sub      string `json:"sub"`
		Metadata struct {
			Role string `json:"role"`
		} `json:"metadata"`
	}
	var got custom
	if err := auth.DecodeClaims(&got); err != nil || got.Sub != "user_123" || got.Metadata.Role != "editor" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if s := auth.String(); strings.Contains(s, auth.Token()) {
		t.Fatalf("String shows the token: %s", s)
	}
}
