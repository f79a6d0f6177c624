package clerkfiber_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkfiber "github.com/clerkkit/clerkkit/fiber"
	"github.com/gofiber/fiber/v2"
)

// Wiring for Clerk's getToken example: every route sees the session, the
// /api group requires it, and /api/get-token-example mints from the
// "test" JWT template. clerkfiber.ErrorHandler renders RequireAuth's 401 as
// {"message":"Unauthorized"}.
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
	app.Use(clerkfiber.Middleware(auth, clerkfiber.WithClient(client)))
	api := app.Group("/api", clerkfiber.RequireAuth())
	api.Get("/get-token-example", clerkfiber.TokenHandler("test"))
	log.Fatal(app.Listen(":8080"))
}

func ExampleMiddleware() {
	var auth *clerk.Authenticator // from clerk.NewAuthenticator
	var client *clerk.Client      // from clerk.NewClient, for GetToken
	app := fiber.New()
	app.Use(clerkfiber.Middleware(auth,
		clerkfiber.WithClient(client),
		clerkfiber.WithLogger(slog.Default()),
		clerkfiber.WithReasonHeader(), // X-Clerk-Auth-Reason while debugging
	))
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

	token, _ := srv.SessionToken(srv.CreateSession("user_123").ID)
	for _, header := range []string{"Bearer " + token, ""} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/me", nil)
		req.Header.Set("Authorization", header)
		resp, err := app.Test(req, -1)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 user_123
	// 401 {"message":"Unauthorized"}
}

func ExampleErrorHandler() {
	// Without it fiber's DefaultErrorHandler answers RequireAuth with
	// text/plain "Unauthorized".
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
	handler := func(c *fiber.Ctx) error {
		tok, err := clerkfiber.GetToken(c, "supabase", clerk.WithExpiresInSeconds(120))
		if errors.Is(err, clerk.ErrSignedOut) {
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
	app := fiber.New()
	// app.Use(clerkfiber.Middleware(auth, clerkfiber.WithClient(client))) first.
	app.Get("/api/get-token-example", clerkfiber.TokenHandler("test"))
}

func ExampleWithUnauthorizedMessage() {
	_ = clerkfiber.RequireAuth(clerkfiber.WithUnauthorizedMessage("Please sign in"))
	// With clerkfiber.ErrorHandler: 401 {"message":"Please sign in"}
}
