package clerkgin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.TestMode) }

// router serves the routes adaptertest.Router documents: /whoami reports
// the Auth without requiring it, /api/private sits in a RequireAuth group,
// /api/admin needs the admin role and a permission, /api/feature a feature
// of the organization's plan, /api/reverify a second factor verified within
// ten minutes ("strict"), /api/machine is open to
// M2M tokens and API keys only (its own Middleware, outside the group, whose
// RequireAuth would refuse machines), /token and /token/:template are
// TokenHandlers minting with the rig's Client.
func (r *rig) router(opts ...clerkgin.Option) *gin.Engine {
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth, opts...))
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
	api.GET("/admin", clerkgin.RequireAuth(clerk.Role("admin"), clerk.Permission("memberships:manage")), func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		c.String(http.StatusOK, "admin %s", auth.UserID())
	})
	api.GET("/feature", clerkgin.RequireAuth(clerk.Feature("org:memberships")), func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		c.String(http.StatusOK, "feature %s", auth.UserID())
	})
	api.GET("/reverify", clerkgin.RequireAuth(clerk.Reverification("strict")), func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		c.String(http.StatusOK, "fresh %s", auth.UserID())
	})
	machines := clerkgin.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)
	e.GET("/api/machine", clerkgin.Middleware(r.Auth, slices.Concat(opts, []clerkgin.Option{machines})...),
		clerkgin.RequireAuthenticated(), func(c *gin.Context) {
			auth, _ := clerkgin.GetAuth(c)
			c.String(http.StatusOK, "%s %s %s", auth.TokenType(), auth.TokenID(), auth.Subject())
		})
	e.GET("/token", clerkgin.TokenHandler(r.Client, "test"))
	e.GET("/token/:template", func(c *gin.Context) { clerkgin.TokenHandler(r.Client, c.Param("template"))(c) })
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

func TestWithoutMiddleware(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.GET("/auth", func(c *gin.Context) {
		auth, ok := clerkgin.GetAuth(c)
		_, err := clerkgin.GetToken(c, r.Client, "test")
		c.String(200, "%t %v %t", ok, auth, errors.Is(err, clerk.ErrNoMiddleware))
	})
	e.GET("/private", clerkgin.RequireAuth(), func(c *gin.Context) { c.String(200, "in") })
	e.GET("/admin", clerkgin.RequireAuth(clerk.Role("admin")), func(c *gin.Context) { c.String(200, "in") })
	e.GET("/token", clerkgin.TokenHandler(r.Client, "test"))
	if w := serve(e, "/auth", bearer(r.SessionToken(t))); w.Body.String() != "false <nil> true" {
		t.Fatalf("GetAuth without middleware: %s", w.Body)
	}
	for _, path := range []string{"/private", "/admin"} {
		if w := serve(e, path, bearer(r.OrgToken(t, "admin"))); w.Code != 401 || w.Body.String() != clerk.UnauthorizedJSON {
			t.Fatalf("RequireAuth on %s without middleware: %d %s", path, w.Code, w.Body)
		}
	}
	if w := serve(e, "/token", bearer(r.SessionToken(t))); w.Code != 500 || w.Body.String() != `{"message":"Internal Server Error"}` {
		t.Fatalf("TokenHandler without middleware: %d %s", w.Code, w.Body)
	}
	if r.Server.Requests(clerktest.EndpointTokens) != 0 {
		t.Fatal("Clerk was called")
	}
}

// TestRequireAuthAborts checks that a refusal stops the chain: neither the
// group's handler nor a later middleware runs, and the answer is JSON.
func TestRequireAuthAborts(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth))
	ran := false
	e.GET("/", clerkgin.RequireAuth(clerk.Permission("memberships:manage")), func(*gin.Context) { ran = true })
	for _, c := range []struct {
		name   string
		header http.Header
		status int
		body   string
	}{
		{"signed out", nil, 401, clerk.UnauthorizedJSON},
		{"member", bearer(r.OrgToken(t, "member")), 403, clerk.ForbiddenJSON},
	} {
		w := serve(e, "/", c.header)
		if ran || w.Code != c.status || w.Body.String() != c.body || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%s: ran %t, %d %q %q", c.name, ran, w.Code, w.Body, w.Header().Get("Content-Type"))
		}
	}
	if w := serve(e, "/", bearer(r.OrgToken(t, "admin"))); !ran || w.Code != 200 {
		t.Fatalf("admin: ran %t, %d %s", ran, w.Code, w.Body)
	}
}

// TestRequireAuthCopiesRequirements checks that the guard keeps the
// requirements it was built with when the caller reuses its slice.
func TestRequireAuthCopiesRequirements(t *testing.T) {
	r := newRig(t)
	reqs := []clerk.Requirement{clerk.Role("admin")}
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth))
	e.GET("/", clerkgin.RequireAuth(reqs...), func(c *gin.Context) { c.String(200, "in") })
	reqs[0] = clerk.Role("member")
	if w := serve(e, "/", bearer(r.OrgToken(t, "member"))); w.Code != 403 {
		t.Fatalf("member after the slice changed: %d %s", w.Code, w.Body)
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

func TestPanicsOnNil(t *testing.T) {
	for _, c := range []struct {
		name, want string
		wire       func()
	}{
		{"Middleware", "Authenticator", func() { clerkgin.Middleware(nil) }},
		{"TokenHandler", "Client", func() { clerkgin.TokenHandler(nil, "test") }},
		{"GetToken", "Client", func() { _, _ = clerkgin.GetToken(&gin.Context{}, nil, "test") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), c.want) {
					t.Fatalf("recovered %v", v)
				}
			}()
			c.wire()
		})
	}
}

func TestGetToken(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth))
	e.GET("/", func(c *gin.Context) {
		tok, err := clerkgin.GetToken(c, r.Client, "test", clerk.WithExpiresInSeconds(60))
		var authErr *clerk.AuthError
		switch {
		case errors.As(err, &authErr) && errors.Is(err, clerk.ErrUnauthenticated):
			c.String(200, "signed out: %s", authErr.Reason)
		case err != nil:
			c.String(500, "%v", err)
		default:
			c.String(200, "%d", strings.Count(tok.JWT, "."))
		}
	})
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Body.String() != "2" {
		t.Fatalf("signed in: %d %s", w.Code, w.Body)
	}
	if last := r.Server.LastRequest(); !strings.HasSuffix(last.Path, "/tokens/test") || string(last.Body) != `{"expires_in_seconds":60}` {
		t.Fatalf("sent %s %s", last.Path, last.Body)
	}
	r.Server.ResetRequests()
	if w := serve(e, "/", bearer(r.SessionToken(t, clerktest.TokenExpired()))); w.Body.String() != "signed out: token-expired" {
		t.Fatalf("signed out: %s", w.Body)
	}
	if n := r.Server.Requests(""); n != 0 {
		t.Fatalf("signed-out GetToken made %d requests", n)
	}
}

func TestMiddleware(t *testing.T)              { adaptertest.CheckMiddleware(t, suiteRouter) }
func TestGuards(t *testing.T)                  { adaptertest.CheckGuards(t, suiteRouter) }
func TestTokenHandler(t *testing.T)            { adaptertest.CheckTokenHandler(t, suiteRouter) }
func TestTokenHandlerClerkErrors(t *testing.T) { adaptertest.CheckClerkErrors(t, suiteRouter) }
func TestConcurrentRequests(t *testing.T)      { adaptertest.CheckConcurrency(t, suiteRouter) }
func TestMachineCallers(t *testing.T)          { adaptertest.CheckMachineCallers(t, suiteRouter) }

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
