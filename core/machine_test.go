package clerk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

func TestMachineTokensAreRefusedWhereOnlySessionsAreAccepted(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	a := machineAuthenticator(t, api, clock, clerk.WithAcceptedTokens(clerk.TokenTypeSessionToken))
	ctx := context.Background()
	for _, tc := range []struct {
		token string
		kind  clerk.TokenType
	}{
		{"mt_f7f0ba8c3b4843ce7d85fcdd5e71853e", clerk.TokenTypeM2MToken},
		{"ak_3beecc9c60adb5f9b850e91a8ee1e992", clerk.TokenTypeAPIKey},
		{"oat_0123456789abcdef", clerk.TokenTypeOAuthToken},
		{m2mJWT(t, clock.Now(), nil), clerk.TokenTypeM2MToken},
		{oauthJWT(t, clock.Now(), nil), clerk.TokenTypeOAuthToken},
	} {
		auth := a.Authenticate(ctx, bearer(tc.token))
		if auth.Authenticated() || auth.Reason() != clerk.ReasonTokenTypeMismatch || auth.TokenType() != tc.kind {
			t.Errorf("%s: authenticated=%v reason=%q type=%q", tc.kind, auth.Authenticated(), auth.Reason(), auth.TokenType())
		}
	}
	if n := api.calls.Load(); n != 0 {
		t.Fatalf("a refused kind cost %d calls to Clerk", n)
	}
	// And the other way round: a session token on a machine route.
	session := validToken(t, clock.Now())
	auth := a.Authenticate(ctx, bearer(session), clerk.TokenTypeM2MToken, clerk.TokenTypeAPIKey)
	if auth.Authenticated() || auth.Reason() != clerk.ReasonTokenTypeMismatch || auth.TokenType() != clerk.TokenTypeSessionToken {
		t.Fatalf("session token on a machine route: %v %q", auth.Authenticated(), auth.Reason())
	}
}

func TestMachineTokenInACookieIsRefused(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	a := machineAuthenticator(t, api, clock)
	for _, token := range []string{m2mJWT(t, clock.Now(), nil), "ak_3beecc9c60adb5f9b850e91a8ee1e992"} {
		auth := a.Authenticate(context.Background(), fakeSource{cookies: map[string]string{"__session": token, "__client_uat": "1"}})
		if auth.Authenticated() || auth.Reason() != clerk.ReasonTokenTypeMismatch {
			t.Errorf("cookie: %v %q", auth.Authenticated(), auth.Reason())
		}
	}
	if api.calls.Load() != 0 {
		t.Fatal("a cookie token reached Clerk")
	}
}

func TestM2MJWT(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	a := machineAuthenticator(t, api, clock)
	ctx := context.Background()

	auth := a.Authenticate(ctx, bearer(m2mJWT(t, clock.Now(), nil)))
	if !auth.Authenticated() || auth.SignedIn() || auth.TokenType() != clerk.TokenTypeM2MToken {
		t.Fatalf("valid M2M JWT: authenticated=%v signedIn=%v type=%q reason=%q", auth.Authenticated(), auth.SignedIn(), auth.TokenType(), auth.Reason())
	}
	if auth.Subject() != "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk" || auth.TokenID() != "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e" ||
		!slices.Equal(auth.Scopes(), []string{"mch_a", "mch_b"}) {
		t.Fatalf("identity: %q %q %v", auth.Subject(), auth.TokenID(), auth.Scopes())
	}
	var claims map[string]any
	if err := auth.DecodeClaims(&claims); err != nil || claims["tier"] != "gold" || claims["sub"] != nil {
		t.Fatalf("custom claims: %v %v", claims, err)
	}
	// The verified token is cached, and a cache hit still answers to the
	// route's kinds.
	repeated := m2mJWT(t, clock.Now(), nil)
	if !a.Authenticate(ctx, bearer(repeated)).Authenticated() {
		t.Fatal("first sight refused")
	}
	if got := a.Authenticate(ctx, bearer(repeated), clerk.TokenTypeSessionToken); got.Reason() != clerk.ReasonTokenTypeMismatch {
		t.Fatalf("cached M2M JWT on a session route: %q", got.Reason())
	}
	// Session accessors stay empty: code written for users sees no user.
	if auth.UserID() != "" || auth.SessionID() != "" || auth.OrgID() != "" || auth.Has(clerk.Role("admin")) {
		t.Fatal("a machine caller exposed session values")
	}

	for _, tc := range []struct {
		name   string
		extra  map[string]any
		want   clerk.Reason
		scopes []string
	}{
		{"scopes as an array are read deliberately", map[string]any{"scopes": []string{"mch_x"}}, "", []string{"mch_x"}},
		{"aud when there are no scopes", map[string]any{"scopes": nil, "aud": []string{"mch_y"}}, "", []string{"mch_y"}},
		{"no scopes at all", map[string]any{"scopes": nil}, "", nil},
		{"expired", map[string]any{"exp": clock.Now().Add(-time.Minute).Unix()}, clerk.ReasonTokenExpired, nil},
		{"not yet valid", map[string]any{"nbf": clock.Now().Add(time.Hour).Unix()}, clerk.ReasonTokenNotActiveYet, nil},
		{"no exp", map[string]any{"exp": nil}, clerk.ReasonTokenVerificationFailed, nil},
		{"scopes of the wrong type", map[string]any{"scopes": 42}, clerk.ReasonTokenVerificationFailed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			auth := a.Authenticate(ctx, bearer(m2mJWT(t, clock.Now(), tc.extra)))
			if auth.Reason() != tc.want {
				t.Fatalf("reason %q, want %q", auth.Reason(), tc.want)
			}
			if tc.want == "" && !slices.Equal(auth.Scopes(), tc.scopes) {
				t.Fatalf("scopes %v, want %v", auth.Scopes(), tc.scopes)
			}
		})
	}
	forged := mint(t, rsaKey(t, 1), map[string]any{"alg": "RS256", "kid": testKID, "typ": "JWT"},
		map[string]any{"sub": "mch_1", "exp": clock.Now().Unix() + 60})
	if auth := a.Authenticate(ctx, bearer(forged)); auth.Reason() != clerk.ReasonTokenInvalidSignature {
		t.Fatalf("forged M2M JWT: %q", auth.Reason())
	}
	if api.calls.Load() != 0 {
		t.Fatal("a JWT reached the Backend API")
	}
}

