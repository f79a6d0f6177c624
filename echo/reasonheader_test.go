package clerkecho_test

import (
	"net/http"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/labstack/echo/v4"
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
	e.GET("/", func(c echo.Context) error {
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
// app-wide one (sessions only): the app-wide one's token-type-mismatch must
// not stay on a request the route's Middleware authenticated.
func TestReasonHeaderFollowsTheLastMiddleware(t *testing.T) {
	r := newRig(t)
	machines, err := clerk.NewAuthenticator(clerk.WithJWTKey(r.Server.PublicKeyPEM()), clerk.WithClient(r.Client),
		clerk.WithAcceptedTokens(clerk.TokenTypeAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	key, err := r.Server.CreateAPIKey("user_1", "ci")
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(clerkecho.Middleware(r.Auth, clerkecho.WithReasonHeader()))
	e.GET("/machine", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) },
		clerkecho.Middleware(machines, clerkecho.WithReasonHeader()))
	for _, c := range []struct {
		name   string
		header http.Header
		reason string
	}{
		{"API key", bearer(key.Secret), ""},
		{"session token", bearer(r.SessionToken(t)), string(clerk.ReasonTokenTypeMismatch)},
		{"no token", nil, string(clerk.ReasonSessionTokenMissing)},
	} {
		w := serve(e, "/machine", c.header)
		got, present := w.Header()[clerk.ReasonHeader]
		if c.reason == "" && present || c.reason != "" && (len(got) != 1 || got[0] != c.reason) {
			t.Errorf("%s: reason header %q (present: %t), want %q", c.name, got, present, c.reason)
		}
	}
}
