// Command fiber serves Clerk's Next.js getToken examples with fiber v2.
//
//	go run ./examples/fiber
//
// Without CLERK_SECRET_KEY it runs offline against a built-in Clerk
// emulator and prints curl commands to try; with it, it talks to that Clerk
// instance. See the examples' README for the environment variables.
package main

import (
	"context"
	"errors"
	"net"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
	clerkfiber "github.com/clerkkit/clerkkit/fiber"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

func main() { demo.Main("fiber", serve) }

// serve runs fiber on ln until ctx ends. fiber has its own server, so it
// cannot use demo.Serve.
func serve(ctx context.Context, ln net.Listener, app *demo.App) error {
	f := newApp(app)
	errc := make(chan error, 1)
	go func() { errc <- f.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), demo.ShutdownGrace)
	defer cancel()
	if err := f.ShutdownWithContext(shutdownCtx); err != nil {
		return err
	}
	return <-errc
}

func newApp(app *demo.App) *fiber.App {
	// Errors (RequireAuth's 401 and 403 among them) answer {"message":"…"}.
	f := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: clerkfiber.ErrorHandler})
	f.Use(logRequests(app))
	f.Use(clerkfiber.Middleware(app.Authenticator, middlewareOptions(app)...))

	// Machine callers only: the route's own Middleware accepts M2M tokens
	// and API keys (the app-wide one refuses them as sessions-only, at no
	// cost), and RequireAuthenticated lets a machine through where
	// RequireAuth would not. Registered first: should the routes below
	// move into an /api group guarded by RequireAuth, fiber would run that
	// guard for this path too unless this route comes before it.
	f.Get(demo.MachinePath,
		clerkfiber.Middleware(app.Authenticator, middlewareOptions(app, clerkfiber.AcceptsToken(demo.MachineTokenTypes()...))...),
		clerkfiber.RequireAuthenticated(),
		func(c *fiber.Ctx) error {
			auth, _ := clerkfiber.GetAuth(c)
			c.Set(fiber.HeaderContentType, demo.JSONContentType)
			return c.Status(fiber.StatusOK).Send(demo.MachineBody(auth))
		})

	// app/api/get-token-example/route.ts: 401 {"message":"Unauthorized"}
	// when signed out, else {"token":{"jwt":"…"}}.
	f.Get(demo.AppRouterPath, clerkfiber.RequireAuth(), clerkfiber.TokenHandler(app.Client, app.Template))

	// pages/api/getToken.ts: the handler checks the session itself and
	// answers 401 {"error":"Unauthorized"}.
	f.Get(demo.PagesRouterPath, func(c *fiber.Ctx) error {
		if auth, _ := clerkfiber.GetAuth(c); !auth.SignedIn() {
			return c.Status(fiber.StatusUnauthorized).JSON(demo.PagesUnauthorized)
		}
		token, err := clerkfiber.GetToken(c, app.Client, app.Template)
		return clerkfiber.WriteTokenResponse(c, app.Client.TokenResponse(c.UserContext(), token, err))
	})

	// Who is signed in: authentication only, no token minted.
	f.Get(demo.SessionPath, clerkfiber.RequireAuth(), func(c *fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		return c.JSON(demo.SessionOf(auth))
	})

	// Administrators of the active organization only: 401 signed out,
	// 403 {"message":"Forbidden"} signed in without the role.
	f.Get(demo.AdminPath, clerkfiber.RequireAuth(clerk.Role("org:admin")), func(c *fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		c.Set(fiber.HeaderContentType, demo.JSONContentType)
		return c.Status(fiber.StatusOK).Send(demo.AdminBody(auth))
	})

	// Probes: the process is up; the Authenticator can verify tokens.
	f.Get(demo.HealthzPath, adaptor.HTTPHandler(app.HealthzHandler()))
	f.Get(demo.ReadyzPath, adaptor.HTTPHandler(app.ReadyzHandler()))

	if h, err := app.SessionTokenHandler(); err == nil {
		f.Get(demo.SessionTokenPath, adaptor.HTTPHandler(h))
	}
	return f
}

// logRequests writes the examples' request log line for fiber.
func logRequests(app *demo.App) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		var fe *fiber.Error
		if errors.As(err, &fe) {
			status = fe.Code // the ErrorHandler writes it after this returns
		}
		demo.LogRequest(c.UserContext(), app.Logger, c.Method(), c.Path(), status, time.Since(start))
		return err
	}
}

// middlewareOptions are the options of every Middleware of the example:
// extra, and the reason header when the App asks for it (offline, or
// CLERK_DEBUG_REASONS=1).
func middlewareOptions(app *demo.App, extra ...clerkfiber.Option) []clerkfiber.Option {
	if app.ReasonHeader {
		return append(extra, clerkfiber.WithReasonHeader())
	}
	return extra
}
