package clerkfiber_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkfiber "github.com/clerkkit/clerkkit/fiberv3"
	"github.com/gofiber/fiber/v3"
)

// exampleGet sends method path to app, with token as a Bearer header when
// it is not empty, and returns the status, the X-Clerk-Auth-Reason header
// when there is one, and the body.
func exampleGet(app *fiber.App, method, path, token string) string {
	r := httptest.NewRequestWithContext(context.Background(), method, path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := app.Test(r, fiber.TestConfig{})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(err)
	}
	out := fmt.Sprint(resp.StatusCode)
	if reason := resp.Header.Get(clerk.ReasonHeader); reason != "" {
		out += " [" + reason + "]"
	}
	if len(body) > 0 {
		out += " " + string(body)
	}
	return out
}

// Wiring for Clerk's getToken example: every route sees the session, the
// /api group requires it, /api/admin also requires the organization role
// admin, and /api/get-token-example mints from the "test" JWT template.
// clerkfiber.ErrorHandler renders RequireAuth's refusals as
// {"message":"Unauthorized"} and {"message":"Forbidden"}.
func Example() {
	client, err := clerk.NewClientFromEnv() // CLERK_SECRET_KEY
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticatorFromEnv(client) // CLERK_JWT_KEY or JWKS
	if err != nil {
		panic(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Use(clerkfiber.Middleware(auth))
	api := app.Group("/api", clerkfiber.RequireAuth())
	api.Get("/get-token-example", clerkfiber.TokenHandler(client, "test"))
	api.Get("/admin", clerkfiber.RequireAuth(clerk.Role("admin")), func(c fiber.Ctx) error {
		return c.SendString("welcome, admin")
	})
	log.Fatal(app.Listen(":8080"))
}

func ExampleMiddleware() {
	var auth *clerk.Authenticator // from clerk.NewAuthenticator
	app := fiber.New()
	app.Use(clerkfiber.Middleware(auth))
	app.Get("/", func(c fiber.Ctx) error {
		// The Auth is in c.Locals and in c.Context(), for code that only
		// gets a context.Context.
		a, _ := clerk.AuthFromContext(c.Context())
		return c.SendString(a.UserID())
	})
}

func ExampleWithReasonHeader() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	// Useful while debugging; it also tells a prober which check failed.
	app.Use(clerkfiber.Middleware(auth, clerkfiber.WithReasonHeader()))
	app.Get("/", clerkfiber.RequireAuth(), func(c fiber.Ctx) error { return c.SendString("in") })

	expired, err := srv.SessionToken(srv.CreateSession("user_123").ID, clerktest.TokenExpired())
	if err != nil {
		panic(err)
	}
	fmt.Println(exampleGet(app, http.MethodGet, "/", ""))
	fmt.Println(exampleGet(app, http.MethodGet, "/", expired))
	// Output:
	// 401 [session-token-missing] {"message":"Unauthorized"}
	// 401 [token-expired] {"message":"Unauthorized"}
}

func ExampleRequireAuth() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Use(clerkfiber.Middleware(auth))
	api := app.Group("/api", clerkfiber.RequireAuth())
	api.Get("/me", func(c fiber.Ctx) error {
		a, _ := clerkfiber.GetAuth(c)
		return c.SendString(a.UserID())
	})
	// Signed in, and the organization role admin.
	api.Get("/admin", clerkfiber.RequireAuth(clerk.Role("admin")), func(c fiber.Ctx) error {
		a, _ := clerkfiber.GetAuth(c)
		return c.SendString("admin of " + a.OrgSlug())
	})

	session := srv.CreateSession("user_123").ID
	orgToken := func(role string) string {
		tok, _ := srv.SessionToken(session, clerktest.TokenClaims(map[string]any{
			"o": map[string]any{"id": "org_1", "slg": "acme", "rol": role},
		}))
		return tok
	}
	plain, _ := srv.SessionToken(session)
	for _, req := range []struct{ path, token string }{
		{"/api/me", plain}, {"/api/me", ""}, {"/api/admin", orgToken("admin")}, {"/api/admin", orgToken("member")},
	} {
		fmt.Println(req.path, exampleGet(app, http.MethodGet, req.path, req.token))
	}
	// Output:
	// /api/me 200 user_123
	// /api/me 401 {"message":"Unauthorized"}
	// /api/admin 200 admin of acme
	// /api/admin 403 {"message":"Forbidden"}
}

// A sensitive route asks for a recent second factor. A user who verified
// too long ago gets 403 with Clerk's reverification body, which a Clerk
// front end (useReverification) reads to prompt and retry; ErrorHandler
// writes it byte for byte.
func ExampleRequireAuth_reverification() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Use(clerkfiber.Middleware(auth))
	app.Delete("/api/account", clerkfiber.RequireAuth(clerk.Reverification("strict")), func(c fiber.Ctx) error {
		return c.SendStatus(fiber.StatusNoContent)
	})

	session := srv.CreateSession("user_123").ID
	// fva: minutes since the first and the second factor were verified.
	for _, fva := range [][]int{{2, 2}, {30, 30}} {
		tok, err := srv.SessionToken(session, clerktest.TokenClaims(map[string]any{"fva": fva}))
		if err != nil {
			panic(err)
		}
		fmt.Println(exampleGet(app, http.MethodDelete, "/api/account", tok))
	}
	// Output:
	// 204
	// 403 {"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
}

