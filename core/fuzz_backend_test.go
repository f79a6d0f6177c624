package clerk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

// answer is one Backend API response built from fuzzed parts. declared is
// the Content-Length the answer claims (-1: unknown, as when chunked).
func answer(status int, retryAfter string, body []byte, declared int64) roundTripFunc {
	return func(r *http.Request) (*http.Response, error) {
		h := http.Header{"Content-Type": {"application/json"}}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{
			StatusCode: status, Header: h, Request: r,
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: declared,
		}, nil
	}
}

// fuzzStatus maps any int onto a status a server can send, 200 to 599.
func fuzzStatus(n int) int {
	if n < 0 {
		n = -(n + 1)
	}
	return 200 + n%400
}

// FuzzBackendAnswer feeds arbitrary token answers (status, Retry-After,
// body, declared length) to GetToken. It must never panic, and the outcome
// must be one the documentation promises: a JWT from a 2xx, or a typed
// error that holds neither the secret key nor the body.
func FuzzBackendAnswer(f *testing.F) {
	f.Add(200, "", []byte(`{"object":"token","jwt":"`+aJWT+`"}`), int64(-1))
	f.Add(200, "", []byte(`{"object":"token","jwt":"`+aJWT+`"}`), int64(20))
	f.Add(200, "", []byte(`{"jwt":"a.b"}`), int64(-1))
	f.Add(200, "", []byte(`{"jwt":null}`), int64(-1))
	f.Add(200, "", []byte(`<html>`), int64(6))
	f.Add(200, "", bytes.Repeat([]byte("a"), 2048), int64(-1))
	f.Add(204, "", []byte{}, int64(0))
	f.Add(429, "1", []byte(clerkErrorBody("too_many_requests", "slow down", "tr")), int64(-1))
	f.Add(503, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(`{"errors":[{"code":5}]}`), int64(-1))
	f.Add(404, "", []byte(clerkErrorBody("resource_not_found", "no", "tr")), int64(1<<40))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, declared int64) {
		status = fuzzStatus(status)
		calls := 0
		rt := answer(status, retryAfter, body, declared)
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			return rt(r)
		})}
		c, err := clerk.NewClient(testSecretKey, clerk.WithHTTPClient(hc), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}),
			clerk.WithMaxResponseBytes(1024))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.GetToken(context.Background(), "sess_1", "")
		if calls != 1 {
			t.Fatalf("%d round trips without retries", calls)
		}
		ok := status >= 200 && status < 300
		if err == nil {
			if !ok || strings.Count(tok.JWT, ".") != 2 {
				t.Fatalf("status %d gave token %q", status, tok.JWT)
			}
			return
		}
		if strings.Contains(err.Error(), testSecretKey) {
			t.Fatal("error shows the secret key")
		}
		var apiErr *clerk.APIError
		switch {
		case errors.As(err, &apiErr):
			if ok || apiErr.StatusCode != status {
				t.Fatalf("status %d gave %v", status, err)
			}
		case errors.Is(err, clerk.ErrInvalidResponse), errors.Is(err, clerk.ErrResponseTooLarge):
			if !ok {
				t.Fatalf("status %d gave %v", status, err)
			}
		case declared > int64(len(body)) && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)):
			// the declared length promised more than the body held: a
			// transport failure, retried when retries are on
		default:
			t.Fatalf("status %d: untyped error %v", status, err)
		}
	})
}

// FuzzBackendJWKSAnswer feeds arbitrary key set answers to an
// Authenticator using WithClient, then authenticates a valid token.
// Only a 2xx answer can sign it in; anything else must sign it out with a
// key-set reason, never panic.
func FuzzBackendJWKSAnswer(f *testing.F) {
	key := rsaKey(f, 0)
	good := []byte(mustJSON(f, map[string]any{"keys": []any{jwkFor(testKID, "RS256", &key.PublicKey)}}))
	other := []byte(mustJSON(f, map[string]any{"keys": []any{jwkFor(testKID, "RS256", &rsaKey(f, 1).PublicKey)}}))
	f.Add(200, good, int64(-1))
	f.Add(200, good, int64(len(good)+1))
	f.Add(200, other, int64(-1))
	f.Add(200, []byte(nonRSAJWKS), int64(-1))
	f.Add(200, []byte(`{"keys":[]}`), int64(-1))
	f.Add(200, []byte(`{"keys":[{"kty":"RSA","kid":"`+testKID+`","n":"AQAB","e":"AQAB"}]}`), int64(-1))
	f.Add(500, good, int64(-1))
	f.Add(200, bytes.Repeat([]byte(" "), 4096), int64(-1))
	clock := newFakeClock()
	token := validToken(f, clock.Now())
	f.Fuzz(func(t *testing.T, status int, body []byte, declared int64) {
		status = fuzzStatus(status)
		hc := &http.Client{Transport: answer(status, "", body, declared)}
		c, err := clerk.NewClient(testSecretKey, clerk.WithHTTPClient(hc), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}),
			clerk.WithMaxResponseBytes(2048))
		if err != nil {
			t.Fatal(err)
		}
		a, err := clerk.NewAuthenticator(clerk.WithClient(c), clerk.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		auth := a.Authenticate(context.Background(), bearer(token))
		if auth.SignedIn() {
			if status < 200 || status >= 300 {
				t.Fatalf("signed in from a %d answer", status)
			}
			return
		}
		switch auth.Reason() {
		case clerk.ReasonJWKFailedToLoad, clerk.ReasonJWKKidMismatch, clerk.ReasonTokenInvalidSignature,
			clerk.ReasonTokenInvalidAlgorithm:
		default:
			t.Fatalf("reason %q (%v)", auth.Reason(), auth.Err())
		}
		if strings.Contains(auth.Err().Error(), testSecretKey) {
			t.Fatal("error shows the secret key")
		}
	})
}
