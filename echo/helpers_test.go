package clerkecho_test

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

// rig is one emulated Clerk instance with a user, a session and a "test"
// JWT template, plus a Client and an Authenticator for it.
type rig struct {
	srv    *clerktest.Server
	client *clerk.Client
	auth   *clerk.Authenticator
	sid    string
	logger *slog.Logger
	logs   *syncBuffer
}

func newRig(tb testing.TB, authOpts ...clerk.AuthOption) *rig {
	tb.Helper()
	srv := clerktest.Start(tb)
	if _, err := srv.AddUser(clerktest.User{ID: "user_1"}); err != nil {
		tb.Fatal(err)
	}
	if err := srv.AddTemplate(clerktest.Template{Name: "test", Claims: map[string]any{"uid": "{{user.id}}"}}); err != nil {
		tb.Fatal(err)
	}
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), clerk.WithoutRetries())
	if err != nil {
		tb.Fatal(err)
	}
	opts := append([]clerk.AuthOption{clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithPublishableKey(srv.PublishableKey())}, authOpts...)
	a, err := clerk.NewAuthenticator(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	logs := &syncBuffer{}
	return &rig{
		srv: srv, client: client, auth: a, logs: logs,
		sid:    srv.CreateSession("user_1").ID,
		logger: slog.New(slog.NewTextHandler(logs, nil)),
	}
}

func (r *rig) sessionToken(tb testing.TB, opts ...clerktest.TokenOption) string {
	tb.Helper()
	tok, err := r.srv.SessionToken(r.sid, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// badSignature is a token under the instance's kid signed by another key.
func (r *rig) badSignature(tb testing.TB) string {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return r.sessionToken(tb, clerktest.TokenSignedBy(key, r.srv.KeyID()))
}

// tokenBody checks a 200 body is exactly {"token":{"jwt":"…"}} and returns
// the JWT.
func tokenBody(tb testing.TB, body string) string {
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

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