func TestOAuthJWT(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	ctx := context.Background()
	a := machineAuthenticator(t, api, clock)
	auth := a.Authenticate(ctx, bearer(oauthJWT(t, clock.Now(), nil)))
	if !auth.Authenticated() || auth.TokenType() != clerk.TokenTypeOAuthToken || auth.Subject() != "user_123" ||
		!slices.Equal(auth.Scopes(), []string{"read", "write"}) || auth.UserID() != "" {
		t.Fatalf("OAuth JWT: %v %q %q %v", auth.Authenticated(), auth.TokenType(), auth.Subject(), auth.Scopes())
	}
	if got := a.Authenticate(ctx, bearer(oauthJWT(t, clock.Now(), map[string]any{"scp": []string{"admin"}}))); !slices.Equal(got.Scopes(), []string{"admin"}) {
		t.Fatalf("scp wins over scope: %v", got.Scopes())
	}

	audienced := machineAuthenticator(t, api, clock, clerk.WithOAuthAudience("https://api.example.test"))
	for _, tc := range []struct {
		aud  any
		want clerk.Reason
	}{
		{"https://api.example.test", ""},
		{[]string{"https://other.test", "https://api.example.test"}, ""},
		{"https://other.test", clerk.ReasonTokenVerificationFailed},
		{nil, clerk.ReasonTokenVerificationFailed},
	} {
		auth := audienced.Authenticate(ctx, bearer(oauthJWT(t, clock.Now(), map[string]any{"aud": tc.aud})))
		if auth.Reason() != tc.want {
			t.Errorf("aud %v: reason %q, want %q", tc.aud, auth.Reason(), tc.want)
		}
	}
}

