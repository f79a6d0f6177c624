package clerkecho_test

import (
	"fmt"
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkecho "github.com/clerkkit/clerkkit/echov5"
	"github.com/labstack/echo/v5"
)

// machineAuthenticator verifies srv's tokens: JWTs with its key, opaque
// machine tokens over its Backend API with a Client.
func machineAuthenticator(srv *clerktest.Server) *clerk.Authenticator {
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL))
	if err != nil {
		panic(err)
	}
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithClient(client))
	if err != nil {
		panic(err)
	}
	return auth
}

func ExampleAcceptsToken() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth := machineAuthenticator(srv)

	e := echo.New()
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(auth)) // app-wide: session tokens
	// This route takes other services' M2M tokens and customers' API keys
	// instead.
	e.GET("/api/machine", func(c *echo.Context) error {
		a, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, string(a.TokenType())) // and a.Subject(), a.Scopes(), …
	}, clerkecho.Middleware(auth, clerkecho.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)),
		clerkecho.RequireAuthenticated())

	worker, _ := srv.AddMachine(clerktest.Machine{Name: "worker"})
	m2m, _ := srv.CreateM2MToken(worker.ID)
	key, _ := srv.CreateAPIKey("user_123", "ci")
	user, _ := srv.AddUser(clerktest.User{})
	session, _ := srv.SessionToken(srv.CreateSession(user.ID).ID)
	for _, token := range []string{m2m.Token, key.Secret, session} {
		w := get(e, "/api/machine", token)
		fmt.Print(w.Code, " ", w.Body, "\n")
	}
	// Output:
	// 200 m2m_token
	// 200 api_key
	// 401 {"message":"Unauthorized"}
}

func ExampleRequireAuthenticated() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()

	e := echo.New()
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(machineAuthenticator(srv), clerkecho.AcceptsToken(clerk.TokenTypeAPIKey)))
	e.GET("/reports", func(c *echo.Context) error {
		a, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, "reports of "+a.Subject())
	}, clerkecho.RequireAuthenticated())

	key, _ := srv.CreateAPIKey("org_acme", "exporter")
	fmt.Println(get(e, "/reports", key.Secret).Body)
	fmt.Println(get(e, "/reports", "").Body)

	// Clerk failing while a new key is verified: 503, so the caller retries.
	fresh, _ := srv.CreateAPIKey("org_acme", "new")
	srv.FailNext(1, http.StatusServiceUnavailable, clerktest.EndpointVerifyAPIKey)
	w := get(e, "/reports", fresh.Secret)
	fmt.Println(w.Code, w.Body)
	// Output:
	// reports of org_acme
	// {"message":"Unauthorized"}
	// 503 {"message":"Service Unavailable"}
}
