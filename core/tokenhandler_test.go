package clerk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// tokenRig is an emulated instance with a user, a session, a "test"
// template and a net/http token route behind Middleware.
type tokenRig struct {
	srv     *clerktest.Server
	client  *clerk.Client
	handler http.Handler
	logs    *bytes.Buffer
	sid     string
}

func newTokenRig(t *testing.T) *tokenRig {
	t.Helper()
	srv := clerktest.Start(t)
	if _, err := srv.AddUser(clerktest.User{ID: "user_1"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddTemplate(clerktest.Template{Name: "test", Claims: map[string]any{"uid": "{{user.id}}"}}); err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}),
		clerk.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	a, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithPublishableKey(srv.PublishableKey()))
	if err != nil {
		t.Fatal(err)
	}
	th := clerk.TokenHandler(client, "test")
	return &tokenRig{
		srv: srv, client: client, logs: logs,
		handler: clerk.Middleware(a)(th),
		sid:     srv.CreateSession("user_1").ID,
	}
}

func (r *tokenRig) get(t *testing.T, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/get-token-example", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	r.handler.ServeHTTP(w, req)
	return w
}

func (r *tokenRig) token(t *testing.T) string {
	t.Helper()
	tok, err := r.srv.SessionToken(r.sid)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTokenHandler(t *testing.T) {
	rig := newTokenRig(t)
	w := rig.get(t, rig.token(t))
	body := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(body, `{"token":{"jwt":"ey`) || !strings.HasSuffix(body, `"}}`) {
		t.Fatalf("got %d %s", w.Code, body)
	}
	if w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("headers %v", w.Header())
	}

	rig.srv.ResetRequests()
	w = rig.get(t, "")
	if w.Code != 401 || w.Body.String() != `{"message":"Unauthorized"}` {
		t.Fatalf("signed out: %d %s", w.Code, w.Body)
	}
	if n := rig.srv.Requests(clerktest.EndpointTokens); n != 0 {
		t.Fatalf("signed out request reached Clerk %d times", n)
	}
	if rig.logs.Len() != 0 {
		t.Fatalf("signed out request was logged: %s", rig.logs)
	}
}

func TestTokenHandlerErrorMapping(t *testing.T) {
	cases := []struct {
		name       string
		arrange    func(rig *tokenRig)
		template   string
		wantStatus int
		wantBody   string
		wantRetry  string
		wantLog    string
	}{
		{"unknown template", nil, "missing", 500, `{"message":"Internal Server Error"}`, "", "clerk_status=404"},
		{"session ended", func(r *tokenRig) { _ = r.srv.EndSession(r.sid) }, "test", 401, `{"message":"Unauthorized"}`, "", "clerk_status=404"},
		{"rate limited", func(r *tokenRig) { r.srv.RateLimitNext(1, "3", clerktest.EndpointTokens) }, "test", 429, `{"message":"Too Many Requests"}`, "3", "clerk_status=429"},
		{"server error", func(r *tokenRig) { r.srv.FailNext(1, 500, clerktest.EndpointTokens) }, "test", 502, `{"message":"Bad Gateway"}`, "", "clerk_status=500"},
		{"bad secret key", func(r *tokenRig) { r.srv.FailNext(1, 401, clerktest.EndpointTokens) }, "test", 500, `{"message":"Internal Server Error"}`, "", "clerk_status=401"},
		{"connection dropped", func(r *tokenRig) { r.srv.DropNext(1, clerktest.EndpointTokens) }, "test", 502, `{"message":"Bad Gateway"}`, "", "status=502"},
		{"timeout", func(r *tokenRig) { r.srv.SetLatency(time.Second, clerktest.EndpointTokens) }, "test", 504, `{"message":"Gateway Timeout"}`, "", "status=504"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rig := newTokenRig(t)
			token := rig.token(t)
			if c.arrange != nil {
				c.arrange(rig)
			}
			client := rig.client
			if c.name == "timeout" {
				var err error
				client, err = clerk.NewClient(rig.srv.SecretKey(), clerk.WithAPIURL(rig.srv.URL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}), clerk.WithTimeout(50*time.Millisecond),
					clerk.WithLogger(slog.New(slog.NewTextHandler(rig.logs, nil))))
				if err != nil {
					t.Fatal(err)
				}
			}
			a, _ := clerk.NewAuthenticator(clerk.WithJWTKey(rig.srv.PublicKeyPEM()))
			h := clerk.Middleware(a)(clerk.TokenHandler(client, c.template))
			req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != c.wantStatus || w.Body.String() != c.wantBody || w.Header().Get("Retry-After") != c.wantRetry {
				t.Fatalf("got %d %s Retry-After %q", w.Code, w.Body, w.Header().Get("Retry-After"))
			}
			logs := rig.logs.String()
			if !strings.Contains(logs, c.wantLog) {
				t.Fatalf("log %q lacks %q", logs, c.wantLog)
			}
			if strings.Contains(logs, rig.srv.SecretKey()) || strings.Contains(logs, token) || strings.Contains(w.Body.String(), "clerk") {
				t.Fatalf("leak: log %q body %q", logs, w.Body)
			}
			if strings.Contains(c.wantLog, "clerk_status") && !strings.Contains(logs, "clerk_trace_id=") {
				t.Fatalf("no trace id in %q", logs)
			}
		})
	}
}

