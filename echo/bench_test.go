package clerkecho_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
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
func BenchmarkAuth(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []clerk.AuthOption
	}{{"repeated", nil}, {"fresh", []clerk.AuthOption{clerk.WithVerifiedTokenCacheSize(0)}}} {
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
		b.Run("echo/"+mode.name, func(b *testing.B) { run(b, e, req, &seen) })

		core := clerk.Middleware(r.Auth)(clerk.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth, _ := clerk.AuthFromContext(r.Context())
			seen = auth.UserID() != ""
		})))
		b.Run("nethttp/"+mode.name, func(b *testing.B) { run(b, core, req, &seen) })
	}

	var seen bool
	bare := echo.New()
	bare.Group("/api").GET("/private", func(echo.Context) error { seen = true; return nil })
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
	b.Run("echo-without-auth", func(b *testing.B) { run(b, bare, req, &seen) })
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
