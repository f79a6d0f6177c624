package clerktest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

const (
	userID27 = "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
	orgID27  = "org_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
)

func TestCreateAPIKeyEndpoint(t *testing.T) {
	for _, prefix := range []string{"/v1", ""} {
		f := newMachineFixture(t)
		r := post(t, f.srv, prefix+"/api_keys", f.srv.SecretKey(), jsonBody(t, map[string]any{
			"name": "ci-key", "subject": orgID27, "scopes": []string{"read", "write"},
			"claims": map[string]any{"team": "infra"}, "created_by": userID27,
			"description": "for CI", "seconds_until_expiration": 86400, "type": "api_key",
		}))
		m := shape(t, r, http.StatusOK, apiKeyCreateReq, apiKeyOptional)
		if !apiKeyIDPattern.MatchString(m["id"].(string)) || !hexSecret("ak_").MatchString(m["secret"].(string)) {
			t.Errorf("id %v, secret %v", m["id"], m["secret"])
		}
		want := map[string]any{"object": "api_key", "type": "api_key", "name": "ci-key", "subject": orgID27, "description": "for CI", "created_by": userID27, "revoked": false, "expired": false}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s = %v, want %v", k, m[k], v)
			}
		}
		if !jsonEqual(t, m["scopes"], []string{"read", "write"}) || !jsonEqual(t, m["claims"], map[string]any{"team": "infra"}) {
			t.Errorf("scopes %v, claims %v", m["scopes"], m["claims"])
		}
		if num(t, m["expiration"]) != fixedNow.Add(24*time.Hour).UnixMilli() || num(t, m["created_at"]) != fixedNow.UnixMilli() || m["last_used_at"] != nil || m["revocation_reason"] != nil {
			t.Errorf("times/state: %s", r.body)
		}

		// The minimal body: nulls and empty lists where nothing was given.
		r = post(t, f.srv, prefix+"/api_keys", f.srv.SecretKey(), `{"name":"min","subject":"`+userID27+`"}`)
		m = shape(t, r, http.StatusOK, apiKeyCreateReq, apiKeyOptional)
		if m["expiration"] != nil || m["claims"] != nil || m["created_by"] != nil || m["description"] != nil || !jsonEqual(t, m["scopes"], []string{}) || m["type"] != "api_key" {
			t.Errorf("minimal key = %s", r.body)
		}
	}
}

func TestCreateAPIKeyRefusals(t *testing.T) {
	f := newMachineFixture(t)
	for name, body := range map[string]string{
		"empty":               ``,
		"no name":             `{"subject":"` + userID27 + `"}`,
		"no subject":          `{"name":"key"}`,
		"short name":          `{"name":"ab","subject":"` + userID27 + `"}`,
		"padded name":         `{"name":" key ","subject":"` + userID27 + `"}`,
		"short subject":       `{"name":"key","subject":"user_1"}`,
		"session subject":     `{"name":"key","subject":"sess_2xhFjEI5X2qWRvtV13BzSj8H6Dk"}`,
		"bad created_by":      `{"name":"key","subject":"` + userID27 + `","created_by":"` + orgID27 + `"}`,
		"short type":          `{"name":"key","subject":"` + userID27 + `","type":"ak"}`,
		"long description":    `{"name":"key","subject":"` + userID27 + `","description":"` + strings.Repeat("d", 256) + `"}`,
		"scopes not strings":  `{"name":"key","subject":"` + userID27 + `","scopes":[1]}`,
		"claims not object":   `{"name":"key","subject":"` + userID27 + `","claims":"x"}`,
		"zero lifetime":       `{"name":"key","subject":"` + userID27 + `","seconds_until_expiration":0}`,
		"unknown member":      `{"name":"key","subject":"` + userID27 + `","secret":"ak_x"}`,
		"trailing data":       `{"name":"key","subject":"` + userID27 + `"} {}`,
		"name of wrong type":  `{"name":["key"],"subject":"` + userID27 + `"}`,
		"subject of org kind": `{"name":"key","subject":"org_short"}`,
	} {
		if code := errorCode(t, post(t, f.srv, "/api_keys", f.srv.SecretKey(), body), http.StatusBadRequest); code != "bad_request" {
			t.Errorf("%s: code %q", name, code)
		}
	}
	ok := `{"name":"key","subject":"` + userID27 + `"}`
	if code := errorCode(t, post(t, f.srv, "/api_keys", f.caller.SecretKey, ok), http.StatusUnauthorized); code != "clerk_key_invalid" {
		t.Errorf("machine key: code %q", code)
	}
}

