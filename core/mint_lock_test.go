package clerk_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
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

func TestReplicasSharingAStoreMintOnce(t *testing.T) {
	release := make(chan struct{})
	f := newMintingAPI(t, time.Minute)
	f.mu.Lock()
	first := f.replies[0]
	f.replies[0] = func(w http.ResponseWriter, r *http.Request) { <-release; first(w, r) }
	f.mu.Unlock()
	store := newSharedStore(t)
	replicas := make([]*clerk.Client, 3)
	for i := range replicas {
		replicas[i] = newTestClient(t, f.fakeAPI, clerk.WithTokenCache(store))
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
	waitUntil(t, func() bool { return len(f.requests()) == 1 })
	time.Sleep(100 * time.Millisecond) // let the other replicas find the claim taken
	close(release)
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

func TestLostMintClaimBlocksOnlyUntilItExpires(t *testing.T) {
	f := newMintingAPI(t, time.Minute)
	store := newSharedStore(t)
	store.neverRel = true
	// A replica that claimed the mint and died.
	if _, ok, _ := store.LockMint(context.Background(), clerk.TokenKey{SessionID: "sess_1", Template: "test"}, 300*time.Millisecond); !ok {
		t.Fatal("could not plant the claim")
	}
	c := newTestClient(t, f.fakeAPI, clerk.WithTokenCache(store), clerk.WithMintLockTTL(300*time.Millisecond))
	start := time.Now()
	if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("waited %v behind a dead claim of 300ms", waited)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("Clerk saw %d requests, want 1", n)
	}
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
	f := newMintingAPI(t, time.Minute)
	store := newSharedStore(t)
	store.neverRel = true
	if _, ok, _ := store.LockMint(context.Background(), clerk.TokenKey{SessionID: "sess_1", Template: "test"}, time.Minute); !ok {
		t.Fatal("could not plant the claim")
	}
	c := newTestClient(t, f.fakeAPI, clerk.WithTokenCache(store), clerk.WithMintLockTTL(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetToken(ctx, "sess_1", "test")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("returned after %v", waited)
	}
}
