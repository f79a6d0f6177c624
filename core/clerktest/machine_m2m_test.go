package clerktest_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

func TestAddMachine(t *testing.T) {
	srv := start(t)
	api := must(srv.AddMachine(clerktest.Machine{}))
	if !machineIDPattern.MatchString(api.ID) || !hexSecret("ak_").MatchString(api.SecretKey) {
		t.Errorf("generated id %q, secret key %q", api.ID, api.SecretKey)
	}
	if api.Name != api.ID || api.DefaultTokenTTL != time.Hour || api.CreatedAt.IsZero() {
		t.Errorf("defaults: %+v", api)
	}
	if _, err := srv.AddMachine(clerktest.Machine{Scopes: []string{"mch_missing"}}); !errors.Is(err, clerktest.ErrMachineNotFound) {
		t.Errorf("unknown scope: err = %v", err)
	}
	if _, err := srv.AddMachine(clerktest.Machine{SecretKey: api.SecretKey}); err == nil {
		t.Error("a second machine took the first one's secret key")
	}
	if _, err := srv.AddMachine(clerktest.Machine{SecretKey: srv.SecretKey()}); err == nil {
		t.Error("a machine took the instance secret key")
	}
	if _, err := srv.AddMachine(clerktest.Machine{DefaultTokenTTL: time.Millisecond}); err == nil {
		t.Error("a default TTL below one second was accepted")
	}
	caller := must(srv.AddMachine(clerktest.Machine{ID: "mch_caller", Name: "caller"}))
	mustOK(srv.AddMachineScope(caller.ID, api.ID))
	mustOK(srv.AddMachineScope(caller.ID, api.ID))
	if got, _ := srv.Machine(caller.ID); !slices.Equal(got.Scopes, []string{api.ID}) {
		t.Errorf("scopes after adding one twice = %v", got.Scopes)
	}
	if err := srv.AddMachineScope(caller.ID, "mch_missing"); !errors.Is(err, clerktest.ErrMachineNotFound) {
		t.Errorf("scope to unknown machine: err = %v", err)
	}
	got, _ := srv.Machine(caller.ID)
	got.Scopes[0] = "changed"
	if again, _ := srv.Machine(caller.ID); again.Scopes[0] != api.ID {
		t.Error("Machine shares its scopes with the caller")
	}
}

func TestCreateM2MTokenEndpoint(t *testing.T) {
	for _, prefix := range []string{"/v1", ""} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			f := newMachineFixture(t)
			r := post(t, f.srv, prefix+"/m2m_tokens", f.caller.SecretKey, `{"claims":{"tier":"gold","n":12345678901234567890}}`)
			m := shape(t, r, http.StatusCreated, m2mCreateRequired, m2mOptional)
			if m["object"] != "machine_to_machine_token" || m["subject"] != f.caller.ID || !jsonEqual(t, m["scopes"], []string{f.api.ID}) {
				t.Errorf("answer = %s", r.body)
			}
			id, _ := m["id"].(string)
			tok, _ := m["token"].(string)
			if !m2mIDPattern.MatchString(id) || !hexSecret("mt_").MatchString(tok) || id == tok {
				t.Errorf("id %q, token %q", id, tok)
			}
			if string(jsonOf(t, m["claims"])) != `{"n":12345678901234567890,"tier":"gold"}` {
				t.Errorf("claims = %s", jsonOf(t, m["claims"]))
			}
			ms := fixedNow.UnixMilli()
			if num(t, m["created_at"]) != ms || num(t, m["updated_at"]) != ms || num(t, m["expiration"]) != ms+time.Hour.Milliseconds() {
				t.Errorf("times = %v %v %v", m["created_at"], m["updated_at"], m["expiration"])
			}
			if m["revoked"] != false || m["expired"] != false || m["revocation_reason"] != nil || m["last_used_at"] != nil {
				t.Errorf("state = %s", r.body)
			}
			stored, ok := f.srv.M2MToken(id)
			if !ok || stored.Token != tok || stored.JWT {
				t.Errorf("stored = %+v, %v", stored, ok)
			}

			r = post(t, f.srv, prefix+"/m2m_tokens", f.caller.SecretKey, `{"token_format":"jwt","seconds_until_expiration":90,"claims":null,"min_remaining_ttl_seconds":100}`)
			m = shape(t, r, http.StatusCreated, m2mCreateRequired, m2mOptional)
			_, payload := verifyRS256(t, f.srv, m["token"].(string))
			if payload["jti"] != m["id"] || num(t, m["expiration"]) != fixedNow.Add(90*time.Second).UnixMilli() || m["claims"] != nil {
				t.Errorf("JWT answer %s, payload %v", r.body, payload)
			}
			if _, stored := f.srv.M2MToken(m["id"].(string)); stored {
				t.Error("a JWT M2M token was stored")
			}
			if r := post(t, f.srv, prefix+"/m2m_tokens", f.caller.SecretKey, ""); r.status != http.StatusCreated {
				t.Errorf("empty body: %d %s", r.status, r.body)
			}
		})
	}
}

