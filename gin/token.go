package clerkgin

import (
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gin-gonic/gin"
)

// GetToken mints a token from the named JWT template ("" for a plain
// session token) for the request's session, with the request's context:
// auth().getToken({template}) in Clerk's SDKs. The client is an argument,
// not a Middleware option, so a handler cannot compile without one. A
// signed-out request gives the Auth's *clerk.AuthError (errors.Is(err,
// clerk.ErrUnauthenticated)) and no middleware clerk.ErrNoMiddleware, both
// without any call to Clerk; Clerk's failures are *clerk.APIError. It
// panics if client is nil, a wiring mistake no request can recover from.
func GetToken(c *gin.Context, client *clerk.Client, template string, opts ...clerk.TokenOption) (*clerk.Token, error) {
	if client == nil {
		panic("clerkgin: GetToken needs a *clerk.Client, got nil")
	}
	auth, _ := GetAuth(c)
	return client.GetTokenFor(c.Request.Context(), auth, template, opts...)
}

// TokenHandler answers with a token from the named JWT template for the
// request's session, {"token":{"jwt":"…"}}, as Clerk's App Router getToken
// example does. Failures answer as [clerk.Client.TokenResponse] documents,
// the same bytes as every other adapter, and are logged to the client's
// logger. It panics if client is nil, at wiring time rather than per
// request.
func TokenHandler(client *clerk.Client, template string, opts ...clerk.TokenOption) gin.HandlerFunc {
	if client == nil {
		panic("clerkgin: TokenHandler needs a *clerk.Client, got nil")
	}
	opts = slices.Clone(opts)
	return func(c *gin.Context) {
		auth, _ := GetAuth(c)
		ctx := c.Request.Context()
		tok, err := client.GetTokenFor(ctx, auth, template, opts...)
		clerk.WriteTokenResponse(c.Writer, client.TokenResponse(ctx, tok, err))
	}
}
