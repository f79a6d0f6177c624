package demotest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// StartOffline configures an App in offline mode whatever the developer's
// environment holds, and closes it when the test ends.
func StartOffline(t *testing.T) *demo.App {
	t.Helper()
	for _, name := range []string{"CLERK_SECRET_KEY", "CLERK_JWT_KEY", "CLERK_PUBLISHABLE_KEY", "CLERK_AUTHORIZED_PARTIES", demo.EnvTemplate, demo.EnvTokenCache,
		demo.EnvPort, demo.EnvHost, demo.EnvDebugReasons, demo.EnvRedisURL} {
		t.Setenv(name, "")
	}
	app, err := demo.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	return app
}

// Serve runs serve on a loopback port and returns the base URL. When the
// test ends it cancels the server's context, as SIGTERM does, and fails
// the test if the server does not stop cleanly.
func Serve(t *testing.T, app *demo.App, serve demo.ServeFunc) string {
	t.Helper()
	ln, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, app) }()
	t.Cleanup(func() {
		// A browser would go away too; an idle keep-alive connection would
		// otherwise hold fiber's graceful shutdown for its whole grace period.
		http.DefaultClient.CloseIdleConnections()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server did not shut down cleanly: %v", err)
			}
		case <-time.After(demo.ShutdownGrace + time.Second):
			t.Error("server did not stop after its context ended")
		}
	})
	return "http://" + ln.Addr().String()
}

// route is one of the examples' two getToken routes.
type route struct {
	path         string
	unauthorized string // the route's own 401 body
}

var routes = []route{
	{demo.AppRouterPath, `{"message":"Unauthorized"}`},
	{demo.PagesRouterPath, `{"error":"Unauthorized"}`},
}

// CheckRoutes runs the examples' acceptance table against a server: both
// routes with a valid Bearer token, a valid session cookie with what a
// browser sends beside it, session cookies without __client_uat or the dev
// browser, no token, an expired
// token, a bad signature and an upstream Clerk failing; statuses and bodies
// byte for byte, and the reason offline mode names in X-Clerk-Auth-Reason.
func CheckRoutes(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	emu := app.Offline.Emulator
	sid := app.Offline.Demo.SessionID
	valid, err := emu.SessionToken(sid)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := emu.SessionToken(sid, clerktest.TokenExpired())
	if err != nil {
		t.Fatal(err)
	}
	badSignature := valid[:strings.LastIndexByte(valid, '.')+1] + flipFirst(valid[strings.LastIndexByte(valid, '.')+1:])
	uat := "__client_uat=" + strconv.FormatInt(app.Offline.SignedInAt.Unix(), 10)

	for _, r := range routes {
		t.Run(r.path, func(t *testing.T) {
			cases := []struct {
				name   string
				header string
				cookie string // the whole Cookie header
				fail   bool   // Clerk answers 500 to every attempt
				status int
				body   string // "" means a token body, checked claim by claim
				reason string // X-Clerk-Auth-Reason
			}{
				{name: "valid Bearer token", header: "Bearer " + valid, status: 200},
				{name: "valid session cookie, as a browser sends it", cookie: app.Offline.BrowserCookies(valid), status: 200},
				// Clerk's rules: without __client_uat the client may have
				// signed out in another tab, so the cookie does not count;
				// a development instance checks the dev browser first.
				{name: "session cookie without __client_uat", cookie: "__session=" + valid + "; __clerk_db_jwt=dvb_1", status: 401,
					body: r.unauthorized, reason: "session-token-but-no-client-uat"},
				{name: "bare __session cookie", cookie: "__session=" + valid, status: 401, body: r.unauthorized,
					reason: "dev-browser-missing"},
				{name: "session cookie without the dev browser", cookie: "__session=" + valid + "; " + uat, status: 401, body: r.unauthorized,
					reason: "dev-browser-missing"},
				{name: "no token", status: 401, body: r.unauthorized, reason: "session-token-missing"},
				{name: "expired token", header: "Bearer " + expired, status: 401, body: r.unauthorized, reason: "token-expired"},
				{name: "bad signature", header: "Bearer " + badSignature, status: 401, body: r.unauthorized, reason: "token-invalid-signature"},
				{name: "Clerk failing", header: "Bearer " + valid, fail: true, status: 502, body: `{"message":"Bad Gateway"}`},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					if tc.fail {
						emu.FailNext(100, http.StatusInternalServerError, clerktest.EndpointTokens)
						defer emu.ClearFaults()
					}
					status, header, body := request(t, baseURL+r.path, tc.header, tc.cookie)
					if status != tc.status {
						t.Fatalf("status = %d, want %d; body %s", status, tc.status, body)
					}
					if got := header.Get(clerk.ReasonHeader); got != tc.reason {
						t.Errorf("%s = %q, want %q", clerk.ReasonHeader, got, tc.reason)
					}
					if tc.body != "" {
						if body != tc.body {
							t.Errorf("body = %s, want %s", body, tc.body)
						}
						return
					}
					checkTokenBody(t, body, app)
				})
			}
		})
	}
}

