package clerkecho_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/labstack/echo/v4"
)

// reverificationBody is what Clerk's front end reads to ask the user to
// verify a second factor again, for clerk.Reverification("strict").
const reverificationBody = `{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}`

// staleToken is a session token whose factors were verified 30 minutes
// ago: too old for "strict".
func staleToken(tb testing.TB, r *rig) string {
	tb.Helper()
	return r.SessionToken(tb, clerktest.TokenClaims(map[string]any{"fva": []int{30, 30}}))
}

// A requirement that can never be met would refuse every request:
// RequireAuth refuses it where the route is built, with the error
// clerk.CheckRequirements gives, and accepts every one that can be met.
func TestRequireAuthPanicsOnImpossibleRequirement(t *testing.T) {
	for _, c := range []struct {
		name string
		reqs []clerk.Requirement
	}{
		{"zero Requirement", []clerk.Requirement{{}}},
		{"empty role", []clerk.Requirement{clerk.Role("")}},
		{"bare org: permission", []clerk.Requirement{clerk.Permission("org:")}},
		{"feature with an unknown scope", []clerk.Requirement{clerk.Feature("team:export")}},
		{"empty plan", []clerk.Requirement{clerk.Plan("")}},
		{"unknown preset", []clerk.Requirement{clerk.Reverification("paranoid")}},
		{"no minutes", []clerk.Requirement{clerk.ReverificationAfter(clerk.SecondFactor, 0)}},
		{"unknown level", []clerk.Requirement{clerk.ReverificationAfter("third_factor", 5)}},
		{"after a good one", []clerk.Requirement{clerk.Role("admin"), clerk.Feature("")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := clerk.CheckRequirements(c.reqs...)
			if want == nil {
				t.Fatal("the case can be met")
			}
			defer func() {
				if v := recover(); fmt.Sprint(v) != "clerkecho: RequireAuth: "+want.Error() {
					t.Fatalf("recovered %v, want the error %q", v, want)
				}
			}()
			clerkecho.RequireAuth(c.reqs...)
		})
	}
	// None of these may panic.
	clerkecho.RequireAuth()
	clerkecho.RequireAuth(clerk.Role("org:admin"), clerk.Permission("memberships:manage"), clerk.Feature("u:export"),
		clerk.Plan("organization:pro"), clerk.Reverification("strict_mfa"), clerk.Reverification("lax"),
		clerk.ReverificationAfter(clerk.FirstFactor, 1))
}

// The reverification answer must reach Clerk's front end byte for byte,
// whatever renders it: ErrorHandler (in Debug mode too, which adds an
// "error" key to string messages) and echo's default handler (plus its
// newline; indented in Debug mode, the same JSON). Refused for another
// reason first, the user gets a plain 403.
func TestRequireAuthReverificationBody(t *testing.T) {
	r := newRig(t)
	stale := staleToken(t, r)
	route := func(handler echo.HTTPErrorHandler, debug bool) *echo.Echo {
		e := echo.New()
		e.Debug = debug
		if handler != nil {
			e.HTTPErrorHandler = handler
		}
		e.Use(clerkecho.Middleware(r.Auth))
		e.GET("/reverify", func(c echo.Context) error { return c.String(http.StatusOK, "fresh") },
			clerkecho.RequireAuth(clerk.Reverification("strict")))
		e.GET("/admin-reverify", func(c echo.Context) error { return c.String(http.StatusOK, "fresh admin") },
			clerkecho.RequireAuth(clerk.Role("admin"), clerk.Reverification("strict")))
		return e
	}
	for _, c := range []struct {
		name     string
		e        *echo.Echo
		path     string
		want     string
		indented bool
	}{
		{"ErrorHandler", route(clerkecho.ErrorHandler, false), "/reverify", reverificationBody, false},
		{"ErrorHandler in Debug mode", route(clerkecho.ErrorHandler, true), "/reverify", reverificationBody, false},
		{"echo's default handler", route(nil, false), "/reverify", reverificationBody + "\n", false},
		{"echo's default handler in Debug mode", route(nil, true), "/reverify", reverificationBody + "\n", true},
		{"a role missing too", route(clerkecho.ErrorHandler, false), "/admin-reverify", clerk.ForbiddenJSON, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := serve(c.e, c.path, bearer(stale))
			got := w.Body.String()
			if c.indented {
				var compact bytes.Buffer
				if err := json.Compact(&compact, w.Body.Bytes()); err != nil {
					t.Fatalf("%q: %v", got, err)
				}
				got = compact.String() + "\n"
			}
			if w.Code != http.StatusForbidden || got != c.want {
				t.Fatalf("%d %q, want 403 %q", w.Code, w.Body, c.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// An app's own HTTPErrorHandler sees the refusal's message print as the
// status text, as before, and marshal as the body Authorize gave.
func TestRequireAuthRefusalMessage(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	var seen error
	e.HTTPErrorHandler = func(err error, c echo.Context) { seen = err; _ = c.NoContent(599) }
	e.Use(clerkecho.Middleware(r.Auth))
	ok := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	e.GET("/reverify", ok, clerkecho.RequireAuth(clerk.Reverification("strict")))
	e.GET("/feature", ok, clerkecho.RequireAuth(clerk.Feature("org:memberships")))
	for _, c := range []struct {
		name, path, token string
		code              int
		text, body        string
	}{
		{"stale verification", "/reverify", staleToken(t, r), 403, "Forbidden", reverificationBody},
		{"no feature", "/feature", r.SessionToken(t), 403, "Forbidden", clerk.ForbiddenJSON},
		{"signed out", "/feature", "", 401, "Unauthorized", clerk.UnauthorizedJSON},
	} {
		t.Run(c.name, func(t *testing.T) {
			seen = nil
			var header http.Header
			if c.token != "" {
				header = bearer(c.token)
			}
			serve(e, c.path, header)
			var he *echo.HTTPError
			if !errors.As(seen, &he) || he.Code != c.code {
				t.Fatalf("error %v, want an *echo.HTTPError with code %d", seen, c.code)
			}
			if got := fmt.Sprint(he.Message); got != c.text {
				t.Errorf("message prints %q, want %q", got, c.text)
			}
			if !strings.Contains(he.Error(), "message="+c.text) {
				t.Errorf("Error() %q", he.Error())
			}
			if body, err := json.Marshal(he.Message); err != nil || string(body) != c.body {
				t.Errorf("message marshals as %s %v, want %s", body, err, c.body)
			}
		})
	}
}