// A route that machines call, in an app whose other routes serve signed-in
// users. The route's own Middleware accepts M2M tokens and API keys (opaque
// ones are verified over Clerk's Backend API, so the Authenticator needs
// clerk.WithClient). It is registered before the /api group: the group's
// RequireAuth is middleware on the whole prefix and would refuse machine
// callers, who are never signed in.
func ExampleAcceptsToken() {
	var auth *clerk.Authenticator // from clerk.NewAuthenticator with clerk.WithClient
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Use(clerkfiber.Middleware(auth)) // session tokens, for every route
	app.Post("/api/jobs",
		clerkfiber.Middleware(auth, clerkfiber.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)),
		clerkfiber.RequireAuthenticated(),
		func(c fiber.Ctx) error {
			caller, _ := clerkfiber.GetAuth(c)
			if !slices.Contains(caller.Scopes(), "jobs:write") {
				return fiber.ErrForbidden
			}
			return c.SendStatus(fiber.StatusAccepted)
		})
	api := app.Group("/api", clerkfiber.RequireAuth())
	api.Get("/me", func(c fiber.Ctx) error {
		a, _ := clerkfiber.GetAuth(c)
		return c.SendString(a.UserID())
	})
}

func ExampleRequireAuthenticated() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL))
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithClient(client))
	if err != nil {
		panic(err)
	}
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Use(clerkfiber.Middleware(auth, clerkfiber.AcceptsToken(clerk.TokenTypeAPIKey)))
	app.Get("/api/reports", clerkfiber.RequireAuthenticated(), func(c fiber.Ctx) error {
		caller, _ := clerkfiber.GetAuth(c)
		return c.SendString(fmt.Sprintf("%s %q of %s", caller.TokenType(), caller.Name(), caller.Subject()))
	})

	key, err := srv.CreateAPIKey("user_123", "nightly export")
	if err != nil {
		panic(err)
	}
	session, err := srv.SessionToken(srv.CreateSession("user_123").ID)
	if err != nil {
		panic(err)
	}
	for _, token := range []string{key.Secret, session, ""} {
		fmt.Println(exampleGet(app, http.MethodGet, "/api/reports", token))
	}
	// Output:
	// 200 api_key "nightly export" of user_123
	// 401 {"message":"Unauthorized"}
	// 401 {"message":"Unauthorized"}
}

func ExampleErrorHandler() {
	// Without it fiber's DefaultErrorHandler answers RequireAuth with
	// text/plain "Unauthorized" or "Forbidden", and a stale verification
	// loses Clerk's reverification body.
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Get("/gone", func(fiber.Ctx) error { return fiber.ErrGone })
	app.Get("/broken", func(fiber.Ctx) error { return errors.New("db password is hunter2") })
	fmt.Println(exampleGet(app, http.MethodGet, "/gone", ""))
	fmt.Println(exampleGet(app, http.MethodGet, "/broken", ""))
	// Output:
	// 410 {"message":"Gone"}
	// 500 {"message":"Internal Server Error"}
}

// An ErrorHandler of the app's own that keeps Clerk's bodies for the
// guards' refusals and answers everything else its own way.
func ExampleGuardError() {
	app := fiber.New(fiber.Config{ErrorHandler: func(c fiber.Ctx, err error) error {
		if ge, ok := errors.AsType[*clerkfiber.GuardError](err); ok {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
			return c.Status(ge.Status).SendString(ge.Body)
		}
		return c.Status(fiber.StatusInternalServerError).SendString("oops")
	}})
	var auth *clerk.Authenticator // from clerk.NewAuthenticator
	app.Use(clerkfiber.Middleware(auth))
}

func ExampleGetAuth() {
	handler := func(c fiber.Ctx) error {
		auth, ok := clerkfiber.GetAuth(c)
		switch {
		case !ok:
			return errors.New("clerkfiber.Middleware is not installed")
		case !auth.SignedIn():
			return c.JSON(fiber.Map{"signedIn": false, "reason": auth.Reason()})
		}
		return c.JSON(fiber.Map{"userId": auth.UserID(), "orgId": auth.OrgID()})
	}
	_ = handler
}

func ExampleGetToken() {
	var client *clerk.Client // from clerk.NewClient
	handler := func(c fiber.Ctx) error {
		tok, err := clerkfiber.GetToken(c, client, "supabase", clerk.WithExpiresInSeconds(120))
		if errors.Is(err, clerk.ErrUnauthenticated) {
			return fiber.ErrUnauthorized
		}
		if err != nil {
			return fiber.ErrBadGateway
		}
		_ = tok.JWT // call Supabase with it
		return c.SendStatus(fiber.StatusNoContent)
	}
	_ = handler
}

func ExampleTokenHandler() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	if err := srv.AddTemplate(clerktest.Template{Name: "test", Claims: map[string]any{"uid": "{{user.id}}"}}); err != nil {
		panic(err)
	}
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL))
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	app := fiber.New()
	app.Use(clerkfiber.Middleware(auth))
	app.Get("/api/get-token-example", clerkfiber.TokenHandler(client, "test"))

	// Signed out: Clerk's 401, and Clerk is not asked.
	fmt.Println(exampleGet(app, http.MethodGet, "/api/get-token-example", ""))
	// Output:
	// 401 {"message":"Unauthorized"}
}

func ExampleWriteTokenResponse() {
	var client *clerk.Client // from clerk.NewClient
	// Clerk's Pages Router example: its own 401 body, then TokenHandler's
	// answers for everything else.
	handler := func(c fiber.Ctx) error {
		if auth, _ := clerkfiber.GetAuth(c); !auth.SignedIn() {
			return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{"error": "Unauthorized"})
		}
		tok, err := clerkfiber.GetToken(c, client, "test")
		return clerkfiber.WriteTokenResponse(c, client.TokenResponse(c.Context(), tok, err))
	}
	_ = handler
}
