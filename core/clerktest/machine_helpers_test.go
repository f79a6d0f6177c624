package clerktest_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// Field lists of the specification's 200/201 schemas: required members,
// then the members allowed besides them (the schemas are closed).
var (
	m2mRequired       = []string{"object", "id", "subject", "revoked", "revocation_reason", "expired", "expiration", "last_used_at", "created_at", "updated_at"}
	m2mCreateRequired = append(slices.Clone(m2mRequired), "token")
	m2mOptional       = []string{"claims", "scopes"}
	apiKeyRequired    = []string{"object", "id", "type", "subject", "name", "claims", "scopes", "revoked", "revocation_reason", "expired", "expiration", "created_by", "last_used_at", "created_at", "updated_at"}
	apiKeyCreateReq   = append(slices.Clone(apiKeyRequired), "secret")
	apiKeyOptional    = []string{"description"}
	oauthRequired     = []string{"object", "id", "client_id", "subject", "scopes", "revoked", "revocation_reason", "expired", "expiration", "created_at", "updated_at"}
	// aud is the emulator's one addition, sent only when the token has
	// an audience, because Clerk's JavaScript SDK reads it.
	oauthOptional = []string{"aud"}
)

// Patterns of the specification.
var (
	machineIDPattern = regexp.MustCompile(`^mch_\w{27}$`)
	m2mIDPattern     = regexp.MustCompile(`^mt_[0-9A-Fa-f]{32}$`)
	apiKeyIDPattern  = regexp.MustCompile(`^ak_[0-9A-Fa-f]{32}$`)
	oauthIDPattern   = regexp.MustCompile(`^oat_[0-9A-Fa-f]{32}$`)
	hexSecret        = func(prefix string) *regexp.Regexp { return regexp.MustCompile(`^` + prefix + `[0-9a-f]{32}$`) }
)

// shape decodes a 2xx answer and checks it holds every required member and
// nothing outside required and optional.
func shape(t *testing.T, r response, status int, required, optional []string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	m := decodeJSON(t, r.body)
	for _, f := range required {
		if _, ok := m[f]; !ok {
			t.Errorf("answer lacks required %q: %s", f, r.body)
		}
	}
	for _, f := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(required, f) && !slices.Contains(optional, f) {
			t.Errorf("answer has %q, which the schema does not allow: %s", f, r.body)
		}
	}
	return m
}

// post sends a JSON body to path with "Bearer key" (no header for "").
func post(t *testing.T, srv *clerktest.Server, path, key, body string) response {
	t.Helper()
	auth := ""
	if key != "" {
		auth = "Bearer " + key
	}
	return do(t, srv, "POST", path, auth, body)
}

// errorCode checks an error answer's status and returns its code.
func errorCode(t *testing.T, r response, status int) string {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return parseErrors(t, r).Errors[0].Code
}

// machineFixture is a server with a caller machine scoped to an API
// machine, and a third machine with no relation to either.
type machineFixture struct {
	srv      *clerktest.Server
	api      clerktest.Machine
	caller   clerktest.Machine
	stranger clerktest.Machine
	clock    *lockedClock
}

// lockedClock is a settable clock that handler goroutines may read while
// the test moves it.
type lockedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *lockedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *lockedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newMachineFixture(t *testing.T) machineFixture {
	t.Helper()
	f := machineFixture{clock: &lockedClock{now: fixedNow}}
	f.srv = start(t, clerktest.WithClock(f.clock.Now), clerktest.WithIssuer("https://clerk.example.com"))
	f.api = must(f.srv.AddMachine(clerktest.Machine{Name: "api"}))
	f.caller = must(f.srv.AddMachine(clerktest.Machine{Name: "caller", Scopes: []string{f.api.ID}}))
	f.stranger = must(f.srv.AddMachine(clerktest.Machine{Name: "stranger"}))
	return f
}

// verifyRS256 checks token with the server's PEM public key using only
// the standard library and returns its decoded header and payload.
func verifyRS256(t *testing.T, srv *clerktest.Server, token string) (header, payload map[string]any) {
	t.Helper()
	block, _ := pem.Decode([]byte(srv.PublicKeyPEM()))
	if block == nil {
		t.Fatal("no PEM block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}
	return decoded(t, token)
}

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
