package clerk_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// machineAPI answers the three verify endpoints from a table of known
// tokens, counting calls; anything unknown is Clerk's 404.
type machineAPI struct {
	*httptest.Server
	mu      sync.Mutex
	answers map[string]map[string]any // token → verify answer
	calls   atomic.Int64
	fail    atomic.Int64  // answer this status to every call when set
	hold    chan struct{} // when set, calls wait for it to close
	bodies  []string
	paths   []string
}

func newMachineAPI(t testing.TB) *machineAPI {
	m := &machineAPI{answers: map[string]map[string]any{}}
	m.Server = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.Close)
	return m
}

func (m *machineAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m.calls.Add(1)
	m.mu.Lock()
	m.bodies = append(m.bodies, string(body))
	m.paths = append(m.paths, r.URL.Path)
	hold := m.hold
	m.mu.Unlock()
	if hold != nil {
		<-hold
	}
	if status := m.fail.Load(); status != 0 {
		w.WriteHeader(int(status))
		_, _ = io.WriteString(w, clerkErrorBody("unavailable", "down", "trace_1"))
		return
	}
	var req map[string]string
	_ = json.Unmarshal(body, &req)
	token := req["token"] + req["secret"] + req["access_token"]
	m.mu.Lock()
	answer, ok := m.answers[token]
	m.mu.Unlock()
	if !ok || r.Header.Get("Authorization") != "Bearer "+testSecretKey {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, clerkErrorBody("resource_not_found", "not found", "trace_2"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

func (m *machineAPI) add(token string, answer map[string]any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[token] = answer
}

// m2mAnswer is a verify answer for an M2M token, as Clerk's Backend API
// gives it.
func m2mAnswer(id, subject string, expiration time.Time, scopes ...string) map[string]any {
	return map[string]any{
		"object": "machine_to_machine_token", "id": id, "subject": subject, "scopes": scopes,
		"claims": map[string]any{"tier": "gold"}, "revoked": false, "revocation_reason": nil,
		"expired": false, "expiration": expiration.UnixMilli(), "last_used_at": nil,
		"created_at": expiration.Add(-time.Hour).UnixMilli(), "updated_at": expiration.Add(-time.Hour).UnixMilli(),
	}
}

func apiKeyAnswer(id, subject, name string, scopes ...string) map[string]any {
	return map[string]any{
		"object": "api_key", "id": id, "type": "api_key", "subject": subject, "name": name, "scopes": scopes,
		"claims": nil, "revoked": false, "revocation_reason": nil, "expired": false, "expiration": nil,
		"created_by": nil, "description": nil, "last_used_at": nil, "created_at": 1, "updated_at": 1,
	}
}

func oauthAnswer(id, subject string, expiration time.Time, aud any, scopes ...string) map[string]any {
	return map[string]any{
		"object": "clerk_idp_oauth_access_token", "id": id, "client_id": "client_1", "type": "oauth_token",
		"subject": subject, "scopes": scopes, "revoked": false, "revocation_reason": nil, "expired": false,
		"expiration": expiration.UnixMilli(), "created_at": 1, "updated_at": 1, "aud": aud,
	}
}

// machineAuthenticator accepts every kind, verifies JWTs with key 0 and
// opaque tokens through api, on the fake clock.
func machineAuthenticator(t testing.TB, api *machineAPI, clock *fakeClock, opts ...clerk.AuthenticatorOption) *clerk.Authenticator {
	t.Helper()
	client, err := clerk.NewClient(testSecretKey, clerk.WithAPIURL(api.URL))
	if err != nil {
		t.Fatal(err)
	}
	base := []clerk.AuthenticatorOption{
		clerk.WithJWTKey(publicPEM(t, rsaKey(t, 0))), clerk.WithClient(client),
		clerk.WithAcceptedTokens(clerk.TokenTypeAny), clerk.WithClock(clock.Now),
	}
	return newAuthenticator(t, append(base, opts...)...)
}

// m2mJWT is an M2M token in JWT format as Clerk signs it.
func m2mJWT(t testing.TB, now time.Time, extra map[string]any) string {
	claims := map[string]any{
		"iss": testIssuer, "sub": "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk", "jti": "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e",
		"scopes": "mch_a mch_b", "iat": now.Unix(), "nbf": now.Unix() - 5, "exp": now.Unix() + 3600, "tier": "gold",
	}
	for k, v := range extra {
		if v == nil {
			delete(claims, k)
			continue
		}
		claims[k] = v
	}
	return mint(t, rsaKey(t, 0), map[string]any{"alg": "RS256", "kid": testKID, "typ": "JWT", "cat": "cl_B7d4PD333AAA"}, claims)
}

// oauthJWT is an OAuth access token in JWT format (RFC 9068).
func oauthJWT(t testing.TB, now time.Time, extra map[string]any) string {
	claims := map[string]any{
		"iss": testIssuer, "sub": "user_123", "jti": "oat_0123456789abcdef", "client_id": "client_1",
		"scope": "read write", "aud": "https://api.example.test", "iat": now.Unix(), "exp": now.Unix() + 3600,
	}
	for k, v := range extra {
		if v == nil {
			delete(claims, k)
			continue
		}
		claims[k] = v
	}
	return mint(t, rsaKey(t, 0), map[string]any{"alg": "RS256", "kid": testKID, "typ": "at+jwt"}, claims)
}

func opaqueToken(prefix string, n int) string {
	return prefix + strings.Repeat("0", 24) + strings.Repeat("f", 8-len(itoa(n))) + itoa(n)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
