package clerk_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// jwtWithTimes builds a token whose payload carries iat and exp; the client
// reads them to judge freshness and never checks the signature.
func jwtWithTimes(iat, exp time.Time, marker string) string {
	payload := `{"iat":` + strconv.FormatInt(iat.Unix(), 10) + `,"exp":` + strconv.FormatInt(exp.Unix(), 10) + `,"m":"` + marker + `"}`
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

// mintingAPI mints a new, distinct token per request, living lifetime.
type mintingAPI struct {
	*fakeAPI
	minted atomic.Int64
}

func newMintingAPI(t *testing.T, lifetime time.Duration) *mintingAPI {
	m := &mintingAPI{}
	m.fakeAPI = newFakeAPI(t, m.mintReplies(lifetime)...)
	return m
}

// newBubbleMintingAPI is newMintingAPI for a synctest bubble (see
// newBubbleAPI); its tokens are stamped with the bubble's clock.
func newBubbleMintingAPI(lifetime time.Duration) *mintingAPI {
	m := &mintingAPI{}
	m.fakeAPI = newBubbleAPI(m.mintReplies(lifetime)...)
	return m
}

func (m *mintingAPI) mintReplies(lifetime time.Duration) []reply {
	replies := make([]reply, 0, 64)
	for range 64 {
		replies = append(replies, func(w http.ResponseWriter, r *http.Request) {
			n := m.minted.Add(1)
			now := time.Now()
			tokenReply(jwtWithTimes(now, now.Add(lifetime), strconv.FormatInt(n, 10)))(w, r)
		})
	}
	return replies
}

func newCachingClient(t *testing.T, f *fakeAPI, opts ...clerk.ClientOption) (*clerk.Client, *clerk.MemoryTokenCache) {
	t.Helper()
	cache, err := clerk.NewMemoryTokenCache(100)
	if err != nil {
		t.Fatal(err)
	}
	return newTestClient(t, f, append([]clerk.ClientOption{clerk.WithTokenCache(cache)}, opts...)...), cache
}

func TestConcurrentIdenticalCallsShareOneRequest(t *testing.T) {
	const callers = 1000
	release := make(chan struct{})
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		tokenReply(aJWT)(w, r)
	})
	c := newTestClient(t, f)

	var wg sync.WaitGroup
	tokens := make([]*clerk.Token, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i], errs[i] = c.GetToken(context.Background(), "sess_1", "test")
		}()
	}
	// Hold the answer until every caller has joined the one request.
	waitUntil(t, func() bool { return c.TokenStats().Coalesced == callers-1 })
	close(release)
	wg.Wait()

	for i := range callers {
		if errs[i] != nil || tokens[i].JWT != aJWT {
			t.Fatalf("caller %d: %v, %v", i, tokens[i], errs[i])
		}
	}
	if tokens[0] == tokens[1] {
		t.Error("callers share one *Token; each must get its own copy")
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("Clerk saw %d requests, want exactly 1", n)
	}
	want := clerk.TokenStats{Coalesced: callers - 1, UpstreamCalls: 1}
	if got := c.TokenStats(); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

func TestCoalescingKeysOnSessionTemplateAndLifetime(t *testing.T) {
	release := make(chan struct{})
	hold := func(w http.ResponseWriter, r *http.Request) { <-release; tokenReply(aJWT)(w, r) }
	f := newFakeAPI(t, hold, hold, hold, hold)
	c := newTestClient(t, f)
	calls := []struct {
		session, template string
		opts              []clerk.TokenOption
	}{
		{"sess_1", "a", nil},
		{"sess_2", "a", nil},
		{"sess_1", "b", nil},
		{"sess_1", "a", []clerk.TokenOption{clerk.WithExpiresInSeconds(60)}},
	}
	var wg sync.WaitGroup
	for _, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetToken(context.Background(), call.session, call.template, call.opts...); err != nil {
				t.Error(err)
			}
		}()
	}
	waitUntil(t, func() bool { return len(f.requests()) == len(calls) })
	close(release)
	wg.Wait()
	if got := c.TokenStats(); got.UpstreamCalls != 4 || got.Coalesced != 0 {
		t.Errorf("stats = %+v, want 4 separate calls", got)
	}
}