func TestCreateM2MTokenRefusals(t *testing.T) {
	f := newMachineFixture(t)
	for _, c := range []struct {
		name, key, body string
		status          int
		code            string
	}{
		{"instance key", f.srv.SecretKey(), `{}`, 401, "authentication_invalid"},
		{"unknown key", "ak_00000000000000000000000000000000", `{}`, 401, "clerk_key_invalid"},
		{"no key", "", `{}`, 401, "authorization_header_format_invalid"},
		{"not JSON", f.caller.SecretKey, `token`, 400, "bad_request"},
		{"array", f.caller.SecretKey, `[]`, 400, "bad_request"},
		{"unknown member", f.caller.SecretKey, `{"scopes":[]}`, 400, "bad_request"},
		{"bad format", f.caller.SecretKey, `{"token_format":"paseto"}`, 400, "bad_request"},
		{"format not a string", f.caller.SecretKey, `{"token_format":1}`, 400, "bad_request"},
		{"zero lifetime", f.caller.SecretKey, `{"seconds_until_expiration":0}`, 400, "bad_request"},
		{"negative lifetime", f.caller.SecretKey, `{"seconds_until_expiration":-5}`, 400, "bad_request"},
		{"lifetime as text", f.caller.SecretKey, `{"seconds_until_expiration":"60"}`, 400, "bad_request"},
		{"lifetime above ten years", f.caller.SecretKey, `{"seconds_until_expiration":315360001}`, 400, "bad_request"},
		{"claims not an object", f.caller.SecretKey, `{"claims":["a"]}`, 400, "bad_request"},
		{"min ttl equal to default lifetime", f.caller.SecretKey, `{"min_remaining_ttl_seconds":3600}`, 400, "bad_request"},
		{"min ttl above lifetime", f.caller.SecretKey, `{"seconds_until_expiration":60,"min_remaining_ttl_seconds":61}`, 400, "bad_request"},
		{"min ttl negative", f.caller.SecretKey, `{"min_remaining_ttl_seconds":-1}`, 400, "bad_request"},
		{"min ttl fractional", f.caller.SecretKey, `{"min_remaining_ttl_seconds":1.5}`, 400, "bad_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, f.srv, "/m2m_tokens", c.key, c.body)
			if got := errorCode(t, r, c.status); got != c.code {
				t.Errorf("code %q, want %q", got, c.code)
			}
		})
	}
	if r := do(t, f.srv, "GET", "/v1/m2m_tokens/verify", "Bearer "+f.srv.SecretKey(), ""); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Errorf("GET verify: %d, Allow %q", r.status, r.header.Get("Allow"))
	}
}

// min_remaining_ttl_seconds returns a live opaque token of the same machine
// with the same claims and scopes instead of minting a new one.
func TestM2MTokenReuse(t *testing.T) {
	f := newMachineFixture(t)
	create := func(body string) string {
		t.Helper()
		m := shape(t, post(t, f.srv, "/m2m_tokens", f.caller.SecretKey, body), http.StatusCreated, m2mCreateRequired, m2mOptional)
		return m["token"].(string)
	}
	first := create(`{"claims":{"a":1},"min_remaining_ttl_seconds":600}`)
	if again := create(`{"claims":{"a":1},"min_remaining_ttl_seconds":600}`); again != first {
		t.Error("an equal live token was not reused")
	}
	if other := create(`{"claims":{"a":2},"min_remaining_ttl_seconds":600}`); other == first {
		t.Error("a token with other claims was reused")
	}
	if fresh := create(`{"claims":{"a":1}}`); fresh == first {
		t.Error("a token was reused without min_remaining_ttl_seconds")
	}
	f.clock.Advance(50 * time.Minute) // 10 minutes left: not enough for 601 s
	if late := create(`{"claims":{"a":1},"min_remaining_ttl_seconds":601}`); late == first {
		t.Error("a token with too little lifetime left was reused")
	}
	jwtBody := `{"token_format":"jwt","min_remaining_ttl_seconds":1}`
	if one, two := create(jwtBody), create(jwtBody); one == two {
		t.Error("a JWT was reused")
	}
	stored := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenRevoked("")))
	if reused := create(`{"min_remaining_ttl_seconds":1}`); reused == stored.Token {
		t.Error("a revoked token was reused")
	}
}

