package clerkredis_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkredis "github.com/clerkkit/clerkkit/redis"
)

// replicaServer is one replica of a service, as the example servers are
// built: networkless authentication (the instance's PEM key), the core's
// net/http middleware, and a route that answers the session's token for
// the "test" template, {"token":{"jwt":"…"}}. Each has its own
// clerk.Client, Cache and Redis connection pool.
func replicaServer(t *testing.T, srv *clerktest.Server, f fixture) *httptest.Server {
	t.Helper()
	// 1000 simultaneous requests, each verifying an RS256 token under the
	// race detector, saturate a small CI machine for a second: a Redis
	// reply can then wait past the default 100ms for a CPU, and the Client
	// rightly mints directly rather than wait. The figure is about
	// coordination, so the replicas get a budget that load cannot exhaust.
	client := newClient(t, srv, f.cache(t, clerkredis.WithTimeout(2*time.Second)))
	auth, err := clerk.NewAuthenticator(clerk.WithJWTKey(srv.PublicKeyPEM()), clerk.WithPublishableKey(srv.PublishableKey()))
	if err != nil {
		t.Fatal(err)
	}
	route := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := clerk.AuthFromContext(r.Context())
		tok, err := client.GetToken(r.Context(), a.SessionID(), "test")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"token": map[string]string{"jwt": tok.JWT}})
	})
	hs := httptest.NewServer(clerk.Middleware(auth)(clerk.RequireAuth()(route)))
	t.Cleanup(hs.Close)
	return hs
}

// TestThreeReplicas is the figure: three replicas sharing one
// Clerk instance and one Redis answer 1000 requests for one session and
// template with one Backend API call, whether the requests arrive together
// or one after another.
func TestThreeReplicas(t *testing.T) {
	f := newFixture(t)
	srv := clerktest.Start(t)
	if err := srv.AddTemplate(clerktest.Template{Name: "test", Claims: map[string]any{"uid": "{{user.id}}"}}); err != nil {
		t.Fatal(err)
	}
	replicas := []*httptest.Server{replicaServer(t, srv, f), replicaServer(t, srv, f), replicaServer(t, srv, f)}
	// A load balancer keeps a bounded pool of connections to each replica;
	// 1000 simultaneous connects would instead overflow the listen backlog
	// and measure SYN retransmits.
	hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 100, MaxIdleConnsPerHost: 100}, Timeout: 30 * time.Second}
	t.Cleanup(hc.CloseIdleConnections)

	get := func(i int, bearer string) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, replicas[i%len(replicas)].URL+"/api/token", nil)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+bearer)
		res, err := hc.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		var body struct {
			Token struct{ JWT string } `json:"token"`
		}
		if res.StatusCode != http.StatusOK {
			return "", fmt.Errorf("status %d", res.StatusCode)
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			return "", err
		}
		return body.Token.JWT, nil
	}

	const requests = 1000
	for _, c := range []struct {
		name     string
		together bool
	}{{"together", true}, {"apart", false}} {
		t.Run(c.name, func(t *testing.T) {
			sess := srv.CreateSession("user_" + c.name)
			bearer, err := srv.SessionToken(sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			srv.ResetRequests()
			jwts := make([]string, requests)
			errs := make([]error, requests)
			if c.together {
				// Every request is in before the first mint can end.
				srv.SetLatency(200*time.Millisecond, clerktest.EndpointTokens)
				defer srv.SetLatency(0, clerktest.EndpointTokens)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range requests {
					wg.Go(func() {
						<-start
						jwts[i], errs[i] = get(i, bearer)
					})
				}
				close(start)
				wg.Wait()
			} else {
				for i := range requests {
					jwts[i], errs[i] = get(i, bearer)
				}
			}
			for i, err := range errs {
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
			}
			for i, jwt := range jwts {
				if jwt != jwts[0] {
					t.Fatalf("request %d got another token than request 0", i)
				}
			}
			n := srv.Requests(clerktest.EndpointTokens)
			t.Logf("%d requests over 3 replicas arriving %s: %d Backend API call(s)", requests, c.name, n)
			if n != 1 {
				t.Errorf("Clerk saw %d token requests, want 1", n)
			}
		})
	}
}
