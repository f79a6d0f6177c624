package benchmarks_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdk "github.com/clerk/clerk-sdk-go/v2"
	sdksession "github.com/clerk/clerk-sdk-go/v2/session"
	clerk "github.com/clerkkit/clerkkit/core"
)

const (
	secretKey = "sk_test_benchmarkBenchmarkBenchmark"
	sessionID = "sess_2abcDEFghiJKLmnoPQRstuVWXyz"
	template  = "test"
)

// tokenServer answers every token request with the same fixed JWT, so the
// getToken benchmarks measure the clients, not a signer.
func tokenServer(b *testing.B) *httptest.Server {
	b.Helper()
	now := time.Now()
	body := []byte(`{"object":"token","jwt":"` + fixedJWT(now, now.Add(time.Hour)) + `"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkGetToken compares one template token mint against a loopback
// server: the bare net/http floor, Clerk's SDK, clerkkit without a cache,
// and clerkkit answering from its cache.
func BenchmarkGetToken(b *testing.B) {
	ctx := context.Background()

	b.Run("impl=floor-net-http", func(b *testing.B) {
		srv := tokenServer(b)
		hc := pooledHTTPClient()
		url := srv.URL + "/v1/sessions/" + sessionID + "/tokens/" + template
		b.ReportAllocs()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header = http.Header{
				"Authorization":     {"Bearer " + secretKey},
				"Content-Type":      {"application/json"},
				"Clerk-Api-Version": {"2026-05-12"},
			}
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, err = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatal(resp.StatusCode, err)
			}
		}
	})

	b.Run("impl=clerk-sdk-go", func(b *testing.B) {
		srv := tokenServer(b)
		client := sdksession.NewClient(&sdk.ClientConfig{BackendConfig: sdk.BackendConfig{
			URL:        sdk.String(srv.URL + "/v1"),
			Key:        sdk.String(secretKey),
			HTTPClient: pooledHTTPClient(),
		}})
		b.ReportAllocs()
		for b.Loop() {
			tok, err := client.CreateToken(ctx, &sdksession.CreateTokenParams{ID: sessionID, TemplateName: template})
			if err != nil || tok.JWT == "" {
				b.Fatal(err)
			}
		}
	})

	b.Run("impl=clerkkit", func(b *testing.B) {
		srv := tokenServer(b)
		c, err := clerk.NewClient(secretKey, clerk.WithAPIURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			tok, err := c.GetToken(ctx, sessionID, template)
			if err != nil || tok.JWT == "" {
				b.Fatal(err)
			}
		}
	})

	b.Run("impl=clerkkit-cache-hit", func(b *testing.B) {
		srv := tokenServer(b)
		cache, err := clerk.NewMemoryTokenCache(1024)
		if err != nil {
			b.Fatal(err)
		}
		c, err := clerk.NewClient(secretKey, clerk.WithAPIURL(srv.URL), clerk.WithTokenCache(cache))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.GetToken(ctx, sessionID, template); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			tok, err := c.GetToken(ctx, sessionID, template)
			if err != nil || tok.JWT == "" {
				b.Fatal(err)
			}
		}
		if s := c.TokenStats(); s.UpstreamCalls != 1 {
			b.Fatalf("%d upstream calls, want the one that filled the cache", s.UpstreamCalls)
		}
	})
}
