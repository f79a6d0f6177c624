package clerktest_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

func TestInstanceIdentityDefaults(t *testing.T) {
	srv := clerktest.Start(t) // generated key: exercises the default path
	if !regexp.MustCompile(`^sk_test_[A-Za-z0-9]{32,}$`).MatchString(srv.SecretKey()) {
		t.Errorf("SecretKey = %q", srv.SecretKey())
	}
	if !regexp.MustCompile(`^ins_[A-Za-z0-9]{27}$`).MatchString(srv.KeyID()) {
		t.Errorf("KeyID = %q", srv.KeyID())
	}
	if !regexp.MustCompile(`^https://[a-z]+-[a-z]+-\d\d\.clerk\.accounts\.dev$`).MatchString(srv.Issuer()) {
		t.Errorf("Issuer = %q", srv.Issuer())
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(srv.URL) {
		t.Errorf("URL = %q", srv.URL)
	}
	pk, ok := strings.CutPrefix(srv.PublishableKey(), "pk_test_")
	if !ok {
		t.Fatalf("PublishableKey = %q", srv.PublishableKey())
	}
	host, err := base64.StdEncoding.DecodeString(pk)
	if err != nil {
		t.Fatal(err)
	}
	if "https://"+strings.TrimSuffix(string(host), "$") != srv.Issuer() || !strings.HasSuffix(string(host), "$") {
		t.Errorf("publishable key decodes to %q, issuer %q", host, srv.Issuer())
	}

	block, _ := pem.Decode([]byte(srv.PublicKeyPEM()))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("PublicKeyPEM = %q", srv.PublicKeyPEM())
	}
	if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
		t.Fatal(err)
	}
}

func TestInstanceIdentityOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []clerktest.Option
		issuer  string
		pk      string
		sk      string
		keyID   string
		keyIndx int
	}{
		{
			name:   "issuer",
			opts:   []clerktest.Option{clerktest.WithIssuer("https://clerk.example.com/"), clerktest.WithSecretKey("sk_test_fixed"), clerktest.WithKeyID("ins_fixed")},
			issuer: "https://clerk.example.com",
			pk:     "pk_test_" + base64.StdEncoding.EncodeToString([]byte("clerk.example.com$")),
			sk:     "sk_test_fixed",
			keyID:  "ins_fixed",
		},
		{
			name:   "frontend host and live key",
			opts:   []clerktest.Option{clerktest.WithFrontendAPIHost("happy-cat-12.clerk.accounts.dev"), clerktest.WithSecretKey("sk_live_fixed"), clerktest.WithKeyID("ins_live")},
			issuer: "https://happy-cat-12.clerk.accounts.dev",
			pk:     "pk_live_aGFwcHktY2F0LTEyLmNsZXJrLmFjY291bnRzLmRldiQ=",
			sk:     "sk_live_fixed",
			keyID:  "ins_live",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.opts...)
			if srv.Issuer() != tt.issuer || srv.PublishableKey() != tt.pk || srv.SecretKey() != tt.sk || srv.KeyID() != tt.keyID {
				t.Errorf("got %q %q %q %q", srv.Issuer(), srv.PublishableKey(), srv.SecretKey(), srv.KeyID())
			}
		})
	}
}

