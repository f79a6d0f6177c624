package clerkecho_test

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
	clerkecho "github.com/clerkkit/clerkkit/echov5"
	"github.com/labstack/echo/v5"
)

// router serves the routes adaptertest.Router documents: /whoami reports
// the Auth without requiring it, /api/private sits in a RequireAuth group,
// /api/admin needs the admin role and a permission, /api/feature the
// organization's memberships feature, /api/reverify a second factor
// verified within 10 minutes ("strict"), /api/machine has its own
// Middleware accepting M2M tokens and API keys and lets any caller it
// authenticates in, /token is a TokenHandler for the "test" template. It
// keeps echo's default HTTPErrorHandler.
func (r *rig) router(opts ...clerkecho.Option) *echo.Echo {
	e := echo.New()
	e.Use(clerkecho.Middleware(r.Auth, opts...))
	e.GET("/whoami", func(c *echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		fromCtx, _ := clerk.AuthFromContext(c.Request().Context())
		return c.String(http.StatusOK, fmt.Sprintf("%t %t %s %s", ok, fromCtx == auth, auth.UserID(), auth.Reason()))
	})
	api := e.Group("/api", clerkecho.RequireAuth())
	api.GET("/private", func(c *echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, "hello "+auth.UserID())
	})
	e.GET("/api/admin", func(c *echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, "admin "+auth.UserID())
	}, clerkecho.RequireAuth(clerk.Role("admin"), clerk.Permission("memberships:manage")))
	e.GET("/api/feature", func(c *echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, "feature "+auth.UserID())
	}, clerkecho.RequireAuth(clerk.Feature("org:memberships")))
	e.GET("/api/reverify", func(c *echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, "fresh "+auth.UserID())
	}, clerkecho.RequireAuth(clerk.Reverification("strict")))
	machines := append(slices.Clone(opts), clerkecho.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey))
	e.GET("/api/machine", func(c *echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, fmt.Sprintf("%s %s %s", auth.TokenType(), auth.TokenID(), auth.Subject()))
	}, clerkecho.Middleware(r.Auth, machines...), clerkecho.RequireAuthenticated())
	e.GET("/token", clerkecho.TokenHandler(r.Client, "test"))
	e.GET("/token/:template", func(c *echo.Context) error { return clerkecho.TokenHandler(r.Client, c.Param("template"))(c) })
	return e
}

func TestMiddleware(t *testing.T)              { adaptertest.CheckMiddleware(t, suiteRouter) }
func TestGuards(t *testing.T)                  { adaptertest.CheckGuards(t, suiteRouter) }
func TestTokenHandler(t *testing.T)            { adaptertest.CheckTokenHandler(t, suiteRouter) }
func TestTokenHandlerClerkErrors(t *testing.T) { adaptertest.CheckClerkErrors(t, suiteRouter) }
func TestConcurrentRequests(t *testing.T)      { adaptertest.CheckConcurrency(t, suiteRouter) }
func TestMachineCallers(t *testing.T)          { adaptertest.CheckMachineCallers(t, suiteRouter) }

// suiteRouter serves the shared adapter suite through this package's
// router, with this package's ErrorHandler.
func suiteRouter(r *adaptertest.Rig, reasonHeader bool) adaptertest.Serve {
	var opts []clerkecho.Option
	if reasonHeader {
		opts = append(opts, clerkecho.WithReasonHeader())
	}
	e := (&rig{r}).router(opts...)
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	return func(path string, header http.Header) (adaptertest.Response, error) {
		w := serve(e, path, header)
		return adaptertest.Response{Status: w.Code, Header: w.Header(), Body: w.Body.String()}, nil
	}
}

// The guards' refusals are errors that know their status and their JSON,
// so echo's own default handler (in either mode) renders them as
// Authorize does, plus its newline, Clerk's reverification body included.
func TestRequireAuthDefaultErrorHandler(t *testing.T) {
	r := newRig(t)
	for _, expose := range []bool{false, true} {
		e := r.router()
		e.HTTPErrorHandler = echo.DefaultHTTPErrorHandler(expose)
		for _, c := range []struct {
			name   string
			path   string
			header http.Header
			status int
			body   string
		}{
			{"signed out", "/api/private", nil, 401, unauthorized},
			{"signed out, guarded by a role", "/api/admin", nil, 401, unauthorized},
			{"member without the role", "/api/admin", bearer(r.OrgToken(t, "member")), 403, forbidden},
			{"admin", "/api/admin", bearer(r.OrgToken(t, "admin")), 200, "admin user_1"},
			{"without the feature", "/api/feature", bearer(r.SessionToken(t)), 403, forbidden},
			{"verified too long ago", "/api/reverify", bearer(staleToken(t, r)), 403, reverificationBody + "\n"},
			{"machine caller refused", "/api/machine", bearer(r.SessionToken(t)), 401, unauthorized},
		} {
			w := serve(e, c.path, c.header)
			if w.Code != c.status || w.Body.String() != c.body {
				t.Errorf("%s (exposeError %t): %d %q, want %d %q", c.name, expose, w.Code, w.Body, c.status, c.body)
			}
			if c.status != 200 && w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("%s: Content-Type %q", c.name, w.Header().Get("Content-Type"))
			}
		}
	}
}

