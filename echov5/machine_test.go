package clerkecho_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkecho "github.com/clerkkit/clerkkit/echov5"
	"github.com/labstack/echo/v5"
)

// machineRoute serves "<TokenType> <Subject>" behind a Middleware with
// opts, then guard, with echo's default error handler.
func machineRoute(r *rig, guard echo.MiddlewareFunc, opts ...clerkecho.Option) *echo.Echo {
	e := echo.New()
	e.Use(clerkecho.Middleware(r.Auth, opts...))
	e.GET("/", func(c *echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, fmt.Sprintf("%s %s", auth.TokenType(), auth.Subject()))
	}, guard)
	return e
}

func newAPIKey(t *testing.T, r *rig, name string) string {
	t.Helper()
	key, err := r.Server.CreateAPIKey("user_1", name)
	if err != nil {
		t.Fatal(err)
	}
	return key.Secret
}

// A value that is not a TokenType, or no kinds at all, is a wiring
// mistake: AcceptsToken panics when the routes are built, naming it.
func TestAcceptsTokenPanics(t *testing.T) {
	for _, c := range []struct {
		name  string
		kinds []clerk.TokenType
		want  string
	}{
		{"jwt", []clerk.TokenType{clerk.TokenTypeAPIKey, "jwt"}, `"jwt" is not a clerk.TokenType`},
		{"empty", []clerk.TokenType{""}, `"" is not a clerk.TokenType`},
		{"wrong case", []clerk.TokenType{"Session_Token"}, `"Session_Token" is not a clerk.TokenType`},
		{"no kinds", nil, "AcceptsToken needs one or more"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				v := recover()
				if msg := fmt.Sprint(v); v == nil || !strings.Contains(msg, "AcceptsToken") || !strings.Contains(msg, c.want) {
					t.Fatalf("recovered %v, want a panic with %q", v, c.want)
				}
			}()
			clerkecho.AcceptsToken(c.kinds...)
		})
	}
}

// AcceptsToken keeps its own copy: changing the caller's slice after
// wiring changes nothing.
func TestAcceptsTokenCopiesTheKinds(t *testing.T) {
	r := newRig(t)
	kinds := []clerk.TokenType{clerk.TokenTypeAPIKey}
	e := machineRoute(r, clerkecho.RequireAuthenticated(), clerkecho.AcceptsToken(kinds...))
	kinds[0] = clerk.TokenTypeSessionToken
	if w := serve(e, "/", bearer(newAPIKey(t, r, "ci"))); w.Code != http.StatusOK || w.Body.String() != "api_key user_1" {
		t.Fatalf("API key: %d %q", w.Code, w.Body)
	}
	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Code != http.StatusUnauthorized {
		t.Fatalf("session token: %d %q", w.Code, w.Body)
	}
}

// Which kinds a Middleware accepts: the Authenticator's default without
// AcceptsToken, every kind with TokenTypeAny, and the last AcceptsToken
// when given twice.
func TestAcceptsTokenKinds(t *testing.T) {
	r := newRig(t)
	session := r.SessionToken(t)
	key := newAPIKey(t, r, "ci")
	oauth, err := r.Server.CreateOAuthToken("user_1", "client_1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name                string
		opts                []clerkecho.Option
		session, key, oauth int
	}{
		{"default", nil, 200, 401, 401},
		{"API keys", []clerkecho.Option{clerkecho.AcceptsToken(clerk.TokenTypeAPIKey)}, 401, 200, 401},
		{"any", []clerkecho.Option{clerkecho.AcceptsToken(clerk.TokenTypeAny)}, 200, 200, 200},
		{"last one counts", []clerkecho.Option{clerkecho.AcceptsToken(clerk.TokenTypeAny), clerkecho.AcceptsToken(clerk.TokenTypeOAuthToken)}, 401, 401, 200},
		{"nil options ignored", []clerkecho.Option{nil, clerkecho.AcceptsToken(clerk.TokenTypeAPIKey), nil}, 401, 200, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := machineRoute(r, clerkecho.RequireAuthenticated(), c.opts...)
			for _, tc := range []struct {
				token string
				want  int
			}{{session, c.session}, {key, c.key}, {oauth.Token, c.oauth}} {
				if w := serve(e, "/", bearer(tc.token)); w.Code != tc.want {
					t.Errorf("%s…: %d %q, want %d", tc.token[:3], w.Code, w.Body, tc.want)
				}
			}
		})
	}
}

