package demotest

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// unauthorizedJSON and unavailableJSON are the guards' bodies, written out
// here so a change in the library shows up as a failing example.
const (
	unauthorizedJSON = `{"message":"Unauthorized"}`
	unavailableJSON  = `{"message":"Service Unavailable"}`
)

// machineJSON is the body MachinePath must answer, written out by hand
// rather than with the code under test.
func machineJSON(tokenType, id, subject string, scopes ...string) string {
	quoted := make([]string, len(scopes))
	for i, s := range scopes {
		quoted[i] = `"` + s + `"`
	}
	return `{"tokenType":"` + tokenType + `","id":"` + id + `","subject":"` + subject +
		`","scopes":[` + strings.Join(quoted, ",") + `]}`
}

// seededMachineBodies maps each machine credential offline mode seeds to
// the body MachinePath answers for it.
func seededMachineBodies(app *demo.App) map[string]string {
	m := app.Offline.Machines
	return map[string]string{
		m.M2MToken.Token: machineJSON("m2m_token", m.M2MToken.ID, m.Worker.ID, m.Server.ID),
		m.M2MJWT.Token:   machineJSON("m2m_token", m.M2MJWT.ID, m.Worker.ID, m.Server.ID),
		m.APIKey.Secret:  machineJSON("api_key", m.APIKey.ID, app.Offline.Demo.UserID, "orders:read", "orders:write"),
	}
}

// CheckMachineRoute runs the machine route's table against a server: M2M
// tokens (opaque and JWT) and API keys answer who the caller is, with the
// values Clerk's verify answer or the JWT gave; every other request, a
// valid session included, is 401; Clerk failing is 503. Bodies byte for
// byte, so every framework answers alike.
func CheckMachineRoute(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	emu, m, userID := app.Offline.Emulator, app.Offline.Machines, app.Offline.Demo.UserID
	session, err := app.Offline.SessionToken()
	if err != nil {
		t.Fatal(err)
	}
	fx := newMachineFixtures(t, emu, m.Worker.ID, userID)
	bodies := seededMachineBodies(app)

	cases := []struct {
		name   string
		header string
		cookie string
		status int
		body   string
	}{
		{name: "opaque M2M token", header: "Bearer " + m.M2MToken.Token, status: 200, body: bodies[m.M2MToken.Token]},
		{name: "M2M JWT", header: "Bearer " + m.M2MJWT.Token, status: 200, body: bodies[m.M2MJWT.Token]},
		{name: "API key with scopes", header: "Bearer " + m.APIKey.Secret, status: 200, body: bodies[m.APIKey.Secret]},
		{name: "API key without scopes", header: "Bearer " + fx.noScopes.Secret, status: 200,
			body: machineJSON("api_key", fx.noScopes.ID, userID)},
		{name: "M2M JWT without scopes", header: "Bearer " + fx.loneJWT.Token, status: 200,
			body: machineJSON("m2m_token", fx.loneJWT.ID, fx.lone.ID)},
		{name: "session token", header: "Bearer " + session, status: 401, body: unauthorizedJSON},
		{name: "session cookie", cookie: app.Offline.BrowserCookies(session), status: 401, body: unauthorizedJSON},
		{name: "M2M token in the session cookie", cookie: app.Offline.BrowserCookies(m.M2MToken.Token), status: 401, body: unauthorizedJSON},
		{name: "no token", status: 401, body: unauthorizedJSON},
		{name: "revoked API key", header: "Bearer " + fx.revokedKey.Secret, status: 401, body: unauthorizedJSON},
		{name: "revoked M2M token", header: "Bearer " + fx.revokedM2M.Token, status: 401, body: unauthorizedJSON},
		{name: "expired M2M JWT", header: "Bearer " + fx.expiredJWT.Token, status: 401, body: unauthorizedJSON},
		{name: "API key Clerk does not know", header: "Bearer ak_" + strings.Repeat("0", 32), status: 401, body: unauthorizedJSON},
		{name: "OAuth token, not accepted", header: "Bearer " + fx.oauth.Token, status: 401, body: unauthorizedJSON},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, header, body := request(t, baseURL+demo.MachinePath, tc.header, tc.cookie)
			if status != tc.status || body != tc.body {
				t.Fatalf("answered %d %s, want %d %s", status, body, tc.status, tc.body)
			}
			if ct := header.Get("Content-Type"); status == 200 && ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
		})
	}

	t.Run("Clerk failing, then back", func(t *testing.T) {
		key, err := emu.CreateAPIKey(userID, "while-clerk-fails")
		if err != nil {
			t.Fatal(err)
		}
		emu.FailNext(100, http.StatusInternalServerError, clerktest.EndpointVerifyAPIKey)
		status, _, body := request(t, baseURL+demo.MachinePath, "Bearer "+key.Secret, "")
		emu.ClearFaults()
		if status != 503 || body != unavailableJSON {
			t.Fatalf("with Clerk failing: %d %s, want 503 %s", status, body, unavailableJSON)
		}
		// 503 tells the caller to retry: the same key must work once Clerk
		// answers again.
		want := machineJSON("api_key", key.ID, userID)
		if status, _, body := request(t, baseURL+demo.MachinePath, "Bearer "+key.Secret, ""); status != 200 || body != want {
			t.Errorf("after Clerk recovered: %d %s, want 200 %s", status, body, want)
		}
	})

	t.Run("session route refuses machines", func(t *testing.T) {
		for _, token := range []string{m.M2MToken.Token, m.M2MJWT.Token, m.APIKey.Secret} {
			if status, _, body := request(t, baseURL+demo.SessionPath, "Bearer "+token, ""); status != 401 || body != unauthorizedJSON {
				t.Errorf("%.6s… at %s: %d %s, want 401", token, demo.SessionPath, status, body)
			}
		}
	})
}

