package demotest

import (
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// CheckProbes checks an offline example's probes: /healthz answers 200
// "ok", and /readyz 200 "ready" once the keys are loaded.
func CheckProbes(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	if err := app.Warm(t.Context()); err != nil {
		t.Fatalf("Warm offline: %v", err)
	}
	for path, want := range map[string]string{demo.HealthzPath: "ok\n", demo.ReadyzPath: "ready\n"} {
		if status, body := get(t, baseURL+path, "", ""); status != 200 || body != want {
			t.Errorf("%s: %d %q, want 200 %q", path, status, body, want)
		}
	}
}

// linesWith returns the lines of logs that contain substr.
func linesWith(logs *adaptertest.SyncBuffer, substr string) []string {
	var out []string
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

// CheckRealModeReadiness points an example, in real mode without
// CLERK_JWT_KEY, at a Backend API that refuses its secret key: the start-up
// check logs one line naming CLERK_SECRET_KEY, /healthz answers 200 and
// /readyz 503 with the reason; once the key is right, /readyz answers 200.
// An unreachable CLERK_API_URL is named the same way.
func CheckRealModeReadiness(t *testing.T, serve demo.ServeFunc) {
	t.Helper()
	clerkAPI := clerktest.Start(t)
	clerkAPI.SetEnv(t)
	t.Setenv(clerk.EnvSecretKey, "sk_test_notthisinstance")

	logs := &adaptertest.SyncBuffer{}
	app, err := demo.New(slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	if err := app.Warm(t.Context()); !errors.Is(err, clerk.ErrUnauthorized) {
		t.Fatalf("Warm with a refused secret key: %v, want clerk.ErrUnauthorized", err)
	}
	lines := linesWith(logs, "Clerk is not usable")
	if len(lines) != 1 || !strings.Contains(lines[0], "Clerk refused CLERK_SECRET_KEY; check CLERK_SECRET_KEY") ||
		strings.Contains(lines[0], "sk_test_notthisinstance") {
		t.Errorf("start-up log lines %q, want one naming CLERK_SECRET_KEY and not its value", lines)
	}
	baseURL := Serve(t, app, serve)
	if status, body := get(t, baseURL+demo.HealthzPath, "", ""); status != 200 || body != "ok\n" {
		t.Errorf("%s: %d %q, want 200", demo.HealthzPath, status, body)
	}
	status, body := get(t, baseURL+demo.ReadyzPath, "", "")
	if status != 503 || !strings.HasPrefix(body, "clerk: not ready: no key set loaded: Clerk refused the secret key") {
		t.Errorf("%s: %d %q, want 503 saying the secret key was refused", demo.ReadyzPath, status, body)
	}

	// The same server once Clerk accepts the key: Warm again, then ready.
	clerkAPI.SetEnv(t)
	good, err := demo.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(good.Close)
	if err := good.Warm(t.Context()); err != nil {
		t.Fatalf("Warm with the right key: %v", err)
	}
	goodURL := Serve(t, good, serve)
	if status, body := get(t, goodURL+demo.ReadyzPath, "", ""); status != 200 || body != "ready\n" {
		t.Errorf("%s with the right key: %d %q, want 200", demo.ReadyzPath, status, body)
	}

	// An API URL nothing listens on.
	closed, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(clerk.EnvAPIURL, "http://"+closed.Addr().String())
	_ = closed.Close()
	logs = &adaptertest.SyncBuffer{}
	down, err := demo.New(slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Close)
	if err := down.Warm(t.Context()); !errors.Is(err, clerk.ErrTransport) {
		t.Fatalf("Warm with nothing at CLERK_API_URL: %v, want clerk.ErrTransport", err)
	}
	if lines := linesWith(logs, "Clerk is not usable"); len(lines) != 1 || !strings.Contains(lines[0], "is unreachable; check CLERK_API_URL") {
		t.Errorf("start-up log lines %q, want one naming CLERK_API_URL", lines)
	}
}
