package demo_test

import (
	"net"
	"strconv"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// cleanEnv unsets every variable the examples read, for the test.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{clerk.EnvSecretKey, clerk.EnvAPIURL, clerk.EnvAPIVersion, clerk.EnvJWTKey, clerk.EnvPublishableKey,
		clerk.EnvAuthorizedParties, demo.EnvPort, demo.EnvHost, demo.EnvTemplate, demo.EnvTokenCache, demo.EnvRedisURL,
		demo.EnvRedisTimeout, demo.EnvDebugReasons} {
		t.Setenv(name, "")
	}
}

func newApp(t *testing.T) (*demo.App, error) {
	t.Helper()
	app, err := demo.New(nil)
	if err == nil {
		t.Cleanup(app.Close)
	}
	return app, err
}

// TestConfigErrorsNameTheirVariable: whatever the examples refuse from the
// environment, the error names the variable to fix.
func TestConfigErrorsNameTheirVariable(t *testing.T) {
	emulator := clerktest.Start(t)
	cases := []struct {
		name, value string
		real        bool // with a valid CLERK_SECRET_KEY
	}{
		{demo.EnvPort, "notanumber", false},
		{demo.EnvPort, "70000", false},
		{clerk.EnvSecretKey, "garbage", false},
		{clerk.EnvSecretKey, "sk_test_", false},
		{clerk.EnvAPIURL, "ftp://api.example.test", true},
		{clerk.EnvJWTKey, "not a key", true},
		{clerk.EnvPublishableKey, "pk_test_garbage", true},
		{demo.EnvTokenCache, "many", false},
		{demo.EnvTokenCache, "-1", false},
		{demo.EnvRedisURL, "http://not-redis", false},
		{demo.EnvRedisTimeout, "soon", false},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			cleanEnv(t)
			if c.real {
				emulator.SetEnv(t)
			}
			if c.name == demo.EnvRedisTimeout {
				t.Setenv(demo.EnvRedisURL, "redis://127.0.0.1:1/0") // parsed, never dialled
			}
			t.Setenv(c.name, c.value)
			_, err := newApp(t)
			if err == nil || !strings.Contains(err.Error(), c.name) {
				t.Fatalf("error %v, want one naming %s", err, c.name)
			}
		})
	}
}

// TestPortInUseNamesPORT: a port another process holds is reported as
// PORT's problem.
func TestPortInUseNamesPORT(t *testing.T) {
	cleanEnv(t)
	taken, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	t.Setenv(demo.EnvPort, strconv.Itoa(taken.Addr().(*net.TCPAddr).Port))
	app, err := newApp(t)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := demo.Listen(t.Context(), app.Addr)
	if err == nil {
		_ = ln.Close()
		t.Fatalf("listening on %s, a port in use, succeeded", app.Addr)
	}
	if !strings.Contains(err.Error(), "set PORT to a free port") {
		t.Errorf("error %q, want it to name PORT", err)
	}
}

// TestOfflineListensOnLoopback: offline mode, which hands out session
// tokens at /offline/session-token, listens on loopback unless HOST says
// otherwise; real mode listens on every interface.
func TestOfflineListensOnLoopback(t *testing.T) {
	emulator := clerktest.Start(t)
	cases := []struct {
		name, host string
		real       bool
		want       string
	}{
		{"offline", "", false, "127.0.0.1:8080"},
		{"offline, HOST=0.0.0.0", "0.0.0.0", false, "0.0.0.0:8080"},
		{"offline, HOST=::1", "::1", false, "[::1]:8080"},
		{"real", "", true, ":8080"},
		{"real, HOST=127.0.0.1", "127.0.0.1", true, "127.0.0.1:8080"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cleanEnv(t)
			if c.real {
				emulator.SetEnv(t)
			}
			t.Setenv(demo.EnvHost, c.host)
			app, err := newApp(t)
			if err != nil {
				t.Fatal(err)
			}
			if (app.Offline == nil) != c.real || app.Addr != c.want {
				t.Errorf("offline %t, address %q; want offline %t, %q", app.Offline != nil, app.Addr, !c.real, c.want)
			}
		})
	}
	// And the listener really is loopback only.
	cleanEnv(t)
	t.Setenv(demo.EnvPort, "0")
	app, err := newApp(t)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := demo.Listen(t.Context(), app.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Errorf("offline listener on %s, want loopback", ip)
	}
}

// TestDebugReasonsSwitchesTheReasonHeaderOn: CLERK_DEBUG_REASONS turns the
// reason header on in real mode, where it is otherwise off.
func TestDebugReasonsSwitchesTheReasonHeaderOn(t *testing.T) {
	emulator := clerktest.Start(t)
	for _, c := range []struct {
		value string
		want  bool
	}{{"", false}, {"0", false}, {"1", true}, {"true", true}} {
		cleanEnv(t)
		emulator.SetEnv(t)
		t.Setenv(demo.EnvDebugReasons, c.value)
		app, err := newApp(t)
		if err != nil {
			t.Fatal(err)
		}
		if app.ReasonHeader != c.want {
			t.Errorf("%s=%q: reason header %t, want %t", demo.EnvDebugReasons, c.value, app.ReasonHeader, c.want)
		}
	}
}
