package clerkecho_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/labstack/echo/v4"
)

// Wiring for Clerk's getToken example: every route sees the session, the
// /api group requires it, and /api/get-token-example mints from the
// "test" JWT template.
func Example() {
	client, err := clerk.NewClientFromEnv() // CLERK_SECRET_KEY
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticatorFromEnv(client) // CLERK_JWT_KEY or JWKS
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(clerkecho.Middleware(auth, clerkecho.WithClient(client)))
	api := e.Group("/api", clerkecho.RequireAuth())
	api.GET("/get-token-example", clerkecho.TokenHandler("test"))
	e.Logger.Fatal(e.Start(":8080"))
}

func ExampleMiddleware() {
	var auth *clerk.Authenticator // from clerk.NewAuthenticator
	var client *clerk.Client      // from clerk.NewClient, for GetToken
	e := echo.New()
	e.Use(clerkecho.Middleware(auth,
		clerkecho.WithClient(client),
		clerkecho.WithLogger(slog.Default()),
		clerkecho.WithReasonHeader(), // X-Clerk-Auth-Reason while debugging
	))
}

func ExampleRequireAuth() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(clerkecho.Middleware(auth))
	api := e.Group("/api", clerkecho.RequireAuth())
	api.GET("/me", func(c echo.Context) error {
		a, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, a.UserID())
	})

	token, _ := srv.SessionToken(srv.CreateSession("user_123").ID)
	for _, header := range []string{"Bearer " + token, ""} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/me", nil)
		req.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Print(w.Code, " ", w.Body, "\n")
	}
	// Output:
	// 200 user_123
	// 401 {"message":"Unauthorized"}
}

func ExampleGetAuth() {
	handler := func(c echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		switch {
		case !ok:
			return errors.New("clerkecho.Middleware is not installed")
		case !auth.SignedIn():
			return c.JSON(http.StatusOK, echo.Map{"signedIn": false, "reason": auth.Reason()})
		}
		return c.JSON(http.StatusOK, echo.Map{"userId": auth.UserID(), "orgId": auth.OrgID()})
	}
	_ = handler
}

func ExampleGetToken() {
	handler := func(c echo.Context) error {
		tok, err := clerkecho.GetToken(c, "supabase", clerk.WithExpiresInSeconds(120))
		if errors.Is(err, clerk.ErrSignedOut) {
			return echo.NewHTTPError(http.StatusUnauthorized, "Unauthorized")
		}
		if err != nil {
			return echo.NewHTTPError(http.StatusBadGateway).SetInternal(err)
		}
		_ = tok.JWT // call Supabase with it
		return c.NoContent(http.StatusNoContent)
	}
	_ = handler
}

func ExampleTokenHandler() {
	e := echo.New()
	// e.Use(clerkecho.Middleware(auth, clerkecho.WithClient(client))) first.
	e.GET("/api/get-token-example", clerkecho.TokenHandler("test"))
}

func ExampleWithUnauthorizedMessage() {
	_ = clerkecho.RequireAuth(clerkecho.WithUnauthorizedMessage("Please sign in"))
	// With echo's default error handler: 401 {"message":"Please sign in"}
}
