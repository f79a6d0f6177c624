package clerk_test

import (
	"context"
	"slices"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestAuthenticateEmulatorTokens verifies tokens minted by the clerktest
// emulator, which renders Clerk's claims independently of this package.
func TestAuthenticateEmulatorTokens(t *testing.T) {
	clock := newFakeClock()
	srv := clerktest.Start(t, clerktest.WithKey(rsaKey(t, 2)), clerktest.WithClock(clock.Now))
	if _, err := srv.AddUser(clerktest.User{ID: "user_emu"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddOrganization(clerktest.Organization{ID: "org_emu", Slug: "emu"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddMembership("org_emu", "user_emu", "admin", "org:memberships:read", "org:memberships:manage", "org:billing:read"); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddTemplate(clerktest.Template{Name: "test", Claims: map[string]any{"aud": "x"}}); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_emu", clerktest.WithActiveOrganization("org_emu"), clerktest.WithAuthorizedParty(testOrigin))

	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]clerk.AuthenticatorOption{
		"backend JWKS":  clerk.WithClient(client),
		"frontend JWKS": clerk.WithJWKSURL(srv.URL + "/.well-known/jwks.json"),
		"PEM key":       clerk.WithJWTKey(srv.PublicKeyPEM()),
	}
	for name, source := range sources {
		t.Run(name, func(t *testing.T) {
			a := newAuthenticator(t, source, clerk.WithPublishableKey(srv.PublishableKey()),
				clerk.WithAuthorizedParties(testOrigin), clerk.WithClock(clock.Now))

			token, err := srv.SessionToken(sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := a.VerifyToken(context.Background(), token)
			if err != nil {
				t.Fatal(err)
			}
			if auth.UserID() != "user_emu" || auth.SessionID() != sess.ID || auth.OrgID() != "org_emu" ||
				auth.OrgRole() != "org:admin" || auth.OrgSlug() != "emu" {
				t.Fatalf("claims: %v org %q %q %q", auth, auth.OrgID(), auth.OrgRole(), auth.OrgSlug())
			}
			want := []string{"org:memberships:read", "org:memberships:manage", "org:billing:read"}
			got := auth.OrgPermissions()
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("permissions %q, want %q", got, want)
			}

			tmpl, err := srv.TemplateToken(sess.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.VerifyToken(context.Background(), tmpl); reasonOf(err) != clerk.ReasonTokenTypeMismatch {
				t.Fatalf("template token: %v", err)
			}
		})
	}
}

func TestEmulatorKeyRotation(t *testing.T) {
	clock := newFakeClock()
	srv := clerktest.Start(t, clerktest.WithKey(rsaKey(t, 2)), clerktest.WithClock(clock.Now))
	sess := srv.CreateSession("user_emu")
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	a := newAuthenticator(t, clerk.WithClient(client), clerk.WithClock(clock.Now))
	before, _ := srv.SessionToken(sess.ID)
	if _, err := a.VerifyToken(context.Background(), before); err != nil {
		t.Fatal(err)
	}
	srv.RotateKey()
	after, _ := srv.SessionToken(sess.ID)
	if _, err := a.VerifyToken(context.Background(), after); reasonOf(err) != clerk.ReasonJWKKidMismatch {
		t.Fatalf("new kid right after the warm-up fetch must wait for the interval: %v", err)
	}
	clock.Advance(clerk.DefaultUnknownKIDRefetchInterval)
	after, _ = srv.SessionToken(sess.ID)
	if _, err := a.VerifyToken(context.Background(), after); err != nil {
		t.Fatalf("rotated key not picked up: %v", err)
	}
}
