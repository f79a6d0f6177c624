package demotest

import (
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
	"github.com/clerkkit/clerkkit/examples/internal/demo"
)

// EnvRedisAddr names the throwaway redis-server that scripts/with-redis.sh
// starts for the tests.
const EnvRedisAddr = "CLERKKIT_REDIS_ADDR"

// CheckReplicasShareRedis runs three replicas of an example, as a scaled-out
// deployment does: one Clerk (an emulator standing in for it), one Redis,
// three processes' worth of Clients, Authenticators and caches. 1000
// requests for one session and template, spread over the replicas, must
// cost exactly one Backend API call, whether they arrive together or one
// batch after another.
func CheckReplicasShareRedis(t *testing.T, serve demo.ServeFunc) {
	t.Helper()
	addr := os.Getenv(EnvRedisAddr)
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: run the tests through scripts/with-redis.sh (make test does)", EnvRedisAddr)
		}
		t.Skipf("%s is not set: no redis-server to share (make test starts one)", EnvRedisAddr)
	}
	clerkAPI := clerktest.Start(t)
	d, err := clerkAPI.SeedDemo(demo.DefaultTemplate)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLERK_SECRET_KEY", clerkAPI.SecretKey())
	t.Setenv("CLERK_API_URL", clerkAPI.URL)
	t.Setenv("CLERK_JWT_KEY", clerkAPI.PublicKeyPEM())
	t.Setenv("CLERK_PUBLISHABLE_KEY", clerkAPI.PublishableKey())
	t.Setenv("CLERK_AUTHORIZED_PARTIES", "")
	t.Setenv(demo.EnvTemplate, "")
	t.Setenv(demo.EnvTokenCache, "")
	t.Setenv(demo.EnvRedisURL, "redis://"+addr+"/0")
	// The race detector and 1000 requests at once load a 2-core machine far
	// beyond production; a generous Redis timeout keeps a slow answer from
	// counting as an outage (after which a replica rightly mints directly).
	t.Setenv(demo.EnvRedisTimeout, "2s")

	var urls []string
	for range 3 {
		app, err := demo.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(app.Close)
		urls = append(urls, Serve(t, app, serve))
	}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}}
	t.Cleanup(client.CloseIdleConnections)

	for _, arrival := range []string{"together", "apart"} {
		t.Run(arrival, func(t *testing.T) {
			// A session of its own per scenario, so the first does not
			// warm the cache for the second.
			sid := clerkAPI.CreateSession(d.UserID).ID
			token, err := clerkAPI.SessionToken(sid, clerktest.TokenLifetime(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			before := clerkAPI.Requests(clerktest.EndpointTokens)
			var failures atomic.Int64
			send := func(i int) {
				req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, urls[i%3]+demo.AppRouterPath, nil)
				if err != nil {
					t.Error(err)
					return
				}
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					return
				}
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failures.Add(1)
				}
			}
			const requests = 1000
			if arrival == "together" {
				var wg sync.WaitGroup
				for i := range requests {
					wg.Go(func() { send(i) })
				}
				wg.Wait()
			} else {
				for batch := range 10 {
					for i := range requests / 10 {
						send(batch*requests/10 + i)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			if n := failures.Load(); n != 0 {
				t.Fatalf("%d of %d requests failed", n, requests)
			}
			if calls := clerkAPI.Requests(clerktest.EndpointTokens) - before; calls != 1 {
				t.Errorf("%d requests over 3 replicas cost %d Backend API calls, want 1", requests, calls)
			}
		})
	}
}
