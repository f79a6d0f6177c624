package clerkfiber_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkfiber "github.com/clerkkit/clerkkit/fiber"
	"github.com/gofiber/fiber/v2"
)

// router has the routes every test uses: /whoami reports the Auth without
// requiring it, /api/private sits in a RequireAuth group, /token is a
// TokenHandler for the "test" template. errorHandler nil keeps fiber's
// default.
func (r *rig) router(errorHandler fiber.ErrorHandler, opts ...clerkfiber.Option) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler})
	app.Use(clerkfiber.Middleware(r.Auth, append([]clerkfiber.Option{clerkfiber.WithClient(r.Client), clerkfiber.WithLogger(r.Logger)}, opts...)...))
	app.Get("/whoami", func(c *fiber.Ctx) error {
		auth, ok := clerkfiber.GetAuth(c)
		fromCtx, _ := clerk.AuthFromContext(c.UserContext())
		return c.SendString(fmt.Sprintf("%t %t %s %s", ok, fromCtx == auth, auth.UserID(), auth.Reason()))
	})
	api := app.Group("/api", clerkfiber.RequireAuth())
	api.Get("/private", func(c *fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		return c.SendString("hello " + auth.UserID())
	})
	app.Get("/token", clerkfiber.TokenHandler("test"))
	app.Get("/token/:template", func(c *fiber.Ctx) error { return clerkfiber.TokenHandler(c.Params("template"))(c) })
	return app
}

type result struct {
	code   int
	body   string
	header http.Header
}

func serve(t testing.TB, app *fiber.App, path string, header http.Header) result {
	t.Helper()
	res, err := do(app, path, header)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// do is serve for goroutines other than the test's.
func do(app *fiber.App, path string, header http.Header) (result, error) {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{resp.StatusCode, string(body), resp.Header}, err
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func TestRequireAuthCustomErrorHandler(t *testing.T) {
	r := newRig(t)
	var reason clerk.Reason
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		var fe *fiber.Error
		if !errors.As(err, &fe) {
			return c.SendStatus(500)
		}
		if auth, ok := clerkfiber.GetAuth(c); ok {
			reason = auth.Reason()
		}
		return c.Status(fe.Code).JSON(fiber.Map{"error": fe.Message, "code": fe.Code})
	}})
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", clerkfiber.RequireAuth(clerkfiber.WithUnauthorizedMessage("Sign in first")), func(c *fiber.Ctx) error { return c.SendString("in") })
	res := serve(t, app, "/", bearer(r.SessionToken(t, clerktest.TokenExpired())))
	if res.code != 401 || res.body != `{"code":401,"error":"Sign in first"}` || reason != clerk.ReasonTokenExpired {
		t.Fatalf("%d %q %q", res.code, res.body, reason)
	}
}

func TestErrorHandlerHidesOtherErrors(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Get("/", func(*fiber.Ctx) error { return errors.New("db password is hunter2") })
	res := serve(t, app, "/", nil)
	if res.code != 500 || res.body != `{"message":"Internal Server Error"}` {
		t.Fatalf("%d %q", res.code, res.body)
	}
}

func TestMiddlewarePropagatesErrors(t *testing.T) {
	r := newRig(t)
	boom := errors.New("boom")
	var seen error
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error { seen = err; return c.SendStatus(599) }})
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", func(*fiber.Ctx) error { return boom })
	if res := serve(t, app, "/", nil); res.code != 599 || !errors.Is(seen, boom) {
		t.Fatalf("%d %v", res.code, seen)
	}
}

