package clerkecho_test

import (
	"net/http"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkecho "github.com/clerkkit/clerkkit/echov5"
	"github.com/labstack/echo/v5"
)

// With WithReasonHeader, an authenticated machine caller is not signed in
// (SignedIn is for sessions), but it has no reason to be told: the header
// must be absent, not present and empty.
func TestReasonHeaderAbsentForMachineCaller(t *testing.T) {
	r := newRig(t, clerk.WithAcceptedTokens(clerk.TokenTypeAPIKey))
	key, err := r.Server.CreateAPIKey("user_1", "ci")
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(clerkecho.Middleware(r.Auth, clerkecho.WithReasonHeader()))
	e.GET("/", func(c *echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		return c.String(http.StatusOK, string(auth.TokenType()))
	})
	w := serve(e, "/", bearer(key.Secret))
	if w.Code != http.StatusOK || w.Body.String() != "api_key" {
		t.Fatalf("%d %q", w.Code, w.Body)
	}
	if v, present := w.Header()[clerk.ReasonHeader]; present {
		t.Fatalf("reason header %q on an authenticated request", v)
	}
}

// A route's own Middleware (accepting machine tokens) decides after the
// app-wide one (sessions only): the app-wide one's reason must not stay on
// a request the route's Middleware authenticated, even when the route's
// Middleware was not asked for the header itself; without the option it
// adds no reason of its own.
func TestReasonHeaderFollowsTheLastMiddleware(t *testing.T) {
	r := newRig(t)
	key, err := r.Server.CreateAPIKey("user_1", "ci")
	if err != nil {
		t.Fatal(err)
	}
	session := r.SessionToken(t)
	for _, route := range []struct {
		name                string
		opts                []clerkecho.Option
		key, session, empty string // the reason header for each request
	}{
		{"with the header", []clerkecho.Option{clerkecho.AcceptsToken(clerk.TokenTypeAPIKey), clerkecho.WithReasonHeader()},
			"", string(clerk.ReasonTokenTypeMismatch), string(clerk.ReasonSessionTokenMissing)},
		{"without the header", []clerkecho.Option{clerkecho.AcceptsToken(clerk.TokenTypeAPIKey)},
			"", "", string(clerk.ReasonSessionTokenMissing)},
	} {
		e := echo.New()
		e.Use(clerkecho.Middleware(r.Auth, clerkecho.WithReasonHeader()))
		e.GET("/machine", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) },
			clerkecho.Middleware(r.Auth, route.opts...))
		for _, c := range []struct {
			name   string
			header http.Header
			reason string
		}{
			{"API key", bearer(key.Secret), route.key},
			{"session token", bearer(session), route.session},
			{"no token", nil, route.empty},
		} {
			w := serve(e, "/machine", c.header)
			got, present := w.Header()[clerk.ReasonHeader]
			if c.reason == "" && present || c.reason != "" && (len(got) != 1 || got[0] != c.reason) {
				t.Errorf("%s, %s: reason header %q (present: %t), want %q", route.name, c.name, got, present, c.reason)
			}
		}
	}
}
