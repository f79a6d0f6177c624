package clerkgin_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
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
	r := gin.New()
	r.Use(clerkgin.Middleware(auth, clerkgin.WithClient(client)))
	api := r.Group("/api", clerkgin.RequireAuth())
	api.GET("/get-token-example", clerkgin.TokenHandler("test"))
	_ = r.Run(":8080")
}

func ExampleMiddleware() {
	var auth *clerk.Authenticator // from clerk.NewAuthenticator
	var client *clerk.Client      // from clerk.NewClient, for GetToken
	r := gin.New()
	r.Use(clerkgin.Middleware(auth,
		clerkgin.WithClient(client),
		clerkgin.WithLogger(slog.Default()),
		clerkgin.WithReasonHeader(), // X-Clerk-Auth-Reason while debugging
	))
}

func ExampleRequireAuth() {
	srv := clerktest.NewServer() // stands in for Clerk
	defer srv.Close()
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()))
	if err != nil {
		panic(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(clerkgin.Middleware(auth))
	api := r.Group("/api", clerkgin.RequireAuth())
	api.GET("/me", func(c *gin.Context) {
		a, _ := clerkgin.GetAuth(c)
		c.String(http.StatusOK, a.UserID())
	})

	token, _ := srv.SessionToken(srv.CreateSession("user_123").ID)
	for _, header := range []string{"Bearer " + token, ""} {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/me", nil)
		req.Header.Set("Authorization", header)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 200 user_123
	// 401 {"message":"Unauthorized"}
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
	handler := func(c *gin.Context) {
		tok, err := clerkgin.GetToken(c, "supabase", clerk.WithExpiresInSeconds(120))
		if errors.Is(err, clerk.ErrSignedOut) {
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
	r := gin.New()
	// r.Use(clerkgin.Middleware(auth, clerkgin.WithClient(client))) first.
	r.GET("/api/get-token-example", clerkgin.TokenHandler("test"))
}

func ExampleWithUnauthorizedMessage() {
	_ = clerkgin.RequireAuth(clerkgin.WithUnauthorizedMessage("Please sign in"))
	// 401 {"message":"Please sign in"}
}
