package benchmarks_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	sdkjwt "github.com/clerk/clerk-sdk-go/v2/jwt"
	clerk "github.com/clerkkit/clerkkit/core"
)

// freshPool is how many distinct tokens the fresh-token benchmarks cycle
// through; the clerkkit cache-miss case gives its cache half as many slots,
// so with first-in-first-out eviction every lookup misses.
const freshPool = 128

// floorClaims is what the floor unmarshals the claims into: every claim of
// a v2 session token, as in the core's floor benchmark.
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

// verifyFloor is the least any verifier must do (the core's definition):
// split, strict base64url decoding of the three parts, header unmarshal,
// SHA-256, rsa.VerifyPKCS1v15 and claims unmarshal.
func verifyFloor(pub *rsa.PublicKey, token string) (*floorClaims, error) {
	enc := base64.RawURLEncoding.Strict()
	parts := strings.SplitN(token, ".", 3)
	if len(parts) != 3 {
		return nil, errMalformed
	}
	h, err1 := enc.DecodeString(parts[0])
	p, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errMalformed
	}
	var header struct{ Alg, Kid, Typ, Cat string }
	if err := json.Unmarshal(h, &header); err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(token[:len(parts[0])+1+len(parts[1])]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return nil, err
	}
	var claims floorClaims
	if err := json.Unmarshal(p, &claims); err != nil {
		return nil, err
	}
	return &claims, nil
}

type benchError string

func (e benchError) Error() string { return string(e) }

const errMalformed = benchError("malformed token")

// BenchmarkVerify compares verifying a session token: token=fresh cycles
// through distinct tokens (clerkkit's verified-token cache off, or on and
// missing every time), token=repeated sends one token again and again.
func BenchmarkVerify(b *testing.B) {
	in := newInstance(b)
	fresh := in.tokens(b, freshPool)
	repeated := fresh[0]
	pub := &instanceKey().PublicKey
	ctx := context.Background()

	sdkVerify := func(tokens []string) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				claims, err := sdkjwt.Verify(ctx, in.sdkVerifyParams(tokens[i%len(tokens)]))
				if err != nil || claims.Subject == "" || claims.ActiveOrganizationID == "" {
					b.Fatal("SDK refused the token:", err)
				}
				i++
			}
		}
	}
	clerkkitVerify := func(tokens []string, opts ...clerk.AuthenticatorOption) func(b *testing.B) {
		return func(b *testing.B) {
			a := in.authenticator(b, nil, opts...)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				auth, err := a.VerifyToken(ctx, tokens[i%len(tokens)])
				if err != nil || auth.UserID() == "" || auth.OrgID() == "" {
					b.Fatal("clerkkit refused the token:", err)
				}
				i++
			}
		}
	}

	b.Run("token=fresh/impl=floor", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c, err := verifyFloor(pub, fresh[i%len(fresh)])
			if err != nil || c.Sub == "" {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("token=fresh/impl=clerk-sdk-go", sdkVerify(fresh))
	b.Run("token=fresh/impl=clerkkit", clerkkitVerify(fresh, clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge)))
	b.Run("token=fresh/impl=clerkkit-cache-miss", clerkkitVerify(fresh, clerk.WithVerificationCache(freshPool/2, clerk.DefaultVerificationCacheMaxAge)))
	b.Run("token=repeated/impl=clerk-sdk-go", sdkVerify([]string{repeated}))
	b.Run("token=repeated/impl=clerkkit", clerkkitVerify([]string{repeated}))
}
