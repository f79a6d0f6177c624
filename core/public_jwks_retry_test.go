package clerk_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// scriptedJWKS answers public key set requests in memory, from a script of
// statuses (then 200 with the key set once the script runs out), and
// records when each request came and what it carried. In memory, so the
// tests run in a synctest bubble where waits take no real time.
type scriptedJWKS struct {
	mu       sync.Mutex
	script   []scriptedAnswer
	body     []byte
	requests []scriptedRequest
}

type scriptedAnswer struct {
	status     int
	retryAfter string
}

type scriptedRequest struct {
	at     time.Time
	header http.Header
}

func (s *scriptedJWKS) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.requests = append(s.requests, scriptedRequest{at: time.Now(), header: r.Header.Clone()})
	next := scriptedAnswer{status: http.StatusOK}
	if len(s.script) > 0 {
		next, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()
	h := http.Header{"Content-Type": {"application/json"}}
	body := s.body
	if next.status != http.StatusOK {
		body = []byte(`{"errors":[{"code":"unavailable"}]}`)
	}
	if next.retryAfter != "" {
		h.Set("Retry-After", next.retryAfter)
	}
	return &http.Response{
		StatusCode: next.status, Header: h, Request: r,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
	}, nil
}

func (s *scriptedJWKS) seen() []scriptedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]scriptedRequest(nil), s.requests...)
}

// verifyWithPublicJWKS verifies a valid token against a public key set
// served by the script.
func verifyWithPublicJWKS(t *testing.T, script ...scriptedAnswer) (*scriptedJWKS, error) {
	t.Helper()
	key := rsaKey(t, 0)
	srv := &scriptedJWKS{
		script: script,
		body:   []byte(mustJSON(t, map[string]any{"keys": []any{jwkFor(testKID, "RS256", &key.PublicKey)}})),
	}
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWKSURL("https://jwks.example.test/.well-known/jwks.json"),
		clerk.WithHTTPClient(&http.Client{Transport: srv}), clerk.WithClock(clock.Now))
	_, err := a.VerifyToken(context.Background(), validToken(t, clock.Now()))
	return srv, err
}

// The public key set is fetched with DefaultRetryPolicy: four attempts.
func TestPublicJWKSRetriesAsDefaultRetryPolicy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		unavailable := scriptedAnswer{status: http.StatusServiceUnavailable}
		srv, err := verifyWithPublicJWKS(t, unavailable, unavailable, unavailable)
		if err != nil {
			t.Fatalf("three 503s then the key set: %v", err)
		}
		seen := srv.seen()
		if len(seen) != clerk.DefaultRetryPolicy().MaxAttempts {
			t.Fatalf("%d requests, want %d", len(seen), clerk.DefaultRetryPolicy().MaxAttempts)
		}
		for i, r := range seen {
			if ua := r.header.Get("User-Agent"); ua != "github.com/clerkkit/clerkkit/core@v"+clerk.Version {
				t.Errorf("request %d: User-Agent %q", i, ua)
			}
			if _, ok := r.header["Authorization"]; ok {
				t.Errorf("request %d carries an Authorization header", i)
			}
		}
	})
}

func TestPublicJWKSHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const wait = 3 * time.Second
		srv, err := verifyWithPublicJWKS(t, scriptedAnswer{status: http.StatusTooManyRequests, retryAfter: strconv.Itoa(int(wait / time.Second))})
		if err != nil {
			t.Fatalf("a 429 then the key set: %v", err)
		}
		seen := srv.seen()
		if len(seen) != 2 {
			t.Fatalf("%d requests, want 2", len(seen))
		}
		if gap := seen[1].at.Sub(seen[0].at); gap < wait {
			t.Errorf("retried after %v; Retry-After asked for %v", gap, wait)
		}
	})
}

// A Retry-After longer than the policy's MaxRetryAfter ends the fetch at
// once instead of retrying early against Clerk's request.
func TestPublicJWKSGivesUpOnLongRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		long := strconv.Itoa(int(clerk.DefaultRetryPolicy().MaxRetryAfter/time.Second) + 1)
		srv, err := verifyWithPublicJWKS(t, scriptedAnswer{status: http.StatusTooManyRequests, retryAfter: long})
		if r := reasonOf(err); r != clerk.ReasonJWKFailedToLoad {
			t.Fatalf("reason %q, want %q", r, clerk.ReasonJWKFailedToLoad)
		}
		if n := len(srv.seen()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}
