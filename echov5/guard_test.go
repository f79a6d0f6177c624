package clerkecho_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkecho "github.com/clerkkit/clerkkit/echov5"
	"github.com/labstack/echo/v5"
)

// staleToken is a session token whose factors were verified 30 minutes
// ago: too old for "strict".
func staleToken(tb testing.TB, r *rig) string {
	tb.Helper()
	return r.SessionToken(tb, clerktest.TokenClaims(map[string]any{"fva": []int{30, 30}}))
}

// A requirement that can never be met would refuse every request:
// RequireAuth refuses it where the route is built, naming this package and
// the error clerk.CheckRequirements gives, and accepts every one that can
// be met.
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
			err := clerk.CheckRequirements(c.reqs...)
			if err == nil {
				t.Fatal("the case can be met")
			}
			want := "clerkecho: RequireAuth: " + err.Error()
			defer func() {
				if v := recover(); v != want {
					t.Fatalf("recovered %v, want %q", v, want)
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

// RequireAuth keeps its own copy of the requirements: changing the
// caller's slice after wiring changes nothing.
func TestRequireAuthCopiesTheRequirements(t *testing.T) {
	r := newRig(t)
	reqs := []clerk.Requirement{clerk.Role("admin")}
	e := echo.New()
	e.HTTPErrorHandler = clerkecho.ErrorHandler
	e.Use(clerkecho.Middleware(r.Auth))
	e.GET("/", func(c *echo.Context) error { return c.String(http.StatusOK, "in") }, clerkecho.RequireAuth(reqs...))
	reqs[0] = clerk.Role("member")
	if w := serve(e, "/", bearer(r.OrgToken(t, "member"))); w.Code != http.StatusForbidden {
		t.Fatalf("member: %d %q", w.Code, w.Body)
	}
	if w := serve(e, "/", bearer(r.OrgToken(t, "admin"))); w.Code != http.StatusOK {
		t.Fatalf("admin: %d %q", w.Code, w.Body)
	}
}

// The reverification answer must reach Clerk's front end byte for byte,
// whatever renders it: ErrorHandler, and echo's default handler whether it
// exposes errors or not (plus its newline). Refused for another reason
// first, the user gets a plain 403.
func TestRequireAuthReverificationBody(t *testing.T) {
	r := newRig(t)
	stale := staleToken(t, r)
	route := func(handler echo.HTTPErrorHandler) *echo.Echo {
		e := echo.New()
		e.HTTPErrorHandler = handler
		e.Use(clerkecho.Middleware(r.Auth))
		e.GET("/reverify", func(c *echo.Context) error { return c.String(http.StatusOK, "fresh") },
			clerkecho.RequireAuth(clerk.Reverification("strict")))
		e.GET("/admin-reverify", func(c *echo.Context) error { return c.String(http.StatusOK, "fresh admin") },
			clerkecho.RequireAuth(clerk.Role("admin"), clerk.Reverification("strict")))
		return e
	}
	for _, c := range []struct {
		name string
		e    *echo.Echo
		path string
		want string
	}{
		{"ErrorHandler", route(clerkecho.ErrorHandler), "/reverify", reverificationBody},
		{"echo's default handler", route(echo.DefaultHTTPErrorHandler(false)), "/reverify", reverificationBody + "\n"},
		{"echo's default handler exposing errors", route(echo.DefaultHTTPErrorHandler(true)), "/reverify", reverificationBody + "\n"},
		{"a role missing too", route(clerkecho.ErrorHandler), "/admin-reverify", clerk.ForbiddenJSON},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := serve(c.e, c.path, bearer(stale))
			if w.Code != http.StatusForbidden || w.Body.String() != c.want {
				t.Fatalf("%d %q, want 403 %q", w.Code, w.Body, c.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// An app's own HTTPErrorHandler gets a *GuardError: its status for
// echo.StatusCode, its body from json.Marshal, a text that reads as an
// *echo.HTTPError's with the reason, and the reason itself through
// errors.As; a 403 has no cause.
func TestGuardError(t *testing.T) {
	r := newRig(t)
	e := echo.New()
	var seen error
	e.HTTPErrorHandler = func(_ *echo.Context, err error) { seen = err }
	e.Use(clerkecho.Middleware(r.Auth))
	ok := func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) }
	e.GET("/reverify", ok, clerkecho.RequireAuth(clerk.Reverification("strict")))
	e.GET("/feature", ok, clerkecho.RequireAuth(clerk.Feature("org:memberships")))
	for _, c := range []struct {
		name, path, token string
		status            int
		text, body        string
		reason            clerk.Reason
	}{
		{"stale verification", "/reverify", staleToken(t, r), 403, "code=403, message=Forbidden", reverificationBody, ""},
		{"no feature", "/feature", r.SessionToken(t), 403, "code=403, message=Forbidden", clerk.ForbiddenJSON, ""},
		{"signed out", "/feature", "", 401, "code=401, message=Unauthorized, err=clerk: session token refused: session-token-missing", clerk.UnauthorizedJSON, clerk.ReasonSessionTokenMissing},
		{"expired", "/feature", r.SessionToken(t, clerktest.TokenExpired()), 401, "code=401, message=Unauthorized, err=clerk: session token refused: token-expired", clerk.UnauthorizedJSON, clerk.ReasonTokenExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			seen = nil
			var header http.Header
			if c.token != "" {
				header = bearer(c.token)
			}
			serve(e, c.path, header)
			var ge *clerkecho.GuardError
			if !errors.As(seen, &ge) || ge.Status != c.status || ge.Body != c.body || echo.StatusCode(seen) != c.status {
				t.Fatalf("error %#v, want a *GuardError %d %s", seen, c.status, c.body)
			}
			if body, err := json.Marshal(seen); err != nil || string(body) != c.body {
				t.Errorf("marshals as %s %v, want %s", body, err, c.body)
			}
			if !strings.HasPrefix(seen.Error(), c.text) {
				t.Errorf("Error() %q, want it to start with %q", seen.Error(), c.text)
			}
			if c.token != "" && strings.Contains(seen.Error(), c.token) {
				t.Error("token in the error")
			}
			var ae *clerk.AuthError
			switch found := errors.As(seen, &ae); {
			case c.reason == "" && (found || errors.Unwrap(seen) != nil):
				t.Errorf("a 403 unwraps to %v", errors.Unwrap(seen))
			case c.reason != "" && (!found || ae.Reason != c.reason):
				t.Errorf("unwraps to %v, want the reason %s", errors.Unwrap(seen), c.reason)
			}
		})
	}
}

// A GuardError built by hand without a Body still marshals as valid JSON:
// its status text as the message.
func TestGuardErrorWithoutBody(t *testing.T) {
	body, err := json.Marshal(&clerkecho.GuardError{Status: http.StatusForbidden})
	if err != nil || string(body) != clerk.ForbiddenJSON {
		t.Fatalf("%s %v", body, err)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(&clerkecho.GuardError{Status: http.StatusTeapot}); err != nil || buf.String() != `{"message":"I'm a teapot"}`+"\n" {
		t.Fatalf("%q %v", buf.String(), err)
	}
}