func TestVerifyAndRevokeAPIKey(t *testing.T) {
	f := newMachineFixture(t)
	live := must(f.srv.CreateAPIKey("user_1", "live", clerktest.MachineTokenScopes("read"), clerktest.MachineTokenClaims(map[string]any{"k": 1})))
	expired := must(f.srv.CreateAPIKey("org_1", "old", clerktest.MachineTokenExpired()))
	revoked := must(f.srv.CreateAPIKey("user_1", "gone", clerktest.MachineTokenRevoked("")))
	body := func(secret string) string { return jsonBody(t, map[string]string{"secret": secret}) }

	for _, prefix := range []string{"/v1", ""} {
		m := shape(t, post(t, f.srv, prefix+"/api_keys/verify", f.srv.SecretKey(), body(live.Secret)), http.StatusOK, apiKeyRequired, apiKeyOptional)
		if m["id"] != live.ID || m["subject"] != "user_1" || m["name"] != "live" || m["expiration"] != nil || !jsonEqual(t, m["claims"], map[string]any{"k": 1}) || !jsonEqual(t, m["scopes"], []string{"read"}) {
			t.Errorf("live: %v", m)
		}
	}
	m := shape(t, post(t, f.srv, "/api_keys/verify", f.srv.SecretKey(), body(expired.Secret)), http.StatusOK, apiKeyRequired, apiKeyOptional)
	if m["expired"] != true || num(t, m["expiration"]) != fixedNow.Add(-time.Minute).UnixMilli() {
		t.Errorf("expired: %v", m)
	}
	m = shape(t, post(t, f.srv, "/api_keys/verify", f.srv.SecretKey(), body(revoked.Secret)), http.StatusOK, apiKeyRequired, apiKeyOptional)
	if m["revoked"] != true || m["revocation_reason"] != nil {
		t.Errorf("revoked: %v", m)
	}
	for _, secret := range []string{live.ID, f.caller.SecretKey, "ak_00000000000000000000000000000000"} {
		if code := errorCode(t, post(t, f.srv, "/api_keys/verify", f.srv.SecretKey(), body(secret)), http.StatusNotFound); code != "resource_not_found" {
			t.Errorf("secret %.6s…: code %q", secret, code)
		}
	}
	for _, bad := range []string{``, `{}`, `{"secret":""}`, `{"token":"x"}`} {
		if code := errorCode(t, post(t, f.srv, "/api_keys/verify", f.srv.SecretKey(), bad), http.StatusBadRequest); code != "bad_request" {
			t.Errorf("body %s: code %q", bad, code)
		}
	}
	// A machine secret key is not the instance key.
	if code := errorCode(t, post(t, f.srv, "/api_keys/verify", f.caller.SecretKey, body(live.Secret)), http.StatusUnauthorized); code != "clerk_key_invalid" {
		t.Errorf("machine key: code %q", code)
	}

	f.clock.Advance(time.Minute)
	for _, prefix := range []string{"/v1", ""} {
		m = shape(t, post(t, f.srv, prefix+"/api_keys/"+live.ID+"/revoke", f.srv.SecretKey(), `{"revocation_reason":"leaked"}`), http.StatusOK, apiKeyRequired, apiKeyOptional)
		if m["revoked"] != true || m["revocation_reason"] != "leaked" || num(t, m["updated_at"]) != fixedNow.Add(time.Minute).UnixMilli() {
			t.Errorf("revoke: %v", m)
		}
	}
	if got, _ := f.srv.APIKey(live.ID); !got.Revoked || got.RevocationReason != "leaked" {
		t.Errorf("stored after revoke: %+v", got)
	}
	if code := errorCode(t, post(t, f.srv, "/api_keys/ak_00000000000000000000000000000000/revoke", f.srv.SecretKey(), `{}`), http.StatusNotFound); code != "resource_not_found" {
		t.Errorf("unknown id: code %q", code)
	}
	if err := f.srv.RevokeAPIKey("ak_missing", ""); !errors.Is(err, clerktest.ErrAPIKeyNotFound) {
		t.Errorf("Go revoke of unknown key: %v", err)
	}
	for name, err := range map[string]error{
		"JWT":        second(f.srv.CreateAPIKey("user_1", "k", clerktest.MachineTokenJWT())),
		"audience":   second(f.srv.CreateAPIKey("user_1", "k", clerktest.MachineTokenAudience("a"))),
		"no subject": second(f.srv.CreateAPIKey("", "k")),
		"no name":    second(f.srv.CreateAPIKey("user_1", "")),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
