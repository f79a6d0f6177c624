package clerk_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkM2MTokenSourceHit is Token with a fresh token in memory: the
// path every outgoing call takes between refreshes (target ≤ 100 ns,
// 0 allocs).
func BenchmarkM2MTokenSourceHit(b *testing.B) {
	f := newM2MFixture(b)
	src, err := f.client.TokenSource()
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	if _, err := src.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := src.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := src.Token(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	if n := f.creates(); n != 1 {
		b.Fatalf("%d creates during the benchmark, want 1", n)
	}
}

// BenchmarkM2MTransport compares a GET on loopback through a bare
// http.Client with the same through the M2M transport (target overhead
// ≤ 5 %).
func BenchmarkM2MTransport(b *testing.B) {
	f := newM2MFixture(b)
	src, err := f.client.TokenSource()
	if err != nil {
		b.Fatal(err)
	}
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	defer svc.Close()
	tok, err := src.Token(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	get := func(b *testing.B, hc *http.Client, header string) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, svc.URL, nil)
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	bare := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	withToken := src.HTTPClient(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}})
	// "bare+header" sends the same Authorization header set by hand: the
	// difference to "m2m" is the transport's own cost, the difference to
	// "bare" also the header's on both ends of the wire.
	b.Run("bare", func(b *testing.B) { get(b, bare, "") })
	b.Run("bare+header", func(b *testing.B) { get(b, bare, "Bearer "+tok.Token()) })
	b.Run("m2m", func(b *testing.B) { get(b, withToken, "") })
}
