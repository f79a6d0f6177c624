package clerktest_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/go-jose/go-jose/v4"
)

// Generating RSA keys dominates test time, so tests share a few.
var testKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// fixedNow is the clock of deterministic tests.
var fixedNow = time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)

// start starts a server with a shared key (fast) and the given options.
func start(t *testing.T, opts ...clerktest.Option) *clerktest.Server {
	t.Helper()
	return clerktest.Start(t, append([]clerktest.Option{clerktest.WithKey(testKeys()[0])}, opts...)...)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; auth "" sends no Authorization header.
func do(t *testing.T, srv *clerktest.Server, method, path, auth, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func bearer(srv *clerktest.Server) string { return "Bearer " + srv.SecretKey() }

// clerkErrors mirrors the error body, with meta kept to check its presence.
type clerkErrors struct {
	Errors []struct {
		Code        string         `json:"code"`
		Message     string         `json:"message"`
		LongMessage string         `json:"long_message"`
		Meta        map[string]any `json:"meta"`
	} `json:"errors"`
	Meta         map[string]any `json:"meta"`
	ClerkTraceID string         `json:"clerk_trace_id"`
}

// parseErrors checks the invariants of every error answer and returns it.
func parseErrors(t *testing.T, r response) clerkErrors {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var e clerkErrors
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if len(e.Errors) != 1 || e.Errors[0].Code == "" || e.Errors[0].Message == "" || e.Errors[0].LongMessage == "" {
		t.Errorf("errors = %+v, want one complete error", e.Errors)
	}
	if len(e.Errors) > 0 && e.Errors[0].Meta == nil {
		t.Errorf("error meta missing in %s", r.body)
	}
	if e.Meta == nil || e.ClerkTraceID == "" {
		t.Errorf("meta or clerk_trace_id missing in %s", r.body)
	}
	return e
}

// tokenFrom extracts the jwt of a 200 token answer.
func tokenFrom(t *testing.T, r response) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, body %s", r.status, r.body)
	}
	var body map[string]string
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	if body["object"] != "token" || len(body) != 2 {
		t.Fatalf("token answer = %s", r.body)
	}
	return body["jwt"]
}

// verified checks the token's signature against the JWKS the server serves
// at /v1/jwks and returns its header and claims.
func verified(t *testing.T, srv *clerktest.Server, token string) (header, claims map[string]any) {
	t.Helper()
	r := do(t, srv, http.MethodGet, "/v1/jwks", bearer(srv), "")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatalf("JWKS %s: %v", r.body, err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	keys := set.Key(jws.Signatures[0].Protected.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: %d keys in JWKS", jws.Signatures[0].Protected.KeyID, len(keys))
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	header, _ = decodeSegment(t, token, 0)
	return header, decodeJSON(t, payload)
}

// decoded returns header and claims without verifying.
func decoded(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	h, _ := decodeSegment(t, token, 0)
	c, _ := decodeSegment(t, token, 1)
	return h, c
}

func decodeSegment(t *testing.T, token string, i int) (map[string]any, []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, b), b
}

// decodeJSON keeps numbers as json.Number so integer claims compare exactly.
func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return m
}

// jsonEqual compares through JSON, so Go values and decoded values match.
func jsonEqual(t *testing.T, got, want any) bool {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	return string(g) == string(w)
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// must and mustOK keep fixture set-up to one line: these calls fail only on
// a mistake in the test itself, so a panic is the right report.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func mustOK(err error) {
	if err != nil {
		panic(err)
	}
}
