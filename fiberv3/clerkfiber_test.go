package clerkfiber_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkfiber "github.com/clerkkit/clerkkit/fiberv3"
	"github.com/gofiber/fiber/v3"
)

// router serves the routes adaptertest.Router lists: /whoami reports the
// Auth without requiring it, /api/private, /api/admin, /api/feature and
// /api/reverify sit behind RequireAuth (the others with a role and a
// permission, a feature, a reverification preset), /api/machine
// accepts M2M tokens and API keys behind RequireAuthenticated, /token and
// /token/:template are TokenHandlers on the rig's Client. errorHandler nil
// keeps fiber's default.
func (r *rig) router(errorHandler fiber.ErrorHandler, opts ...clerkfiber.Option) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler})
	app.Use(clerkfiber.Middleware(r.Auth, opts...))
	// Registered before the /api group: the group's RequireAuth is
	// middleware on the whole /api prefix and would refuse machine callers,
	// who are never signed in. This route answers without calling Next, so
	// the group's handlers never run for it.
	machineOpts := append([]clerkfiber.Option{clerkfiber.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)}, opts...)
	app.Get("/api/machine", clerkfiber.Middleware(r.Auth, machineOpts...), clerkfiber.RequireAuthenticated(),
		func(c fiber.Ctx) error {
			auth, _ := clerkfiber.GetAuth(c)
			return c.SendString(fmt.Sprintf("%s %s %s", auth.TokenType(), auth.TokenID(), auth.Subject()))
		})
	app.Get("/whoami", func(c fiber.Ctx) error {
		auth, ok := clerkfiber.GetAuth(c)
		fromCtx, _ := clerk.AuthFromContext(c.Context())
		return c.SendString(fmt.Sprintf("%t %t %s %s", ok, fromCtx == auth, auth.UserID(), auth.Reason()))
	})
	api := app.Group("/api", clerkfiber.RequireAuth())
	api.Get("/private", func(c fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		return c.SendString("hello " + auth.UserID())
	})
	api.Get("/admin", clerkfiber.RequireAuth(clerk.Role("admin"), clerk.Permission("memberships:manage")), func(c fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		return c.SendString("admin " + auth.UserID())
	})
	api.Get("/feature", clerkfiber.RequireAuth(clerk.Feature("org:memberships")), func(c fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		return c.SendString("feature " + auth.UserID())
	})
	api.Get("/reverify", clerkfiber.RequireAuth(clerk.Reverification("strict")), func(c fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		return c.SendString("fresh " + auth.UserID())
	})
	app.Get("/token", clerkfiber.TokenHandler(r.Client, "test"))
	app.Get("/token/:template", func(c fiber.Ctx) error {
		return clerkfiber.TokenHandler(r.Client, c.Params("template"))(c)
	})
	return app
}

func TestMiddleware(t *testing.T)              { adaptertest.CheckMiddleware(t, suiteRouter) }
func TestGuards(t *testing.T)                  { adaptertest.CheckGuards(t, suiteRouter) }
func TestTokenHandler(t *testing.T)            { adaptertest.CheckTokenHandler(t, suiteRouter) }
func TestTokenHandlerClerkErrors(t *testing.T) { adaptertest.CheckClerkErrors(t, suiteRouter) }
func TestConcurrentRequests(t *testing.T)      { adaptertest.CheckConcurrency(t, suiteRouter) }
func TestMachineCallers(t *testing.T)          { adaptertest.CheckMachineCallers(t, suiteRouter) }

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

