package clerk_test

import (
	"context"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// BenchmarkVerifyM2MJWTFresh verifies an M2M token in JWT format with the
// cache off: the machine counterpart of BenchmarkVerifyFresh.
func BenchmarkVerifyM2MJWTFresh(b *testing.B) {
	benchMachineJWT(b, m2mJWT(b, time.Now(), nil), clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge))
}

// BenchmarkVerifyM2MJWTRepeated is the same token seen again.
func BenchmarkVerifyM2MJWTRepeated(b *testing.B) {
	benchMachineJWT(b, m2mJWT(b, time.Now(), nil))
}

// BenchmarkVerifyOAuthJWTFresh verifies an OAuth access token in JWT
// format with the cache off.
func BenchmarkVerifyOAuthJWTFresh(b *testing.B) {
	benchMachineJWT(b, oauthJWT(b, time.Now(), nil), clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge))
}

func benchMachineJWT(b *testing.B, token string, opts ...clerk.AuthenticatorOption) {
	base := []clerk.AuthenticatorOption{clerk.WithJWTKey(publicPEM(b, rsaKey(b, 0))), clerk.WithAcceptedTokens(clerk.TokenTypeAny)}
	a := newAuthenticator(b, append(base, opts...)...)
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

// BenchmarkAuthenticateOpaqueReused is a request with an API key Clerk
// verified a moment ago: the reused answer, no call.
func BenchmarkAuthenticateOpaqueReused(b *testing.B) {
	api := newMachineAPI(b)
	api.add("ak_bench", apiKeyAnswer("ak_id", "user_1", "bench"))
	clock := newFakeClock()
	a := machineAuthenticator(b, api, clock)
	src := bearer("ak_bench")
	ctx := context.Background()
	if !a.Authenticate(ctx, src).Authenticated() {
		b.Fatal("refused")
	}
	b.ReportAllocs()
	for b.Loop() {
		if !a.Authenticate(ctx, src).Authenticated() {
			b.Fatal("refused")
		}
	}
	if n := api.calls.Load(); n != 1 {
		b.Fatalf("%d calls to Clerk, want 1", n)
	}
}
