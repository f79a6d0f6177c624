package adapter_test

import (
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/adapter"
)

func panics(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), want) {
			t.Fatalf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

func TestConfig(t *testing.T) {
	authn, err := clerk.NewAuthenticator(clerk.WithJWTKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	panics(t, "clerkx: Middleware needs", func() { adapter.NewConfig("clerkx", nil, nil) })
	panics(t, "clerk.NewAuthenticator(clerk.WithClient(client))", func() { adapter.NewConfig("clerkx", nil, nil) })
	panics(t, "got none", func() { adapter.AcceptsToken() })
	panics(t, `"apikey" is not`, func() { adapter.AcceptsToken("apikey") })
	panics(t, "clerkx: RequireAuth: ", func() { adapter.Requirements("clerkx", []clerk.Requirement{clerk.Role("")}) })

	kinds := []clerk.TokenType{clerk.TokenTypeAPIKey}
	cfg := adapter.NewConfig("clerkx", authn, []adapter.Option{nil, adapter.AcceptsToken(kinds...), adapter.WithReasonHeader()})
	kinds[0] = clerk.TokenTypeSessionToken
	if len(cfg.Accepts) != 1 || cfg.Accepts[0] != clerk.TokenTypeAPIKey {
		t.Fatalf("accepts %v: the caller's slice changed a built config", cfg.Accepts)
	}
	if got := cfg.ReasonHeader(authn.Authenticate(t.Context(), nil)); got != string(clerk.ReasonSessionTokenMissing) {
		t.Fatalf("reason header %q", got)
	}
	if got := adapter.NewConfig("clerkx", authn, nil).ReasonHeader(nil); got != "" {
		t.Fatalf("reason header without the option: %q", got)
	}
	reqs := []clerk.Requirement{clerk.Role("admin")}
	kept := adapter.Requirements("clerkx", reqs)
	reqs[0] = clerk.Role("member")
	if kept[0] != clerk.Role("admin") {
		t.Fatal("Requirements kept the caller's slice")
	}
}

// testKey is a 2048-bit RSA public key, for building an Authenticator.
const testKey = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo
4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u
+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh
kd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ
0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdg
cKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbc
mwIDAQAB
-----END PUBLIC KEY-----`