func TestVerifyM2MTokenEndpoint(t *testing.T) {
	f := newMachineFixture(t)
	live := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenClaims(map[string]any{"k": "v"})))
	revoked := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenRevoked("leaked")))
	expired := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenExpired()))
	jwt := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenJWT()))
	body := func(tok string) string { return jsonBody(t, map[string]string{"token": tok}) }

	for _, prefix := range []string{"/v1", ""} {
		for _, key := range []string{f.srv.SecretKey(), f.api.SecretKey} {
			r := post(t, f.srv, prefix+"/m2m_tokens/verify", key, body(live.Token))
			m := shape(t, r, http.StatusOK, m2mRequired, m2mOptional)
			if m["id"] != live.ID || m["subject"] != f.caller.ID || m["revoked"] != false || m["expired"] != false || !jsonEqual(t, m["claims"], map[string]any{"k": "v"}) {
				t.Errorf("%s live: %s", prefix, r.body)
			}
		}
	}
	m := shape(t, post(t, f.srv, "/m2m_tokens/verify", f.srv.SecretKey(), body(revoked.Token)), http.StatusOK, m2mRequired, m2mOptional)
	if m["revoked"] != true || m["revocation_reason"] != "leaked" || m["expired"] != false {
		t.Errorf("revoked answer = %v", m)
	}
	m = shape(t, post(t, f.srv, "/m2m_tokens/verify", f.api.SecretKey, body(expired.Token)), http.StatusOK, m2mRequired, m2mOptional)
	if m["expired"] != true || m["revoked"] != false || num(t, m["expiration"]) != fixedNow.Add(-time.Minute).UnixMilli() {
		t.Errorf("expired answer = %v", m)
	}

	// A token is as unknown to a machine it is not granted to, even the
	// machine that minted it, as a token that never existed.
	for name, c := range map[string]struct{ key, token string }{
		"other machine":  {f.stranger.SecretKey, live.Token},
		"minter":         {f.caller.SecretKey, live.Token},
		"unknown token":  {f.srv.SecretKey(), "mt_00000000000000000000000000000000"},
		"id, not token":  {f.srv.SecretKey(), live.ID},
		"JWT format":     {f.srv.SecretKey(), jwt.Token},
		"API key secret": {f.srv.SecretKey(), f.api.SecretKey},
	} {
		if code := errorCode(t, post(t, f.srv, "/m2m_tokens/verify", c.key, body(c.token)), http.StatusNotFound); code != "resource_not_found" {
			t.Errorf("%s: code %q", name, code)
		}
	}
	for _, bad := range []string{``, `{}`, `{"token":""}`, `{"token":null}`, `{"token":1}`, `{"token":"x","extra":1}`, `"x"`} {
		if code := errorCode(t, post(t, f.srv, "/m2m_tokens/verify", f.srv.SecretKey(), bad), http.StatusBadRequest); code != "bad_request" {
			t.Errorf("body %s: code %q", bad, code)
		}
	}
	if code := errorCode(t, post(t, f.srv, "/m2m_tokens/verify", "sk_test_wrong", body(live.Token)), http.StatusUnauthorized); code != "clerk_key_invalid" {
		t.Errorf("wrong key: code %q", code)
	}
}

