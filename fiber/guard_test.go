package clerkfiber_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkfiber "github.com/clerkkit/clerkkit/fiber"
	"github.com/gofiber/fiber/v2"
)

// TestRequireAuthPanicsOnImpossibleRequirement: a requirement that can
// never be met is refused where the guard is built, with the core's
// reason, instead of a guard that answers 403 to everyone.
func TestRequireAuthPanicsOnImpossibleRequirement(t *testing.T) {
	for name, req := range map[string]clerk.Requirement{
		"empty role":            clerk.Role(""),
		"bare org: permission":  clerk.Permission("org:"),
		"unknown feature scope": clerk.Feature("team:export"),
		"empty plan":            clerk.Plan(""),
		"unknown preset":        clerk.Reverification("paranoid"),
		"zero minutes":          clerk.ReverificationAfter(clerk.SecondFactor, 0),
		"unknown level":         clerk.ReverificationAfter("third_factor", 5),
		"zero Requirement":      {},
	} {
		t.Run(name, func(t *testing.T) {
			want := clerk.CheckRequirements(req)
			if want == nil {
				t.Fatal("the core accepts it; the case is wrong")
			}
			defer func() {
				if v := recover(); fmt.Sprint(v) != "clerkfiber: RequireAuth: "+want.Error() {
					t.Fatalf("recovered %v, want the core's %q", v, want)
				}
			}()
			clerkfiber.RequireAuth(clerk.Role("admin"), req)
		})
	}
	// Requirements that can be met build a guard.
	clerkfiber.RequireAuth(clerk.Role("org:admin"), clerk.Permission("memberships:manage"), clerk.Feature("u:export"),
		clerk.Plan("pro"), clerk.Reverification("strict_mfa"), clerk.ReverificationAfter(clerk.FirstFactor, 5))
}

// reverifyApp serves "/" behind RequireAuth(reqs...) with errorHandler
// (nil: fiber's default).
func (r *rig) reverifyApp(errorHandler fiber.ErrorHandler, reqs ...clerk.Requirement) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler})
	app.Use(clerkfiber.Middleware(r.Auth))
	app.Get("/", clerkfiber.RequireAuth(reqs...), func(c *fiber.Ctx) error { return c.SendString("in") })
	return app
}

// reverificationBody is Clerk's 403 body for a stale verification.
func reverificationBody(level string, minutes int) string {
	return fmt.Sprintf(`{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":%q,"afterMinutes":%d}}}}`,
		level, minutes)
}

// TestRequireAuthReverificationBody: with ErrorHandler a stale
// verification gets Clerk's reverification body byte for byte, for every
// way of asking for it, and only when every other requirement is met.
func TestRequireAuthReverificationBody(t *testing.T) {
	r := newRig(t)
	fva := func(first, second int) clerktest.TokenOption {
		return clerktest.TokenClaims(map[string]any{"fva": []int{first, second}})
	}
	staleAdmin := r.SessionToken(t, clerktest.TokenClaims(map[string]any{
		"fva": []int{30, 30}, "o": map[string]any{"id": "org_1", "slg": "acme", "rol": "admin"},
	}))
	staleMember := r.SessionToken(t, clerktest.TokenClaims(map[string]any{
		"fva": []int{30, 30}, "o": map[string]any{"id": "org_1", "slg": "acme", "rol": "member"},
	}))
	for _, c := range []struct {
		name   string
		reqs   []clerk.Requirement
		token  string
		status int
		body   string
	}{
		{"strict, stale", []clerk.Requirement{clerk.Reverification("strict")}, r.SessionToken(t, fva(30, 30)), 403, reverificationBody("second_factor", 10)},
		{"strict_mfa, stale", []clerk.Requirement{clerk.Reverification("strict_mfa")}, r.SessionToken(t, fva(30, 30)), 403, reverificationBody("multi_factor", 10)},
		{"fresh for lax", []clerk.Requirement{clerk.Reverification("lax")}, r.SessionToken(t, fva(30, 30)), 200, "in"},
		{"after 5 minutes, stale", []clerk.Requirement{clerk.ReverificationAfter(clerk.FirstFactor, 5)}, r.SessionToken(t, fva(7, -1)), 403, reverificationBody("first_factor", 5)},
		{"role met, fresh for moderate", []clerk.Requirement{clerk.Role("admin"), clerk.Reverification("moderate")}, staleAdmin, 200, "in"},
		{"role met, stale for strict", []clerk.Requirement{clerk.Role("admin"), clerk.Reverification("strict")}, staleAdmin, 403, reverificationBody("second_factor", 10)},
		{"role not met, stale", []clerk.Requirement{clerk.Role("admin"), clerk.Reverification("strict")}, staleMember, 403, clerk.ForbiddenJSON},
		{"signed out", []clerk.Requirement{clerk.Reverification("strict")}, "", 401, clerk.UnauthorizedJSON},
	} {
		t.Run(c.name, func(t *testing.T) {
			var header http.Header
			if c.token != "" {
				header = bearer(c.token)
			}
			res := serve(t, r.reverifyApp(clerkfiber.ErrorHandler, c.reqs...), "/", header)
			if res.code != c.status || res.body != c.body {
				t.Fatalf("%d %q, want %d %q", res.code, res.body, c.status, c.body)
			}
			if ct := res.header.Get("Content-Type"); c.status != 200 && ct != fiber.MIMEApplicationJSON {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// TestGuardErrorInOtherErrorHandlers: the reverification refusal reaches
// an app's own ErrorHandler as a *GuardError with Clerk's body, and as a
// *fiber.Error 403 "Forbidden" for handlers that only know those; fiber's
// DefaultErrorHandler answers 403 "Forbidden" as text/plain.
func TestGuardErrorInOtherErrorHandlers(t *testing.T) {
	r := newRig(t)
	stale := bearer(r.SessionToken(t, clerktest.TokenClaims(map[string]any{"fva": []int{30, 30}})))
	want := reverificationBody("second_factor", 10)

	var ge *clerkfiber.GuardError
	var fe *fiber.Error
	own := r.reverifyApp(func(c *fiber.Ctx, err error) error {
		ge, fe = nil, nil
		if !errors.As(err, &ge) || !errors.As(err, &fe) {
			return c.SendStatus(500)
		}
		return c.Status(fe.Code).SendString(fe.Message + " " + ge.Body)
	}, clerk.Reverification("strict"))
	if res := serve(t, own, "/", stale); res.code != 403 || res.body != "Forbidden "+want || ge.Status != 403 || ge.Error() != "Forbidden" {
		t.Fatalf("own handler: %d %q", res.code, res.body)
	}

	res := serve(t, r.reverifyApp(nil, clerk.Reverification("strict")), "/", stale)
	if res.code != 403 || res.body != "Forbidden" || res.header.Get("Content-Type") != fiber.MIMETextPlainCharsetUTF8 {
		t.Fatalf("default handler: %d %q %q", res.code, res.body, res.header.Get("Content-Type"))
	}
}

// TestErrorHandlerOtherFiberErrors: a *fiber.Error that no guard returned
// is still answered as {"message":"…"}.
func TestErrorHandlerOtherFiberErrors(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Get("/", func(*fiber.Ctx) error { return fmt.Errorf("lookup: %w", fiber.NewError(409, `say "no"`)) })
	res := serve(t, app, "/", nil)
	if res.code != 409 || res.body != `{"message":"say \"no\""}` || !strings.HasPrefix(res.header.Get("Content-Type"), fiber.MIMEApplicationJSON) {
		t.Fatalf("%d %q %q", res.code, res.body, res.header.Get("Content-Type"))
	}
}
