package clerkfiber

import (
	"slices"
	"strings"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/gofiber/fiber/v3"
)

// GetToken mints a token from the named JWT template ("" for a plain
// session token) for the request's session, with c.Context(), through
// client.GetTokenFor: auth().getToken({template}) in Clerk's SDKs. A
// signed-out request gives the Auth's *clerk.AuthError
// (errors.Is(err, clerk.ErrUnauthenticated)) and no middleware
// clerk.ErrNoMiddleware, both without any call to Clerk; Clerk's failures
// are *clerk.APIError. The token is the caller's own: it does not point
// into fasthttp buffers. template is copied, so a name from c.Params may
// be passed: it becomes part of the token cache's key, which outlives the
// request. It panics if client is nil: a wiring mistake, reported on the
// first call rather than only on the first signed-in one.
func GetToken(c fiber.Ctx, client *clerk.Client, template string, opts ...clerk.TokenOption) (*clerk.Token, error) {
	if client == nil {
		panic("clerkfiber: GetToken needs a *clerk.Client, got nil")
	}
	auth, _ := GetAuth(c)
	// strings.Clone of "" allocates nothing; a short name costs one small
	// allocation per call, against a view of fiber's path buffer turning
	// into another request's template inside the cache.
	return client.GetTokenFor(c.Context(), auth, strings.Clone(template), opts...)
}

// TokenHandler answers with a token from the named JWT template for the
// request's session, as Clerk's App Router getToken example does:
// {"token":{"jwt":"…"}}, or the failure answer client.TokenResponse
// documents, logged to the client's logger. The answer is written
// directly, byte for byte as the other adapters and the net/http
// clerk.TokenHandler write it, rather than through the ErrorHandler; use
// GetToken to route failures there instead. It panics if client is nil,
// at wiring time rather than per request.
func TokenHandler(client *clerk.Client, template string, opts ...clerk.TokenOption) fiber.Handler {
	if client == nil {
		panic("clerkfiber: TokenHandler needs a *clerk.Client, got nil")
	}
	// Copied once here rather than per request as GetToken does: the name
	// may be a view of fiber's buffers (c.Params) when the handler is built
	// inside another, and the caller's slice may change after wiring.
	template = strings.Clone(template)
	opts = slices.Clone(opts)
	return func(c fiber.Ctx) error {
		ctx := c.Context()
		auth, _ := GetAuth(c)
		tok, err := client.GetTokenFor(ctx, auth, template, opts...)
		return WriteTokenResponse(c, client.TokenResponse(ctx, tok, err))
	}
}

// WriteTokenResponse writes resp as clerk.WriteTokenResponse does for
// net/http, for handlers that call GetToken themselves but answer the way
// TokenHandler does.
func WriteTokenResponse(c fiber.Ctx, resp clerk.TokenResponse) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if resp.RetryAfter != "" {
		c.Set(fiber.HeaderRetryAfter, resp.RetryAfter)
	}
	return c.Status(resp.Status).Send(resp.Body)
}
