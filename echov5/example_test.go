package clerkecho_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkecho "github.com/clerkkit/clerkkit/echov5"
	"github.com/labstack/echo/v5"
)

// Wiring for Clerk's getToken example: every route sees the session, the
// /api group requires it, /api/get-token-example mints from the "test" JWT
// template and /api/admin needs the organization's admin role.
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
	e.HTTPErrorHandler = clerkecho.ErrorHandler // {"message":"Unauthorized"} byte for byte
	e.Use(clerkecho.Middleware(auth))
	api := e.Group("/api", clerkecho.RequireAuth())
	api.GET("/get-token-example", clerkecho.TokenHandler(client, "test"))
	api.GET("/admin", func(c *echo.Context) error { return c.String(http.StatusOK, "welcome") },
		clerkecho.RequireAuth(clerk.Role("admin")))
	if err := e.Start(":8080"); err != nil {
		e.Logger.Error("server stopped", "error", err)
	}
}

func ExampleMiddleware() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(clerkecho.Middleware(auth)) // never rejects: handlers and guards decide
	e.GET("/", func(c *echo.Context) error {
		a, _ := clerkecho.GetAuth(c)
		if !a.SignedIn() {
			return c.String(http.StatusOK, "signed out: "+string(a.Reason()))
		}
		return c.String(http.StatusOK, "hello "+a.UserID())
	})

	user, _ := srv.AddUser(clerktest.User{ID: "user_123"})
	token, _ := srv.SessionToken(srv.CreateSession(user.ID).ID)
	fmt.Println(get(e, "/", token).Body)
	fmt.Println(get(e, "/", "").Body)
	// Output:
	// hello user_123
	// signed out: session-token-missing
}

func ExampleWithReasonHeader() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	e := echo.New()
	// While debugging: say why a request is signed out.
	e.Use(clerkecho.Middleware(auth, clerkecho.WithReasonHeader()))
	e.GET("/", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) })

	w := get(e, "/", "")
	fmt.Println(w.Header().Get(clerk.ReasonHeader))
	// Output: session-token-missing
}

func ExampleRequireAuth() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(auth))
	admin := e.Group("/admin", clerkecho.RequireAuth(clerk.Role("admin")))
	admin.GET("/members", func(c *echo.Context) error {
		a, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, "members of "+a.OrgSlug())
	})

	org, _ := srv.AddOrganization(clerktest.Organization{Name: "Acme", Slug: "acme"})
	var tokens []string
	for _, role := range []string{"admin", "member"} {
		user, _ := srv.AddUser(clerktest.User{})
		_ = srv.AddMembership(org.ID, user.ID, role)
		token, _ := srv.SessionToken(srv.CreateSession(user.ID, clerktest.WithActiveOrganization(org.ID)).ID)
		tokens = append(tokens, token)
	}
	for _, token := range append(tokens, "") {
		w := get(e, "/admin/members", token)
		fmt.Print(w.Code, " ", w.Body, "\n")
	}
	// Output:
	// 200 members of acme
	// 403 {"message":"Forbidden"}
	// 401 {"message":"Unauthorized"}
}

// A route that needs a recent second factor: a session whose factors
// were verified 30 minutes ago gets Clerk's reverification body, which
// Clerk's front end (useReverification) reads to ask the user to verify
// again before retrying.
func ExampleRequireAuth_reverification() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(auth))
	e.POST("/account/delete", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) },
		clerkecho.RequireAuth(clerk.Reverification("strict"))) // second factor within 10 minutes

	user, _ := srv.AddUser(clerktest.User{})
	session := srv.CreateSession(user.ID)
	for _, minutes := range []int{2, 30} {
		token, _ := srv.SessionToken(session.ID, clerktest.TokenClaims(map[string]any{"fva": []int{minutes, minutes}}))
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/account/delete", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Println(strings.TrimSpace(fmt.Sprint(w.Code, " ", w.Body)))
	}
	// Output:
	// 204
	// 403 {"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
}

func ExampleErrorHandler() {
	e := echo.New()
	// Errors answer {"message":"…"} without the newline of echo's own
	// handler, as the gin, fiber and net/http guards do.
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.GET("/private", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) },
		clerkecho.RequireAuth()) // no Middleware here: refused, failing closed

	w := get(e, "/private", "")
	fmt.Printf("%d %q\n", w.Code, w.Body)
	// Output: 401 "{\"message\":\"Unauthorized\"}"
}

// An HTTPErrorHandler of your own: log why the guard refused, and send
// its body unchanged so Clerk's front end can read a reverification 403.
func ExampleGuardError() {
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a stable example output
			}
			return a
		},
	}))
	e := echo.New()
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		var ge *clerkecho.GuardError
		if errors.As(err, &ge) {
			logger.Info("refused", "status", ge.Status, "why", errors.Unwrap(ge))
			_ = c.JSONBlob(ge.Status, []byte(ge.Body))
			return
		}
		clerkecho.ErrorHandler(c, err)
	}
	e.GET("/private", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) },
		clerkecho.RequireAuth())

	w := get(e, "/private", "")
	body, _ := json.Marshal(map[string]any{"status": w.Code, "body": w.Body.String()})
	fmt.Println(string(body))
	fmt.Print(logs.String())
	// Output:
	// {"body":"{\"message\":\"Unauthorized\"}","status":401}
	// level=INFO msg=refused status=401 why="clerk: no Auth on the request: the authentication middleware did not run; add Middleware(authn) ahead of RequireAuth, TokenHandler or GetToken on this route, with authn from clerk.NewAuthenticator(clerk.WithClient(client)) or clerk.NewAuthenticatorFromEnv(client)"
}

func ExampleGetAuth() {
	handler := func(c *echo.Context) error {
		auth, ok := clerkecho.GetAuth(c)
		switch {
		case !ok:
			return errors.New("clerkecho.Middleware is not installed")
		case !auth.SignedIn():
			return c.JSON(http.StatusOK, map[string]any{"signedIn": false, "reason": auth.Reason()})
		}
		return c.JSON(http.StatusOK, map[string]any{"userId": auth.UserID(), "orgId": auth.OrgID()})
	}
	_ = handler
}

func ExampleGetToken() {
	var client *clerk.Client // from clerk.NewClient
	handler := func(c *echo.Context) error {
		tok, err := clerkecho.GetToken(c, client, "supabase", clerk.WithExpiresInSeconds(120))
		if errors.Is(err, clerk.ErrUnauthenticated) {
			return echo.ErrUnauthorized.Wrap(err)
		}
		if err != nil {
			return echo.ErrBadGateway.Wrap(err)
		}
		_ = tok.JWT // call Supabase with it
		return c.NoContent(http.StatusNoContent)
	}
	_ = handler
}

func ExampleTokenHandler() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL)) // it logs failures (clerk.WithLogger)
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	_ = srv.AddTemplate(clerktest.Template{Name: "test"})

	e := echo.New()
	e.Use(clerkecho.Middleware(auth))
	e.GET("/api/get-token-example", clerkecho.TokenHandler(client, "test"))

	user, _ := srv.AddUser(clerktest.User{})
	token, _ := srv.SessionToken(srv.CreateSession(user.ID).ID)
	w := get(e, "/api/get-token-example", token)
	fmt.Println(w.Code, strings.HasPrefix(w.Body.String(), `{"token":{"jwt":"ey`))
	w = get(e, "/api/get-token-example", "")
	fmt.Println(w.Code, w.Body)
	// Output:
	// 200 true
	// 401 {"message":"Unauthorized"}
}

// get serves a GET with token as its Bearer token ("" for none).
func get(h http.Handler, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
