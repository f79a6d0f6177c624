package benchmarks_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/clerk/clerk-sdk-go/v2"
	sdkhttp "github.com/clerk/clerk-sdk-go/v2/http"
	sdksession "github.com/clerk/clerk-sdk-go/v2/session"
	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// Sizes of the count scenarios, as the comparison states them.
const (
	coldRequests       = 100
	unknownKIDRequests = 1000
	getTokenCallers    = 1000
	floodWorkers       = 8
)

// countRow is one line of the table TestCounts logs.
type countRow struct {
	what          string
	clerkkit, sdk int
}

// TestCounts measures how many upstream calls each library makes in the
// scenarios where Clerk's rate limit and latency hurt. clerkkit's numbers
// are asserted exactly; the SDK's are observed and reported, checked only
// for sanity.
func TestCounts(t *testing.T) {
	var rows []countRow
	t.Run("jwks-cold-cache", func(t *testing.T) { rows = append(rows, jwksColdCache(t)) })
	t.Run("jwks-unknown-kids", func(t *testing.T) { rows = append(rows, jwksUnknownKIDs(t)) })
	t.Run("gettoken-concurrent", func(t *testing.T) { rows = append(rows, getTokenConcurrent(t)) })

	var sb strings.Builder
	fmt.Fprintf(&sb, "\n| %-58s | %8s | %12s |\n", "upstream calls", "clerkkit", "clerk-sdk-go")
	fmt.Fprintf(&sb, "|%s|%s|%s|\n", strings.Repeat("-", 60), strings.Repeat("-", 10), strings.Repeat("-", 14))
	for _, r := range rows {
		fmt.Fprintf(&sb, "| %-58s | %8d | %12d |\n", r.what, r.clerkkit, r.sdk)
	}
	t.Log(sb.String())
}

// concurrently runs n calls of f at once: all goroutines are started and
// parked before any proceeds.
func concurrently(n int, f func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// flood runs n calls of f on a few workers, as a burst of traffic would.
func flood(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range floodWorkers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// jwksColdCache: 100 concurrent requests reach a server that has never
// fetched the key set; Clerk answers the JWKS in 20 ms.
func jwksColdCache(t *testing.T) countRow {
	run := func(t *testing.T, build func(in *instance) http.Handler) int {
		in := newInstance(t)
		in.srv.SetLatency(20*time.Millisecond, clerktest.EndpointJWKS)
		req := bearerRequests([]string{in.token(t)})[0]
		h := build(in)
		var ok atomic.Int64
		concurrently(coldRequests, func(int) {
			if rec := serve(h, req); rec.Code == http.StatusOK {
				ok.Add(1)
			}
		})
		if ok.Load() != coldRequests {
			t.Errorf("%d of %d requests signed in", ok.Load(), coldRequests)
		}
		return in.srv.Requests(clerktest.EndpointJWKS)
	}
	row := countRow{what: fmt.Sprintf("JWKS fetches, %d concurrent requests, cold cache", coldRequests)}
	row.clerkkit = run(t, func(in *instance) http.Handler {
		return clerkkitHandler(in.authenticator(t, in.backendJWKS(t)))
	})
	if row.clerkkit != 1 {
		t.Errorf("clerkkit fetched the JWKS %d times, want 1", row.clerkkit)
	}
	row.sdk = run(t, func(in *instance) http.Handler {
		return sdkHandler(sdkhttp.JWKSClient(in.sdkJWKSClient()), sdkhttp.AuthorizedParty(isAuthorizedParty))
	})
	if row.sdk < 1 || row.sdk > coldRequests {
		t.Errorf("SDK fetched the JWKS %d times for %d requests", row.sdk, coldRequests)
	}
	return row
}

// jwksUnknownKIDs: with the key set cached, 1000 requests carry random
// kids (a scan, or tokens of another instance). clerkkit's clock is moved
// past the unknown-kid refetch interval first, so one refetch is allowed.
func jwksUnknownKIDs(t *testing.T) countRow {
	row := countRow{what: fmt.Sprintf("JWKS fetches, %d requests with random unknown kids", unknownKIDRequests)}
	forged := make([]*http.Request, unknownKIDRequests)
	build := func(in *instance) {
		tok := in.token(t)
		for i := range forged {
			forged[i] = bearerRequests([]string{withKID(tok, randomKID())})[0]
		}
	}

	t.Run("clerkkit", func(t *testing.T) {
		in := newInstance(t)
		build(in)
		var offset atomic.Int64
		clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
		a := in.authenticator(t, in.backendJWKS(t), clerk.WithClock(clock))
		valid := bearerRequests([]string{in.token(t)})[0]
		var refused atomic.Int64
		h := clerk.Middleware(a)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if auth, _ := clerk.AuthFromContext(r.Context()); auth.Reason() == clerk.ReasonJWKKidMismatch {
				refused.Add(1)
			}
		}))
		if a.AuthenticateRequest(valid).UserID() == "" {
			t.Fatal("warm-up token refused")
		}
		warm := in.srv.Requests(clerktest.EndpointJWKS)
		offset.Store(int64(31 * time.Second)) // past the 30 s between unknown-kid fetches
		flood(unknownKIDRequests, func(i int) { serve(h, forged[i]) })
		row.clerkkit = in.srv.Requests(clerktest.EndpointJWKS) - warm
		if refused.Load() != unknownKIDRequests {
			t.Errorf("%d of %d forged tokens refused for their kid", refused.Load(), unknownKIDRequests)
		}
		if row.clerkkit != 1 {
			t.Errorf("clerkkit fetched the JWKS %d times for unknown kids, want 1", row.clerkkit)
		}
		if a.AuthenticateRequest(valid).UserID() == "" {
			t.Error("a valid token was refused after the flood")
		}
	})

	t.Run("clerk-sdk-go", func(t *testing.T) {
		in := newInstance(t)
		build(in)
		h := sdkHandler(sdkhttp.JWKSClient(in.sdkJWKSClient()), sdkhttp.AuthorizedParty(isAuthorizedParty))
		if rec := serve(h, bearerRequests([]string{in.token(t)})[0]); rec.Code != http.StatusOK {
			t.Fatalf("warm-up: status %d", rec.Code)
		}
		warm := in.srv.Requests(clerktest.EndpointJWKS)
		var refused atomic.Int64
		flood(unknownKIDRequests, func(i int) {
			if serve(h, forged[i]).Code == http.StatusUnauthorized {
				refused.Add(1)
			}
		})
		row.sdk = in.srv.Requests(clerktest.EndpointJWKS) - warm
		if refused.Load() != unknownKIDRequests {
			t.Errorf("SDK refused %d of %d forged tokens", refused.Load(), unknownKIDRequests)
		}
		if row.sdk < 1 {
			t.Errorf("SDK fetched the JWKS %d times", row.sdk)
		}
	})
	return row
}