func TestOpaqueTokens(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	ctx := context.Background()
	a := machineAuthenticator(t, api, clock)
	exp := clock.Now().Add(time.Hour)
	api.add("mt_1", m2mAnswer("mt_1", "mch_1", exp, "mch_2"))
	api.add("ak_1", apiKeyAnswer("ak_id_1", "user_1", "CI key", "read"))
	api.add("oat_1", oauthAnswer("oat_id_1", "user_1", exp, "https://api.example.test", "read"))
	revoked := m2mAnswer("mt_revoked", "mch_1", exp)
	revoked["revoked"] = true
	api.add("mt_revoked", revoked)
	expired := apiKeyAnswer("ak_expired", "org_1", "old")
	expired["expired"] = true
	api.add("ak_expired", expired)

	for _, tc := range []struct {
		token   string
		kind    clerk.TokenType
		subject string
		name    string
		reason  clerk.Reason
	}{
		{"mt_1", clerk.TokenTypeM2MToken, "mch_1", "", ""},
		{"ak_1", clerk.TokenTypeAPIKey, "user_1", "CI key", ""},
		{"oat_1", clerk.TokenTypeOAuthToken, "user_1", "", ""},
		{"mt_revoked", clerk.TokenTypeM2MToken, "", "", clerk.ReasonTokenRevoked},
		{"ak_expired", clerk.TokenTypeAPIKey, "", "", clerk.ReasonTokenExpired},
		{"ak_unknown", clerk.TokenTypeAPIKey, "", "", clerk.ReasonTokenInvalid},
		{"ak_", clerk.TokenTypeAPIKey, "", "", clerk.ReasonTokenInvalid},
	} {
		auth := a.Authenticate(ctx, bearer(tc.token))
		if auth.Reason() != tc.reason || auth.TokenType() != tc.kind || auth.Subject() != tc.subject || auth.Name() != tc.name {
			t.Errorf("%s: reason %q type %q subject %q name %q", tc.token, auth.Reason(), auth.TokenType(), auth.Subject(), auth.Name())
		}
	}
	var claims map[string]any
	if err := a.Authenticate(ctx, bearer("mt_1")).DecodeClaims(&claims); err != nil || claims["tier"] != "gold" {
		t.Fatalf("M2M claims: %v %v", claims, err)
	}

	// The wire: Clerk's paths and bodies, the secret key.
	want := map[string]string{
		"/v1/m2m_tokens/verify":                       `{"token":"mt_1"}`,
		"/v1/api_keys/verify":                         `{"secret":"ak_1"}`,
		"/v1/oauth_applications/access_tokens/verify": `{"access_token":"oat_1"}`,
	}
	api.mu.Lock()
	for i, path := range api.paths {
		if body, ok := want[path]; ok && api.bodies[i] == body {
			delete(want, path)
		}
	}
	api.mu.Unlock()
	if len(want) != 0 {
		t.Fatalf("requests not seen: %v", want)
	}

	// Refusals are remembered: asking again costs nothing.
	before := api.calls.Load()
	for _, token := range []string{"mt_revoked", "ak_expired", "ak_unknown"} {
		if auth := a.Authenticate(ctx, bearer(token)); auth.Authenticated() {
			t.Fatalf("%s signed in on the second try", token)
		}
	}
	if n := api.calls.Load() - before; n != 0 {
		t.Fatalf("refused tokens asked Clerk %d more times", n)
	}
}

func TestOpaqueTokenReuse(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	ctx := context.Background()
	api.add("ak_1", apiKeyAnswer("ak_id_1", "user_1", "key"))
	api.add("mt_short", m2mAnswer("mt_short", "mch_1", clock.Now().Add(3*time.Second)))

	a := machineAuthenticator(t, api, clock, clerk.WithMachineTokenReuse(10*time.Second, nil))
	for range 5 {
		if !a.Authenticate(ctx, bearer("ak_1")).Authenticated() {
			t.Fatal("refused")
		}
	}
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("%d calls for one token within the reuse time, want 1", n)
	}
	clock.Advance(10 * time.Second)
	a.Authenticate(ctx, bearer("ak_1"))
	if n := api.calls.Load(); n != 2 {
		t.Fatalf("after the reuse time: %d calls, want 2", n)
	}
	// Reuse never outlives the token: past its expiration Clerk is asked
	// again (and Clerk's answer decides).
	a.Authenticate(ctx, bearer("mt_short"))
	calls := api.calls.Load()
	clock.Advance(4 * time.Second)
	a.Authenticate(ctx, bearer("mt_short"))
	if api.calls.Load() != calls+1 {
		t.Fatal("an M2M token past its expiration was answered from the cache")
	}

	off := machineAuthenticator(t, api, clock, clerk.WithMachineTokenReuse(0, nil))
	api.calls.Store(0)
	for range 3 {
		off.Authenticate(ctx, bearer("ak_1"))
	}
	if n := api.calls.Load(); n != 3 {
		t.Fatalf("reuse off: %d calls, want 3", n)
	}
}

func TestConcurrentRequestsWithOneOpaqueTokenShareOneCall(t *testing.T) {
	api := newMachineAPI(t)
	api.add("ak_1", apiKeyAnswer("ak_id_1", "user_1", "key"))
	release := make(chan struct{})
	api.hold = release
	a := machineAuthenticator(t, api, newFakeClock())
	const callers = 1000
	var wg sync.WaitGroup
	var ok sync.Map
	for i := range callers {
		wg.Go(func() {
			if a.Authenticate(context.Background(), bearer("ak_1")).Authenticated() {
				ok.Store(i, true)
			}
		})
	}
	waitUntil(t, func() bool { return api.calls.Load() == 1 })
	close(release)
	wg.Wait()
	n := 0
	ok.Range(func(any, any) bool { n++; return true })
	if n != callers || api.calls.Load() != 1 {
		t.Fatalf("%d of %d authenticated with %d calls to Clerk, want all with 1", n, callers, api.calls.Load())
	}
}