func TestRevokeM2MTokenEndpoint(t *testing.T) {
	f := newMachineFixture(t)
	other := must(f.srv.AddMachine(clerktest.Machine{Scopes: []string{f.api.ID}}))
	for _, prefix := range []string{"/v1", ""} {
		tok := must(f.srv.CreateM2MToken(f.caller.ID))
		path := prefix + "/m2m_tokens/" + tok.ID + "/revoke"
		// Another machine, even one scoped to the same API, cannot revoke it.
		if code := errorCode(t, post(t, f.srv, path, other.SecretKey, `{}`), http.StatusNotFound); code != "resource_not_found" {
			t.Errorf("other machine: code %q", code)
		}
		f.clock.Advance(time.Second)
		m := shape(t, post(t, f.srv, path, f.caller.SecretKey, `{"revocation_reason":"rotated"}`), http.StatusOK, m2mRequired, m2mOptional)
		if m["revoked"] != true || m["revocation_reason"] != "rotated" || num(t, m["updated_at"]) != f.clock.Now().UnixMilli() || num(t, m["created_at"]) == num(t, m["updated_at"]) {
			t.Errorf("revoke answer = %v", m)
		}
		// Revoking again keeps the first revocation.
		m = shape(t, post(t, f.srv, path, f.srv.SecretKey(), ``), http.StatusOK, m2mRequired, m2mOptional)
		if m["revocation_reason"] != "rotated" {
			t.Errorf("second revoke = %v", m)
		}
		v := shape(t, post(t, f.srv, "/m2m_tokens/verify", f.api.SecretKey, jsonBody(t, map[string]string{"token": tok.Token})), http.StatusOK, m2mRequired, m2mOptional)
		if v["revoked"] != true {
			t.Errorf("verify after revoke = %v", v)
		}
	}
	tok := must(f.srv.CreateM2MToken(f.caller.ID))
	m := shape(t, post(t, f.srv, "/m2m_tokens/"+tok.ID+"/revoke", f.srv.SecretKey(), `{"revocation_reason":null}`), http.StatusOK, m2mRequired, m2mOptional)
	if m["revoked"] != true || m["revocation_reason"] != nil {
		t.Errorf("instance-key revoke = %v", m)
	}
	jwt := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenJWT()))
	for _, id := range []string{"mt_00000000000000000000000000000000", jwt.ID, "verify", "%2e%2e"} {
		if code := errorCode(t, post(t, f.srv, "/m2m_tokens/"+id+"/revoke", f.srv.SecretKey(), `{}`), http.StatusNotFound); code != "resource_not_found" {
			t.Errorf("revoke %s: code %q", id, code)
		}
	}
	if code := errorCode(t, post(t, f.srv, "/m2m_tokens/"+tok.ID+"/revoke", f.srv.SecretKey(), `{"reason":"x"}`), http.StatusBadRequest); code != "bad_request" {
		t.Errorf("unknown member: code %q", code)
	}
}

func TestM2MTokenGoAPI(t *testing.T) {
	f := newMachineFixture(t)
	tok := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenScopes("mch_x"), clerktest.MachineTokenLifetime(time.Minute)))
	if !slices.Equal(tok.Scopes, []string{"mch_x"}) || !tok.ExpiresAt.Equal(fixedNow.Add(time.Minute)) {
		t.Errorf("token = %+v", tok)
	}
	if err := f.srv.RevokeM2MToken(tok.ID, "done"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.srv.M2MToken(tok.ID); !got.Revoked || got.RevocationReason != "done" {
		t.Errorf("after revoke: %+v", got)
	}
	claims := map[string]any{"nested": map[string]any{"a": "b"}}
	withClaims := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenClaims(claims)))
	claims["nested"].(map[string]any)["a"] = "changed by the caller"
	withClaims.Claims["nested"].(map[string]any)["a"] = "changed in the copy"
	if got, _ := f.srv.M2MToken(withClaims.ID); got.Claims["nested"].(map[string]any)["a"] != "b" {
		t.Errorf("stored claims changed: %v", got.Claims)
	}
	for name, err := range map[string]error{
		"unknown machine":  second(f.srv.CreateM2MToken("mch_missing")),
		"audience":         second(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenAudience("x"))),
		"revoked JWT":      second(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenJWT(), clerktest.MachineTokenRevoked(""))),
		"header, opaque":   second(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenHeader(map[string]any{"x": 1}))),
		"signed, no kid":   second(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenJWT(), clerktest.MachineTokenSignedBy(testKeys()[1], ""))),
		"claims, not JSON": second(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenClaims(map[string]any{"f": func() {}}))),
		"negative":         second(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenLifetime(-time.Second))),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := f.srv.RevokeM2MToken("mt_missing", ""); !errors.Is(err, clerktest.ErrM2MTokenNotFound) {
		t.Errorf("revoke unknown: %v", err)
	}
	if _, err := f.srv.CreateM2MToken("mch_missing"); !errors.Is(err, clerktest.ErrMachineNotFound) {
		t.Errorf("unknown machine: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func jsonOf(t *testing.T, v any) []byte {
	t.Helper()
	return []byte(jsonBody(t, v))
}
