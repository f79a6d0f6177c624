package jose_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/core/internal/jose"
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
	pub, err := jose.ParsePublicKey(fuzzPublicPEM)
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
		keys, err := jose.ParseJWKS(body)
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
			if k.Pub == nil || k.Pub.N.BitLen() < jose.MinRSABits || k.Pub.E < 3 || k.Pub.E%2 == 0 {
				t.Fatalf("kid %q: unusable key accepted", kid)
			}
			switch k.Alg {
			case "", "RS256", "RS384", "RS512":
			default:
				t.Fatalf("kid %q: algorithm %q accepted", kid, k.Alg)
			}
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
		pub, err := jose.ParsePublicKey(text)
		if err != nil {
			return
		}
		if pub == nil || pub.N.BitLen() < jose.MinRSABits || pub.E < 3 || pub.E%2 == 0 {
			t.Fatal("unusable key accepted")
		}
	})
}