func TestMadeUpTokensCannotFloodClerk(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	a := machineAuthenticator(t, api, clock)
	throttled := 0
	for i := range 10_000 {
		auth := a.Authenticate(context.Background(), bearer(opaqueToken("ak_", i)))
		if auth.Authenticated() {
			t.Fatal("a made-up key signed in")
		}
		if auth.Reason() == clerk.ReasonVerificationThrottled {
			throttled++
		}
	}
	calls := api.calls.Load()
	t.Logf("10000 made-up API keys in one instant: %d calls to Clerk, %d throttled", calls, throttled)
	if calls != 20 || throttled != 10_000-20 {
		t.Fatalf("%d calls, %d throttled; want the burst of 20 and the rest throttled", calls, throttled)
	}
	// The budget refills: a legitimate key a second later gets through.
	api.add("ak_real", apiKeyAnswer("ak_id", "user_1", "real"))
	auth := a.Authenticate(context.Background(), bearer("ak_real"))
	if ok, status, _ := clerk.AuthorizeCaller(auth); ok || status != http.StatusServiceUnavailable {
		t.Fatalf("during the flood a new key should be a 503 to retry: %v %d", ok, status)
	}
	clock.Advance(time.Second)
	if auth := a.Authenticate(context.Background(), bearer("ak_real")); !auth.Authenticated() {
		t.Fatalf("a second later: %q", auth.Reason())
	}
}

func TestClerkOutageWhileVerifyingIsA503(t *testing.T) {
	api := newMachineAPI(t)
	api.add("ak_1", apiKeyAnswer("ak_id_1", "user_1", "key"))
	a := machineAuthenticator(t, api, newFakeClock())
	for _, status := range []int64{500, 503, 429} {
		api.fail.Store(status)
		auth := a.Authenticate(context.Background(), bearer("ak_1"))
		if auth.Reason() != clerk.ReasonUnexpectedError {
			t.Fatalf("Clerk %d: reason %q", status, auth.Reason())
		}
		if ok, code, body := clerk.AuthorizeCaller(auth); ok || code != 503 || body != clerk.UnavailableJSON {
			t.Fatalf("Clerk %d: %v %d %s", status, ok, code, body)
		}
	}
	if n := api.calls.Load(); n != 3 {
		t.Fatalf("%d calls: a failed verification must not be retried in a storm", n)
	}
	api.fail.Store(0)
	if !a.Authenticate(context.Background(), bearer("ak_1")).Authenticated() {
		t.Fatal("after the outage the key should verify")
	}
}

func TestSessionOnlyHelpersRefuseMachines(t *testing.T) {
	api := newMachineAPI(t)
	api.add("ak_1", apiKeyAnswer("ak_id_1", "user_1", "key"))
	a := machineAuthenticator(t, api, newFakeClock())
	auth := a.Authenticate(context.Background(), bearer("ak_1"))
	f := newFakeAPI(t)
	c := newTestClient(t, f)
	_, err := c.GetTokenFor(context.Background(), auth, "test")
	var ae *clerk.AuthError
	if !errors.As(err, &ae) || ae.Reason != clerk.ReasonTokenTypeMismatch || len(f.requests()) != 0 {
		t.Fatalf("getToken for a machine: %v, %d requests", err, len(f.requests()))
	}
	if ok, status, _ := clerk.Authorize(auth); ok || status != 401 {
		t.Fatalf("a machine passed a session guard: %v %d", ok, status)
	}
	if ok, _, _ := clerk.AuthorizeCaller(auth); !ok {
		t.Fatal("AuthorizeCaller refused an authenticated machine")
	}
}

// memoryStore is a MachineTokenStore in a map, as a shared store would be.
type memoryStore struct {
	mu     sync.Mutex
	values map[string][]byte
	gets   int
}

func (s *memoryStore) Get(_ context.Context, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	v, ok := s.values[key]
	return v, ok
}

func (s *memoryStore) Set(_ context.Context, key string, value []byte, _ time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string][]byte{}
	}
	s.values[key] = value
}

