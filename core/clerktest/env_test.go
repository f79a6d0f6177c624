package clerktest_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

func TestEnvNamesExactlyClerksVariables(t *testing.T) {
	s := clerktest.Start(t)
	env := s.Env()
	want := []string{clerk.EnvAPIURL, clerk.EnvPublishableKey, clerk.EnvSecretKey}
	if got := slices.Sorted(maps.Keys(env)); !slices.Equal(got, want) {
		t.Fatalf("Env names %v, want %v", got, want)
	}
	if env[clerk.EnvSecretKey] != s.SecretKey() || env[clerk.EnvAPIURL] != s.URL || env[clerk.EnvPublishableKey] != s.PublishableKey() {
		t.Fatalf("Env %v does not hold the server's values", env)
	}
}

// TestSetEnvWiresTheFromEnvConstructors: with only SetEnv, the Client mints
// through the emulator and the Authenticator verifies with its keys (fetched
// from it, and checked against its issuer), end to end.
func TestSetEnvWiresTheFromEnvConstructors(t *testing.T) {
	t.Setenv(clerk.EnvJWTKey, "a key from the developer's shell")
	s := clerktest.Start(t)
	s.SetEnv(t)
	if v := os.Getenv(clerk.EnvJWTKey); v != "" {
		t.Fatalf("%s is %q after SetEnv, want empty", clerk.EnvJWTKey, v)
	}
	d, err := s.SeedDemo("test")
	if err != nil {
		t.Fatal(err)
	}

	client, err := clerk.NewClientFromEnv(clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	authn, err := clerk.NewAuthenticatorFromEnv(client)
	if err != nil {
		t.Fatal(err)
	}
	if err := authn.Warm(context.Background()); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	tok, err := client.GetToken(context.Background(), d.SessionID, "")
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	auth, err := authn.VerifyToken(context.Background(), tok.JWT)
	if err != nil {
		t.Fatalf("verifying the minted token: %v", err)
	}
	if auth.UserID() != d.UserID || auth.SessionID() != d.SessionID {
		t.Errorf("verified %s/%s, want %s/%s", auth.UserID(), auth.SessionID(), d.UserID, d.SessionID)
	}
	if n := s.Requests(clerktest.EndpointTokens); n != 1 {
		t.Errorf("the emulator saw %d token requests, want 1", n)
	}
	if n := s.Requests(clerktest.EndpointJWKS); n != 1 {
		t.Errorf("the emulator saw %d JWKS requests, want 1", n)
	}
	// CLERK_PUBLISHABLE_KEY was read: the issuer is checked.
	if got, want := authn.String(), "clerk.Authenticator{issuer: "+s.Issuer()+"}"; got != want {
		t.Errorf("Authenticator %s, want %s", got, want)
	}
}
