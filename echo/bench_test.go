package clerkecho_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/labstack/echo/v4"
)

// BenchmarkAuth runs one GET with a Bearer session token end to end: the
// echo server, Middleware, a RequireAuth group and a handler reading
// GetAuth. "repeated" sends the same token (a verified-token cache hit),
// "fresh" verifies it in full every time (cache off). nethttp is the core's
// clerk.Middleware + clerk.RequireAuth on the same token in the same run,
// and echo-without-auth the server alone, so the adapter's own cost is
// (echo − echo-without-auth) next to (nethttp − a bare handler).
// echo-with-passthrough has two middleware that only call next where
// Middleware and RequireAuth sit: echo v4 applies middleware to the
// handler on every request, a closure per middleware that any middleware
// costs.
func BenchmarkAuth(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []clerk.AuthenticatorOption
	}{{"repeated", nil}, {"fresh", []clerk.AuthenticatorOption{clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge)}}} {
		r := newRig(b, mode.opts...)
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
		req.Header.Set("Authorization", "Bearer "+r.SessionToken(b))

		var seen bool
		e := echo.New()
		e.Use(clerkecho.Middleware(r.Auth))
		e.Group("/api", clerkecho.RequireAuth()).GET("/private", func(c echo.Context) error {
			auth, _ := clerkecho.GetAuth(c)
			seen = auth.UserID() != ""
			return nil
		})
		b.Run("echo/"+mode.name, func(b *testing.B) { adaptertest.BenchHandler(b, e, req, &seen) })

		core := adaptertest.CoreMiddleware(r.Rig, &seen)
		b.Run("nethttp/"+mode.name, func(b *testing.B) { adaptertest.BenchHandler(b, core, req, &seen) })
	}

	var seen bool
	bare := echo.New()
	bare.Group("/api").GET("/private", func(echo.Context) error { seen = true; return nil })
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
	b.Run("echo-without-auth", func(b *testing.B) { adaptertest.BenchHandler(b, bare, req, &seen) })

	passthrough := func(next echo.HandlerFunc) echo.HandlerFunc { return func(c echo.Context) error { return next(c) } }
	wrapped := echo.New()
	wrapped.Use(passthrough)
	wrapped.Group("/api", passthrough).GET("/private", func(echo.Context) error { seen = true; return nil })
	b.Run("echo-with-passthrough", func(b *testing.B) { adaptertest.BenchHandler(b, wrapped, req, &seen) })
}