func TestSharedStoreSpansAuthenticators(t *testing.T) {
	api := newMachineAPI(t)
	api.add("ak_1", apiKeyAnswer("ak_id_1", "user_1", "key"))
	store := &memoryStore{}
	clock := newFakeClock()
	first := machineAuthenticator(t, api, clock, clerk.WithMachineTokenReuse(10*time.Second, store))
	second := machineAuthenticator(t, api, clock, clerk.WithMachineTokenReuse(10*time.Second, store))
	if !first.Authenticate(context.Background(), bearer("ak_1")).Authenticated() {
		t.Fatal("first replica refused")
	}
	if auth := second.Authenticate(context.Background(), bearer("ak_1")); !auth.Authenticated() || auth.Name() != "key" {
		t.Fatal("second replica refused")
	}
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("two replicas made %d calls, want 1", n)
	}
	for key := range store.values {
		if key == "ak_1" {
			t.Fatal("the store saw the raw token")
		}
	}
}

func TestMiddlewareAcceptsKindsPerRoute(t *testing.T) {
	api := newMachineAPI(t)
	api.add("ak_1", apiKeyAnswer("ak_id_1", "user_1", "key"))
	clock := newFakeClock()
	a := machineAuthenticator(t, api, clock, clerk.WithAcceptedTokens(clerk.TokenTypeSessionToken))
	machine := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, _ := clerk.AuthFromContext(r.Context())
		_, _ = w.Write([]byte(string(auth.TokenType()) + " " + auth.Subject()))
	})
	mux := http.NewServeMux()
	mux.Handle("/machine", clerk.Middleware(a, clerk.TokenTypeAPIKey, clerk.TokenTypeM2MToken)(clerk.RequireAuthenticated()(machine)))
	mux.Handle("/user", clerk.Middleware(a)(clerk.RequireAuth()(machine)))
	for _, tc := range []struct {
		path, token string
		status      int
		body        string
	}{
		{"/machine", "ak_1", 200, "api_key user_1"},
		{"/machine", validToken(t, clock.Now()), 401, clerk.UnauthorizedJSON},
		{"/user", "ak_1", 401, clerk.UnauthorizedJSON},
		{"/user", validToken(t, clock.Now()), 200, "session_token user_123"},
	} {
		r := httptest.NewRequest(http.MethodGet, tc.path, nil)
		r.Header.Set("Authorization", "Bearer "+tc.token)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != tc.status || w.Body.String() != tc.body {
			t.Errorf("%s %.10s: %d %q, want %d %q", tc.path, tc.token, w.Code, w.Body, tc.status, tc.body)
		}
	}
}

func TestMalformedOpaqueTokensNeverReachClerk(t *testing.T) {
	api := newMachineAPI(t)
	a := machineAuthenticator(t, api, newFakeClock())
	for _, token := range []string{"ak_", "mt_", "oat_", "ak_<script>", "mt_abc def", "oat_\x00", "ak_é", "ak_" + strings.Repeat("a", 300), "mt_a.b"} {
		auth := a.Authenticate(context.Background(), bearer(token))
		if auth.Authenticated() || auth.Reason() != clerk.ReasonTokenInvalid {
			t.Errorf("%.20q: %v %q", token, auth.Authenticated(), auth.Reason())
		}
	}
	if n := api.calls.Load(); n != 0 {
		t.Fatalf("malformed tokens made %d calls to Clerk", n)
	}
}

func TestMachineTokensStayOutOfLogsAndErrors(t *testing.T) {
	api := newMachineAPI(t)
	clock := newFakeClock()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := machineAuthenticator(t, api, clock, clerk.WithLogger(logger))
	revoked := m2mAnswer("mt_revokedsecret", "mch_1", clock.Now().Add(time.Hour))
	revoked["revoked"] = true
	api.add("mt_revokedsecret", revoked)
	tokens := []string{"ak_unknownsecret1", "mt_revokedsecret", m2mJWT(t, clock.Now(), map[string]any{"exp": clock.Now().Unix() - 60})}
	var texts []string
	for _, token := range tokens {
		auth := a.Authenticate(context.Background(), bearer(token))
		texts = append(texts, fmt.Sprint(auth), fmt.Sprintf("%+v", auth.Err()), auth.Err().Error())
	}
	api.fail.Store(503)
	auth := a.Authenticate(context.Background(), bearer("ak_outagesecret1"))
	texts = append(texts, auth.Err().Error(), logs.String())
	for _, text := range texts {
		for _, token := range append(tokens, "ak_outagesecret1") {
			if strings.Contains(text, token) || strings.Contains(text, "secret") {
				t.Fatalf("a token appears in %q", text)
			}
		}
	}
}
