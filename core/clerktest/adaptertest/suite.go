package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// Response is what a route answered.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Serve sends one GET request with header through an adapter's router.
// The suite calls it from many goroutines at once.
type Serve func(path string, header http.Header) (Response, error)

// Router builds an adapter's router for a rig. The router serves:
//
//	GET /whoami            "<GetAuth's ok> <whether the request's context.Context holds the same Auth> <user id> <reason>"
//	GET /api/private       RequireAuth(), then "hello <user id>"
//	GET /api/admin         RequireAuth(clerk.Role("admin"), clerk.Permission("memberships:manage")), then "admin <user id>"
//	GET /api/feature       RequireAuth(clerk.Feature("org:memberships")), then "feature <user id>"
//	GET /api/reverify      RequireAuth(clerk.Reverification("strict")), then "fresh <user id>"
//	GET /api/machine       Middleware accepting M2M tokens and API keys (AcceptsToken), RequireAuthenticated(),
//	                       then "<TokenType> <TokenID> <Subject>"
//	GET /token             TokenHandler(rig.Client, "test")
//	GET /token/{template}  TokenHandler(rig.Client, template)
//
// behind Middleware given rig.Auth and, when reasonHeader is set,
// WithReasonHeader. Its error handler renders RequireAuth's refusals as
// {"message":"Unauthorized"} and {"message":"Forbidden"} (the adapter's own
// ErrorHandler, where the framework needs one), a reverification's 403
// with Clerk's reverification body as Authorize gives it, and 503
// {"message":"Service Unavailable"} when Clerk could not be asked.
type Router func(r *Rig, reasonHeader bool) Serve

// BrowserCookies is what a browser on the same origin sends: the session
// cookie, __client_uat (the time it last signed in or out; "1", long ago)
// and, for the emulator's development instance, the dev browser cookie.
func BrowserCookies(token string) http.Header {
	return http.Header{"Cookie": {"__session=" + token + "; __client_uat=1; __clerk_db_jwt=dvb_1"}}
}

