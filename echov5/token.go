package clerkecho

import (
	"slices"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/labstack/echo/v5"
)

// GetToken mints a token from the named JWT template ("" for a plain
// session token) for the request's session, with the request's context:
// auth().getToken({template}) in Clerk's SDKs, through
// client.GetTokenFor. A signed-out request gives its *clerk.AuthError
// (errors.Is(err, clerk.ErrUnauthenticated)) and no middleware
// clerk.ErrNoMiddleware, both without any call to Clerk; Clerk's failures
// are *clerk.APIError. client must not be nil: a nil one panics, on every
// request, so the mistake shows on the first one.
func GetToken(c *echo.Context, client *clerk.Client, template string, opts ...clerk.TokenOption) (*clerk.Token, error) {
	if client == nil {
		panic("clerkecho: GetToken needs a *clerk.Client, got nil")
	}
	auth, _ := GetAuth(c)
	return client.GetTokenFor(c.Request().Context(), auth, template, opts...)
}

// TokenHandler answers with a token from the named JWT template for the
// request's session, as Clerk's App Router getToken example does:
// {"token":{"jwt":"…"}}, or the status and body clerk.Client.TokenResponse
// gives for a failure (a signed-out request is a 401
// {"message":"Unauthorized"}), failures logged to the client's logger. The
// answer is written directly, byte for byte as the other adapters and the
// net/http handler write it, rather than through the HTTPErrorHandler; use
// GetToken to route failures there instead. It panics if client is nil,
// at wiring time rather than per request.
func TokenHandler(client *clerk.Client, template string, opts ...clerk.TokenOption) echo.HandlerFunc {
	if client == nil {
		panic("clerkecho: TokenHandler needs a *clerk.Client, got nil")
	}
	opts = slices.Clone(opts) // the caller's slice may change after wiring
	return func(c *echo.Context) error {
		tok, err := GetToken(c, client, template, opts...)
		clerk.WriteTokenResponse(c.Response(), client.TokenResponse(c.Request().Context(), tok, err))
		return nil
	}
}
