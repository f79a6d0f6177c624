package clerkgin_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

// machineKey is an API key of user_1 on the rig's emulator.
func (r *rig) machineKey(t *testing.T) string {
	t.Helper()
	key, err := r.Server.CreateAPIKey("user_1", "ci")
	if err != nil {
		t.Fatal(err)
	}
	return key.Secret
}

func TestAcceptsTokenPanics(t *testing.T) {
	for _, c := range []struct {
		name, want string
		types      []clerk.TokenType
	}{
		{"unknown kind", `"m2m"`, []clerk.TokenType{clerk.TokenTypeAPIKey, "m2m"}},
		{"empty kind", `""`, []clerk.TokenType{""}},
		{"no kind", "none", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), c.want) {
					t.Fatalf("recovered %v, want a panic naming %s", v, c.want)
				}
			}()
			clerkgin.AcceptsToken(c.types...)
		})
	}
}

// TestAcceptsTokenCopiesTypes checks that the middleware keeps the kinds it
// was built with when the caller reuses its slice.
func TestAcceptsTokenCopiesTypes(t *testing.T) {
	r := newRig(t)
	types := []clerk.TokenType{clerk.TokenTypeAPIKey}
	e := gin.New()
	e.GET("/", clerkgin.Middleware(r.Auth, clerkgin.AcceptsToken(types...)), clerkgin.RequireAuthenticated(),
		func(c *gin.Context) { c.String(http.StatusOK, "in") })
	types[0] = clerk.TokenTypeSessionToken
	if w := serve(e, "/", bearer(r.machineKey(t))); w.Code != http.StatusOK {
		t.Fatalf("API key after the slice changed: %d %s", w.Code, w.Body)
	}
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Code != http.StatusUnauthorized {
		t.Fatalf("session token after the slice changed: %d %s", w.Code, w.Body)
	}
}

// TestAcceptsTokenLastWins checks that of two AcceptsToken options the
// later one decides, as its doc says.
func TestAcceptsTokenLastWins(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.GET("/", clerkgin.Middleware(r.Auth, clerkgin.AcceptsToken(clerk.TokenTypeSessionToken), clerkgin.AcceptsToken(clerk.TokenTypeAPIKey)),
		func(c *gin.Context) {
			auth, _ := clerkgin.GetAuth(c)
			c.String(http.StatusOK, "%t %s", auth.Authenticated(), auth.Reason())
		})
	if w := serve(e, "/", bearer(r.machineKey(t))); w.Body.String() != "true " {
		t.Fatalf("API key: %s", w.Body)
	}
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Body.String() != "false "+string(clerk.ReasonTokenTypeMismatch) {
		t.Fatalf("session token: %s", w.Body)
	}
}

// TestAcceptsTokenAny checks that TokenTypeAny lets sessions and machines
// through RequireAuthenticated, each with its own identity.
func TestAcceptsTokenAny(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth, clerkgin.AcceptsToken(clerk.TokenTypeAny)))
	e.GET("/", clerkgin.RequireAuthenticated(), func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		c.String(http.StatusOK, "%s %s %t", auth.TokenType(), auth.Subject(), auth.SignedIn())
	})
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Body.String() != "session_token user_1 true" {
		t.Fatalf("session token: %d %s", w.Code, w.Body)
	}
	if w := serve(e, "/", bearer(r.machineKey(t))); w.Body.String() != "api_key user_1 false" {
		t.Fatalf("API key: %d %s", w.Code, w.Body)
	}
}

