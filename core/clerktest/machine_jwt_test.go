package clerktest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

func TestM2MJWTShape(t *testing.T) {
	f := newMachineFixture(t)
	other := must(f.srv.AddMachine(clerktest.Machine{}))
	mustOK(f.srv.AddMachineScope(f.caller.ID, other.ID))
	tok := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenJWT(), clerktest.MachineTokenLifetime(10*time.Minute),
		clerktest.MachineTokenClaims(map[string]any{"tier": "gold", "sub": "mch_spoofed", "scopes": "mch_spoofed"})))
	header, payload := verifyRS256(t, f.srv, tok.Token)
	if !jsonEqual(t, header, map[string]any{"alg": "RS256", "kid": f.srv.KeyID(), "typ": "JWT", "cat": clerktest.CategoryM2MToken}) {
		t.Errorf("header = %v", header)
	}
	iat := fixedNow.Unix()
	want := map[string]any{
		"iss": "https://clerk.example.com", "sub": f.caller.ID, "jti": tok.ID,
		"scopes": f.api.ID + " " + other.ID, "iat": iat, "nbf": iat, "exp": iat + 600, "tier": "gold",
	}
	if !jsonEqual(t, payload, want) {
		t.Errorf("payload = %v\nwant      %v", payload, want)
	}
	if !m2mIDPattern.MatchString(tok.ID) || !tok.JWT || tok.Subject != f.caller.ID {
		t.Errorf("token = %+v", tok)
	}

	// POST /m2m_tokens with token_format jwt gives the same shape.
	r := post(t, f.srv, "/m2m_tokens", f.caller.SecretKey, `{"token_format":"jwt","claims":{"k":"v"}}`)
	m := shape(t, r, http.StatusCreated, m2mCreateRequired, m2mOptional)
	header, payload = verifyRS256(t, f.srv, m["token"].(string))
	if header["cat"] != clerktest.CategoryM2MToken || payload["k"] != "v" || payload["sub"] != f.caller.ID || num(t, payload["exp"]) != iat+3600 {
		t.Errorf("API JWT header %v payload %v", header, payload)
	}

	// No scopes: no scopes claim, rather than an empty string that
	// would split into one empty scope.
	_, payload = verifyRS256(t, f.srv, must(f.srv.CreateM2MToken(f.api.ID, clerktest.MachineTokenJWT())).Token)
	if _, ok := payload["scopes"]; ok {
		t.Errorf("unscoped machine's JWT has scopes %v", payload["scopes"])
	}

	// Raw overrides build the malformed tokens a verifier must refuse.
	bad := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenJWT(),
		clerktest.MachineTokenHeader(map[string]any{"cat": clerktest.CategorySessionToken}),
		clerktest.MachineTokenPayload(map[string]any{"scopes": []string{f.api.ID}, "nbf": nil})))
	header, payload = verifyRS256(t, f.srv, bad.Token)
	if header["cat"] != clerktest.CategorySessionToken || !jsonEqual(t, payload["scopes"], []string{f.api.ID}) {
		t.Errorf("overrides: header %v payload %v", header, payload)
	}
	if _, ok := payload["nbf"]; ok {
		t.Error("nil payload override kept nbf")
	}
	foreign := must(f.srv.CreateM2MToken(f.caller.ID, clerktest.MachineTokenJWT(), clerktest.MachineTokenSignedBy(testKeys()[1], "ins_foreign")))
	if h, _ := decoded(t, foreign.Token); h["kid"] != "ins_foreign" {
		t.Errorf("signed-by kid = %v", h["kid"])
	}
}

func TestOAuthJWTShape(t *testing.T) {
	f := newMachineFixture(t)
	tok := must(f.srv.CreateOAuthToken(userID27, "client_abc", clerktest.MachineTokenJWT(), clerktest.MachineTokenScopes("email", "profile"),
		clerktest.MachineTokenAudience("https://api.example.com"), clerktest.MachineTokenLifetime(5*time.Minute)))
	header, payload := verifyRS256(t, f.srv, tok.Token)
	if !jsonEqual(t, header, map[string]any{"alg": "RS256", "kid": f.srv.KeyID(), "typ": "at+jwt"}) {
		t.Errorf("header = %v", header)
	}
	iat := fixedNow.Unix()
	want := map[string]any{
		"iss": "https://clerk.example.com", "sub": userID27, "client_id": "client_abc", "scope": "email profile",
		"jti": tok.ID, "aud": "https://api.example.com", "iat": iat, "nbf": iat, "exp": iat + 300,
	}
	if !jsonEqual(t, payload, want) {
		t.Errorf("payload = %v\nwant      %v", payload, want)
	}
	if !oauthIDPattern.MatchString(tok.ID) {
		t.Errorf("id %q", tok.ID)
	}
	_, payload = verifyRS256(t, f.srv, must(f.srv.CreateOAuthToken(userID27, "c", clerktest.MachineTokenJWT(), clerktest.MachineTokenAudience("a", "b"))).Token)
	if !jsonEqual(t, payload["aud"], []string{"a", "b"}) {
		t.Errorf("two audiences: aud = %v", payload["aud"])
	}
	for _, claim := range []string{"scope", "aud"} {
		if _, ok := payload[claim]; ok != (claim == "aud") {
			t.Errorf("claim %s present = %v", claim, ok)
		}
	}
	notYet := must(f.srv.CreateOAuthToken(userID27, "c", clerktest.MachineTokenJWT(), clerktest.MachineTokenIssuedAt(fixedNow.Add(time.Minute))))
	if _, p := verifyRS256(t, f.srv, notYet.Token); num(t, p["nbf"]) != iat+60 {
		t.Errorf("issued-at option: nbf %v", p["nbf"])
	}
}
