package clerkgin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.TestMode) }

// router has the routes every test uses: /whoami reports the Auth without
// requiring it, /api/private sits in a RequireAuth group, /token is a
// TokenHandler for the "test" template.
func (r *rig) router(opts ...clerkgin.Option) *gin.Engine {
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth, append([]clerkgin.Option{clerkgin.WithClient(r.Client), clerkgin.WithLogger(r.Logger)}, opts...)...))
	e.GET("/whoami", func(c *gin.Context) {
		auth, ok := clerkgin.GetAuth(c)
		fromCtx, _ := clerk.AuthFromContext(c.Request.Context())
		c.String(http.StatusOK, "%t %t %s %s", ok, fromCtx == auth, auth.UserID(), auth.Reason())
	})
	api := e.Group("/api", clerkgin.RequireAuth())
	api.GET("/private", func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		c.String(http.StatusOK, "hello %s", auth.UserID())
	})
	e.GET("/token", clerkgin.TokenHandler("test"))
	e.GET("/token/:template", func(c *gin.Context) { clerkgin.TokenHandler(c.Param("template"))(c) })
	return e
}

func serve(h http.Handler, path string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func TestMiddleware(t *testing.T) {
	r := newRig(t)
	valid := r.SessionToken(t)
	cases := []struct {
		name        string
		header      http.Header
		whoami      string
		private     int
		wantReason  string
		privateBody string
	}{
		{"bearer header", bearer(valid), "true true user_1 ", 200, "", "hello user_1"},
		{"session cookie", http.Header{"Cookie": {"__session=" + valid}}, "true true user_1 ", 200, "", "hello user_1"},
		{"other scheme falls back to the cookie", http.Header{"Authorization": {"Basic eDp5"}, "Cookie": {"__session=" + valid}}, "true true user_1 ", 200, "", "hello user_1"},
		{"no token", nil, "true true  session-token-missing", 401, "session-token-missing", `{"message":"Unauthorized"}`},
		{"expired", bearer(r.SessionToken(t, clerktest.TokenExpired())), "true true  token-expired", 401, "token-expired", `{"message":"Unauthorized"}`},
		{"bad signature", bearer(r.BadSignature(t)), "true true  token-invalid-signature", 401, "token-invalid-signature", `{"message":"Unauthorized"}`},
		{"garbage", bearer("x.y.z"), "true true  token-invalid", 401, "token-invalid", `{"message":"Unauthorized"}`},
	}
	plain, debug := r.router(), r.router(clerkgin.WithReasonHeader())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serve(plain, "/whoami", c.header)
			if w.Code != 200 || w.Body.String() != c.whoami {
				t.Fatalf("whoami: %d %q, want %q", w.Code, w.Body, c.whoami)
			}
			if h := w.Header().Get(clerk.ReasonHeader); h != "" {
				t.Fatalf("reason header without the option: %q", h)
			}
			w = serve(debug, "/api/private", c.header)
			if w.Code != c.private || w.Body.String() != c.privateBody {
				t.Fatalf("private: %d %q", w.Code, w.Body)
			}
			if h := w.Header().Get(clerk.ReasonHeader); h != c.wantReason {
				t.Fatalf("reason header %q, want %q", h, c.wantReason)
			}
			if c.private == 401 && w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
				t.Fatalf("Content-Type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

func TestRequireAuthMessage(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth))
	e.GET("/", clerkgin.RequireAuth(clerkgin.WithUnauthorizedMessage(`sign in "first"`)), func(c *gin.Context) { c.String(200, "in") })
	w := serve(e, "/", nil)
	if w.Code != 401 || w.Body.String() != `{"message":"sign in \"first\""}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestWithoutMiddleware(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.GET("/auth", func(c *gin.Context) {
		auth, ok := clerkgin.GetAuth(c)
		_, err := clerkgin.GetToken(c, "test")
		c.String(200, "%t %v %t", ok, auth, errors.Is(err, clerk.ErrNoMiddleware))
	})
	e.GET("/private", clerkgin.RequireAuth(), func(c *gin.Context) { c.String(200, "in") })
	e.GET("/token", clerkgin.TokenHandler("test"))
	if w := serve(e, "/auth", bearer(r.SessionToken(t))); w.Body.String() != "false clerk.Auth(nil) true" {
		t.Fatalf("GetAuth without middleware: %s", w.Body)
	}
	if w := serve(e, "/private", bearer(r.SessionToken(t))); w.Code != 401 {
		t.Fatalf("RequireAuth without middleware: %d", w.Code)
	}
	if w := serve(e, "/token", bearer(r.SessionToken(t))); w.Code != 500 || w.Body.String() != `{"message":"Internal Server Error"}` {
		t.Fatalf("TokenHandler without middleware: %d %s", w.Code, w.Body)
	}
	if r.Server.Requests(clerktest.EndpointTokens) != 0 {
		t.Fatal("Clerk was called")
	}
}

func TestGetAuthBehindNetHTTPMiddleware(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.GET("/", func(c *gin.Context) {
		auth, ok := clerkgin.GetAuth(c)
		c.String(200, "%t %s", ok, auth.UserID())
	})
	if w := serve(clerk.Middleware(r.Auth)(e), "/", bearer(r.SessionToken(t))); w.Body.String() != "true user_1" {
		t.Fatalf("%s", w.Body)
	}
}

func TestMiddlewarePanicsOnNilAuthenticator(t *testing.T) {
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "Authenticator") {
			t.Fatalf("recovered %v", v)
		}
	}()
	clerkgin.Middleware(nil)
}

func TestGetToken(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth, clerkgin.WithClient(r.Client)))
	e.GET("/", func(c *gin.Context) {
		tok, err := clerkgin.GetToken(c, "test")
		var so *clerk.SignedOutError
		switch {
		case errors.As(err, &so):
			c.String(200, "signed out: %s", so.Reason)
		case err != nil:
			c.String(500, "%v", err)
		default:
			c.String(200, "%d", strings.Count(tok.JWT, "."))
		}
	})
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Body.String() != "2" {
		t.Fatalf("signed in: %d %s", w.Code, w.Body)
	}
	r.Server.ResetRequests()
	if w := serve(e, "/", bearer(r.SessionToken(t, clerktest.TokenExpired()))); w.Body.String() != "signed out: token-expired" {
		t.Fatalf("signed out: %s", w.Body)
	}
	if n := r.Server.Requests(""); n != 0 {
		t.Fatalf("signed-out GetToken made %d requests", n)
	}

	// Without WithClient.
	e = gin.New()
	e.Use(clerkgin.Middleware(r.Auth))
	e.GET("/", func(c *gin.Context) {
		_, err := clerkgin.GetToken(c, "test")
		c.String(200, "%t", errors.Is(err, clerk.ErrNoClient))
	})
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Body.String() != "true" {
		t.Fatalf("no client: %s", w.Body)
	}
}

func TestTokenHandler(t *testing.T) {
	r := newRig(t)
	e := r.router()
	w := serve(e, "/token", bearer(r.SessionToken(t)))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	jwt := tokenBody(t, w.Body.String())
	if _, err := r.Auth.VerifyToken(context.Background(), jwt); !errors.Is(err, clerk.ErrUnauthenticated) {
		t.Fatalf("the minted token should be a template token, not a session token: %v", err)
	}

	r.Server.ResetRequests()
	w = serve(e, "/token", nil)
	if w.Code != 401 || w.Body.String() != `{"message":"Unauthorized"}` || r.Server.Requests("") != 0 {
		t.Fatalf("signed out: %d %q, %d requests", w.Code, w.Body, r.Server.Requests(""))
	}
}

func TestTokenHandlerClerkErrors(t *testing.T) {
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
			r := newRig(t)
			token := r.SessionToken(t)
			if c.fault != nil {
				c.fault(r.Server)
			}
			w := serve(r.router(), c.path, bearer(token))
			if w.Code != c.wantStatus || w.Body.String() != c.wantBody || w.Header().Get("Retry-After") != c.wantRetry {
				t.Fatalf("got %d %q Retry-After %q", w.Code, w.Body, w.Header().Get("Retry-After"))
			}
			logs := r.Logs.String()
			if !strings.Contains(logs, "clerk_trace_id=") || strings.Contains(logs, token) || strings.Contains(logs, r.Server.SecretKey()) {
				t.Fatalf("log: %s", logs)
			}
		})
	}
}

func TestConcurrentRequests(t *testing.T) {
	r := newRig(t)
	e := r.router()
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
				if w := serve(e, "/api/private", bearer(tokens[i])); w.Body.String() != want {
					t.Errorf("got %q, want %q", w.Body, want)
					return
				}
				if j%5 == 0 {
					if w := serve(e, "/token", bearer(tokens[i])); w.Code != 200 {
						t.Errorf("token: %d", w.Code)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
