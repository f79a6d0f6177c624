package clerk

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/url"
	"strings"
	"testing"
)

// fuzzPublicPEM is a fixed RSA-2048 public key for seeds: generating one
// in every fuzz worker costs more than a whole smoke run.
const fuzzPublicPEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAo82OXYoUAnNSPBo3y5jj
fexOJPv5qxler4O8YvCW6I78QDjMhyTo4HgW9J01kJ6HquRrMvk5AMME6NwX9dLF
IUVvE9v9q9NlmpV0cl6YKYBekHBJulKnGz004zgMar4MUDePYqG/6w3CsftZP6/n
iWycZ1oRru+N4Ah4xhx9sDYTdp4WV6ziePfEdyVUsHDRP2u00tVbkyrCTLLoOYIZ
pAK1b+53DZwDSbZQ5gyFrNTKmEtiHKv3Qpv3LRMbhlAUXN42+JA6Eha/dSmkvIwl
5Gp9MxNhfMavJBppufFG/2+hjHu+RBDYANtx5WAxj1ZsWla8G4nBVoEXEB8BD+hl
FQIDAQAB
-----END PUBLIC KEY-----
`

func fuzzRSAKey(tb testing.TB) *rsa.PublicKey {
	tb.Helper()
	pub, err := parsePublicKey(fuzzPublicPEM)
	if err != nil {
		tb.Fatal(err)
	}
	return pub
}

// FuzzParseJWKS feeds arbitrary key set documents, as GET /v1/jwks or a
// Frontend API could answer them. Whatever the document holds, every key
// that comes out must be one the verifier may use: a kid, an RSA modulus
// of at least 2048 bits, a valid exponent and an RS algorithm or none.
func FuzzParseJWKS(f *testing.F) {
	pub := fuzzRSAKey(f)
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	rsaJWK := func(fields string) string {
		return `{"kty":"RSA","n":"` + n + `","e":"` + e + `"` + fields + `}`
	}
	for _, seed := range []string{
		`{"keys":[` + rsaJWK(`,"kid":"ins_1","use":"sig","alg":"RS256"`) + `]}`,
		`{"keys":[` + rsaJWK(`,"kid":"ins_1"`) + `,` + rsaJWK(`,"kid":"ins_1","alg":"RS512"`) + `]}`,
		`{"keys":[` + rsaJWK(`,"kid":"ins_1","use":"enc"`) + `,` + rsaJWK(`,"kid":"","alg":"RS256"`) + `]}`,
		`{"keys":[` + rsaJWK(`,"kid":"ins_1","alg":"PS256"`) + `,` + rsaJWK(`,"kid":"ins_2","alg":"none"`) + `]}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":"` + n + `==","e":"AQAB"}]}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":"` + n + `","e":"AQABAQAB"}]}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":"` + n + `","e":"Ag"}]}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-256","kid":"ec","x":"AA","y":"AA"},{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}`,
		`{"keys":[]}`, `{"keys":null}`, `{"keys":[null]}`, `{}`, `[]`, `null`, ``, `{"keys":{}}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":1,"e":"AQAB"}]}`,
		`{"KEYS":[` + rsaJWK(`,"KID":"ins_1"`) + `]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := parseJWKS(body)
		if err != nil {
			if keys != nil {
				t.Fatal("keys returned with an error")
			}
			if strings.Contains(err.Error(), string(body)) && len(body) > 40 {
				t.Fatalf("error quotes the document: %v", err)
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("no keys and no error")
		}
		for kid, k := range keys {
			if kid == "" {
				t.Fatal("a key without a kid")
			}
			if k.pub == nil || k.pub.N.BitLen() < minRSABits || k.pub.E < 3 || k.pub.E%2 == 0 {
				t.Fatalf("kid %q: unusable key accepted", kid)
			}
			switch k.alg {
			case "", "RS256", "RS384", "RS512":
			default:
				t.Fatalf("kid %q: algorithm %q accepted", kid, k.alg)
			}
		}
	})
}

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

// FuzzParsePublicKey feeds arbitrary CLERK_JWT_KEY values: PEM, bare
// base64, escaped newlines, other key types. Only RSA keys of at least
// 2048 bits may come out.
func FuzzParsePublicKey(f *testing.F) {
	der, err := x509.MarshalPKIXPublicKey(fuzzRSAKey(f))
	if err != nil {
		f.Fatal(err)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	bare := base64.StdEncoding.EncodeToString(der)
	f.Add(pemText)
	f.Add(strings.ReplaceAll(pemText, "\n", `\n`))
	f.Add(bare)
	f.Add(strings.TrimRight(bare, "="))
	f.Add(bare[:64] + "\n" + bare[64:])
	f.Add(strings.Replace(pemText, "PUBLIC KEY", "RSA PUBLIC KEY", 2))
	f.Add("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
	f.Add("sk_test_abc")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		pub, err := parsePublicKey(text)
		if err != nil {
			return
		}
		if pub == nil || pub.N.BitLen() < minRSABits || pub.E < 3 || pub.E%2 == 0 {
			t.Fatal("unusable key accepted")
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
