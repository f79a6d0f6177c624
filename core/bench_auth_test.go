package clerk_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// benchToken is a realistic v2 session token: an active organization with
// permissions, features and plans, signed with RS256.
func benchToken(b *testing.B, now time.Time) string {
	c := sessionClaimsAt(now)
	c["fea"] = "u:free,o:impersonation,o:memberships,o:billing"
	c["pla"] = "u:free,o:pro"
	c["o"] = map[string]any{"id": "org_2abcDEFghiJKLmnoPQRstu", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "1,3,1"}
	return mint(b, rsaKey(b, 0), sessionHeader(testKID), c)
}

// floorClaims is what the floor benchmark unmarshals the claims into.
type floorClaims struct {
	Azp string `json:"azp"`
	Exp int64  `json:"exp"`
	Fva []int  `json:"fva"`
	Iat int64  `json:"iat"`
	Iss string `json:"iss"`
	Jti string `json:"jti"`
	Nbf int64  `json:"nbf"`
	Sid string `json:"sid"`
	Sts string `json:"sts"`
	Sub string `json:"sub"`
	V   int    `json:"v"`
	Fea string `json:"fea"`
	Pla string `json:"pla"`
	O   struct {
		ID  string `json:"id"`
		Slg string `json:"slg"`
		Rol string `json:"rol"`
		Per string `json:"per"`
		Fpm string `json:"fpm"`
	} `json:"o"`
}

// BenchmarkVerifyFloor is the least any verifier must do: split, strict
// base64url decoding of the three parts, header unmarshal, SHA-256,
// rsa.VerifyPKCS1v15 and claims unmarshal.
func BenchmarkVerifyFloor(b *testing.B) {
	token := benchToken(b, time.Now())
	pub := &rsaKey(b, 0).PublicKey
	enc := base64.RawURLEncoding.Strict()
	b.ReportAllocs()
	for b.Loop() {
		parts := strings.SplitN(token, ".", 3)
		h, err1 := enc.DecodeString(parts[0])
		p, err2 := enc.DecodeString(parts[1])
		sig, err3 := enc.DecodeString(parts[2])
		if err1 != nil || err2 != nil || err3 != nil {
			b.Fatal("decode")
		}
		var header struct{ Alg, Kid, Typ, Cat string }
		if err := json.Unmarshal(h, &header); err != nil {
			b.Fatal(err)
		}
		digest := sha256.Sum256([]byte(token[:len(parts[0])+1+len(parts[1])]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
		var claims floorClaims
		if err := json.Unmarshal(p, &claims); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFresh verifies the token in full every time (the
// verified-token cache is off).
func BenchmarkVerifyFresh(b *testing.B) {
	token := benchToken(b, time.Now())
	a := newAuthenticator(b, clerk.WithJWTKey(publicPEM(b, rsaKey(b, 0))), clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.VerifyToken(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFreshJWKS is VerifyFresh with keys from a (warm) JWKS cache.
func BenchmarkVerifyFreshJWKS(b *testing.B) {
	key := rsaKey(b, 0)
	srv := newJWKSServer(b, jwkFor(testKID, "RS256", &key.PublicKey))
	a := newAuthenticator(b, clerk.WithClient(backendClient(b, srv)), clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge))
	token := benchToken(b, time.Now())
	ctx := context.Background()
	if _, err := a.VerifyToken(ctx, token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.VerifyToken(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRepeated verifies the same token again: a cache hit with
// its times re-checked.
func BenchmarkVerifyRepeated(b *testing.B) {
	token := benchToken(b, time.Now())
	a := newAuthenticator(b, clerk.WithJWTKey(publicPEM(b, rsaKey(b, 0))))
	ctx := context.Background()
	if _, err := a.VerifyToken(ctx, token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.VerifyToken(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRepeatedJWKS is VerifyRepeated with keys from a (warm)
// JWKS cache: the hit also checks that its key is still in the set.
func BenchmarkVerifyRepeatedJWKS(b *testing.B) {
	key := rsaKey(b, 0)
	srv := newJWKSServer(b, jwkFor(testKID, "RS256", &key.PublicKey))
	a := newAuthenticator(b, clerk.WithClient(backendClient(b, srv)))
	token := benchToken(b, time.Now())
	ctx := context.Background()
	if _, err := a.VerifyToken(ctx, token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.VerifyToken(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateRepeated is VerifyRepeated through a Carrier.
func BenchmarkAuthenticateRepeated(b *testing.B) {
	token := benchToken(b, time.Now())
	a := newAuthenticator(b, clerk.WithJWTKey(publicPEM(b, rsaKey(b, 0))))
	src := bearer(token)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if !a.Authenticate(ctx, src).SignedIn() {
			b.Fatal("signed out")
		}
	}
}

// BenchmarkMiddlewareFresh runs a request with a bearer token through
// Middleware and RequireAuth with the verified-token cache off.
func BenchmarkMiddlewareFresh(b *testing.B) {
	benchMiddleware(b, clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge))
}

// BenchmarkMiddlewareRepeated is MiddlewareFresh with the cache on.
func BenchmarkMiddlewareRepeated(b *testing.B) {
	benchMiddleware(b)
}

func benchMiddleware(b *testing.B, opts ...clerk.AuthenticatorOption) {
	token := benchToken(b, time.Now())
	a := newAuthenticator(b, append([]clerk.AuthenticatorOption{clerk.WithJWTKey(publicPEM(b, rsaKey(b, 0)))}, opts...)...)
	var seen bool
	h := clerk.Middleware(a)(clerk.RequireAuth()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, _ := clerk.AuthFromContext(r.Context())
		seen = auth.UserID() != ""
	})))
	r := httptest.NewRequest(http.MethodGet, "/api/get-token-example", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := discardWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		seen = false
		h.ServeHTTP(w, r)
		if !seen {
			b.Fatal("handler did not see the user")
		}
	}
}

// discardWriter keeps the ResponseWriter's own costs out of the figures.
type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { return w.header }
func (w discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w discardWriter) WriteHeader(int)             {}
