package clerkredis_test

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkredis "github.com/clerkkit/clerkkit/redis"
)

// emulator is a Clerk instance with one session and a "test" template.
func emulator(t *testing.T) (*clerktest.Server, string) {
	t.Helper()
	srv := clerktest.Start(t)
	if err := srv.AddTemplate(clerktest.Template{Name: "test", Claims: map[string]any{"uid": "{{user.id}}"}}); err != nil {
		t.Fatal(err)
	}
	return srv, srv.CreateSession("user_1").ID
}

func newClient(t *testing.T, srv *clerktest.Server, cache *clerkredis.Cache, opts ...clerk.ClientOption) *clerk.Client {
	t.Helper()
	c, err := clerk.NewClient(srv.SecretKey(), append([]clerk.ClientOption{clerk.WithAPIURL(srv.URL), clerk.WithTokenCache(cache)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// Several Clients (replicas), each with its own connection pool, call
// GetToken for one session at once: Clerk sees one request.
func TestReplicasMintOnce(t *testing.T) {
	f := newFixture(t)
	srv, sess := emulator(t)
	srv.SetLatency(100*time.Millisecond, clerktest.EndpointTokens) // the mint overlaps everyone's miss
	const replicas, perReplica = 4, 50
	var wg sync.WaitGroup
	jwts := make(chan string, replicas*perReplica)
	start := make(chan struct{})
	for range replicas {
		c := newClient(t, srv, f.cache(t))
		for range perReplica {
			wg.Go(func() {
				<-start
				tok, err := c.GetToken(ctx, sess, "test")
				if err != nil {
					t.Error(err)
					return
				}
				jwts <- tok.JWT
			})
		}
	}
	close(start)
	wg.Wait()
	close(jwts)
	distinct := map[string]bool{}
	for jwt := range jwts {
		distinct[jwt] = true
	}
	if len(distinct) != 1 {
		t.Errorf("%d different tokens handed out, want 1", len(distinct))
	}
	if n := srv.Requests(clerktest.EndpointTokens); n != 1 {
		t.Errorf("Clerk saw %d token requests from %d replicas × %d calls, want 1", n, replicas, perReplica)
	}
}

func TestSignOutOnOneReplicaReachesAll(t *testing.T) {
	f := newFixture(t)
	srv, sess := emulator(t)
	a, b := newClient(t, srv, f.cache(t)), newClient(t, srv, f.cache(t))
	first, err := a.GetToken(ctx, sess, "test")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := b.GetToken(ctx, sess, "test"); again == nil || again.JWT != first.JWT {
		t.Fatal("replica b did not reuse replica a's token")
	}
	b.InvalidateSession(ctx, sess)
	next, err := a.GetToken(ctx, sess, "test")
	if err != nil {
		t.Fatal(err)
	}
	if next.JWT == first.JWT { // every mint differs: the emulator draws a fresh jti
		t.Error("replica a served a token of a session signed out on b")
	}
	if n := srv.Requests(clerktest.EndpointTokens); n != 2 {
		t.Errorf("Clerk saw %d requests, want 2", n)
	}
}

// Redis crashes, then hangs: every call still succeeds, minting directly,
// well within its deadline.
func TestRedisKilledMidRun(t *testing.T) {
	r := startPrivateRedis(t)
	srv, sess := emulator(t)
	f := fixture{addr: r.Addr, instance: unique("ins_"), prefix: "t:"}
	var logs logBuffer
	c := newClient(t, srv, f.cache(t, clerkredis.WithLogger(logs.logger()), clerkredis.WithTimeout(clerkredis.DefaultTimeout)))
	call := func(phase string) {
		t.Helper()
		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		start := time.Now()
		if _, err := c.GetToken(callCtx, sess, "test"); err != nil {
			t.Fatalf("%s: GetToken failed: %v", phase, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: GetToken took %v", phase, d)
		}
	}
	for range 3 {
		call("redis up")
	}
	if n := srv.Requests(clerktest.EndpointTokens); n != 1 {
		t.Fatalf("with Redis up Clerk saw %d requests, want 1", n)
	}

	t.Run("frozen", func(t *testing.T) {
		if err := r.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = r.Signal(syscall.SIGCONT) }()
		before := srv.Requests(clerktest.EndpointTokens)
		for range 3 {
			call("redis frozen")
		}
		if n := srv.Requests(clerktest.EndpointTokens) - before; n != 3 {
			t.Errorf("with Redis frozen Clerk saw %d requests for 3 calls, want 3 (minting directly)", n)
		}
	})

	r.Kill()
	before := srv.Requests(clerktest.EndpointTokens)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { call("redis killed") })
	}
	wg.Wait()
	if n := srv.Requests(clerktest.EndpointTokens) - before; n < 1 || n > 20 {
		t.Errorf("with Redis dead Clerk saw %d requests for 20 calls", n)
	}
	if got := logs.String(); len(got) == 0 {
		t.Error("the outage was not logged")
	}
}
