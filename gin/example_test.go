package clerkgin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

// Wiring for Clerk's getToken example: every route sees the session, the
// /api group requires it, /api/get-token-example mints from the "test" JWT
// template and /api/admin needs the organization's admin role.
func Example() {
	client, err := clerk.NewClientFromEnv() // CLERK_SECRET_KEY
	if err != nil {
		panic(err)
	}
	authn, err := clerk.NewAuthenticatorFromEnv(client) // CLERK_JWT_KEY or JWKS
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(clerkgin.Middleware(authn))
	api := r.Group("/api", clerkgin.RequireAuth())
	api.GET("/get-token-example", clerkgin.TokenHandler(client, "test"))
	api.GET("/admin", clerkgin.RequireAuth(clerk.Role("admin")), func(c *gin.Context) {
		c.String(http.StatusOK, "welcome, admin")
	})
	_ = r.Run(":8080")
}

func ExampleMiddleware() {
	var authn *clerk.Authenticator // from clerk.NewAuthenticator
	r := gin.New()
	r.Use(clerkgin.Middleware(authn))
}

func ExampleWithReasonHeader() {
	var authn *clerk.Authenticator // from clerk.NewAuthenticator
	r := gin.New()
	// X-Clerk-Auth-Reason: token-expired, … on signed-out requests, while
	// debugging only.
	r.Use(clerkgin.Middleware(authn, clerkgin.WithReasonHeader()))
}

// RequireAuth with a requirement: the signed-out visitor gets 401, the
// member 403 and the admin the page.
func ExampleRequireAuth() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	for _, u := range []string{"user_admin", "user_member"} {
		if _, err := srv.AddUser(clerktest.User{ID: u}); err != nil {
			panic(err)
		}
	}
	if _, err := srv.AddOrganization(clerktest.Organization{ID: "org_1"}); err != nil {
		panic(err)
	}
	_ = srv.AddMembership("org_1", "user_admin", "admin")
	_ = srv.AddMembership("org_1", "user_member", "member")

	authn, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(clerkgin.Middleware(authn))
	r.GET("/api/admin", clerkgin.RequireAuth(clerk.Role("admin")), func(c *gin.Context) {
		a, _ := clerkgin.GetAuth(c)
		c.String(http.StatusOK, "hello %s", a.UserID())
	})

	headers := []string{""}
	for _, u := range []string{"user_member", "user_admin"} {
		token, _ := srv.SessionToken(srv.CreateSession(u, clerktest.WithActiveOrganization("org_1")).ID)
		headers = append(headers, "Bearer "+token)
	}
	for _, header := range headers {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/admin", nil)
		req.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 401 {"message":"Unauthorized"}
	// 403 {"message":"Forbidden"}
	// 200 hello user_admin
}

// RequireAuth with a reverification: a user who verified 30 minutes ago
// gets Clerk's reverification body, which its front end reads to ask for a
// second factor and retry; two minutes ago is recent enough for "strict".
func ExampleRequireAuth_reverification() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	if _, err := srv.AddUser(clerktest.User{ID: "user_1"}); err != nil {
		panic(err)
	}
	session := srv.CreateSession("user_1").ID
	authn, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(clerkgin.Middleware(authn))
	r.POST("/account/delete", clerkgin.RequireAuth(clerk.Reverification("strict")), func(c *gin.Context) {
		c.String(http.StatusOK, "deleted")
	})

	for _, minutesAgo := range []int{30, 2} {
		// fva: minutes since the first and the second factor were verified.
		token, _ := srv.SessionToken(session, clerktest.TokenClaims(map[string]any{"fva": []int{minutesAgo, minutesAgo}}))
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/account/delete", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 403 {"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}
	// 200 deleted
}

func ExampleGetAuth() {
	handler := func(c *gin.Context) {
		auth, ok := clerkgin.GetAuth(c)
		switch {
		case !ok:
			c.AbortWithStatus(http.StatusInternalServerError) // Middleware not installed
		case !auth.SignedIn():
			c.JSON(http.StatusOK, gin.H{"signedIn": false, "reason": auth.Reason()})
		default:
			c.JSON(http.StatusOK, gin.H{"userId": auth.UserID(), "orgId": auth.OrgID()})
		}
	}
	_ = handler
}

func ExampleGetToken() {
	var client *clerk.Client // from clerk.NewClient
	handler := func(c *gin.Context) {
		tok, err := clerkgin.GetToken(c, client, "supabase", clerk.WithExpiresInSeconds(120))
		if errors.Is(err, clerk.ErrUnauthenticated) {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"message": "Unauthorized"})
			return
		}
		if err != nil {
			_ = c.Error(err)
			c.AbortWithStatus(http.StatusBadGateway)
			return
		}
		_ = tok.JWT // call Supabase with it
	}
	_ = handler
}

func ExampleTokenHandler() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	demo, err := srv.SeedDemo("test")
	if err != nil {
		panic(err)
	}
	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL))
	if err != nil {
		panic(err)
	}
	authn, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(clerkgin.Middleware(authn))
	r.GET("/api/get-token-example", clerkgin.TokenHandler(client, "test"))

	token, _ := srv.SessionToken(demo.SessionID)
	for _, header := range []string{"Bearer " + token, ""} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/get-token-example", nil)
		req.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body.String()[:min(w.Body.Len(), 26)])
	}
	// Output:
	// 200 {"token":{"jwt":"eyJhbGciO
	// 401 {"message":"Unauthorized"}
}

// A route that machines call: its own Middleware accepts M2M tokens and
// API keys instead of session tokens.
func ExampleAcceptsToken() {
	var authn *clerk.Authenticator // from clerk.NewAuthenticator with clerk.WithClient
	r := gin.New()
	machines := r.Group("/internal",
		clerkgin.Middleware(authn, clerkgin.AcceptsToken(clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)),
		clerkgin.RequireAuthenticated())
	machines.POST("/jobs", func(c *gin.Context) {
		a, _ := clerkgin.GetAuth(c)
		c.String(http.StatusAccepted, "queued for %s", a.Subject()) // mch_… or user_…
	})
}

// RequireAuthenticated lets a machine caller through with its identity and
// refuses a request without a token; a session token is refused too, since
// the Middleware accepts only M2M tokens.
func ExampleRequireAuthenticated() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	worker, err := srv.AddMachine(clerktest.Machine{ID: "mch_worker", Name: "worker"})
	if err != nil {
		panic(err)
	}
	m2m, err := srv.CreateM2MToken(worker.ID)
	if err != nil {
		panic(err)
	}
	if _, err := srv.AddUser(clerktest.User{ID: "user_1"}); err != nil {
		panic(err)
	}
	session, _ := srv.SessionToken(srv.CreateSession("user_1").ID)

	client, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL))
	if err != nil {
		panic(err)
	}
	// Opaque M2M tokens are verified by Clerk, through the Client.
	authn, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithClient(client))
	if err != nil {
		panic(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/internal/sync",
		clerkgin.Middleware(authn, clerkgin.AcceptsToken(clerk.TokenTypeM2MToken)),
		clerkgin.RequireAuthenticated(),
		func(c *gin.Context) {
			a, _ := clerkgin.GetAuth(c)
			c.String(http.StatusOK, "%s %s", a.TokenType(), a.Subject())
		})

	for _, header := range []string{"Bearer " + m2m.Token, "", "Bearer " + session} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/internal/sync", nil)
		req.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 200 m2m_token mch_worker
	// 401 {"message":"Unauthorized"}
	// 401 {"message":"Unauthorized"}
}