func TestWithoutMiddleware(t *testing.T) {
	r := newRig(t)
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Get("/auth", func(c *fiber.Ctx) error {
		auth, ok := clerkfiber.GetAuth(c)
		_, err := clerkfiber.GetToken(c, "test")
		return c.SendString(fmt.Sprintf("%t %v %t", ok, auth, errors.Is(err, clerk.ErrNoMiddleware)))
	})
	app.Get("/private", clerkfiber.RequireAuth(), func(c *fiber.Ctx) error { return c.SendString("in") })
	app.Get("/token", clerkfiber.TokenHandler("test"))
	if res := serve(t, app, "/auth", bearer(r.SessionToken(t))); res.body != "false <nil> true" {
		t.Fatalf("GetAuth without middleware: %s", res.body)
	}
	if res := serve(t, app, "/private", bearer(r.SessionToken(t))); res.code != 401 || res.body != `{"message":"Unauthorized"}` {
		t.Fatalf("RequireAuth without middleware: %d %s", res.code, res.body)
	}
	if res := serve(t, app, "/token", bearer(r.SessionToken(t))); res.code != 500 || res.body != `{"message":"Internal Server Error"}` {
		t.Fatalf("TokenHandler without middleware: %d %s", res.code, res.body)
	}
	if r.Server.Requests(clerktest.EndpointTokens) != 0 {
		t.Fatal("Clerk was called")
	}
}

func TestMiddlewarePanicsOnNilAuthenticator(t *testing.T) {
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "Authenticator") {
			t.Fatalf("recovered %v", v)
		}
	}()
	clerkfiber.Middleware(nil)
}

func TestGetToken(t *testing.T) {
	r := newRig(t)
	app := fiber.New()
	app.Use(clerkfiber.Middleware(r.Auth, clerkfiber.WithClient(r.Client)))
	app.Get("/", func(c *fiber.Ctx) error {
		tok, err := clerkfiber.GetToken(c, "test")
		var so *clerk.SignedOutError
		switch {
		case errors.As(err, &so):
			return c.SendString("signed out: " + string(so.Reason))
		case err != nil:
			return err
		}
		return c.SendString(fmt.Sprint(strings.Count(tok.JWT, ".")))
	})
	if res := serve(t, app, "/", bearer(r.SessionToken(t))); res.body != "2" {
		t.Fatalf("signed in: %d %s", res.code, res.body)
	}
	r.Server.ResetRequests()
	if res := serve(t, app, "/", bearer(r.SessionToken(t, clerktest.TokenExpired()))); res.body != "signed out: token-expired" {
		t.Fatalf("signed out: %s", res.body)
	}
	if n := r.Server.Requests(""); n != 0 {
		t.Fatalf("signed-out GetToken made %d requests", n)
	}

	app = fiber.New()
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", func(c *fiber.Ctx) error {
		_, err := clerkfiber.GetToken(c, "test")
		return c.SendString(fmt.Sprint(errors.Is(err, clerk.ErrNoClient)))
	})
	if res := serve(t, app, "/", bearer(r.SessionToken(t))); res.body != "true" {
		t.Fatalf("no client: %s", res.body)
	}
}

func TestMiddleware(t *testing.T)              { adaptertest.CheckMiddleware(t, suiteRouter) }
func TestTokenHandler(t *testing.T)            { adaptertest.CheckTokenHandler(t, suiteRouter) }
func TestTokenHandlerClerkErrors(t *testing.T) { adaptertest.CheckClerkErrors(t, suiteRouter) }
func TestConcurrentRequests(t *testing.T)      { adaptertest.CheckConcurrency(t, suiteRouter) }

// suiteRouter serves the shared adapter suite through this package's
// router, with this package's ErrorHandler, via app.Test.
func suiteRouter(r *adaptertest.Rig, reasonHeader bool) adaptertest.Serve {
	var opts []clerkfiber.Option
	if reasonHeader {
		opts = append(opts, clerkfiber.WithReasonHeader())
	}
	app := (&rig{r}).router(clerkfiber.ErrorHandler, opts...)
	return func(path string, header http.Header) (adaptertest.Response, error) {
		res, err := do(app, path, header)
		return adaptertest.Response{Status: res.code, Header: res.header, Body: res.body}, err
	}
}

func TestRequireAuthDefaultErrorHandler(t *testing.T) {
	r := newRig(t)
	res := serve(t, r.router(nil), "/api/private", bearer(r.SessionToken(t, clerktest.TokenExpired())))
	if res.code != 401 || res.body != "Unauthorized" || res.header.Get("Content-Type") != fiber.MIMETextPlainCharsetUTF8 {
		t.Fatalf("%d %q %q", res.code, res.body, res.header.Get("Content-Type"))
	}
}