func TestJWKSEndpoints(t *testing.T) {
	srv := start(t, clerktest.WithKeyID("ins_one"))
	key := testKeys()[0]
	wantJWK := map[string]any{
		"use": "sig", "kty": "RSA", "kid": "ins_one", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": "AQAB",
	}
	tests := []struct {
		name, method, path, auth string
		status                   int
		code                     string
	}{
		{"authenticated", http.MethodGet, "/v1/jwks", bearer(srv), 200, ""},
		{"authenticated HEAD", http.MethodHead, "/v1/jwks", bearer(srv), 200, ""},
		{"public", http.MethodGet, "/.well-known/jwks.json", "", 200, ""},
		{"public ignores a bad key", http.MethodGet, "/.well-known/jwks.json", "Bearer sk_test_wrong", 200, ""},
		{"no key", http.MethodGet, "/v1/jwks", "", 401, "authorization_header_format_invalid"},
		{"wrong key", http.MethodGet, "/v1/jwks", "Bearer sk_test_wrong", 401, "clerk_key_invalid"},
		{"POST", http.MethodPost, "/v1/jwks", bearer(srv), 405, "method_not_allowed"},
		{"DELETE public", http.MethodDelete, "/.well-known/jwks.json", "", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, tt.method, tt.path, tt.auth, "")
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", r.status, tt.status, r.body)
			}
			if tt.code != "" {
				if got := parseErrors(t, r).Errors[0].Code; got != tt.code {
					t.Errorf("code = %q, want %q", got, tt.code)
				}
				return
			}
			if tt.method == http.MethodHead {
				return
			}
			if string(r.body) != string(srv.JWKS()) || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("body %s (%s), want %s", r.body, r.header.Get("Content-Type"), srv.JWKS())
			}
			var set struct {
				Keys []map[string]any `json:"keys"`
			}
			if err := json.Unmarshal(r.body, &set); err != nil {
				t.Fatal(err)
			}
			if len(set.Keys) != 1 || !jsonEqual(t, set.Keys[0], wantJWK) {
				t.Errorf("keys = %v, want [%v]", set.Keys, wantJWK)
			}
		})
	}
	// Field order as Clerk serves it, for byte-level comparisons by clients.
	if !strings.HasPrefix(string(srv.JWKS()), `{"keys":[{"use":"sig","kty":"RSA","kid":"ins_one","alg":"RS256","n":"`) {
		t.Errorf("JWKS = %s", srv.JWKS())
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	srv := start(t)
	mustOK(srv.AddTemplate(clerktest.Template{Name: "tpl"}))
	active := srv.CreateSession("user_1")
	var gone []string
	for _, end := range []func(string) error{srv.EndSession, srv.RevokeSession, srv.ExpireSession} {
		s := srv.CreateSession("user_1")
		if err := end(s.ID); err != nil {
			t.Fatal(err)
		}
		gone = append(gone, s.ID)
	}
	ok := "/v1/sessions/" + active.ID + "/tokens"
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		code, long, param              string
		allow                          string
	}{
		{name: "unknown route", method: "GET", path: "/v1/users", auth: bearer(srv), status: 404, code: "resource_not_found"},
		{name: "unknown route without auth", method: "POST", path: "/nope", status: 404, code: "resource_not_found"},
		{name: "trailing slash", method: "POST", path: ok + "/", auth: bearer(srv), status: 404, code: "resource_not_found", long: "No JWT template exists with name: "},
		{name: "GET on tokens", method: "GET", path: ok, auth: bearer(srv), status: 405, code: "method_not_allowed", allow: "POST"},
		{name: "PUT on template tokens", method: "PUT", path: ok + "/tpl", auth: bearer(srv), status: 405, code: "method_not_allowed", allow: "POST"},
		{name: "no Authorization", method: "POST", path: ok, status: 401, code: "authorization_header_format_invalid"},
		{name: "Basic scheme", method: "POST", path: ok, auth: "Basic " + srv.SecretKey(), status: 401, code: "authorization_header_format_invalid"},
		{name: "lowercase bearer", method: "POST", path: ok, auth: "bearer " + srv.SecretKey(), status: 401, code: "authorization_header_format_invalid"},
		{name: "Bearer alone", method: "POST", path: ok, auth: "Bearer", status: 401, code: "authorization_header_format_invalid"},
		{name: "Bearer and space", method: "POST", path: ok, auth: "Bearer ", status: 401, code: "authorization_header_format_invalid"},
		{name: "two words", method: "POST", path: ok, auth: bearer(srv) + " extra", status: 401, code: "authorization_header_format_invalid"},
		{name: "wrong key", method: "POST", path: ok, auth: "Bearer sk_test_wrong", status: 401, code: "clerk_key_invalid"},
		{name: "key prefix only", method: "POST", path: ok, auth: bearer(srv)[:20], status: 401, code: "clerk_key_invalid"},
		{name: "unknown session", method: "POST", path: "/v1/sessions/sess_nope/tokens", auth: bearer(srv), status: 404, code: "resource_not_found"},
		{name: "unknown session with template", method: "POST", path: "/v1/sessions/sess_nope/tokens/tpl", auth: bearer(srv), status: 404, code: "resource_not_found", long: "Resource not found"},
		{name: "ended session", method: "POST", path: "/v1/sessions/" + gone[0] + "/tokens", auth: bearer(srv), status: 404, code: "resource_not_found", long: "Resource not found"},
		{name: "revoked session", method: "POST", path: "/v1/sessions/" + gone[1] + "/tokens/tpl", auth: bearer(srv), status: 404, code: "resource_not_found", long: "Resource not found"},
		{name: "expired session", method: "POST", path: "/v1/sessions/" + gone[2] + "/tokens", auth: bearer(srv), status: 404, code: "resource_not_found"},
		{name: "unknown template", method: "POST", path: ok + "/missing", auth: bearer(srv), status: 404, code: "resource_not_found", long: "No JWT template exists with name: missing"},
		{name: "escaped template name", method: "POST", path: ok + "/a%20b", auth: bearer(srv), status: 404, code: "resource_not_found", long: "No JWT template exists with name: a b"},
		{name: "expires too small", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":29}`, status: 422, code: "form_param_value_invalid", param: "expires_in_seconds"},
		{name: "expires zero", method: "POST", path: ok + "/tpl", auth: bearer(srv), body: `{"expires_in_seconds":0}`, status: 422, code: "form_param_value_invalid", param: "expires_in_seconds"},
		{name: "expires negative", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":-60}`, status: 422, code: "form_param_value_invalid", param: "expires_in_seconds"},
		{name: "expires too large", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":315360001}`, status: 422, code: "form_param_value_invalid", param: "expires_in_seconds"},
		{name: "expires fractional", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":60.5}`, status: 422, code: "form_param_format_invalid", param: "expires_in_seconds"},
		{name: "expires exponent", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":6e1}`, status: 422, code: "form_param_format_invalid", param: "expires_in_seconds"},
		{name: "expires string", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":"60"}`, status: 422, code: "form_param_format_invalid", param: "expires_in_seconds"},
		{name: "expires bool", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":true}`, status: 422, code: "form_param_format_invalid", param: "expires_in_seconds"},
		{name: "expires huge", method: "POST", path: ok, auth: bearer(srv), body: `{"expires_in_seconds":99999999999999999999}`, status: 422, code: "form_param_format_invalid", param: "expires_in_seconds"},
		{name: "unknown parameter", method: "POST", path: ok, auth: bearer(srv), body: `{"lifetime":60}`, status: 422, code: "form_param_unknown", param: "lifetime"},
		{name: "not JSON", method: "POST", path: ok, auth: bearer(srv), body: `expires_in_seconds=60`, status: 400, code: "request_body_invalid"},
		{name: "JSON array", method: "POST", path: ok, auth: bearer(srv), body: `[60]`, status: 400, code: "request_body_invalid"},
		{name: "JSON null", method: "POST", path: ok, auth: bearer(srv), body: `null`, status: 400, code: "request_body_invalid"},
		{name: "trailing data", method: "POST", path: ok, auth: bearer(srv), body: `{} {}`, status: 400, code: "request_body_invalid"},
		// Authentication comes before the body: a bad key never learns
		// whether its body was valid.
		{name: "bad body and bad key", method: "POST", path: ok, auth: "Bearer sk_test_wrong", body: `{"expires_in_seconds":1}`, status: 401, code: "clerk_key_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, tt.method, tt.path, tt.auth, tt.body)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", r.status, tt.status, r.body)
			}
			e := parseErrors(t, r)
			got := e.Errors[0]
			if got.Code != tt.code {
				t.Errorf("code = %q, want %q", got.Code, tt.code)
			}
			if tt.long != "" && got.LongMessage != tt.long {
				t.Errorf("long_message = %q, want %q", got.LongMessage, tt.long)
			}
			if tt.param != "" && got.Meta["param_name"] != tt.param {
				t.Errorf("meta = %v, want param_name %q", got.Meta, tt.param)
			}
			if r.header.Get("Allow") != tt.allow {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tt.allow)
			}
		})
	}
}

func TestTraceIDsDiffer(t *testing.T) {
	srv := start(t)
	a := parseErrors(t, do(t, srv, "GET", "/x", "", ""))
	b := parseErrors(t, do(t, srv, "GET", "/x", "", ""))
	if a.ClerkTraceID == b.ClerkTraceID {
		t.Errorf("two errors share trace id %q", a.ClerkTraceID)
	}
}

func TestTokenEndpointSuccess(t *testing.T) {
	srv := start(t, clerktest.WithClock(func() time.Time { return fixedNow }))
	if err := srv.AddTemplate(clerktest.Template{Name: "tpl", Lifetime: 300 * time.Second}); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_1")
	pending := srv.CreateSession("user_1", clerktest.WithSessionStatus(clerktest.SessionPending))
	base := "/v1/sessions/" + sess.ID + "/tokens"
	tests := []struct {
		name, path, body string
		lifetime         int64
		cat              string
	}{
		{"session token, no body", base, "", 60, clerktest.CategorySessionToken},
		{"session token, empty object", base, "{}", 60, clerktest.CategorySessionToken},
		{"session token, null lifetime", base, `{"expires_in_seconds":null}`, 60, clerktest.CategorySessionToken},
		{"session token, lifetime", base, `{"expires_in_seconds":120}`, 120, clerktest.CategorySessionToken},
		{"session token, lower bound", base, `{"expires_in_seconds":30}`, 30, clerktest.CategorySessionToken},
		{"session token, upper bound", base, `{"expires_in_seconds":315360000}`, 315360000, clerktest.CategorySessionToken},
		{"pending session", "/v1/sessions/" + pending.ID + "/tokens", "", 60, clerktest.CategorySessionToken},
		{"template token", base + "/tpl", "", 300, clerktest.CategoryTemplateToken},
		{"template token, lifetime", base + "/tpl", `{"expires_in_seconds":45}`, 45, clerktest.CategoryTemplateToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jwt := tokenFrom(t, do(t, srv, "POST", tt.path, bearer(srv), tt.body))
			header, claims := verified(t, srv, jwt)
			if header["cat"] != tt.cat {
				t.Errorf("cat = %v, want %s", header["cat"], tt.cat)
			}
			if got := num(t, claims["exp"]) - num(t, claims["iat"]); got != tt.lifetime {
				t.Errorf("exp - iat = %d, want %d", got, tt.lifetime)
			}
			if num(t, claims["iat"]) != fixedNow.Unix() {
				t.Errorf("iat = %v, want %d", claims["iat"], fixedNow.Unix())
			}
		})
	}
}

// Each path segment is decoded once: an escaped slash stays inside the id,
// and an escaped percent sign stays a percent sign.
func TestEscapedPathSegments(t *testing.T) {
	srv := start(t)
	slash := srv.CreateSession("user_1", clerktest.WithSessionID("sess/with/slash"))
	pct := srv.CreateSession("user_1", clerktest.WithSessionID("sess%2Fx"))
	if err := srv.AddTemplate(clerktest.Template{Name: "a/b c"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		status     int
		sid        string
	}{
		{"escaped slash in session", "/v1/sessions/sess%2Fwith%2Fslash/tokens", 200, slash.ID},
		{"lowercase escape", "/v1/sessions/sess%2fwith%2fslash/tokens", 200, slash.ID},
		{"raw slash is another route", "/v1/sessions/sess/with/slash/tokens", 404, ""},
		{"escaped percent", "/v1/sessions/sess%252Fx/tokens", 200, pct.ID},
		{"escaped template", "/v1/sessions/sess%2Fwith%2Fslash/tokens/a%2Fb%20c", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, "POST", tt.path, bearer(srv), "")
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", r.status, tt.status, r.body)
			}
			if tt.status != 200 {
				parseErrors(t, r)
				return
			}
			if got := srv.LastRequest().Path; got != tt.path {
				t.Errorf("recorded path = %q, want %q", got, tt.path)
			}
			_, claims := verified(t, srv, tokenFrom(t, r))
			if tt.sid != "" && claims["sid"] != tt.sid {
				t.Errorf("sid = %v, want %q", claims["sid"], tt.sid)
			}
		})
	}
}
