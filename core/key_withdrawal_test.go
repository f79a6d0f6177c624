package clerk_test

import (
	"context"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// A token cached as verified must stop signing in the moment the key that
// verified it leaves the key set, however far away its own exp is: a forger
// holding a leaked key chooses exp, so only the key set can end it.
func TestWithdrawnKeyStopsCachedTokens(t *testing.T) {
	for _, tc := range []struct {
		name string
		// rotated is the key set after the leaked key 0 is withdrawn.
		rotated func(t *testing.T) []map[string]any
	}{
		{"new key under a new kid", func(t *testing.T) []map[string]any {
			return []map[string]any{jwkFor("ins_test2", "RS256", &rsaKey(t, 1).PublicKey)}
		}},
		{"new key under the same kid", func(t *testing.T) []map[string]any {
			return []map[string]any{jwkFor(testKID, "RS256", &rsaKey(t, 1).PublicKey)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, jwkFor(testKID, "RS256", &rsaKey(t, 0).PublicKey))
			clock := newFakeClock()
			a := newAuthenticator(t, clerk.WithClient(backendClient(t, srv)), clerk.WithClock(clock.Now))
			ctx := context.Background()

			claims := sessionClaimsAt(clock.Now())
			claims["exp"] = clock.Now().Add(10 * 365 * 24 * time.Hour).Unix()
			forged := mint(t, rsaKey(t, 0), sessionHeader(testKID), claims)
			if _, err := a.VerifyToken(ctx, forged); err != nil {
				t.Fatalf("before the rotation the token verifies: %v", err)
			}

			// Clerk withdraws key 0. The next token with a kid the cached
			// set does not know makes the Authenticator fetch the new set.
			srv.setKeys(t, tc.rotated(t)...)
			clock.Advance(30 * 24 * time.Hour)
			newcomer := mint(t, rsaKey(t, 1), sessionHeader("ins_unknown_until_now"), sessionClaimsAt(clock.Now()))
			_, _ = a.VerifyToken(ctx, newcomer)
			if srv.hits.Load() != 2 {
				t.Fatalf("the key set should have been fetched again (fetches: %d)", srv.hits.Load())
			}

			if auth, err := a.VerifyToken(ctx, forged); err == nil {
				t.Fatalf("a token signed by a withdrawn key still signs in (user %s)", auth.UserID())
			}
			if got := a.Authenticate(ctx, bearer(forged)); got.SignedIn() {
				t.Fatal("Authenticate admitted a token signed by a withdrawn key")
			}
		})
	}
}

// A key set refreshed with the same keys must not cost the cache its
// entries' validity: the token keeps verifying.
func TestUnchangedKeySetKeepsCachedTokens(t *testing.T) {
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &rsaKey(t, 0).PublicKey))
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithClient(backendClient(t, srv)), clerk.WithClock(clock.Now))
	ctx := context.Background()
	token := validToken(t, clock.Now())
	if _, err := a.VerifyToken(ctx, token); err != nil {
		t.Fatal(err)
	}
	clock.Advance(31 * time.Second) // past the unknown-kid gap
	_, _ = a.VerifyToken(ctx, mint(t, rsaKey(t, 1), sessionHeader("ins_other"), sessionClaimsAt(clock.Now())))
	if srv.hits.Load() != 2 {
		t.Fatalf("fetches: %d, want 2", srv.hits.Load())
	}
	if _, err := a.VerifyToken(ctx, token); err != nil {
		t.Fatalf("a token whose key is still in the set was refused: %v", err)
	}
}

// The cache trusts an entry for its maximum age, not for as long as the
// token's exp allows: after that the signature is checked again.
func TestVerifiedTokenCacheEntryHasAMaximumAge(t *testing.T) {
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithClock(clock.Now),
		clerk.WithVerificationCache(100, 20*time.Second))
	verifications := clerk.CountKeyLookups(a)
	claims := sessionClaimsAt(clock.Now())
	claims["exp"] = clock.Now().Add(10 * 365 * 24 * time.Hour).Unix()
	token := mint(t, rsaKey(t, 0), sessionHeader(testKID), claims)
	ctx := context.Background()

	for _, step := range []struct {
		advance time.Duration
		want    int64
	}{
		{0, 1},                // first sight: verified
		{19 * time.Second, 1}, // younger than the maximum age: a hit
		{time.Second, 2},      // 20 s old: verified again
		{19 * time.Second, 2}, // the new entry is 19 s old: a hit
		{24 * time.Hour, 3},
	} {
		clock.Advance(step.advance)
		if _, err := a.VerifyToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got := verifications.Load(); got != step.want {
			t.Fatalf("after %v more: %d signature verifications, want %d", step.advance, got, step.want)
		}
	}
}

func TestVerificationCacheMaxAgeIsValidated(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second, 999 * time.Millisecond, time.Hour + 1} {
		if _, err := clerk.NewAuthenticator(clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithVerificationCache(10, d)); err == nil {
			t.Errorf("WithVerificationCache(10, %v) accepted", d)
		}
	}
}
