package clerk_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// sharedStore stands in for a store shared by replicas (Redis, say): one
// token cache and expiring mint claims.
type sharedStore struct {
	*clerk.MemoryTokenCache
	mu       sync.Mutex
	claims   map[clerk.TokenKey]time.Time // key → claim expiry
	lockErr  error
	neverRel bool // holders "crash": claims are never released early
}

func newSharedStore(t *testing.T) *sharedStore {
	cache, err := clerk.NewMemoryTokenCache(100)
	if err != nil {
		t.Fatal(err)
	}
	return &sharedStore{MemoryTokenCache: cache, claims: map[clerk.TokenKey]time.Time{}}
}

func (s *sharedStore) LockMint(_ context.Context, key clerk.TokenKey, ttl time.Duration) (func(), bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lockErr != nil {
		return nil, false, s.lockErr
	}
	if until, held := s.claims[key]; held && time.Now().Before(until) {
		return nil, false, nil
	}
	until := time.Now().Add(ttl)
	s.claims[key] = until
	return func() {
		if s.neverRel {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.claims[key].Equal(until) {
			delete(s.claims, key)
		}
	}, true, nil
}

// replicaStore is one replica's handle on a sharedStore. It reports the
// outcome of the replica's first mint claim, so a test knows when every
// replica has either claimed the mint or found it taken.
type replicaStore struct {
	*sharedStore
	once       sync.Once
	firstClaim chan bool // receives the first LockMint's ok
}

func newReplicaStore(s *sharedStore) *replicaStore {
	return &replicaStore{sharedStore: s, firstClaim: make(chan bool, 1)}
}

func (r *replicaStore) LockMint(ctx context.Context, key clerk.TokenKey, ttl time.Duration) (func(), bool, error) {
	unlock, ok, err := r.sharedStore.LockMint(ctx, key, ttl)
	if err == nil {
		r.once.Do(func() { r.firstClaim <- ok })
	}
	return unlock, ok, err
}

func TestReplicasSharingAStoreMintOnce(t *testing.T) {
	release := make(chan struct{})
	f := newMintingAPI(t, time.Minute)
	f.mu.Lock()
	first := f.replies[0]
	f.replies[0] = func(w http.ResponseWriter, r *http.Request) { <-release; first(w, r) }
	f.mu.Unlock()
	store := newSharedStore(t)
	views := make([]*replicaStore, 3)
	replicas := make([]*clerk.Client, len(views))
	for i := range replicas {
		views[i] = newReplicaStore(store)
		// The claim outlasts any wait of this test, so no replica gives
		// up on it and mints while Clerk's answer is held.
		replicas[i] = newTestClient(t, f.fakeAPI, clerk.WithTokenCache(views[i]), clerk.WithMintLockTTL(time.Minute))
	}

	const perReplica = 50
	var wg sync.WaitGroup
	jwts := make(chan string, 3*perReplica)
	for _, c := range replicas {
		for range perReplica {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := c.GetToken(context.Background(), "sess_1", "test")
				if err != nil {
					t.Error(err)
					return
				}
				jwts <- tok.JWT
			}()
		}
	}
	// Clerk's answer is held, so no token is stored yet: every replica
	// misses the cache and tries to claim the mint. Exactly one may win.
	// (The bound only turns a replica that never tries into a failure
	// rather than a hang.)
	answer := sync.OnceFunc(func() { close(release) })
	defer answer()
	claimed := 0
	for i, v := range views {
		select {
		case ok := <-v.firstClaim:
			if ok {
				claimed++
			}
		case <-time.After(time.Minute):
			t.Fatalf("replica %d never tried to claim the mint", i)
		}
	}
	if claimed != 1 {
		t.Errorf("%d replicas claimed the mint, want 1", claimed)
	}
	answer()
	wg.Wait()
	close(jwts)
	var one string
	for jwt := range jwts {
		if one == "" {
			one = jwt
		}
		if jwt != one {
			t.Fatal("replicas handed out different tokens")
		}
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("Clerk saw %d requests from 3 replicas, want 1", n)
	}
	var upstream uint64
	for _, c := range replicas {
		upstream += c.TokenStats().UpstreamCalls
	}
	if upstream != 1 {
		t.Errorf("UpstreamCalls summed over replicas = %d, want 1", upstream)
	}
}

// The dead-claim and deadline tests run in a synctest bubble: the claim's
// expiry, the client's polling and the caller's deadline all pass on the
// bubble's fake clock, so how long the call waited is known exactly.

// mintLockWaitBound is how long past a wait's end a call may return: the
// waiting replica looks for the token every 25 ms.
const mintLockWaitBound = 50 * time.Millisecond

func TestLostMintClaimBlocksOnlyUntilItExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newBubbleMintingAPI(time.Minute)
		store := newSharedStore(t)
		store.neverRel = true
		// A replica that claimed the mint and died.
		if _, ok, _ := store.LockMint(context.Background(), clerk.TokenKey{SessionID: "sess_1", Template: "test"}, 300*time.Millisecond); !ok {
			t.Fatal("could not plant the claim")
		}
		c := newBubbleClient(t, f.fakeAPI, clerk.WithTokenCache(store), clerk.WithMintLockTTL(300*time.Millisecond))
		start := time.Now()
		if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 300*time.Millisecond || waited > 300*time.Millisecond+mintLockWaitBound {
			t.Errorf("waited %v behind a dead claim of 300ms", waited)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("Clerk saw %d requests, want 1", n)
		}
	})
}

func TestFailingMintLockFallsBackToMinting(t *testing.T) {
	f := newMintingAPI(t, time.Minute)
	store := newSharedStore(t)
	store.lockErr = errors.New("store unreachable")
	c := newTestClient(t, f.fakeAPI, clerk.WithTokenCache(store))
	if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
		t.Fatalf("a failing lock failed the call: %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("Clerk saw %d requests, want 1", n)
	}
}

func TestWaitingForAnotherMinterRespectsTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newBubbleMintingAPI(time.Minute)
		store := newSharedStore(t)
		store.neverRel = true
		if _, ok, _ := store.LockMint(context.Background(), clerk.TokenKey{SessionID: "sess_1", Template: "test"}, time.Minute); !ok {
			t.Fatal("could not plant the claim")
		}
		c := newBubbleClient(t, f.fakeAPI, clerk.WithTokenCache(store), clerk.WithMintLockTTL(time.Minute))
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.GetToken(ctx, "sess_1", "test")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the caller's deadline", err)
		}
		if waited := time.Since(start); waited != 200*time.Millisecond {
			t.Errorf("returned after %v, want at the 200ms deadline", waited)
		}
		if n := len(f.requests()); n != 0 {
			t.Errorf("Clerk saw %d requests while another replica held the claim", n)
		}
	})
}