// An app's own HTTPErrorHandler gets RequireAuth's refusal with its status
// from echo.StatusCode and, for a 401, the reason through errors.As; the
// token stays out of it.
func TestRequireAuthCustomErrorHandler(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	var seen error
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		seen = err
		_ = c.String(echo.StatusCode(err), fmt.Sprintf("custom %d", echo.StatusCode(err)))
	}
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/", func(c *echo.Context) error { return c.String(200, "in") }, clerkecho.RequireAuth(clerk.Role("admin")))

	expired := r.SessionToken(t, clerktest.TokenExpired())
	w := serve(e, "/", bearer(expired))
	if w.Code != 401 || w.Body.String() != "custom 401" {
		t.Fatalf("signed out: %d %q", w.Code, w.Body)
	}
	var ae *clerk.AuthError
	if !errors.As(seen, &ae) || ae.Reason != clerk.ReasonTokenExpired || !errors.Is(seen, clerk.ErrUnauthenticated) {
		t.Fatalf("the handler's error does not carry the reason: %v", seen)
	}
	if strings.Contains(seen.Error(), expired) {
		t.Fatal("token in the error")
	}

	w = serve(e, "/", bearer(r.OrgToken(t, "member")))
	if w.Code != 403 || w.Body.String() != "custom 403" {
		t.Fatalf("member: %d %q", w.Code, w.Body)
	}
}

// Middleware returns the next handler's error as it is, so the app's
// HTTPErrorHandler decides.
func TestMiddlewarePropagatesErrors(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	boom := errors.New("boom")
	var seen error
	e.HTTPErrorHandler = func(c *echo.Context, err error) { seen = err; _ = c.NoContent(599) }
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/", func(*echo.Context) error { return boom })
	if w := serve(e, "/", nil); w.Code != 599 || !errors.Is(seen, boom) {
		t.Fatalf("%d %v", w.Code, seen)
	}
}

// Without Middleware nothing is attached, and everything that needs the
// Auth fails closed without calling Clerk.
func TestWithoutMiddleware(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	var seen error
	e.HTTPErrorHandler = func(c *echo.Context, err error) { seen = err; clerkecho.ErrorHandler(c, err) }
	e.GET("/auth", func(c *echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		_, err := clerkecho.GetToken(c, r.Client, "test")
		return c.String(200, fmt.Sprintf("%t %v %t", ok, auth, errors.Is(err, clerk.ErrNoMiddleware)))
	})
	e.GET("/private", func(c *echo.Context) error { return c.String(200, "in") }, clerkecho.RequireAuth())
	e.GET("/admin", func(c *echo.Context) error { return c.String(200, "in") }, clerkecho.RequireAuth(clerk.Role("admin")))
	e.GET("/token", clerkecho.TokenHandler(r.Client, "test"))
	if w := serve(e, "/auth", bearer(r.SessionToken(t))); w.Body.String() != "false <nil> true" {
		t.Fatalf("GetAuth without middleware: %s", w.Body)
	}
	for _, path := range []string{"/private", "/admin"} {
		seen = nil
		if w := serve(e, path, bearer(r.SessionToken(t))); w.Code != 401 || w.Body.String() != clerk.UnauthorizedJSON || !errors.Is(seen, clerk.ErrNoMiddleware) {
			t.Fatalf("RequireAuth without middleware on %s: %d %q %v", path, w.Code, w.Body, seen)
		}
	}
	if w := serve(e, "/token", bearer(r.SessionToken(t))); w.Code != 500 || w.Body.String() != `{"message":"Internal Server Error"}` {
		t.Fatalf("TokenHandler without middleware: %d %s", w.Code, w.Body)
	}
	if r.Server.Requests(clerktest.EndpointTokens) != 0 {
		t.Fatal("Clerk was called")
	}
}

// GetAuth finds the Auth that the core's net/http Middleware put in the
// request's context when it wraps the echo server.
func TestGetAuthBehindNetHTTPMiddleware(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	e.GET("/", func(c *echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		return c.String(200, fmt.Sprintf("%t %s", ok, auth.UserID()))
	})
	if w := serve(clerk.Middleware(r.Auth)(e), "/", bearer(r.SessionToken(t))); w.Body.String() != "true user_1" {
		t.Fatalf("%s", w.Body)
	}
}

// A Context built by hand without a request has no Auth, and GetAuth says
// so rather than panicking.
func TestGetAuthWithoutRequest(t *testing.T) {
	c := echo.New().NewContext(nil, httptest.NewRecorder())
	if auth, ok := clerkecho.GetAuth(c); ok || auth != nil {
		t.Fatalf("%v %t", auth, ok)
	}
}

func TestGetToken(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/", func(c *echo.Context) error {
		tok, err := clerkecho.GetToken(c, r.Client, "test")
		var ae *clerk.AuthError
		switch {
		case errors.As(err, &ae) && errors.Is(err, clerk.ErrUnauthenticated):
			return c.String(200, "signed out: "+string(ae.Reason))
		case err != nil:
			return err
		}
		return c.String(200, fmt.Sprint(strings.Count(tok.JWT, ".")))
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
}

// A nil Client or Authenticator is a wiring mistake: the constructors
// panic when the routes are built, GetToken on the request that uses it.
func TestNilArgumentsPanic(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		name, want string
		call       func()
	}{
		{"Middleware", "clerkecho: Middleware needs a *clerk.Authenticator", func() { clerkecho.Middleware(nil) }},
		{"TokenHandler", "Client", func() { clerkecho.TokenHandler(nil, "test") }},
		{"GetToken", "Client", func() {
			e := echo.New()
			c := e.NewContext(httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil), httptest.NewRecorder())
			_ = clerkecho.Middleware(r.Auth)(func(c *echo.Context) error {
				_, _ = clerkecho.GetToken(c, nil, "test")
				return nil
			})(c)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), c.want) {
					t.Fatalf("recovered %v", v)
				}
			}()
			c.call()
		})
	}
}
