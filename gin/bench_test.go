package clerkgin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
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
		opts []clerk.AuthOption
	}{{"repeated", nil}, {"fresh", []clerk.AuthOption{clerk.WithVerifiedTokenCacheSize(0)}}} {
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
		b.Run("gin/"+mode.name, func(b *testing.B) { run(b, e, req, &seen) })

		core := clerk.Middleware(r.Auth)(clerk.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth, _ := clerk.AuthFromContext(r.Context())
			seen = auth.UserID() != ""
		})))
		b.Run("nethttp/"+mode.name, func(b *testing.B) { run(b, core, req, &seen) })
	}

	var seen bool
	bare := gin.New()
	bare.Group("/api").GET("/private", func(*gin.Context) { seen = true })
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
	b.Run("gin-without-auth", func(b *testing.B) { run(b, bare, req, &seen) })
}

func run(b *testing.B, h http.Handler, req *http.Request, seen *bool) {
	w := discardWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		*seen = false
		h.ServeHTTP(w, req)
		if !*seen {
			b.Fatal("the handler did not see the user")
		}
	}
}

// discardWriter keeps the ResponseWriter's own costs out of the figures.
type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { return w.header }
func (w discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w discardWriter) WriteHeader(int)             {}