func TestOneCallerGivingUpDoesNotFailTheOthers(t *testing.T) {
	// start launches a caller of the one shared request and returns its
	// cancel and its outcome.
	start := func(c *clerk.Client) (context.CancelFunc, chan error) {
		ctx, cancel := context.WithCancel(context.Background())
		out := make(chan error, 1)
		go func() {
			tok, err := c.GetToken(ctx, "sess_1", "test")
			if err == nil && tok.JWT != aJWT {
				err = errors.New("wrong token")
			}
			out <- err
		}()
		return cancel, out
	}
	setup := func(t *testing.T) (*fakeAPI, *clerk.Client, chan struct{}) {
		release := make(chan struct{})
		f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			<-release
			tokenReply(aJWT)(w, r)
		})
		return f, newTestClient(t, f), release
	}

	t.Run("a waiter that gives up returns at once", func(t *testing.T) {
		f, c, release := setup(t)
		_, leader := start(c)
		waitUntil(t, func() bool { return len(f.requests()) == 1 })
		cancelWaiter, waiter := start(c)
		waitUntil(t, func() bool { return c.TokenStats().Coalesced == 1 })
		cancelWaiter()
		if err := <-waiter; !errors.Is(err, context.Canceled) {
			t.Fatalf("waiter: %v, want context.Canceled", err)
		}
		close(release)
		if err := <-leader; err != nil {
			t.Fatalf("the request failed with the waiter: %v", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("Clerk saw %d requests, want 1", n)
		}
	})
	t.Run("the caller that sent the request giving up does not fail the waiters", func(t *testing.T) {
		f, c, release := setup(t)
		cancelLeader, leader := start(c)
		waitUntil(t, func() bool { return len(f.requests()) == 1 })
		_, waiter := start(c)
		waitUntil(t, func() bool { return c.TokenStats().Coalesced == 1 })
		cancelLeader()
		close(release)
		if err := <-waiter; err != nil {
			t.Fatalf("waiter failed with the caller that gave up: %v", err)
		}
		if err := <-leader; !errors.Is(err, context.Canceled) {
			t.Fatalf("leader: %v, want context.Canceled", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("Clerk saw %d requests, want 1", n)
		}
	})
	// In a synctest bubble the leader's deadline cannot pass before its
	// request is in and the waiter has joined it, however slow the machine.
	t.Run("a waiter outliving its leader's deadline asks again", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newBubbleAPI(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
			c := newBubbleClient(t, f)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			leader := bubbleCall(ctx, c)
			synctest.Wait() // the leader's request is in, unanswered
			if n := len(f.requests()); n != 1 {
				t.Fatalf("%d requests from the leader, want 1", n)
			}
			tok, err := c.GetToken(context.Background(), "sess_1", "test")
			if err != nil || tok.JWT != aJWT {
				t.Fatalf("waiter: %v, %v; want a token from a request of its own", tok, err)
			}
			if err := <-leader; !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("leader: %v, want its deadline", err)
			}
			if s := c.TokenStats(); s.Coalesced != 1 {
				t.Errorf("stats %+v: the waiter did not join the leader's request first", s)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("Clerk saw %d requests, want 2", n)
			}
		})
	})
}

func TestLastCallerGivingUpCancelsTheRequest(t *testing.T) {
	aborted := make(chan struct{})
	f := newFakeAPI(t, func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the client hung up
		close(aborted)
	})
	c := newTestClient(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.GetToken(ctx, "sess_1", "test"); done <- err }()
	waitUntil(t, func() bool { return len(f.requests()) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	select {
	case <-aborted:
	case <-time.After(5 * time.Second):
		t.Fatal("the request went on with nobody waiting for it")
	}
	// A new caller starts a new request instead of joining the dead one.
	f.mu.Lock()
	f.replies = []reply{tokenReply(aJWT)}
	f.mu.Unlock()
	if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
		t.Fatalf("after the cancelled call: %v", err)
	}
}

func TestSharedCallErrorReachesEveryCaller(t *testing.T) {
	release := make(chan struct{})
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		statusReply(404, clerkErrorBody("resource_not_found", "No JWT template exists with name: test", "tr"))(w, r)
	})
	c := newTestClient(t, f)
	const callers = 20
	errs := make(chan error, callers)
	for range callers {
		go func() { _, err := c.GetToken(context.Background(), "sess_1", "test"); errs <- err }()
	}
	waitUntil(t, func() bool { return c.TokenStats().Coalesced == callers-1 })
	close(release)
	for range callers {
		if err := <-errs; !errors.Is(err, clerk.ErrNotFound) {
			t.Errorf("err = %v, want not found", err)
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("Clerk saw %d requests, want 1", n)
	}
}