func TestGetTokenFor(t *testing.T) {
	rig := newTokenRig(t)
	a, _ := clerk.NewAuthenticator(clerk.WithJWTKey(rig.srv.PublicKeyPEM()))
	ctx := context.Background()

	if _, err := rig.client.GetTokenFor(ctx, nil, "test"); !errors.Is(err, clerk.ErrNoMiddleware) {
		t.Fatalf("nil auth: %v", err)
	}
	expired, err := rig.srv.SessionToken(rig.sid, clerktest.TokenExpired())
	if err != nil {
		t.Fatal(err)
	}
	out := a.AuthenticateRequest(bearerRequest(expired))
	_, err = rig.client.GetTokenFor(ctx, out, "test")
	var ae *clerk.AuthError
	if !errors.As(err, &ae) || ae.Reason != clerk.ReasonTokenExpired || !errors.Is(err, clerk.ErrUnauthenticated) {
		t.Fatalf("signed out: %v", err)
	}
	if rig.srv.Requests(clerktest.EndpointTokens) != 0 {
		t.Fatal("signed-out getToken called Clerk")
	}
	in := a.AuthenticateRequest(bearerRequest(rig.token(t)))
	tok, err := rig.client.GetTokenFor(ctx, in, "test")
	if err != nil || strings.Count(tok.JWT, ".") != 2 {
		t.Fatalf("signed in: %v %v", tok, err)
	}
}

func TestTokenHandlerWithoutMiddleware(t *testing.T) {
	rig := newTokenRig(t)
	w := httptest.NewRecorder()
	clerk.TokenHandler(rig.client, "test").
		ServeHTTP(w, httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil))
	if w.Code != 500 || w.Body.String() != `{"message":"Internal Server Error"}` || !strings.Contains(rig.logs.String(), "middleware did not run") {
		t.Fatalf("got %d %s, log %s", w.Code, w.Body, rig.logs)
	}
	// The log line says what to add, not only what went wrong.
	for _, want := range []string{"Middleware(authn)", "ahead of RequireAuth, TokenHandler", "WithClient(client)"} {
		if !strings.Contains(rig.logs.String(), want) {
			t.Errorf("log lacks %q: %s", want, rig.logs)
		}
	}
}

func bearerRequest(token string) *http.Request {
	r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

func ExampleTokenHandler() {
	client, err := clerk.NewClient("sk_test_replaceWithYourKey")
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithClient(client))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	// GET /api/get-token-example answers 401 {"message":"Unauthorized"}
	// when signed out, else 200 {"token":{"jwt":"…"}}.
	mux.Handle("GET /api/get-token-example", clerk.TokenHandler(client, "test"))
	handler := clerk.Middleware(auth)(mux) // serve it with http.ListenAndServe
	_ = handler
	fmt.Println("ready")
	// Output: ready
}

func ExampleClient_TokenResponse() {
	client, err := clerk.NewClient("sk_test_replaceWithYourKey")
	if err != nil {
		panic(err)
	}
	resp := client.TokenResponse(context.Background(), &clerk.Token{JWT: "a.b.c"}, nil)
	fmt.Println(resp.Status, string(resp.Body))
	resp = client.TokenResponse(context.Background(), nil, &clerk.AuthError{Reason: clerk.ReasonSessionTokenMissing})
	fmt.Println(resp.Status, string(resp.Body))
	// Output:
	// 200 {"token":{"jwt":"a.b.c"}}
	// 401 {"message":"Unauthorized"}
}

func ExampleClient_GetTokenFor() {
	client, err := clerk.NewClient("sk_test_replaceWithYourKey")
	if err != nil {
		panic(err)
	}
	handler := func(w http.ResponseWriter, r *http.Request) {
		auth, _ := clerk.AuthFromContext(r.Context())
		tok, err := client.GetTokenFor(r.Context(), auth, "supabase")
		if err != nil { // signed out: 401; Clerk's failures: 429, 502, 504 or 500
			clerk.WriteTokenResponse(w, client.TokenResponse(r.Context(), nil, err))
			return
		}
		_ = tok.JWT // call the other service with it
	}
	_ = handler
}
