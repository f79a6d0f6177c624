// Package adaptertest is what the tests of every framework adapter share:
// one emulated Clerk instance with a signed-in user and a "test" JWT
// template, a Client and an Authenticator wired to it, and checks of the
// exact bodies Clerk's examples answer with. A new adapter's tests start
// from NewRig, so they read like the gin, echo and fiber ones.
package adaptertest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// Rig is one emulated Clerk instance and the clerkkit values an adapter
// needs to talk to it.
type Rig struct {
	Server *clerktest.Server
	// Client mints tokens from the emulator, without retries so failure
	// tests stay fast and count requests exactly. It logs to Logs.
	Client *clerk.Client
	// Auth verifies the emulator's session tokens with its PEM key and
	// publishable key, and opaque machine tokens through Client.
	Auth *clerk.Authenticator
	// SessionID is the signed-in session of user "user_1".
	SessionID string
	// Logger writes to Logs, so tests can assert what was logged.
	Logger *slog.Logger
	Logs   *SyncBuffer
}

// NewRig starts an emulator for the test's lifetime, with user "user_1",
// an active session, and a template "test" whose claim uid is the user id.
// authOpts are added to the Authenticator's options.
func NewRig(tb testing.TB, authOpts ...clerk.AuthenticatorOption) *Rig {
	tb.Helper()
	srv := clerktest.Start(tb)
	if _, err := srv.AddUser(clerktest.User{ID: "user_1"}); err != nil {
		tb.Fatal(err)
	}
	if err := srv.AddTemplate(clerktest.Template{Name: "test", Claims: map[string]any{"uid": "{{user.id}}"}}); err != nil {
		tb.Fatal(err)
	}
	logs := &SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}),
		clerk.WithLogger(logger))
	if err != nil {
		tb.Fatal(err)
	}
	opts := append([]clerk.AuthenticatorOption{clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithPublishableKey(srv.PublishableKey()),
		clerk.WithClient(client)}, authOpts...)
	auth, err := clerk.NewAuthenticator(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return &Rig{
		Server: srv, Client: client, Auth: auth, Logs: logs,
		SessionID: srv.CreateSession("user_1").ID,
		Logger:    logger,
	}
}

// SessionToken mints a session token for the rig's session.
func (r *Rig) SessionToken(tb testing.TB, opts ...clerktest.TokenOption) string {
	tb.Helper()
	tok, err := r.Server.SessionToken(r.SessionID, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// OrgToken is a session token for the rig's session with an active
// organization in which the user has role (without the "org:" prefix, as
// Clerk writes it) and the permissions org:memberships:read and, for
// "admin", org:memberships:manage.
func (r *Rig) OrgToken(tb testing.TB, role string) string {
	fpm := "1"
	if role == "admin" {
		fpm = "3"
	}
	return r.SessionToken(tb, clerktest.TokenClaims(map[string]any{
		"fea": "o:memberships",
		"o":   map[string]any{"id": "org_1", "slg": "acme", "rol": role, "per": "read,manage", "fpm": fpm},
	}))
}

// BadSignature is a session token under the instance's kid, signed by
// another key.
func (r *Rig) BadSignature(tb testing.TB) string {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return r.SessionToken(tb, clerktest.TokenSignedBy(key, r.Server.KeyID()))
}

// TokenBody checks that a 200 body is exactly {"token":{"jwt":"…"}} and
// returns the JWT.
func TokenBody(tb testing.TB, body string) string {
	tb.Helper()
	var v struct {
		Token struct {
			JWT string `json:"jwt"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Token.JWT == "" {
		tb.Fatalf("body %q: %v", body, err)
	}
	if want := `{"token":{"jwt":"` + v.Token.JWT + `"}}`; body != want {
		tb.Fatalf("body %q, want %q", body, want)
	}
	return v.Token.JWT
}

// SyncBuffer is a bytes.Buffer that many request goroutines may log to.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