func TestTokenCache(t *testing.T) {
	ctx := context.Background()
	t.Run("a fresh token is reused without a request", func(t *testing.T) {
		f := newMintingAPI(t, time.Minute)
		c, _ := newCachingClient(t, f.fakeAPI)
		first, err := c.GetToken(ctx, "sess_1", "test")
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			again, err := c.GetToken(ctx, "sess_1", "test")
			if err != nil || again.JWT != first.JWT {
				t.Fatalf("got %v, %v; want the cached token", again, err)
			}
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("Clerk saw %d requests, want 1", n)
		}
		want := clerk.TokenStats{CacheHits: 10, CacheMisses: 1, UpstreamCalls: 1}
		if got := c.TokenStats(); got != want {
			t.Errorf("stats = %+v, want %+v", got, want)
		}
	})
	t.Run("keys differ by session, template and lifetime", func(t *testing.T) {
		f := newMintingAPI(t, time.Minute)
		c, cache := newCachingClient(t, f.fakeAPI)
		for range 2 {
			for _, call := range []func() (*clerk.Token, error){
				func() (*clerk.Token, error) { return c.GetToken(ctx, "sess_1", "a") },
				func() (*clerk.Token, error) { return c.GetToken(ctx, "sess_2", "a") },
				func() (*clerk.Token, error) { return c.GetToken(ctx, "sess_1", "b") },
				func() (*clerk.Token, error) { return c.GetToken(ctx, "sess_1", "a", clerk.WithExpiresInSeconds(120)) },
			} {
				if _, err := call(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n := len(f.requests()); n != 4 || cache.Len() != 4 {
			t.Errorf("requests = %d, cached = %d; want 4 and 4", n, cache.Len())
		}
	})
	t.Run("a token past its freshness is minted again", func(t *testing.T) {
		// 60 s tokens that are already 40 s old: 20 s left, below half.
		f := newFakeAPI(t)
		old := func(w http.ResponseWriter, r *http.Request) {
			now := time.Now()
			tokenReply(jwtWithTimes(now.Add(-40*time.Second), now.Add(20*time.Second), "old"))(w, r)
		}
		f.replies = []reply{old, old}
		c, cache := newCachingClient(t, f)
		for range 2 {
			if _, err := c.GetToken(ctx, "sess_1", "test"); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(f.requests()); n != 2 || cache.Len() != 0 {
			t.Errorf("requests = %d, cached = %d; a stale token was reused", n, cache.Len())
		}
	})
	t.Run("freshness is configurable", func(t *testing.T) {
		f := newFakeAPI(t)
		old := func(w http.ResponseWriter, r *http.Request) {
			now := time.Now()
			tokenReply(jwtWithTimes(now.Add(-40*time.Second), now.Add(20*time.Second), "old"))(w, r)
		}
		f.replies = []reply{old}
		c, _ := newCachingClient(t, f, clerk.WithTokenFreshness(clerk.Freshness{MinRemainingShare: 0.1, MinRemaining: 5 * time.Second}))
		for range 3 {
			if _, err := c.GetToken(ctx, "sess_1", "test"); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("requests = %d, want 1 (20 s left is fresh under a 10%% rule)", n)
		}
	})
	t.Run("a token without iat and exp is never cached", func(t *testing.T) {
		f := newFakeAPI(t)
		c, cache := newCachingClient(t, f)
		for range 2 {
			if _, err := c.GetToken(ctx, "sess_1", "test"); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(f.requests()); n != 2 || cache.Len() != 0 {
			t.Errorf("requests = %d, cached = %d", n, cache.Len())
		}
	})
	t.Run("InvalidateSession forgets only that session", func(t *testing.T) {
		f := newMintingAPI(t, time.Minute)
		c, _ := newCachingClient(t, f.fakeAPI)
		a1, _ := c.GetToken(ctx, "sess_a", "test")
		b1, _ := c.GetToken(ctx, "sess_b", "test")
		c.InvalidateSession(ctx, "sess_a")
		a2, _ := c.GetToken(ctx, "sess_a", "test")
		b2, _ := c.GetToken(ctx, "sess_b", "test")
		if a1.JWT == a2.JWT {
			t.Error("sess_a's token survived its invalidation")
		}
		if b1.JWT != b2.JWT {
			t.Error("sess_b's token was dropped with sess_a's")
		}
	})
	t.Run("WithoutCache mints and replaces the cached token", func(t *testing.T) {
		f := newMintingAPI(t, time.Minute)
		c, _ := newCachingClient(t, f.fakeAPI)
		first, _ := c.GetToken(ctx, "sess_1", "test")
		forced, err := c.GetToken(ctx, "sess_1", "test", clerk.WithoutCache())
		if err != nil || forced.JWT == first.JWT {
			t.Fatalf("WithoutCache returned the cached token: %v", err)
		}
		after, _ := c.GetToken(ctx, "sess_1", "test")
		if after.JWT != forced.JWT {
			t.Error("the forced token did not replace the cached one")
		}
	})
	t.Run("a sign-out during minting keeps the token out of the cache", func(t *testing.T) {
		release := make(chan struct{})
		f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			<-release
			now := time.Now()
			tokenReply(jwtWithTimes(now, now.Add(time.Minute), "x"))(w, r)
		})
		c, cache := newCachingClient(t, f)
		done := make(chan error, 1)
		go func() { _, err := c.GetToken(ctx, "sess_1", "test"); done <- err }()
		waitUntil(t, func() bool { return len(f.requests()) == 1 })
		c.InvalidateSession(ctx, "sess_1")
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if cache.Len() != 0 {
			t.Error("a token minted across a sign-out was cached")
		}
	})
	t.Run("cached tokens are copies", func(t *testing.T) {
		f := newMintingAPI(t, time.Minute)
		c, _ := newCachingClient(t, f.fakeAPI)
		first, _ := c.GetToken(ctx, "sess_1", "test")
		want := first.JWT
		first.JWT = "tampered"
		again, _ := c.GetToken(ctx, "sess_1", "test")
		if again.JWT != want {
			t.Errorf("a caller's change reached the cache: %q", again.JWT)
		}
	})
	t.Run("concurrent hits and misses under the race detector", func(t *testing.T) {
		f := newMintingAPI(t, time.Minute)
		c, _ := newCachingClient(t, f.fakeAPI)
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				session := "sess_" + strconv.Itoa(i%5)
				if i%50 == 0 {
					c.InvalidateSession(ctx, session)
				}
				if _, err := c.GetToken(ctx, session, "test"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		s := c.TokenStats()
		if s.CacheHits+s.CacheMisses != 200 || s.CacheMisses != s.Coalesced+s.UpstreamCalls {
			t.Errorf("counters do not add up: %+v", s)
		}
		if int64(s.UpstreamCalls) != int64(len(f.requests())) {
			t.Errorf("UpstreamCalls = %d, Clerk saw %d", s.UpstreamCalls, len(f.requests()))
		}
	})
}

func TestMemoryTokenCacheIsBounded(t *testing.T) {
	cache, err := clerk.NewMemoryTokenCache(2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	until := time.Now().Add(time.Minute)
	for _, s := range []string{"a", "b", "c"} {
		cache.Set(ctx, clerk.TokenKey{SessionID: s}, &clerk.Token{JWT: s}, until)
	}
	if cache.Len() != 2 {
		t.Errorf("Len = %d, want 2", cache.Len())
	}
	if _, ok := cache.Get(ctx, clerk.TokenKey{SessionID: "a"}); ok {
		t.Error("the least recently used entry was kept")
	}
	cache.Set(ctx, clerk.TokenKey{SessionID: "d"}, &clerk.Token{JWT: "d"}, time.Now().Add(-time.Second))
	if _, ok := cache.Get(ctx, clerk.TokenKey{SessionID: "d"}); ok {
		t.Error("an already stale token was stored")
	}
	if _, err := clerk.NewMemoryTokenCache(0); !errors.Is(err, clerk.ErrInvalidConfig) {
		t.Errorf("size 0: %v", err)
	}
}

// waitUntil returns once cond holds. What it waits for (a request reaching
// the fake, a caller joining a flight) has no signal of its own, so it
// polls, yielding to the goroutines it waits for. The minute is no timing
// guess: it only turns a condition that never comes into a failure rather
// than a hang.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in a minute")
		}
		runtime.Gosched()
	}
}
