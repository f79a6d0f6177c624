package clerkfiber_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkfiber "github.com/clerkkit/clerkkit/fiberv3"
	"github.com/gofiber/fiber/v3"
)

// apiKey creates an API key of user_1 and returns its secret.
func (r *rig) apiKey(t testing.TB, name string) string {
	t.Helper()
	key, err := r.Server.CreateAPIKey("user_1", name)
	if err != nil {
		t.Fatal(err)
	}
	return key.Secret
}

// callerApp answers "<TokenType> <Subject>" behind guard, with
// Middleware given opts and this package's ErrorHandler.
func (r *rig) callerApp(guard fiber.Handler, opts ...clerkfiber.Option) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	app.Use(clerkfiber.Middleware(r.Auth, opts...))
	app.Get("/", guard, func(c fiber.Ctx) error {
		auth, _ := clerkfiber.GetAuth(c)
		return c.SendString(fmt.Sprintf("%s %s", auth.TokenType(), auth.Subject()))
	})
	return app
}

// TestAcceptsTokenPanics: an unknown kind, or none at all, is refused
// while wiring rather than by refusing every request.
func TestAcceptsTokenPanics(t *testing.T) {
	for _, types := range [][]clerk.TokenType{{"jwt"}, {clerk.TokenTypeAPIKey, ""}, {"API_KEY"}, nil} {
		t.Run(fmt.Sprint(types), func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "AcceptsToken") {
					t.Fatalf("recovered %v", v)
				}
			}()
			clerkfiber.AcceptsToken(types...)
		})
	}
}

// TestAcceptsTokenKinds checks which tokens a Middleware accepts: the
// named kinds only, every kind for TokenTypeAny, the Authenticator's
// default (sessions) without the option, and the last option when given
// twice.
func TestAcceptsTokenKinds(t *testing.T) {
	r := newRig(t)
	session, key := r.SessionToken(t), r.apiKey(t, "ci")
	for _, c := range []struct {
		name                 string
		opts                 []clerkfiber.Option
		session, key         int
		sessionBody, keyBody string
	}{
		{"API keys", []clerkfiber.Option{clerkfiber.AcceptsToken(clerk.TokenTypeAPIKey)}, 401, 200, clerk.UnauthorizedJSON, "api_key user_1"},
		{"any", []clerkfiber.Option{clerkfiber.AcceptsToken(clerk.TokenTypeAny)}, 200, 200, "session_token user_1", "api_key user_1"},
		{"last one counts", []clerkfiber.Option{clerkfiber.AcceptsToken(clerk.TokenTypeAPIKey), clerkfiber.AcceptsToken(clerk.TokenTypeSessionToken)},
			200, 401, "session_token user_1", clerk.UnauthorizedJSON},
		{"no option", nil, 200, 401, "session_token user_1", clerk.UnauthorizedJSON},
		{"nil option", []clerkfiber.Option{nil}, 200, 401, "session_token user_1", clerk.UnauthorizedJSON},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := r.callerApp(clerkfiber.RequireAuthenticated(), c.opts...)
			if res := serve(t, app, "/", bearer(session)); res.code != c.session || res.body != c.sessionBody {
				t.Fatalf("session token: %d %q", res.code, res.body)
			}
			if res := serve(t, app, "/", bearer(key)); res.code != c.key || res.body != c.keyBody {
				t.Fatalf("API key: %d %q", res.code, res.body)
			}
		})
	}
}

// TestAcceptsTokenCopiesKinds changes the caller's slice after wiring:
// the Middleware must keep accepting what it was given.
func TestAcceptsTokenCopiesKinds(t *testing.T) {
	r := newRig(t)
	kinds := []clerk.TokenType{clerk.TokenTypeAPIKey}
	app := r.callerApp(clerkfiber.RequireAuthenticated(), clerkfiber.AcceptsToken(kinds...))
	kinds[0] = clerk.TokenTypeSessionToken
	if res := serve(t, app, "/", bearer(r.apiKey(t, "ci"))); res.code != 200 || res.body != "api_key user_1" {
		t.Fatalf("API key: %d %q", res.code, res.body)
	}
	if res := serve(t, app, "/", bearer(r.SessionToken(t))); res.code != 401 {
		t.Fatalf("session token: %d %q", res.code, res.body)
	}
}