// countingTokenServer answers token requests with a fixed JWT and counts
// them. Before answering the first request it waits until hold returns
// true, so a test can keep the call in flight until every caller has joined
// it. A second request ends the wait at once: the callers did not all join
// one call, and the count will show it without any timing guess.
func countingTokenServer(t *testing.T, hold func() bool) (*httptest.Server, *atomic.Int64) {
	now := time.Now()
	body := []byte(`{"object":"token","jwt":"` + fixedJWT(now, now.Add(time.Hour)) + `"}`)
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		for !hold() && calls.Load() == 1 {
			runtime.Gosched()
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// getTokenConcurrent: 1000 concurrent identical getToken calls.
func getTokenConcurrent(t *testing.T) countRow {
	row := countRow{what: fmt.Sprintf("Backend API calls, %d concurrent identical getTokens", getTokenCallers)}
	ctx := context.Background()

	t.Run("clerkkit", func(t *testing.T) {
		var client atomic.Pointer[clerk.Client]
		// Hold the one call until all other callers have joined it, so
		// the count does not depend on how fast goroutines start.
		srv, calls := countingTokenServer(t, func() bool {
			c := client.Load()
			return c == nil || c.TokenStats().Coalesced >= getTokenCallers-1
		})
		c, err := clerk.NewClient(secretKey, clerk.WithAPIURL(srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		client.Store(c)
		var got atomic.Int64
		concurrently(getTokenCallers, func(int) {
			if tok, err := c.GetToken(ctx, sessionID, template); err == nil && tok.JWT != "" {
				got.Add(1)
			}
		})
		row.clerkkit = int(calls.Load())
		if got.Load() != getTokenCallers {
			t.Errorf("%d of %d callers got a token", got.Load(), getTokenCallers)
		}
		if row.clerkkit != 1 {
			t.Errorf("clerkkit made %d Backend API calls, want 1", row.clerkkit)
		}
		if s := c.TokenStats(); s.UpstreamCalls != 1 || s.Coalesced != getTokenCallers-1 {
			t.Errorf("stats %+v, want 1 upstream call and %d coalesced", s, getTokenCallers-1)
		}
	})

	t.Run("clerk-sdk-go", func(t *testing.T) {
		srv, calls := countingTokenServer(t, func() bool { return true })
		client := sdksession.NewClient(&sdk.ClientConfig{BackendConfig: sdk.BackendConfig{
			URL:        sdk.String(srv.URL + "/v1"),
			Key:        sdk.String(secretKey),
			HTTPClient: pooledHTTPClient(),
		}})
		var got atomic.Int64
		concurrently(getTokenCallers, func(int) {
			tok, err := client.CreateToken(ctx, &sdksession.CreateTokenParams{ID: sessionID, TemplateName: template})
			if err == nil && tok.JWT != "" {
				got.Add(1)
			}
		})
		row.sdk = int(calls.Load())
		if got.Load() != getTokenCallers {
			t.Errorf("%d of %d SDK callers got a token", got.Load(), getTokenCallers)
		}
		if row.sdk < 1 || row.sdk > getTokenCallers {
			t.Errorf("SDK made %d Backend API calls", row.sdk)
		}
	})
	return row
}
