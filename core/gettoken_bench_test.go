package clerk_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// benchServer answers every request with the same token, so the benchmarks
// measure the client, not the server.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	body := []byte(`{"object":"token","jwt":"` + aJWT + `"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkGetToken is one GetToken against a loopback server.
func BenchmarkGetToken(b *testing.B) {
	srv := benchServer(b)
	c, err := clerk.NewClient(testSecretKey, clerk.WithAPIURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tok, err := c.GetToken(ctx, "sess_2abcDEF", "test")
		if err != nil || tok.JWT == "" {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetTokenRequestContext is GetToken with a context that can end,
// as every HTTP request's can: the caller may then leave the shared call.
func BenchmarkGetTokenRequestContext(b *testing.B) {
	srv := benchServer(b)
	c, err := clerk.NewClient(testSecretKey, clerk.WithAPIURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		tok, err := c.GetToken(ctx, "sess_2abcDEF", "test")
		if err != nil || tok.JWT == "" {
			b.Fatal(err)
		}
	}
}

// BenchmarkBarePOST is the floor for BenchmarkGetToken: the same request
// with nothing but net/http's default transport (pool size raised to the
// client's), reading the body without decoding it.
func BenchmarkBarePOST(b *testing.B) {
	srv := benchServer(b)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: transport}
	url := srv.URL + "/v1/sessions/sess_2abcDEF/tokens/test"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header = http.Header{
			"Authorization":     {"Bearer " + testSecretKey},
			"Content-Type":      {"application/json"},
			"Clerk-Api-Version": {clerk.DefaultClerkAPIVersion},
			"User-Agent":        {"bench"},
		}
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || len(body) == 0 {
			b.Fatal(resp.StatusCode, err)
		}
	}
}

// BenchmarkGetTokenCacheHit is a GetToken answered by the memory cache.
func BenchmarkGetTokenCacheHit(b *testing.B) {
	srv := benchServer(b)
	cache, err := clerk.NewMemoryTokenCache(1024)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	cache.Set(context.Background(), clerk.TokenKey{SessionID: "sess_2abcDEF", Template: "test"},
		&clerk.Token{JWT: jwtWithTimes(now, now.Add(time.Hour), "b")}, now.Add(time.Hour))
	c, err := clerk.NewClient(testSecretKey, clerk.WithAPIURL(srv.URL), clerk.WithTokenCache(cache))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetToken(ctx, "sess_2abcDEF", "test"); err != nil {
			b.Fatal(err)
		}
	}
	if s := c.TokenStats(); s.UpstreamCalls != 0 {
		b.Fatalf("%d upstream calls on a cache hit", s.UpstreamCalls)
	}
}