// TestRequireAuthenticatedAborts checks that a refusal stops the chain and
// answers JSON, also when Middleware did not run.
func TestRequireAuthenticatedAborts(t *testing.T) {
	r := newRig(t)
	ran := false
	handler := func(*gin.Context) { ran = true }
	wired := gin.New()
	wired.Use(clerkgin.Middleware(r.Auth, clerkgin.AcceptsToken(clerk.TokenTypeAPIKey)))
	wired.GET("/", clerkgin.RequireAuthenticated(), handler)
	bare := gin.New()
	bare.GET("/", clerkgin.RequireAuthenticated(), handler)
	for _, c := range []struct {
		name   string
		e      *gin.Engine
		header http.Header
	}{
		{"no token", wired, nil},
		{"session token, not accepted", wired, bearer(r.SessionToken(t))},
		{"no middleware", bare, bearer(r.machineKey(t))},
	} {
		w := serve(c.e, "/", c.header)
		if ran || w.Code != http.StatusUnauthorized || w.Body.String() != clerk.UnauthorizedJSON ||
			!strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%s: ran %t, %d %q %q", c.name, ran, w.Code, w.Body, w.Header().Get("Content-Type"))
		}
	}
	if w := serve(wired, "/", bearer(r.machineKey(t))); !ran || w.Code != http.StatusOK {
		t.Fatalf("API key: ran %t, %d %s", ran, w.Code, w.Body)
	}
}

// TestRequireAuthMachineCaller checks RequireAuth on a route that accepts
// machines: an authenticated machine is not signed in (401), and a Clerk
// outage while verifying is 503 with Clerk's body, so the caller retries.
func TestRequireAuthMachineCaller(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth, clerkgin.AcceptsToken(clerk.TokenTypeAPIKey)))
	ran := false
	e.GET("/", clerkgin.RequireAuth(), func(*gin.Context) { ran = true })
	key := r.machineKey(t)
	if w := serve(e, "/", bearer(key)); ran || w.Code != http.StatusUnauthorized || w.Body.String() != clerk.UnauthorizedJSON {
		t.Fatalf("machine caller: ran %t, %d %s", ran, w.Code, w.Body)
	}
	r.Server.FailNext(1, http.StatusServiceUnavailable, clerktest.EndpointVerifyAPIKey)
	w := serve(e, "/", bearer(r.machineKey(t)))
	if ran || w.Code != http.StatusServiceUnavailable || w.Body.String() != clerk.UnavailableJSON ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("Clerk down: ran %t, %d %q %q", ran, w.Code, w.Body, w.Header().Get("Content-Type"))
	}
}

// TestReasonHeaderMachineCaller checks the debug header on a machine
// route: none for an accepted machine caller, token-type-mismatch for a
// session token the route does not accept.
func TestReasonHeaderMachineCaller(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth, clerkgin.WithReasonHeader(), clerkgin.AcceptsToken(clerk.TokenTypeAPIKey)))
	e.GET("/", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	if w := serve(e, "/", bearer(r.machineKey(t))); w.Header().Values(clerk.ReasonHeader) != nil {
		t.Fatalf("accepted machine caller: %q", w.Header().Values(clerk.ReasonHeader))
	}
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Header().Get(clerk.ReasonHeader) != string(clerk.ReasonTokenTypeMismatch) {
		t.Fatalf("session token: %q", w.Header().Get(clerk.ReasonHeader))
	}
}

// TestRouteMiddlewareClearsAnEarlierReason: an engine-wide Middleware
// refuses a machine caller (token-type-mismatch) and sets the header; the
// route's Middleware that accepts the caller must not leave it behind.
func TestRouteMiddlewareClearsAnEarlierReason(t *testing.T) {
	r := newRig(t)
	e := gin.New()
	e.Use(clerkgin.Middleware(r.Auth, clerkgin.WithReasonHeader()))
	e.GET("/machine", clerkgin.Middleware(r.Auth, clerkgin.AcceptsToken(clerk.TokenTypeAPIKey)),
		func(c *gin.Context) { c.Status(http.StatusNoContent) })
	w := serve(e, "/machine", bearer(r.machineKey(t)))
	if w.Code != http.StatusNoContent || w.Header().Values(clerk.ReasonHeader) != nil {
		t.Fatalf("accepted machine caller behind a session Middleware: %d, reason header %q", w.Code, w.Header().Values(clerk.ReasonHeader))
	}
}