// TestGuardsWhenClerkIsDown has Clerk fail the one verify call: both
// guards answer 503 {"message":"Service Unavailable"} through
// ErrorHandler (RequireAuth too, since clerk.Authorize says 503), and
// fiber's DefaultErrorHandler writes the same message as text/plain.
func TestGuardsWhenClerkIsDown(t *testing.T) {
	r := newRig(t)
	accepts := clerkfiber.AcceptsToken(clerk.TokenTypeAPIKey)
	for _, c := range []struct {
		name, body, contentType string
		app                     *fiber.App
	}{
		{"RequireAuthenticated", clerk.UnavailableJSON, fiber.MIMEApplicationJSON, r.callerApp(clerkfiber.RequireAuthenticated(), accepts)},
		{"RequireAuth", clerk.UnavailableJSON, fiber.MIMEApplicationJSON, r.callerApp(clerkfiber.RequireAuth(), accepts)},
		{"default error handler", "Service Unavailable", fiber.MIMETextPlainCharsetUTF8, func() *fiber.App {
			app := fiber.New()
			app.Use(clerkfiber.Middleware(r.Auth, accepts))
			app.Get("/", clerkfiber.RequireAuthenticated(), func(c fiber.Ctx) error { return c.SendString("in") })
			return app
		}()},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := r.apiKey(t, c.name) // not in the verified-token cache yet
			r.Server.FailNext(1, http.StatusServiceUnavailable, clerktest.EndpointVerifyAPIKey)
			res := serve(t, c.app, "/", bearer(key))
			if res.code != http.StatusServiceUnavailable || res.body != c.body || res.header.Get("Content-Type") != c.contentType {
				t.Fatalf("%d %q %q", res.code, res.body, res.header.Get("Content-Type"))
			}
		})
	}
}

// TestRequireAuthRefusesMachineCallers: an API key the Middleware
// accepts is Authenticated but not signed in, so RequireAuth answers 401
// where RequireAuthenticated lets it through.
func TestRequireAuthRefusesMachineCallers(t *testing.T) {
	r := newRig(t)
	app := r.callerApp(clerkfiber.RequireAuth(), clerkfiber.AcceptsToken(clerk.TokenTypeAPIKey))
	if res := serve(t, app, "/", bearer(r.apiKey(t, "ci"))); res.code != 401 || res.body != clerk.UnauthorizedJSON {
		t.Fatalf("%d %q", res.code, res.body)
	}
}

// TestReasonHeaderOnMachineRoutes: the reason header names why a request
// was not authenticated, so an accepted machine caller gets none, also
// when an app-wide Middleware (sessions only) refused its token first.
func TestReasonHeaderOnMachineRoutes(t *testing.T) {
	r := newRig(t)
	accepts := clerkfiber.AcceptsToken(clerk.TokenTypeAPIKey)
	key := r.apiKey(t, "ci")

	stacked := fiber.New(fiber.Config{ErrorHandler: clerkfiber.ErrorHandler})
	stacked.Use(clerkfiber.Middleware(r.Auth, clerkfiber.WithReasonHeader()))
	stacked.Get("/machine", clerkfiber.Middleware(r.Auth, accepts), clerkfiber.RequireAuthenticated(),
		func(c fiber.Ctx) error { return c.SendString("in") })
	stacked.Get("/session", func(c fiber.Ctx) error { return c.SendString("open") })

	for _, c := range []struct {
		name, path string
		app        *fiber.App
		header     http.Header
		code       int
		reason     []string
	}{
		{"accepted key", "/", r.callerApp(clerkfiber.RequireAuthenticated(), accepts, clerkfiber.WithReasonHeader()), bearer(key), 200, nil},
		{"session token refused", "/", r.callerApp(clerkfiber.RequireAuthenticated(), accepts, clerkfiber.WithReasonHeader()),
			bearer(r.SessionToken(t)), 401, []string{string(clerk.ReasonTokenTypeMismatch)}},
		{"app-wide refusal, then accepted", "/machine", stacked, bearer(key), 200, nil},
		{"app-wide refusal only", "/session", stacked, bearer(key), 200, []string{string(clerk.ReasonTokenTypeMismatch)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := serve(t, c.app, c.path, c.header)
			got := res.header.Values(clerk.ReasonHeader)
			if res.code != c.code || strings.Join(got, ",") != strings.Join(c.reason, ",") || len(got) != len(c.reason) {
				t.Fatalf("%d %q, reason header %q, want %d %q", res.code, res.body, got, c.code, c.reason)
			}
		})
	}
}