// TestAuthInBothContexts: the Auth Middleware stores is found through
// c.Locals (GetAuth) and through c.Context(), and a later handler's own
// context.WithValue on c.Context() keeps it. An Auth put in
// c.Context() by other middleware is found by GetAuth too.
func TestAuthInBothContexts(t *testing.T) {
	r := newRig(t)
	type key struct{}
	app := fiber.New()
	app.Use("/mw", clerkfiber.Middleware(r.Auth))
	app.Get("/mw", func(c fiber.Ctx) error {
		c.SetContext(context.WithValue(c.Context(), key{}, "v"))
		auth, ok := clerkfiber.GetAuth(c)
		fromCtx, ctxOK := clerk.AuthFromContext(c.Context())
		// c is a context.Context too, but its Value reads c.Locals, where
		// the Auth is not under the core's key: the package doc says so.
		_, viaCtx := clerk.AuthFromContext(c)
		return c.SendString(fmt.Sprintf("%t %t %t %t %s", ok, ctxOK, fromCtx == auth, viaCtx, auth.UserID()))
	})
	app.Get("/ctx", func(c fiber.Ctx) error {
		c.SetContext(clerk.ContextWithAuth(c.Context(), r.Auth.Authenticate(c.Context(), nil)))
		auth, ok := clerkfiber.GetAuth(c)
		return c.SendString(fmt.Sprintf("%t %s", ok, auth.Reason()))
	})
	if res := serve(t, app, "/mw", bearer(r.SessionToken(t))); res.body != "true true true false user_1" {
		t.Fatalf("after Middleware: %q", res.body)
	}
	if res := serve(t, app, "/ctx", nil); res.body != "true "+string(clerk.ReasonSessionTokenMissing) {
		t.Fatalf("Auth from the context only: %q", res.body)
	}
}

// TestRequireAuthCustomErrorHandler renders RequireAuth's *fiber.Error in
// an app's own shape, reading the reason through GetAuth.
func TestRequireAuthCustomErrorHandler(t *testing.T) {
	r := newRig(t)
	var reason clerk.Reason
	app := fiber.New(fiber.Config{ErrorHandler: func(c fiber.Ctx, err error) error {
		var fe *fiber.Error
		if !errors.As(err, &fe) {
			return c.SendStatus(500)
		}
		reason = ""
		if auth, ok := clerkfiber.GetAuth(c); ok {
			reason = auth.Reason()
		}
		return c.Status(fe.Code).JSON(fiber.Map{"error": fe.Message, "code": fe.Code})
	}})
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", clerkfiber.RequireAuth(clerk.Role("admin")), func(c fiber.Ctx) error { return c.SendString("in") })
	res := serve(t, app, "/", bearer(r.SessionToken(t, clerktest.TokenExpired())))
	if res.code != 401 || res.body != `{"code":401,"error":"Unauthorized"}` || reason != clerk.ReasonTokenExpired {
		t.Fatalf("signed out: %d %q %q", res.code, res.body, reason)
	}
	res = serve(t, app, "/", bearer(r.OrgToken(t, "member")))
	if res.code != 403 || res.body != `{"code":403,"error":"Forbidden"}` || reason != "" {
		t.Fatalf("member: %d %q %q", res.code, res.body, reason)
	}
}

// TestRequireAuthErrorsAreNotShared lets one request's ErrorHandler change
// the *fiber.Error it got: the next refusal of either guard must still say
// Unauthorized.
func TestRequireAuthErrorsAreNotShared(t *testing.T) {
	r := newRig(t)
	app := fiber.New(fiber.Config{ErrorHandler: func(c fiber.Ctx, err error) error {
		var fe *fiber.Error
		if !errors.As(err, &fe) {
			return c.SendStatus(500)
		}
		msg := fe.Message
		fe.Message = "changed by the handler"
		return c.Status(fe.Code).SendString(msg)
	}})
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/auth", clerkfiber.RequireAuth(), func(c fiber.Ctx) error { return c.SendString("in") })
	app.Get("/caller", clerkfiber.RequireAuthenticated(), func(c fiber.Ctx) error { return c.SendString("in") })
	for _, path := range []string{"/auth", "/caller", "/auth", "/caller"} {
		if res := serve(t, app, path, nil); res.code != 401 || res.body != "Unauthorized" {
			t.Fatalf("%s: %d %q", path, res.code, res.body)
		}
	}
}

func TestErrorHandlerHidesOtherErrors(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Get("/", func(fiber.Ctx) error { return errors.New("db password is hunter2") })
	res := serve(t, app, "/", nil)
	if res.code != 500 || res.body != `{"message":"Internal Server Error"}` || res.header.Get("Content-Type") != fiber.MIMEApplicationJSON {
		t.Fatalf("%d %q %q", res.code, res.body, res.header.Get("Content-Type"))
	}
}

func TestMiddlewarePropagatesErrors(t *testing.T) {
	r := newRig(t)
	boom := errors.New("boom")
	var seen error
	app := fiber.New(fiber.Config{ErrorHandler: func(c fiber.Ctx, err error) error { seen = err; return c.SendStatus(599) }})
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", func(fiber.Ctx) error { return boom })
	if res := serve(t, app, "/", nil); res.code != 599 || !errors.Is(seen, boom) {
		t.Fatalf("%d %v", res.code, seen)
	}
}

