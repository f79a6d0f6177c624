package benchmarks_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// m2mSource is a token source of a machine of a fresh emulator, with its
// first token already minted, and the emulator to count create calls.
func m2mSource(b *testing.B) (*clerk.M2MTokenSource, *clerktest.Server) {
	b.Helper()
	srv := clerktest.NewServer(clerktest.WithKey(instanceKey()))
	b.Cleanup(srv.Close)
	callee, err := srv.AddMachine(clerktest.Machine{Name: "orders"})
	if err != nil {
		b.Fatal(err)
	}
	caller, err := srv.AddMachine(clerktest.Machine{Name: "billing", Scopes: []string{callee.ID}})
	if err != nil {
		b.Fatal(err)
	}
	client, err := clerk.NewM2MClient(caller.SecretKey, clerk.WithAPIURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.CloseIdleConnections)
	src, err := client.TokenSource()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := src.Token(b.Context()); err != nil {
		b.Fatal(err)
	}
	return src, srv
}

// BenchmarkM2MTokenSourceHit is Token with a fresh token in memory, the
// path every outgoing call takes between refreshes (goal ≤ 100 ns,
// 0 allocs).
func BenchmarkM2MTokenSourceHit(b *testing.B) {
	src, srv := m2mSource(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n := srv.Requests(clerktest.EndpointCreateM2MToken); n != 1 {
		b.Fatalf("%d create calls, want 1", n)
	}
}

// BenchmarkM2MTransport is one GET on loopback: through a bare
// http.Client, through the same with the Authorization header set by hand
// to the source's token, and through source.HTTPClient (goal: ≤ 5 % over
// the bare client). "bare+header" against "clerkkit" is the transport's
// own cost; against "bare", the cost of carrying a token at all.
func BenchmarkM2MTransport(b *testing.B) {
	src, srv := m2mSource(b)
	tok, err := src.Token(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	b.Cleanup(svc.Close)

	// Each client has a transport of its own, so no run reuses another's
	// connections, and keeps its connection alive across iterations.
	newClient := func(b *testing.B) *http.Client {
		tr := &http.Transport{MaxIdleConnsPerHost: 4}
		b.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr}
	}
	get := func(b *testing.B, hc *http.Client, authorization string) {
		b.ReportAllocs()
		ctx := b.Context()
		for b.Loop() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, svc.URL, nil)
			if err != nil {
				b.Fatal(err)
			}
			if authorization != "" {
				req.Header.Set("Authorization", authorization)
			}
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.Run("impl=bare", func(b *testing.B) { get(b, newClient(b), "") })
	b.Run("impl=bare+header", func(b *testing.B) { get(b, newClient(b), "Bearer "+tok.Token()) })
	b.Run("impl=clerkkit", func(b *testing.B) { get(b, src.HTTPClient(newClient(b)), "") })
	if n := srv.Requests(clerktest.EndpointCreateM2MToken); n != 1 {
		b.Fatalf("%d create calls, want 1", n)
	}
}
