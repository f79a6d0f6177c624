package clerkfiber_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkfiber "github.com/clerkkit/clerkkit/fiberv3"
	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"
)

// BenchmarkAuth runs one GET with a Bearer session token end to end: the
// fiber app's fasthttp handler, Middleware, a RequireAuth group and a
// handler reading GetAuth. "repeated" sends the same token (a
// verified-token cache hit), "fresh" verifies it in full every time (cache
// off). nethttp is the core's clerk.Middleware + clerk.RequireAuth on the
// same token in the same run, and fiber-without-auth the app alone (same
// request), so the adapter's own cost is (fiber − fiber-without-auth) next
// to (nethttp − a bare handler). The request context is reused as
// fasthttp's server does.
func BenchmarkAuth(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []clerk.AuthenticatorOption
	}{{"repeated", nil}, {"fresh", []clerk.AuthenticatorOption{clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge)}}} {
		r := newRig(b, mode.opts...)
		token := r.SessionToken(b)

		var seen bool
		app := fiber.New()
		app.Use(clerkfiber.Middleware(r.Auth))
		app.Group("/api", clerkfiber.RequireAuth()).Get("/private", func(c fiber.Ctx) error {
			auth, _ := clerkfiber.GetAuth(c)
			seen = auth.UserID() != ""
			return nil
		})
		b.Run("fiber/"+mode.name, func(b *testing.B) { runFiber(b, app, token, &seen) })

		core := adaptertest.CoreMiddleware(r.Rig, &seen)
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		b.Run("nethttp/"+mode.name, func(b *testing.B) { adaptertest.BenchHandler(b, core, req, &seen) })
	}

	var seen bool
	bare := fiber.New()
	bare.Group("/api").Get("/private", func(fiber.Ctx) error { seen = true; return nil })
	b.Run("fiber-without-auth", func(b *testing.B) { runFiber(b, bare, newRig(b).SessionToken(b), &seen) })
}

func runFiber(b *testing.B, app *fiber.App, token string, seen *bool) {
	h := app.Handler()
	var ctx fasthttp.RequestCtx
	authorization := []byte("Bearer " + token)
	b.ReportAllocs()
	for b.Loop() {
		// What fasthttp's server resets between two requests on a
		// connection; without the user values each request's context
		// would wrap the previous one's.
		ctx.ResetUserValues()
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod(fasthttp.MethodGet)
		ctx.Request.SetRequestURI("/api/private")
		ctx.Request.Header.SetBytesV("Authorization", authorization)
		*seen = false
		h(&ctx)
		if !*seen {
			b.Fatal("the handler did not see the user")
		}
	}
}
