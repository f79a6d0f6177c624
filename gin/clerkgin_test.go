package clerkgin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
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
	if w := serve(e, "/auth", bearer(r.SessionToken(t))); w.Body.String() != "false <nil> true" {
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

func TestMiddleware(t *testing.T)              { adaptertest.CheckMiddleware(t, suiteRouter) }
func TestTokenHandler(t *testing.T)            { adaptertest.CheckTokenHandler(t, suiteRouter) }
func TestTokenHandlerClerkErrors(t *testing.T) { adaptertest.CheckClerkErrors(t, suiteRouter) }
func TestConcurrentRequests(t *testing.T)      { adaptertest.CheckConcurrency(t, suiteRouter) }

// suiteRouter serves the shared adapter suite through this package's router.
func suiteRouter(r *adaptertest.Rig, reasonHeader bool) adaptertest.Serve {
	var opts []clerkgin.Option
	if reasonHeader {
		opts = append(opts, clerkgin.WithReasonHeader())
	}
	e := (&rig{r}).router(opts...)
	return func(path string, header http.Header) (adaptertest.Response, error) {
		w := serve(e, path, header)
		return adaptertest.Response{Status: w.Code, Header: w.Header(), Body: w.Body.String()}, nil
	}
}