// machineFixtures are the credentials the machine route must refuse, or
// that the seeded ones do not cover.
type machineFixtures struct {
	noScopes   clerktest.APIKey
	lone       clerktest.Machine  // may call no machine
	loneJWT    clerktest.M2MToken // so it has no scopes claim
	revokedKey clerktest.APIKey
	revokedM2M clerktest.M2MToken
	expiredJWT clerktest.M2MToken
	oauth      clerktest.OAuthToken
}

func newMachineFixtures(t *testing.T, emu *clerktest.Server, machineID, userID string) machineFixtures {
	t.Helper()
	var fx machineFixtures
	var errs [8]error
	fx.noScopes, errs[0] = emu.CreateAPIKey(userID, "no-scopes")
	fx.revokedKey, errs[1] = emu.CreateAPIKey(userID, "leaked", clerktest.MachineTokenScopes("orders:read"))
	if errs[1] == nil {
		// Revoked before its first use: a key verified moments before
		// may be reused for a few seconds (clerk.WithMachineTokenReuse).
		errs[2] = emu.RevokeAPIKey(fx.revokedKey.ID, "leaked")
	}
	fx.revokedM2M, errs[3] = emu.CreateM2MToken(machineID, clerktest.MachineTokenRevoked("rotated"))
	fx.expiredJWT, errs[4] = emu.CreateM2MToken(machineID, clerktest.MachineTokenJWT(), clerktest.MachineTokenExpired())
	fx.oauth, errs[5] = emu.CreateOAuthToken(userID, "client_demo", clerktest.MachineTokenScopes("email"))
	fx.lone, errs[6] = emu.AddMachine(clerktest.Machine{Name: "lone-worker"})
	if errs[6] == nil {
		fx.loneJWT, errs[7] = emu.CreateM2MToken(fx.lone.ID, clerktest.MachineTokenJWT())
	}
	if err := errors.Join(errs[:]...); err != nil {
		t.Fatal(err)
	}
	return fx
}
