package clerk_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// Test fixtures: a Clerk instance on the Frontend API host below, with
// RSA keys generated once per test binary.
const (
	testFAPIHost = "clerk.example.test"
	testIssuer   = "https://" + testFAPIHost
	testKID      = "ins_test1"
	testOrigin   = "https://app.example.test"
)

var (
	testPublishableKey = "pk_test_" + base64.StdEncoding.EncodeToString([]byte(testFAPIHost+"$"))
	// testNow is the fake clock's start: 2026-05-12T12:00:00Z.
	testNow = time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC)

	keysOnce sync.Once
	testKeys [3]*rsa.PrivateKey
)

// rsaKey returns test key i (0, 1 or 2).
func rsaKey(tb testing.TB, i int) *rsa.PrivateKey {
	tb.Helper()
	keysOnce.Do(func() {
		for n := range testKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys[n] = k
		}
	})
	return testKeys[i]
}

func publicPEM(tb testing.TB, k *rsa.PrivateKey) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// signRaw signs header and payload given as raw JSON text, so tests can
// build tokens encoding/json would never produce (duplicate keys, trailing
// data).
func signRaw(tb testing.TB, key *rsa.PrivateKey, alg, header, payload string) string {
	tb.Helper()
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	var h crypto.Hash
	var digest []byte
	switch alg {
	case "RS256":
		d := sha256.Sum256([]byte(input))
		h, digest = crypto.SHA256, d[:]
	case "RS384":
		d := sha512.Sum384([]byte(input))
		h, digest = crypto.SHA384, d[:]
	case "RS512":
		d := sha512.Sum512([]byte(input))
		h, digest = crypto.SHA512, d[:]
	default:
		tb.Fatalf("signRaw: unsupported alg %s", alg)
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, digest)
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + b64(sig)
}

// signHS256 signs with HMAC: the key-confusion attack, where the public
// key's PEM text is used as the HMAC secret.
func signHS256(header, payload string, secret []byte) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + b64(m.Sum(nil))
}

// sessionHeader is the header of a Clerk session token.
func sessionHeader(kid string) map[string]any {
	return map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT", "cat": "cl_B7d4PD111AAA"}
}

// sessionClaimsAt are v2 session claims issued at now, as Clerk mints them:
// exp = iat + 60, nbf = iat - 10.
func sessionClaimsAt(now time.Time) map[string]any {
	iat := now.Unix()
	return map[string]any{
		"azp": testOrigin,
		"exp": iat + 60,
		"fva": []int{3, -1},
		"iat": iat,
		"iss": testIssuer,
		"jti": "jti_0123456789",
		"nbf": iat - 10,
		"sid": "sess_123",
		"sts": "active",
		"sub": "user_123",
		"v":   2,
	}
}

// mint signs header and claims with key (RS256 unless the header says
// another RS algorithm).
func mint(tb testing.TB, key *rsa.PrivateKey, header, claims map[string]any) string {
	tb.Helper()
	alg, _ := header["alg"].(string)
	return signRaw(tb, key, alg, mustJSON(tb, header), mustJSON(tb, claims))
}

// validToken is a fresh session token signed by key 0 with testKID.
func validToken(tb testing.TB, now time.Time) string {
	return mint(tb, rsaKey(tb, 0), sessionHeader(testKID), sessionClaimsAt(now))
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: testNow} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// jwkFor renders a public key as a JWK.
func jwkFor(kid, alg string, pub *rsa.PublicKey) map[string]any {
	return map[string]any{
		"use": "sig", "kty": "RSA", "kid": kid, "alg": alg,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// jwksServer serves a key set at the Backend API path (/v1/jwks) and the
// Frontend API path (/.well-known/jwks.json), counting requests.
type jwksServer struct {
	*httptest.Server
	hits  atomic.Int64
	down  atomic.Bool
	delay atomic.Int64 // nanoseconds to wait before answering
	body  atomic.Pointer[[]byte]
}

func newJWKSServer(tb testing.TB, keys ...map[string]any) *jwksServer {
	tb.Helper()
	s := &jwksServer{}
	s.setKeys(tb, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if d := s.delay.Load(); d > 0 {
			select {
			case <-time.After(time.Duration(d)):
			case <-r.Context().Done():
				return
			}
		}
		if s.down.Load() {
			http.Error(w, `{"errors":[{"code":"unavailable"}]}`, http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path != "/v1/jwks" && r.URL.Path != "/.well-known/jwks.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(*s.body.Load())
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(tb testing.TB, keys ...map[string]any) {
	body := []byte(mustJSON(tb, map[string]any{"keys": keys}))
	s.body.Store(&body)
}

// backendClient is a Client whose Backend API is the test server, without
// retries so that failures are counted once.
func backendClient(tb testing.TB, s *jwksServer) *clerk.Client {
	tb.Helper()
	c, err := clerk.NewClient("sk_test_abcdef", clerk.WithAPIURL(s.URL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// fakeSource is a Carrier over plain maps, as a framework adapter would
// write one.
type fakeSource struct {
	headers map[string]string
	cookies map[string]string
}

func (f fakeSource) Header(name string) string { return f.headers[name] }

func (f fakeSource) Cookie(name string) (string, bool) {
	v, ok := f.cookies[name]
	return v, ok
}

func bearer(token string) fakeSource {
	return fakeSource{headers: map[string]string{"Authorization": "Bearer " + token}}
}

func newAuthenticator(tb testing.TB, opts ...clerk.AuthenticatorOption) *clerk.Authenticator {
	tb.Helper()
	a, err := clerk.NewAuthenticator(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func errorsAs(err error, target **clerk.AuthError) bool { return errors.As(err, target) }
