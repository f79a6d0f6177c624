package demotest

import (
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// CheckRealMode points an example at a Backend API of its own through the
// environment variables a real deployment sets (CLERK_SECRET_KEY,
// CLERK_API_URL, CLERK_JWT_KEY, CLERK_PUBLISHABLE_KEY), as if it were Clerk,
// and checks that the example mints through it, and verifies opaque machine
// credentials with it, instead of starting the built-in emulator.
func CheckRealMode(t *testing.T, serve demo.ServeFunc) {
	t.Helper()
	clerkAPI := clerktest.Start(t)
	d, err := clerkAPI.SeedDemo("supabase")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLERK_SECRET_KEY", clerkAPI.SecretKey())
	t.Setenv("CLERK_API_URL", clerkAPI.URL)
	t.Setenv("CLERK_JWT_KEY", clerkAPI.PublicKeyPEM())
	t.Setenv("CLERK_PUBLISHABLE_KEY", clerkAPI.PublishableKey())
	t.Setenv("CLERK_AUTHORIZED_PARTIES", "")
	t.Setenv(demo.EnvTemplate, "supabase")
	app, err := demo.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	if app.Offline != nil {
		t.Fatal("CLERK_SECRET_KEY is set but the example started its own emulator")
	}
	baseURL := Serve(t, app, serve)

	token, err := clerkAPI.SessionToken(d.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, baseURL+demo.AppRouterPath, "Bearer "+token, "")
	if status != 200 {
		t.Fatalf("status %d, body %s", status, body)
	}
	if n := clerkAPI.Requests(clerktest.EndpointTokens); n != 1 {
		t.Errorf("the configured Backend API saw %d token requests, want 1", n)
	}
	if n := clerkAPI.Requests(clerktest.EndpointJWKS); n != 0 {
		t.Errorf("with CLERK_JWT_KEY set the example fetched the JWKS %d times", n)
	}
	if status, body := get(t, baseURL+demo.AdminPath, "Bearer "+token, ""); status != 200 || body != adminJSON(d.UserID, d.OrganizationID) {
		t.Errorf("admin route: %d %s, want 200 %s", status, body, adminJSON(d.UserID, d.OrganizationID))
	}
	// The reason header is an offline aid: against a real instance it
	// would tell a prober which check failed.
	status, header, _ := request(t, baseURL+demo.SessionPath, "", "__session="+token)
	if status != 401 || header.Get(clerk.ReasonHeader) != "" {
		t.Errorf("bare session cookie: %d with %s %q, want 401 without it", status, clerk.ReasonHeader, header.Get(clerk.ReasonHeader))
	}
	checkRealModeMachines(t, clerkAPI, baseURL, d.UserID)
	if _, err := renderBanner(app, baseURL); err != nil {
		t.Error(err)
	}
}

// checkRealModeMachines checks that the machine route verifies an opaque
// M2M token and an API key with the configured Backend API, one call each.
func checkRealModeMachines(t *testing.T, clerkAPI *clerktest.Server, baseURL, userID string) {
	t.Helper()
	server, err := clerkAPI.AddMachine(clerktest.Machine{Name: "api"})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := clerkAPI.AddMachine(clerktest.Machine{Name: "worker", Scopes: []string{server.ID}})
	if err != nil {
		t.Fatal(err)
	}
	m2m, err := clerkAPI.CreateM2MToken(worker.ID)
	if err != nil {
		t.Fatal(err)
	}
	key, err := clerkAPI.CreateAPIKey(userID, "ci", clerktest.MachineTokenScopes("deploy"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ bearer, endpoint, want string }{
		{m2m.Token, clerktest.EndpointVerifyM2MToken, machineJSON("m2m_token", m2m.ID, worker.ID, server.ID)},
		{key.Secret, clerktest.EndpointVerifyAPIKey, machineJSON("api_key", key.ID, userID, "deploy")},
	} {
		status, body := get(t, baseURL+demo.MachinePath, "Bearer "+c.bearer, "")
		if status != 200 || body != c.want {
			t.Errorf("%.3s… answered %d %s, want 200 %s", c.bearer, status, body, c.want)
		}
		if n := clerkAPI.Requests(c.endpoint); n != 1 {
			t.Errorf("the configured Backend API saw %d %s requests, want 1", n, c.endpoint)
		}
	}
}
