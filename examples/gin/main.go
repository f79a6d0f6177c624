// Command gin serves Clerk's Next.js getToken examples with gin.
//
//	go run ./examples/gin
//
// Without CLERK_SECRET_KEY it runs offline against a built-in Clerk
// emulator and prints curl commands to try; with it, it talks to that Clerk
// instance. See the examples' README for the environment variables.
package main

import (
	"context"
	"net"
	"net/http"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

func main() { demo.Main("gin", serve) }

func serve(ctx context.Context, ln net.Listener, app *demo.App) error {
	return demo.Serve(ctx, ln, demo.LogRequests(app.Logger, newRouter(app)))
}

func newRouter(app *demo.App) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	// No logger here: TokenHandler and Client.TokenResponse log failures
	// to the Client's own logger, which the demo App sets to app.Logger.
	r.Use(clerkgin.Middleware(app.Authenticator, middlewareOptions(app)...))

	// app/api/get-token-example/route.ts: 401 {"message":"Unauthorized"}
	// when signed out, else {"token":{"jwt":"…"}}.
	r.GET(demo.AppRouterPath, clerkgin.RequireAuth(), clerkgin.TokenHandler(app.Client, app.Template))

	// pages/api/getToken.ts: the handler checks the session itself and
	// answers 401 {"error":"Unauthorized"}.
	r.GET(demo.PagesRouterPath, func(c *gin.Context) {
		if auth, _ := clerkgin.GetAuth(c); !auth.SignedIn() {
			c.JSON(http.StatusUnauthorized, demo.PagesUnauthorized)
			return
		}
		token, err := clerkgin.GetToken(c, app.Client, app.Template)
		clerk.WriteTokenResponse(c.Writer, app.Client.TokenResponse(c.Request.Context(), token, err))
	})

	// Who is signed in: authentication only, no token minted.
	r.GET(demo.SessionPath, clerkgin.RequireAuth(), func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		c.JSON(http.StatusOK, demo.SessionOf(auth))
	})

	// Administrators of the active organization only: 401 signed out,
	// 403 {"message":"Forbidden"} signed in without the role.
	r.GET(demo.AdminPath, clerkgin.RequireAuth(clerk.Role("org:admin")), func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		c.Data(http.StatusOK, demo.JSONContentType, demo.AdminBody(auth))
	})

	// Machine callers only: the route's own Middleware accepts M2M tokens
	// and API keys (the engine-wide one refuses them as sessions-only, at
	// no cost), and RequireAuthenticated lets a machine through where
	// RequireAuth would not.
	r.GET(demo.MachinePath,
		clerkgin.Middleware(app.Authenticator, middlewareOptions(app, clerkgin.AcceptsToken(demo.MachineTokenTypes()...))...),
		clerkgin.RequireAuthenticated(),
		func(c *gin.Context) {
			auth, _ := clerkgin.GetAuth(c)
			c.Data(http.StatusOK, demo.JSONContentType, demo.MachineBody(auth))
		})

	// Probes: the process is up; the Authenticator can verify tokens.
	r.GET(demo.HealthzPath, gin.WrapH(app.HealthzHandler()))
	r.GET(demo.ReadyzPath, gin.WrapH(app.ReadyzHandler()))

	if h, err := app.SessionTokenHandler(); err == nil {
		r.GET(demo.SessionTokenPath, gin.WrapH(h))
	}
	return r
}

// middlewareOptions are the options of every Middleware of the example:
// extra, and the reason header when the App asks for it (offline, or
// CLERK_DEBUG_REASONS=1).
func middlewareOptions(app *demo.App, extra ...clerkgin.Option) []clerkgin.Option {
	if app.ReasonHeader {
		return append(extra, clerkgin.WithReasonHeader())
	}
	return extra
}