// RequireAuthenticated's refusals are *GuardError values: echo's own
// handler renders them too, and an app's handler gets the status and the
// reason.
func TestRequireAuthenticatedRefusals(t *testing.T) {
	r := newRig(t)
	var seen error
	e := machineRoute(r, clerkecho.RequireAuthenticated(), clerkecho.AcceptsToken(clerk.TokenTypeAPIKey, clerk.TokenTypeSessionToken))
	defaultHandler := e.HTTPErrorHandler
	e.HTTPErrorHandler = func(c *echo.Context, err error) { seen = err; defaultHandler(c, err) }

	down := newAPIKey(t, r, "down")
	revoked, err := r.Server.CreateAPIKey("user_1", "old", clerktest.MachineTokenRevoked("leaked"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		token  string
		fault  bool
		status int
		body   string
		reason clerk.Reason
	}{
		{"API key", newAPIKey(t, r, "ci"), false, 200, "api_key user_1", ""},
		{"session token", r.SessionToken(t), false, 200, "session_token user_1", ""},
		{"no token", "", false, 401, unauthorized, clerk.ReasonSessionTokenMissing},
		{"revoked API key", revoked.Secret, false, 401, unauthorized, clerk.ReasonTokenRevoked},
		{"Clerk down", down, true, 503, unavailable, clerk.ReasonUnexpectedError},
		{"Clerk back", down, false, 200, "api_key user_1", ""},
	} {
		seen = nil
		if c.fault {
			r.Server.FailNext(1, http.StatusServiceUnavailable, clerktest.EndpointVerifyAPIKey)
		}
		var header http.Header
		if c.token != "" {
			header = bearer(c.token)
		}
		w := serve(e, "/", header)
		if w.Code != c.status || w.Body.String() != c.body {
			t.Errorf("%s: %d %q, want %d %q", c.name, w.Code, w.Body, c.status, c.body)
			continue
		}
		if c.status == 200 {
			continue
		}
		var ge *clerkecho.GuardError
		var ae *clerk.AuthError
		if !errors.As(seen, &ge) || ge.Status != c.status || !errors.As(seen, &ae) || ae.Reason != c.reason {
			t.Errorf("%s: the handler got %v, want status %d with reason %s", c.name, seen, c.status, c.reason)
		}
		if w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type %q", c.name, w.Header().Get("Content-Type"))
		}
	}
}

// Without Middleware RequireAuthenticated fails closed, as RequireAuth does.
func TestRequireAuthenticatedWithoutMiddleware(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	var seen error
	e.HTTPErrorHandler = func(c *echo.Context, err error) { seen = err; clerkecho.ErrorHandler(c, err) }
	e.GET("/", func(c *echo.Context) error { return c.String(200, "in") }, clerkecho.RequireAuthenticated())
	w := serve(e, "/", bearer(newAPIKey(t, r, "ci")))
	if w.Code != 401 || w.Body.String() != clerk.UnauthorizedJSON || !errors.Is(seen, clerk.ErrNoMiddleware) {
		t.Fatalf("%d %q %v", w.Code, w.Body, seen)
	}
}

// RequireAuth behind a Middleware that accepts machine tokens: a machine
// caller is not signed in (401), and a Clerk outage while verifying is a
// 503 that ErrorHandler renders as {"message":"Service Unavailable"}.
func TestRequireAuthOnAMachineRoute(t *testing.T) {
	r := newRig(t)
	var seen error
	e := machineRoute(r, clerkecho.RequireAuth(), clerkecho.AcceptsToken(clerk.TokenTypeAny))
	e.HTTPErrorHandler = func(c *echo.Context, err error) { seen = err; clerkecho.ErrorHandler(c, err) }

	if w := serve(e, "/", bearer(r.SessionToken(t))); w.Code != 200 || w.Body.String() != "session_token user_1" {
		t.Fatalf("session: %d %q", w.Code, w.Body)
	}
	key := newAPIKey(t, r, "ci")
	if w := serve(e, "/", bearer(key)); w.Code != 401 || w.Body.String() != clerk.UnauthorizedJSON {
		t.Fatalf("machine caller: %d %q", w.Code, w.Body)
	}
	r.Server.FailNext(1, http.StatusServiceUnavailable, clerktest.EndpointVerifyAPIKey)
	w := serve(e, "/", bearer(newAPIKey(t, r, "new")))
	var ae *clerk.AuthError
	if w.Code != 503 || w.Body.String() != clerk.UnavailableJSON || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("Clerk down: %d %q %v", w.Code, w.Body, w.Header())
	}
	if !errors.As(seen, &ae) || ae.Reason != clerk.ReasonUnexpectedError {
		t.Fatalf("the handler's error does not carry the reason: %v", seen)
	}
}