// Bearer is an Authorization header carrying token.
func Bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func get(tb testing.TB, serve Serve, path string, header http.Header) Response {
	tb.Helper()
	res, err := serve(path, header)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// CheckMiddleware checks what Middleware attaches and RequireAuth refuses:
// the Bearer header, the __session cookie, a non-Bearer scheme falling back
// to the cookie, and signed-out requests with Clerk's reasons, never
// rejected by Middleware itself; the reason header only when asked for.
func CheckMiddleware(t *testing.T, router Router) {
	r := NewRig(t)
	valid := r.SessionToken(t)
	cases := []struct {
		name    string
		header  http.Header
		whoami  string
		private int
		reason  string
		body    string
	}{
		{"bearer header", Bearer(valid), "true true user_1 ", 200, "", "hello user_1"},
		{"session cookie", BrowserCookies(valid), "true true user_1 ", 200, "", "hello user_1"},
		{"other scheme falls back to the cookie", http.Header{"Authorization": {"Basic eDp5"}, "Cookie": BrowserCookies(valid)["Cookie"]}, "true true user_1 ", 200, "", "hello user_1"},
		{"session cookie without __client_uat", http.Header{"Cookie": {"__session=" + valid + "; __clerk_db_jwt=dvb_1"}}, "true true  session-token-but-no-client-uat", 401, "session-token-but-no-client-uat", clerk.UnauthorizedJSON},
		{"session cookie older than __client_uat", http.Header{"Cookie": {"__session=" + valid + "; __clerk_db_jwt=dvb_1; __client_uat=" + strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}}, "true true  session-token-iat-before-client-uat", 401, "session-token-iat-before-client-uat", clerk.UnauthorizedJSON},
		{"no token", nil, "true true  session-token-missing", 401, "session-token-missing", clerk.UnauthorizedJSON},
		{"expired", Bearer(r.SessionToken(t, clerktest.TokenExpired())), "true true  token-expired", 401, "token-expired", clerk.UnauthorizedJSON},
		{"bad signature", Bearer(r.BadSignature(t)), "true true  token-invalid-signature", 401, "token-invalid-signature", clerk.UnauthorizedJSON},
		{"garbage", Bearer("x.y.z"), "true true  token-invalid", 401, "token-invalid", clerk.UnauthorizedJSON},
	}
	plain, debug := router(r, false), router(r, true)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := get(t, plain, "/whoami", c.header)
			if res.Status != http.StatusOK || res.Body != c.whoami {
				t.Fatalf("whoami: %d %q, want %q", res.Status, res.Body, c.whoami)
			}
			if h := res.Header.Get(clerk.ReasonHeader); h != "" {
				t.Fatalf("reason header without the option: %q", h)
			}
			res = get(t, debug, "/api/private", c.header)
			if res.Status != c.private || res.Body != c.body {
				t.Fatalf("private: %d %q, want %d %q", res.Status, res.Body, c.private, c.body)
			}
			if h := res.Header.Get(clerk.ReasonHeader); h != c.reason {
				t.Fatalf("reason header %q, want %q", h, c.reason)
			}
			if ct := res.Header.Get("Content-Type"); c.private == http.StatusUnauthorized && !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// CheckGuards checks RequireAuth with requirements: 401 when signed out,
// 403 {"message":"Forbidden"} when signed in without the role or the
// permission, and the handler for a user who has both.
func CheckGuards(t *testing.T, router Router) {
	r := NewRig(t)
	serve := router(r, false)
	cases := []struct {
		name   string
		header http.Header
		status int
		body   string
	}{
		{"admin with the permission", Bearer(r.OrgToken(t, "admin")), 200, "admin user_1"},
		{"member without the role", Bearer(r.OrgToken(t, "member")), 403, clerk.ForbiddenJSON},
		{"no organization", Bearer(r.SessionToken(t)), 403, clerk.ForbiddenJSON},
		{"signed out", nil, 401, clerk.UnauthorizedJSON},
		{"bad signature", Bearer(r.BadSignature(t)), 401, clerk.UnauthorizedJSON},
	}
	check := func(t *testing.T, path string, header http.Header, status int, body string) {
		t.Helper()
		res := get(t, serve, path, header)
		if res.Status != status || res.Body != body {
			t.Fatalf("%s: got %d %q, want %d %q", path, res.Status, res.Body, status, body)
		}
		if ct := res.Header.Get("Content-Type"); status != 200 && !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s: Content-Type %q", path, ct)
		}
	}
	t.Run("feature", func(t *testing.T) {
		check(t, "/api/feature", Bearer(r.OrgToken(t, "member")), 200, "feature user_1")
		check(t, "/api/feature", Bearer(r.SessionToken(t)), 403, clerk.ForbiddenJSON)
	})
	t.Run("reverification", func(t *testing.T) {
		fresh := r.SessionToken(t, clerktest.TokenClaims(map[string]any{"fva": []int{2, 2}}))
		stale := r.SessionToken(t, clerktest.TokenClaims(map[string]any{"fva": []int{30, 30}}))
		check(t, "/api/reverify", Bearer(fresh), 200, "fresh user_1")
		check(t, "/api/reverify", Bearer(stale), 403,
			`{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}`)
		check(t, "/api/reverify", nil, 401, clerk.UnauthorizedJSON)
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := get(t, serve, "/api/admin", c.header)
			if res.Status != c.status || res.Body != c.body {
				t.Fatalf("got %d %q, want %d %q", res.Status, res.Body, c.status, c.body)
			}
			if ct := res.Header.Get("Content-Type"); c.status != 200 && !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// CheckTokenHandler checks TokenHandler's answers byte for byte: a template
// token for a signed-in request, 401 {"message":"Unauthorized"} without a
// single request to Clerk for a signed-out one.
func CheckTokenHandler(t *testing.T, router Router) {
	r := NewRig(t)
	serve := router(r, false)
	res := get(t, serve, "/token", Bearer(r.SessionToken(t)))
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("signed in: %d %v", res.Status, res.Header)
	}
	jwt := TokenBody(t, res.Body)
	if _, err := r.Auth.VerifyToken(context.Background(), jwt); !errors.Is(err, clerk.ErrUnauthenticated) {
		t.Fatalf("the minted token should be a template token, not a session token: %v", err)
	}

	r.Server.ResetRequests()
	res = get(t, serve, "/token", nil)
	if res.Status != http.StatusUnauthorized || res.Body != clerk.UnauthorizedJSON || r.Server.Requests("") != 0 {
		t.Fatalf("signed out: %d %q, %d requests to Clerk", res.Status, res.Body, r.Server.Requests(""))
	}
}

// CheckClerkErrors checks how TokenHandler answers Clerk's failures, as
// clerk.Client.TokenResponse documents, and that the log has Clerk's trace id
// but neither the session token nor the secret key.
func CheckClerkErrors(t *testing.T, router Router) {
	cases := []struct {
		name       string
		path       string
		fault      func(*clerktest.Server)
		wantStatus int
		wantBody   string
		wantRetry  string
	}{
		{"unknown template 404", "/token/nope", nil, 500, `{"message":"Internal Server Error"}`, ""},
		{"rate limited 429", "/token", func(s *clerktest.Server) { s.RateLimitNext(1, "7", clerktest.EndpointTokens) }, 429, `{"message":"Too Many Requests"}`, "7"},
		{"server error 500", "/token", func(s *clerktest.Server) { s.FailNext(1, 500, clerktest.EndpointTokens) }, 502, `{"message":"Bad Gateway"}`, ""},
		{"unavailable 503", "/token", func(s *clerktest.Server) { s.FailNext(1, 503, clerktest.EndpointTokens) }, 502, `{"message":"Bad Gateway"}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRig(t)
			token := r.SessionToken(t)
			if c.fault != nil {
				c.fault(r.Server)
			}
			res := get(t, router(r, false), c.path, Bearer(token))
			if res.Status != c.wantStatus || res.Body != c.wantBody || res.Header.Get("Retry-After") != c.wantRetry {
				t.Fatalf("got %d %q Retry-After %q", res.Status, res.Body, res.Header.Get("Retry-After"))
			}
			logs := r.Logs.String()
			if !strings.Contains(logs, "clerk_trace_id=") || strings.Contains(logs, token) || strings.Contains(logs, r.Server.SecretKey()) {
				t.Fatalf("log: %s", logs)
			}
		})
	}
}

// CheckConcurrency sends interleaved requests of several users from many
// goroutines (run it under -race): each must see its own user, and token
// requests must succeed alongside.
func CheckConcurrency(t *testing.T, router Router) {
	r := NewRig(t)
	serve := router(r, false)
	const users = 8
	tokens := make([]string, users)
	for i := range tokens {
		id := fmt.Sprintf("user_%d", i+10)
		if _, err := r.Server.AddUser(clerktest.User{ID: id}); err != nil {
			t.Fatal(err)
		}
		tok, err := r.Server.SessionToken(r.Server.CreateSession(id).ID)
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for j := range 20 {
				i := (g + j) % users
				want := fmt.Sprintf("hello user_%d", i+10)
				if res, err := serve("/api/private", Bearer(tokens[i])); err != nil || res.Body != want {
					t.Errorf("got %q %v, want %q", res.Body, err, want)
					return
				}
				if j%5 == 0 {
					if res, err := serve("/token", Bearer(tokens[i])); err != nil || res.Status != http.StatusOK {
						t.Errorf("token: %d %v", res.Status, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// CheckMachineCallers checks a route open to machine callers: opaque and
// JWT M2M tokens and API keys pass with their identity; a session token, an
// OAuth token (not accepted there), a revoked key and no token are 401; a
// Clerk outage while verifying is 503, so the caller retries.
func CheckMachineCallers(t *testing.T, router Router) {
	r := NewRig(t)
	serve := router(r, false)
	worker, err := r.Server.AddMachine(clerktest.Machine{Name: "worker"})
	if err != nil {
		t.Fatal(err)
	}
	opaque, err := r.Server.CreateM2MToken(worker.ID)
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := r.Server.CreateM2MToken(worker.ID, clerktest.MachineTokenJWT())
	if err != nil {
		t.Fatal(err)
	}
	key, err := r.Server.CreateAPIKey("user_1", "ci")
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := r.Server.CreateAPIKey("user_1", "old", clerktest.MachineTokenRevoked("leaked"))
	if err != nil {
		t.Fatal(err)
	}
	oauth, err := r.Server.CreateOAuthToken("user_1", "client_1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		header http.Header
		status int
		body   string
	}{
		{"opaque M2M token", Bearer(opaque.Token), 200, "m2m_token " + opaque.ID + " " + worker.ID},
		{"M2M JWT", Bearer(jwt.Token), 200, "m2m_token " + jwt.ID + " " + worker.ID},
		{"API key", Bearer(key.Secret), 200, "api_key " + key.ID + " user_1"},
		{"revoked API key", Bearer(revoked.Secret), 401, clerk.UnauthorizedJSON},
		{"OAuth token, not accepted here", Bearer(oauth.Token), 401, clerk.UnauthorizedJSON},
		{"session token, not accepted here", Bearer(r.SessionToken(t)), 401, clerk.UnauthorizedJSON},
		{"no token", nil, 401, clerk.UnauthorizedJSON},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := get(t, serve, "/api/machine", c.header)
			if res.Status != c.status || res.Body != c.body {
				t.Fatalf("got %d %q, want %d %q", res.Status, res.Body, c.status, c.body)
			}
		})
	}
	t.Run("Clerk down while verifying", func(t *testing.T) {
		fresh, err := r.Server.CreateAPIKey("user_1", "new")
		if err != nil {
			t.Fatal(err)
		}
		r.Server.FailNext(1, http.StatusServiceUnavailable, clerktest.EndpointVerifyAPIKey)
		res := get(t, serve, "/api/machine", Bearer(fresh.Secret))
		if res.Status != http.StatusServiceUnavailable || res.Body != clerk.UnavailableJSON {
			t.Fatalf("got %d %q, want 503 %q", res.Status, res.Body, clerk.UnavailableJSON)
		}
		if res = get(t, serve, "/api/machine", Bearer(fresh.Secret)); res.Status != http.StatusOK {
			t.Fatalf("after the outage: %d %q", res.Status, res.Body)
		}
	})
}
