package clerktest_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

func TestVerifyOAuthTokenEndpoint(t *testing.T) {
	f := newMachineFixture(t)
	opaque := must(f.srv.CreateOAuthToken(userID27, "client_1", clerktest.MachineTokenScopes("email", "profile"), clerktest.MachineTokenAudience("https://api.example.com")))
	plain := must(f.srv.CreateOAuthToken(userID27, "client_1"))
	jwt := must(f.srv.CreateOAuthToken(userID27, "client_1", clerktest.MachineTokenJWT(), clerktest.MachineTokenScopes("email")))
	expiredOpaque := must(f.srv.CreateOAuthToken(userID27, "client_1", clerktest.MachineTokenExpired()))
	expiredJWT := must(f.srv.CreateOAuthToken(userID27, "client_1", clerktest.MachineTokenJWT(), clerktest.MachineTokenExpired()))
	revoked := must(f.srv.CreateOAuthToken(userID27, "client_1", clerktest.MachineTokenRevoked("user signed out")))
	foreign := must(f.srv.CreateOAuthToken(userID27, "client_1", clerktest.MachineTokenJWT(), clerktest.MachineTokenSignedBy(testKeys()[1], f.srv.KeyID())))
	const path = "/oauth_applications/access_tokens/verify"
	body := func(tok string) string { return jsonBody(t, map[string]string{"access_token": tok}) }

	for _, prefix := range []string{"/v1", ""} {
		m := shape(t, post(t, f.srv, prefix+path, f.srv.SecretKey(), body(opaque.Token)), http.StatusOK, oauthRequired, oauthOptional)
		if m["object"] != "clerk_idp_oauth_access_token" || m["id"] != opaque.ID || m["client_id"] != "client_1" || m["subject"] != userID27 ||
			!jsonEqual(t, m["scopes"], []string{"email", "profile"}) || !jsonEqual(t, m["aud"], []string{"https://api.example.com"}) ||
			m["revoked"] != false || m["expired"] != false || num(t, m["expiration"]) != fixedNow.Add(time.Hour).UnixMilli() {
			t.Errorf("%s opaque: %v", prefix, m)
		}
	}
	if !oauthIDPattern.MatchString(opaque.ID) || !hexSecret("oat_").MatchString(opaque.Token) {
		t.Errorf("id %q, token %q", opaque.ID, opaque.Token)
	}
	m := shape(t, post(t, f.srv, path, f.srv.SecretKey(), body(plain.Token)), http.StatusOK, oauthRequired, nil)
	if !jsonEqual(t, m["scopes"], []string{}) {
		t.Errorf("no scopes: %v", m["scopes"])
	}
	// The deprecated member name still works.
	m = shape(t, post(t, f.srv, path, f.srv.SecretKey(), jsonBody(t, map[string]string{"secret": jwt.Token})), http.StatusOK, oauthRequired, oauthOptional)
	if m["id"] != jwt.ID || !jsonEqual(t, m["scopes"], []string{"email"}) {
		t.Errorf("JWT: %v", m)
	}
	m = shape(t, post(t, f.srv, path, f.srv.SecretKey(), body(expiredOpaque.Token)), http.StatusOK, oauthRequired, oauthOptional)
	if m["expired"] != true {
		t.Errorf("expired opaque: %v", m)
	}
	m = shape(t, post(t, f.srv, path, f.srv.SecretKey(), body(revoked.Token)), http.StatusOK, oauthRequired, oauthOptional)
	if m["revoked"] != true || m["revocation_reason"] != "user signed out" {
		t.Errorf("revoked: %v", m)
	}
	// An expired JWT gets the specification's second answer form.
	m = shape(t, post(t, f.srv, path, f.srv.SecretKey(), body(expiredJWT.Token)), http.StatusOK, []string{"active"}, nil)
	if m["active"] != false {
		t.Errorf("expired JWT: %v", m)
	}
	for name, tok := range map[string]string{"unknown": "oat_00000000000000000000000000000000", "foreign signature": foreign.Token, "id": opaque.ID} {
		if code := errorCode(t, post(t, f.srv, path, f.srv.SecretKey(), body(tok)), http.StatusNotFound); code != "resource_not_found" {
			t.Errorf("%s: code %q", name, code)
		}
	}
	for _, bad := range []string{``, `{}`, `{"access_token":""}`, `{"access_token":7}`, `[]`} {
		if code := errorCode(t, post(t, f.srv, path, f.srv.SecretKey(), bad), http.StatusBadRequest); code != "bad_request" {
			t.Errorf("body %s: code %q", bad, code)
		}
	}
	if code := errorCode(t, post(t, f.srv, path, f.api.SecretKey, body(opaque.Token)), http.StatusUnauthorized); code != "clerk_key_invalid" {
		t.Errorf("machine key: code %q", code)
	}

	// Revocation through the Go API shows in the next answer; a retired
	// key makes its JWTs unknown.
	mustOK(f.srv.RevokeOAuthToken(jwt.ID, ""))
	if m := shape(t, post(t, f.srv, path, f.srv.SecretKey(), body(jwt.Token)), http.StatusOK, oauthRequired, oauthOptional); m["revoked"] != true {
		t.Errorf("after RevokeOAuthToken: %v", m)
	}
	old := f.srv.KeyID()
	mustOK(f.srv.RotateKeyTo(testKeys()[2], "ins_next"))
	mustOK(f.srv.RetireKey(old))
	if code := errorCode(t, post(t, f.srv, path, f.srv.SecretKey(), body(jwt.Token)), http.StatusNotFound); code != "resource_not_found" {
		t.Errorf("retired key: code %q", code)
	}
	if err := f.srv.RevokeOAuthToken("oat_missing", ""); !errors.Is(err, clerktest.ErrOAuthTokenNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}
	for name, err := range map[string]error{
		"claims":    second(f.srv.CreateOAuthToken(userID27, "c", clerktest.MachineTokenClaims(map[string]any{"a": 1}))),
		"no client": second(f.srv.CreateOAuthToken(userID27, "")),
		"payload":   second(f.srv.CreateOAuthToken(userID27, "c", clerktest.MachineTokenPayload(map[string]any{"a": 1}))),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got, ok := f.srv.OAuthToken(opaque.ID); !ok || got.Token != opaque.Token || got.Revoked {
		t.Errorf("OAuthToken = %+v, %v", got, ok)
	}
}