// CheckSessionRoute checks the route that only authenticates.
func CheckSessionRoute(t *testing.T, baseURL string, app *demo.App) {
	t.Helper()
	valid, err := app.Offline.SessionToken()
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, baseURL+demo.SessionPath, "Bearer "+valid, "")
	want := `{"userId":"` + app.Offline.Demo.UserID + `","sessionId":"` + app.Offline.Demo.SessionID +
		`","orgId":"` + app.Offline.Demo.OrganizationID + `"}`
	if status != 200 || body != want {
		t.Errorf("signed in: %d %s, want 200 %s", status, body, want)
	}
	if status, body := get(t, baseURL+demo.SessionPath, "", ""); status != 401 || body != `{"message":"Unauthorized"}` {
		t.Errorf("signed out: %d %s", status, body)
	}
}

// CheckFreshSessionToken checks the offline endpoint that hands out a new
// session token, and that the token it gives works.
func CheckFreshSessionToken(t *testing.T, baseURL string) {
	t.Helper()
	status, token := get(t, baseURL+demo.SessionTokenPath, "", "")
	if status != 200 || strings.Count(token, ".") != 2 {
		t.Fatalf("fresh token endpoint: %d %q", status, token)
	}
	if status, body := get(t, baseURL+demo.AppRouterPath, "Bearer "+token, ""); status != 200 {
		t.Errorf("the fresh token was refused: %d %s", status, body)
	}
}

// checkTokenBody requires exactly {"token":{"jwt":"…"}} with a template
// token carrying the demo template's rendered claims.
func checkTokenBody(t *testing.T, body string, app *demo.App) {
	t.Helper()
	var parsed struct {
		Token struct {
			JWT string `json:"jwt"`
		} `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &parsed); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if want := `{"token":{"jwt":"` + parsed.Token.JWT + `"}}`; body != want {
		t.Fatalf("body = %s, want exactly %s", body, want)
	}
	header, claims := decodeJWT(t, parsed.Token.JWT)
	if header["cat"] != clerktest.CategoryTemplateToken || header["alg"] != "RS256" {
		t.Errorf("header = %v, want a template token", header)
	}
	want := map[string]any{
		"sub":      app.Offline.Demo.UserID,
		"email":    "ada@example.com",
		"name":     "Ada Lovelace",
		"role":     "admin",
		"org":      "acme",
		"greeting": "Hello, Ada!",
		"iss":      app.Offline.Emulator.Issuer(),
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
}

func get(t *testing.T, url, authorization, cookie string) (int, string) {
	t.Helper()
	status, _, body := request(t, url, authorization, cookie)
	return status, body
}

// request sends a GET with an optional Authorization header and Cookie
// header (all the cookies, as curl's --cookie sends them), and returns the
// answer.
func request(t *testing.T, url, authorization, cookie string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(body)
}

func decodeJWT(t *testing.T, jwt string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	for i, into := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err == nil {
			err = json.Unmarshal(raw, into)
		}
		if err != nil {
			t.Fatal(errors.Join(errors.New("decoding part"), err))
		}
	}
	return header, claims
}

// flipFirst changes the first character of a base64url string, so a
// signature stays well-formed but wrong.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