func TestWithoutMiddleware(t *testing.T) {
	r := newRig(t)
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Get("/auth", func(c fiber.Ctx) error {
		auth, ok := clerkfiber.GetAuth(c)
		_, err := clerkfiber.GetToken(c, r.Client, "test")
		return c.SendString(fmt.Sprintf("%t %v %t", ok, auth, errors.Is(err, clerk.ErrNoMiddleware)))
	})
	app.Get("/private", clerkfiber.RequireAuth(), func(c fiber.Ctx) error { return c.SendString("in") })
	app.Get("/caller", clerkfiber.RequireAuthenticated(), func(c fiber.Ctx) error { return c.SendString("in") })
	app.Get("/token", clerkfiber.TokenHandler(r.Client, "test"))
	if res := serve(t, app, "/auth", bearer(r.SessionToken(t))); res.body != "false <nil> true" {
		t.Fatalf("GetAuth without middleware: %s", res.body)
	}
	if res := serve(t, app, "/private", bearer(r.SessionToken(t))); res.code != 401 || res.body != `{"message":"Unauthorized"}` {
		t.Fatalf("RequireAuth without middleware: %d %s", res.code, res.body)
	}
	if res := serve(t, app, "/caller", bearer(r.SessionToken(t))); res.code != 401 || res.body != `{"message":"Unauthorized"}` {
		t.Fatalf("RequireAuthenticated without middleware: %d %s", res.code, res.body)
	}
	if res := serve(t, app, "/token", bearer(r.SessionToken(t))); res.code != 500 || res.body != `{"message":"Internal Server Error"}` {
		t.Fatalf("TokenHandler without middleware: %d %s", res.code, res.body)
	}
	if r.Server.Requests(clerktest.EndpointTokens) != 0 {
		t.Fatal("Clerk was called")
	}
}

func TestPanicsOnNilDependencies(t *testing.T) {
	for name, wire := range map[string]func(){
		"Authenticator": func() { clerkfiber.Middleware(nil) },
		"Client":        func() { clerkfiber.TokenHandler(nil, "test") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "clerkfiber: ") || !strings.Contains(fmt.Sprint(v), name) {
					t.Fatalf("recovered %v", v)
				}
			}()
			wire()
		})
	}
}

// TestGetTokenPanicsOnNilClient checks the panic comes on a signed-out
// request too, where the client would not otherwise be touched: the wiring
// mistake shows on the first call, not on the first signed-in one.
func TestGetTokenPanicsOnNilClient(t *testing.T) {
	r := newRig(t)
	var recovered any
	app := fiber.New()
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", func(c fiber.Ctx) error {
		defer func() { recovered = recover() }()
		_, _ = clerkfiber.GetToken(c, nil, "test")
		return nil
	})
	serve(t, app, "/", nil)
	if !strings.Contains(fmt.Sprint(recovered), "Client") {
		t.Fatalf("recovered %v", recovered)
	}
}

func TestGetToken(t *testing.T) {
	r := newRig(t)
	app := fiber.New()
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", func(c fiber.Ctx) error {
		tok, err := clerkfiber.GetToken(c, r.Client, "test")
		var ae *clerk.AuthError
		switch {
		case errors.As(err, &ae) && errors.Is(err, clerk.ErrUnauthenticated):
			return c.SendString("signed out: " + string(ae.Reason))
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
}

// TestRequireAuthDefaultErrorHandler shows what an app without this
// package's ErrorHandler answers: fiber's text/plain message.
func TestRequireAuthDefaultErrorHandler(t *testing.T) {
	r := newRig(t)
	app := r.router(nil)
	for _, c := range []struct {
		path, token string
		code        int
		body        string
	}{
		{"/api/private", r.SessionToken(t, clerktest.TokenExpired()), 401, "Unauthorized"},
		{"/api/admin", r.OrgToken(t, "member"), 403, "Forbidden"},
	} {
		res := serve(t, app, c.path, bearer(c.token))
		if res.code != c.code || res.body != c.body || res.header.Get("Content-Type") != fiber.MIMETextPlainCharsetUTF8 {
			t.Fatalf("%s: %d %q %q", c.path, res.code, res.body, res.header.Get("Content-Type"))
		}
	}
}
