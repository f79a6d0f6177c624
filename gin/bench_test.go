package clerkgin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

// BenchmarkAuth runs one GET with a Bearer session token end to end: the
// gin engine, Middleware, a RequireAuth group and a handler reading
// GetAuth. "repeated" sends the same token (a verified-token cache hit),
// "fresh" verifies it in full every time (cache off). nethttp is the core's
// clerk.Middleware + clerk.RequireAuth on the same token in the same run,
// and gin-without-auth the engine alone, so the adapter's own cost is
// (gin − gin-without-auth) next to (nethttp − a bare handler).
func BenchmarkAuth(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	for _, mode := range []struct {
		name string
		opts []clerk.AuthenticatorOption
	}{{"repeated", nil}, {"fresh", []clerk.AuthenticatorOption{clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge)}}} {
		r := newRig(b, mode.opts...)
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
		req.Header.Set("Authorization", "Bearer "+r.SessionToken(b))

		var seen bool
		e := gin.New()
		e.Use(clerkgin.Middleware(r.Auth))
		e.Group("/api", clerkgin.RequireAuth()).GET("/private", func(c *gin.Context) {
			auth, _ := clerkgin.GetAuth(c)
			seen = auth.UserID() != ""
		})
		b.Run("gin/"+mode.name, func(b *testing.B) { adaptertest.BenchHandler(b, e, req, &seen) })

		core := adaptertest.CoreMiddleware(r.Rig, &seen)
		b.Run("nethttp/"+mode.name, func(b *testing.B) { adaptertest.BenchHandler(b, core, req, &seen) })
	}

	var seen bool
	bare := gin.New()
	bare.Group("/api").GET("/private", func(*gin.Context) { seen = true })
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
	b.Run("gin-without-auth", func(b *testing.B) { adaptertest.BenchHandler(b, bare, req, &seen) })
}
