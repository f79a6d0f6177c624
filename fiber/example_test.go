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
	"strings"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkfiber "github.com/clerkkit/clerkkit/fiber"
	"github.com/gofiber/fiber/v2"
)

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
	api.Get("/admin", clerkfiber.RequireAuth(clerk.Role("admin")), func(c *fiber.Ctx) error {
		return c.SendString("welcome, admin")
	})
	log.Fatal(app.Listen(":8080"))
}

func ExampleMiddleware() {
	var auth *clerk.Authenticator // from clerk.NewAuthenticator
	app := fiber.New()
	app.Use(clerkfiber.Middleware(auth))
}

func ExampleWithReasonHeader() {
	var auth *clerk.Authenticator // from clerk.NewAuthenticator
	app := fiber.New()
	// Signed-out answers carry X-Clerk-Auth-Reason: token-expired, …
	// Useful while debugging; it also tells a prober which check failed.
	app.Use(clerkfiber.Middleware(auth, clerkfiber.WithReasonHeader()))
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
	api.Get("/me", func(c *fiber.Ctx) error {
		a, _ := clerkfiber.GetAuth(c)
		return c.SendString(a.UserID())
	})
	// Signed in, and the organization role admin.
	api.Get("/admin", clerkfiber.RequireAuth(clerk.Role("admin")), func(c *fiber.Ctx) error {
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
		r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, req.path, nil)
		if req.token != "" {
			r.Header.Set("Authorization", "Bearer "+req.token)
		}
		resp, err := app.Test(r, -1)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		fmt.Println(req.path, resp.StatusCode, string(body))
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
	app.Delete("/api/account", clerkfiber.RequireAuth(clerk.Reverification("strict")), func(c *fiber.Ctx) error {
		return c.SendStatus(fiber.StatusNoContent)
	})

	session := srv.CreateSession("user_123").ID
	// fva: minutes since the first and the second factor were verified.
	for _, fva := range [][]int{{2, 2}, {30, 30}} {
		tok, err := srv.SessionToken(session, clerktest.TokenClaims(map[string]any{"fva": fva}))
		if err != nil {
			panic(err)
		}
		r := httptest.NewRequestWithContext(context.Background(), http.MethodDelete, "/api/account", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		resp, err := app.Test(r, -1)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		fmt.Println(strings.TrimSpace(fmt.Sprint(resp.StatusCode, " ", string(body))))
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
		func(c *fiber.Ctx) error {
			caller, _ := clerkfiber.GetAuth(c)
			if !slices.Contains(caller.Scopes(), "jobs:write") {
				return fiber.ErrForbidden
			}
			return c.SendStatus(fiber.StatusAccepted)
		})
	api := app.Group("/api", clerkfiber.RequireAuth())
	api.Get("/me", func(c *fiber.Ctx) error {
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
	app.Get("/api/reports", clerkfiber.RequireAuthenticated(), func(c *fiber.Ctx) error {
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
		r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/reports", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := app.Test(r, -1)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
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
	_ = app
}

func ExampleGetAuth() {
	handler := func(c *fiber.Ctx) error {
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
	handler := func(c *fiber.Ctx) error {
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
	var client *clerk.Client // from clerk.NewClient
	app := fiber.New()
	// app.Use(clerkfiber.Middleware(auth)) first.
	app.Get("/api/get-token-example", clerkfiber.TokenHandler(client, "test"))
}

func ExampleWriteTokenResponse() {
	var client *clerk.Client // from clerk.NewClient
	// Clerk's Pages Router example: its own 401 body, then TokenHandler's
	// answers for everything else.
	handler := func(c *fiber.Ctx) error {
		if auth, _ := clerkfiber.GetAuth(c); !auth.SignedIn() {
			return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{"error": "Unauthorized"})
		}
		tok, err := clerkfiber.GetToken(c, client, "test")
		return clerkfiber.WriteTokenResponse(c, client.TokenResponse(c.UserContext(), tok, err))
	}
	_ = handler
}
