package clerk

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// FuzzTokenTimes feeds arbitrary text as a minted token: reading its iat
// and exp (to decide how long to reuse it) must never panic, and times it
// returns must be in order. (Claims beyond ±2⁶² seconds overflow
// time.Time and come out in any order; only Clerk signs the tokens read
// here, and such a token merely gets reused while its own claims say it
// is valid, so the property is checked inside that range.)
func FuzzTokenTimes(f *testing.F) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, payload := range []string{
		`{"iat":1,"exp":2}`, `{"iat":2,"exp":1}`, `{"iat":1.5,"exp":2}`, `{"iat":"1","exp":"2"}`,
		`{"iat":1e3,"exp":1e4}`, `{"iat":-9223372036854775808,"exp":9223372036854775807}`,
		`{"iat":1,"exp":99999999999999999999}`, `{"exp":2}`, `null`, `[]`, `{"iat":null,"exp":null}`,
	} {
		f.Add("eyJhbGciOiJSUzI1NiJ9." + enc(payload) + ".c2ln")
	}
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, jwt string) {
		iat, exp, err := (&Token{JWT: jwt}).Times()
		if err != nil {
			if !iat.IsZero() || !exp.IsZero() {
				t.Fatal("times returned with an error")
			}
			return
		}
		const limit = 1 << 62
		if u, v := iat.Unix(), exp.Unix(); u > -limit && u < limit && v > -limit && v < limit && !exp.After(iat) {
			t.Fatalf("exp %v not after iat %v", exp, iat)
		}
	})
}

// FuzzPublishableKey feeds arbitrary CLERK_PUBLISHABLE_KEY values. The
// host decoded from one becomes the issuer and the JWKS URL, so whatever it
// is, "https://"+host must parse back to exactly that host, with no path,
// user, query or fragment smuggled in.
func FuzzPublishableKey(f *testing.F) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, host := range []string{
		"clerk.example.com$", "clerk.example.com:8443$", "evil.com/x$", "a@b.com$", "a.com?x$", "a.com#x$",
		"$", "a.com", "a.com$$", "[::1]$", "xn--bcher-kva.example$", "a_b.com$", "a.com$\n",
	} {
		f.Add("pk_test_" + enc(host))
		f.Add("pk_live_" + strings.TrimRight(enc(host), "="))
	}
	f.Add("pk_test_")
	f.Add("sk_test_abc")
	f.Fuzz(func(t *testing.T, pk string) {
		host, err := frontendAPIHost(pk)
		if err != nil {
			return
		}
		u, err := url.Parse("https://" + host + "/.well-known/jwks.json")
		if err != nil {
			t.Fatalf("host %q gives an unparsable URL: %v", host, err)
		}
		if u.Host != host || u.User != nil || u.Path != "/.well-known/jwks.json" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("host %q changes the URL: %#v", host, u)
		}
		suffix := sessionCookieSuffix(pk)
		if len(suffix) != 8 || strings.ContainsAny(suffix, "=;, ") {
			t.Fatalf("cookie suffix %q", suffix)
		}
	})
}

// TestFrontendAPIHostPort is FuzzPublishableKey's finding kept as a table:
// a publishable key whose host had a colon but no numeric port was
// accepted, and the Authenticator then failed on every request instead of
// at construction.
func TestFrontendAPIHostPort(t *testing.T) {
	for host, ok := range map[string]bool{
		"clerk.example.com": true, "clerk.example.com:8443": true, "localhost:1": true, "a.b:65535": true,
		"cM:cM": false, "a:": false, ":443": false, "a:0": false, "a:65536": false, "a:1:2": false,
		"a:+1": false, "a:-1": false, "a: 1": false, "a:١": false, "a_b.com": false,
	} {
		pk := "pk_test_" + base64.StdEncoding.EncodeToString([]byte(host+"$"))
		got, err := frontendAPIHost(pk)
		if ok != (err == nil) || ok && got != host {
			t.Errorf("host %q: got %q, %v; want accepted=%v", host, got, err, ok)
		}
	}
}
