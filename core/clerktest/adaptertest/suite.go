package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// Response is what a route answered.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Serve sends one GET request with header through an adapter's router.
// The suite calls it from many goroutines at once.
type Serve func(path string, header http.Header) (Response, error)

// Router builds an adapter's router for a rig. The router serves:
//
//	GET /api/private       Middleware, then RequireAuth, then "hello <user id>"
//	GET /token             TokenHandler("test")
//	GET /token/{template}  TokenHandler(template)
//
// with Middleware given rig.Client and rig.Logger.
type Router func(r *Rig) Serve

// Bearer is an Authorization header carrying token.
func Bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func get(tb testing.TB, serve Serve, path string, header http.Header) Response {
	tb.Helper()
	res, err := serve(path, header)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// CheckTokenHandler checks TokenHandler's answers byte for byte: a template
// token for a signed-in request, 401 {"message":"Unauthorized"} without a
// single request to Clerk for a signed-out one.
func CheckTokenHandler(t *testing.T, router Router) {
	r := NewRig(t)
	serve := router(r)
	res := get(t, serve, "/token", Bearer(r.SessionToken(t)))
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("signed in: %d %v", res.Status, res.Header)
	}
	jwt := TokenBody(t, res.Body)
	if _, err := r.Auth.VerifyToken(context.Background(), jwt); !errors.Is(err, clerk.ErrUnauthenticated) {
		t.Fatalf("the minted token should be a template token, not a session token: %v", err)
	}

	r.Server.ResetRequests()
	res = get(t, serve, "/token", nil)
	if res.Status != http.StatusUnauthorized || res.Body != clerk.UnauthorizedJSON || r.Server.Requests("") != 0 {
		t.Fatalf("signed out: %d %q, %d requests to Clerk", res.Status, res.Body, r.Server.Requests(""))
	}
}

// CheckClerkErrors checks how TokenHandler answers Clerk's failures, as
// clerk.NewTokenResponse documents, and that the log has Clerk's trace id
// but neither the session token nor the secret key.
func CheckClerkErrors(t *testing.T, router Router) {
	cases := []struct {
		name       string
		path       string
		fault      func(*clerktest.Server)
		wantStatus int
		wantBody   string
		wantRetry  string
	}{
		{"unknown template 404", "/token/nope", nil, 500, `{"message":"Internal Server Error"}`, ""},
		{"rate limited 429", "/token", func(s *clerktest.Server) { s.RateLimitNext(1, "7", clerktest.EndpointTokens) }, 429, `{"message":"Too Many Requests"}`, "7"},
		{"server error 500", "/token", func(s *clerktest.Server) { s.FailNext(1, 500, clerktest.EndpointTokens) }, 502, `{"message":"Bad Gateway"}`, ""},
		{"unavailable 503", "/token", func(s *clerktest.Server) { s.FailNext(1, 503, clerktest.EndpointTokens) }, 502, `{"message":"Bad Gateway"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRig(t)
			token := r.SessionToken(t)
			if c.fault != nil {
				c.fault(r.Server)
			}
			res := get(t, router(r), c.path, Bearer(token))
			if res.Status != c.wantStatus || res.Body != c.wantBody || res.Header.Get("Retry-After") != c.wantRetry {
				t.Fatalf("got %d %q Retry-After %q", res.Status, res.Body, res.Header.Get("Retry-After"))
			}
			logs := r.Logs.String()
			if !strings.Contains(logs, "clerk_trace_id=") || strings.Contains(logs, token) || strings.Contains(logs, r.Server.SecretKey()) {
				t.Fatalf("log: %s", logs)
			}
		})
	}
}

// CheckConcurrency sends interleaved requests of several users from many
// goroutines (run it under -race): each must see its own user, and token
// requests must succeed alongside.
func CheckConcurrency(t *testing.T, router Router) {
	r := NewRig(t)
	serve := router(r)
	const users = 8
	tokens := make([]string, users)
	for i := range tokens {
		id := fmt.Sprintf("user_%d", i+10)
		if _, err := r.Server.AddUser(clerktest.User{ID: id}); err != nil {
			t.Fatal(err)
		}
		tok, err := r.Server.SessionToken(r.Server.CreateSession(id).ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for j := range 20 {
				i := (g + j) % users
				want := fmt.Sprintf("hello user_%d", i+10)
				if res, err := serve("/api/private", Bearer(tokens[i])); err != nil || res.Body != want {
					t.Errorf("got %q %v, want %q", res.Body, err, want)
					return
				}
				if j%5 == 0 {
					if res, err := serve("/token", Bearer(tokens[i])); err != nil || res.Status != http.StatusOK {
						t.Errorf("token: %d %v", res.Status, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
