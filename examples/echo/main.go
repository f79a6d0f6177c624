// Command echo serves Clerk's Next.js getToken examples with echo v4.
//
//	go run ./examples/echo
//
// Without CLERK_SECRET_KEY it runs offline against a built-in Clerk
// emulator and prints curl commands to try; with it, it talks to that Clerk
// instance. See the examples' README for the environment variables.
package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
	"github.com/labstack/echo/v4"
)

func main() { demo.Main("echo", serve) }

func serve(ctx context.Context, ln net.Listener, app *demo.App) error {
	return demo.Serve(ctx, ln, demo.LogRequests(app.Logger, newRouter(app)))
}

func newRouter(app *demo.App) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Errors (RequireAuth's 401 and 403 among them) answer {"message":"…"} exactly.
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(app.Authenticator, middlewareOptions(app)...))

	// app/api/get-token-example/route.ts: 401 {"message":"Unauthorized"}
	// when signed out, else {"token":{"jwt":"…"}}.
	e.GET(demo.AppRouterPath, clerkecho.TokenHandler(app.Client, app.Template), clerkecho.RequireAuth())

	// pages/api/getToken.ts: the handler checks the session itself and
	// answers 401 {"error":"Unauthorized"}.
	e.GET(demo.PagesRouterPath, func(c echo.Context) error {
		if auth, _ := clerkecho.GetAuth(c); !auth.SignedIn() {
			return writeJSON(c, http.StatusUnauthorized, demo.PagesUnauthorized)
		}
		token, err := clerkecho.GetToken(c, app.Client, app.Template)
		clerk.WriteTokenResponse(c.Response(), app.Client.TokenResponse(c.Request().Context(), token, err))
		return nil
	})

	// Who is signed in: authentication only, no token minted.
	e.GET(demo.SessionPath, func(c echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return writeJSON(c, http.StatusOK, demo.SessionOf(auth))
	}, clerkecho.RequireAuth())

	// Administrators of the active organization only: 401 signed out,
	// 403 {"message":"Forbidden"} signed in without the role.
	e.GET(demo.AdminPath, func(c echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.Blob(http.StatusOK, demo.JSONContentType, demo.AdminBody(auth))
	}, clerkecho.RequireAuth(clerk.Role("org:admin")))

	// Machine callers only: the route's own Middleware accepts M2M tokens
	// and API keys (the app-wide one refuses them as sessions-only, at no
	// cost), and RequireAuthenticated lets a machine through where
	// RequireAuth would not.
	e.GET(demo.MachinePath, func(c echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.Blob(http.StatusOK, demo.JSONContentType, demo.MachineBody(auth))
	}, clerkecho.Middleware(app.Authenticator, middlewareOptions(app, clerkecho.AcceptsToken(demo.MachineTokenTypes()...))...),
		clerkecho.RequireAuthenticated())

	// Probes: the process is up; the Authenticator can verify tokens.
	e.GET(demo.HealthzPath, echo.WrapHandler(app.HealthzHandler()))
	e.GET(demo.ReadyzPath, echo.WrapHandler(app.ReadyzHandler()))

	if h, err := app.SessionTokenHandler(); err == nil {
		e.GET(demo.SessionTokenPath, echo.WrapHandler(h))
	}
	return e
}

// writeJSON answers v as JSON without the newline echo's own encoder
// appends, so the bodies match the gin and fiber examples byte for byte.
func writeJSON(c echo.Context, code int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.JSONBlob(code, body)
}

// middlewareOptions are the options of every Middleware of the example:
// extra, and the reason header when the App asks for it (offline, or
// CLERK_DEBUG_REASONS=1).
func middlewareOptions(app *demo.App, extra ...clerkecho.Option) []clerkecho.Option {
	if app.ReasonHeader {
		return append(extra, clerkecho.WithReasonHeader())
	}
	return extra
}
