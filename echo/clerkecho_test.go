package clerkecho_test

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
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/labstack/echo/v4"
)

// unauthorized is what echo's default HTTPErrorHandler writes for
// RequireAuth's error: its JSON encoder ends the body with a newline.
const unauthorized = `{"message":"Unauthorized"}` + "\n"

// router has the routes every test uses: /whoami reports the Auth without
// requiring it, /api/private sits in a RequireAuth group, /token is a
// TokenHandler for the "test" template.
func (r *rig) router(opts ...clerkecho.Option) *echo.Echo {
	e := echo.New()
	e.Use(clerkecho.Middleware(r.Auth, append([]clerkecho.Option{clerkecho.WithClient(r.Client), clerkecho.WithLogger(r.Logger)}, opts...)...))
	e.GET("/whoami", func(c echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		fromCtx, _ := clerk.AuthFromContext(c.Request().Context())
		return c.String(http.StatusOK, fmt.Sprintf("%t %t %s %s", ok, fromCtx == auth, auth.UserID(), auth.Reason()))
	})
	api := e.Group("/api", clerkecho.RequireAuth())
	api.GET("/private", func(c echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, "hello "+auth.UserID())
	})
	e.GET("/token", clerkecho.TokenHandler("test"))
	e.GET("/token/:template", func(c echo.Context) error { return clerkecho.TokenHandler(c.Param("template"))(c) })
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

func TestRequireAuthCustomErrorHandler(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	var seen error
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		seen = err
		var he *echo.HTTPError
		if errors.As(err, &he) {
			_ = c.JSON(he.Code, map[string]any{"error": he.Message, "code": he.Code})
			return
		}
		_ = c.NoContent(http.StatusInternalServerError)
	}
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/", func(c echo.Context) error { return c.String(200, "in") },
		clerkecho.RequireAuth(clerkecho.WithUnauthorizedMessage("Sign in first")))
	w := serve(e, "/", bearer(r.SessionToken(t, clerktest.TokenExpired())))
	if w.Code != 401 || w.Body.String() != `{"code":401,"error":"Sign in first"}`+"\n" {
		t.Fatalf("%d %q", w.Code, w.Body)
	}
	var ae *clerk.AuthError
	if !errors.As(seen, &ae) || ae.Reason != clerk.ReasonTokenExpired {
		t.Fatalf("the handler's error does not carry the reason: %v", seen)
	}
	if strings.Contains(seen.Error(), r.SessionToken(t, clerktest.TokenExpired())) {
		t.Fatal("token in the error")
	}
}

func TestMiddlewarePropagatesErrors(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	boom := errors.New("boom")
	var seen error
	e.HTTPErrorHandler = func(err error, c echo.Context) { seen = err; _ = c.NoContent(599) }
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/", func(echo.Context) error { return boom })
	if w := serve(e, "/", nil); w.Code != 599 || !errors.Is(seen, boom) {
		t.Fatalf("%d %v", w.Code, seen)
	}
}

func TestWithoutMiddleware(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	e.GET("/auth", func(c echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		_, err := clerkecho.GetToken(c, "test")
		return c.String(200, fmt.Sprintf("%t %v %t", ok, auth, errors.Is(err, clerk.ErrNoMiddleware)))
	})
	e.GET("/private", func(c echo.Context) error { return c.String(200, "in") }, clerkecho.RequireAuth())
	e.GET("/token", clerkecho.TokenHandler("test"))
	if w := serve(e, "/auth", bearer(r.SessionToken(t))); w.Body.String() != "false <nil> true" {
		t.Fatalf("GetAuth without middleware: %s", w.Body)
	}
	if w := serve(e, "/private", bearer(r.SessionToken(t))); w.Code != 401 || w.Body.String() != unauthorized {
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
	e := echo.New()
	e.GET("/", func(c echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		return c.String(200, fmt.Sprintf("%t %s", ok, auth.UserID()))
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
	clerkecho.Middleware(nil)
}

func TestGetToken(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	e.Use(clerkecho.Middleware(r.Auth, clerkecho.WithClient(r.Client)))
	e.GET("/", func(c echo.Context) error {
		tok, err := clerkecho.GetToken(c, "test")
		var so *clerk.SignedOutError
		switch {
		case errors.As(err, &so):
			return c.String(200, "signed out: "+string(so.Reason))
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

	e = echo.New()
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/", func(c echo.Context) error {
		_, err := clerkecho.GetToken(c, "test")
		return c.String(200, fmt.Sprint(errors.Is(err, clerk.ErrNoClient)))
	})
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Body.String() != "true" {
		t.Fatalf("no client: %s", w.Body)
	}
}

func TestErrorHandlerAnswersInClerksShape(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/private", func(c echo.Context) error { return c.String(200, "in") }, clerkecho.RequireAuth())
	e.GET("/boom", func(echo.Context) error { return errors.New("db password is hunter2") })
	tests := []struct {
		path, want string
		code       int
	}{
		{"/private", `{"message":"Unauthorized"}`, 401},
		{"/boom", `{"message":"Internal Server Error"}`, 500},
		{"/nowhere", `{"message":"Not Found"}`, 404},
	}
	for _, tt := range tests {
		w := serve(e, tt.path, nil)
		if w.Code != tt.code || w.Body.String() != tt.want || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q %q, want %d %q", tt.path, w.Code, w.Body, w.Header().Get("Content-Type"), tt.code, tt.want)
		}
	}
}

func TestMiddleware(t *testing.T)              { adaptertest.CheckMiddleware(t, suiteRouter) }
func TestTokenHandler(t *testing.T)            { adaptertest.CheckTokenHandler(t, suiteRouter) }
func TestTokenHandlerClerkErrors(t *testing.T) { adaptertest.CheckClerkErrors(t, suiteRouter) }
func TestConcurrentRequests(t *testing.T)      { adaptertest.CheckConcurrency(t, suiteRouter) }

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

func TestRequireAuthDefaultErrorHandler(t *testing.T) {
	r := newRig(t)
	w := serve(r.router(), "/api/private", nil)
	if w.Code != 401 || w.Body.String() != unauthorized || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q %q", w.Code, w.Body, w.Header().Get("Content-Type"))
	}
}
