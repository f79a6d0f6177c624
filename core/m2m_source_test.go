package clerk_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// TestM2MTokenSourceCoalesces: 1000 goroutines asking at once for the
// first token make one create call and all receive its token.
func TestM2MTokenSourceCoalesces(t *testing.T) {
	f := newM2MFixture(t)
	src := mustSource(t, f.client)
	start := make(chan struct{})
	tokens := make([]*clerk.M2MToken, 1000)
	errs := make([]error, len(tokens))
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Go(func() {
			<-start
			tokens[i], errs[i] = src.Token(t.Context())
		})
	}
	close(start)
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %v, %v; want the one shared token", i, tokens[i], errs[i])
		}
	}
	if n := f.creates(); n != 1 {
		t.Errorf("%d create calls for 1000 concurrent callers, want 1", n)
	}
	if s := src.Stats(); s.Creates != 1 {
		t.Errorf("Stats = %+v", s)
	}
	t.Logf("1000 concurrent callers: %d create call", f.creates())
}

// simulateCalls asks every source for a token once a simulated second for
// d, checking each has more than 10 s left, and returns the distinct ids.
func simulateCalls(t *testing.T, d time.Duration, sources ...*clerk.M2MTokenSource) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i, src := range sources {
			tok, err := src.Token(t.Context())
			if err != nil {
				t.Fatalf("source %d at %v: %v", i, time.Now().Format(time.TimeOnly), err)
			}
			if left := time.Until(tok.ExpiresAt); left <= 10*time.Second {
				t.Fatalf("source %d handed out a token with %v left", i, left)
			}
			ids[tok.ID] = true
		}
		time.Sleep(time.Second) // advances the bubble's fake clock
	}
	return ids
}

// wantCreates is the create count of a 10-minute run with 60 s tokens
// and the default margin (max(10 s, 60 s / 5) = 12 s): a token is used
// for 48 s, so tokens are minted at 0, 48, …, 576 s.
const wantCreates = 13

// TestM2MTokenSourceTenMinutes simulates ten minutes of calls with 60 s
// tokens: exactly one create per usable lifetime.
func TestM2MTokenSourceTenMinutes(t *testing.T) {
	f := newM2MServer(t)
	synctest.Test(t, func(t *testing.T) {
		src := mustSource(t, f.bubbleClient(t), clerk.WithM2MLifetime(time.Minute))
		ids := simulateCalls(t, 10*time.Minute, src)
		n := f.creates()
		t.Logf("10 simulated minutes, 60 s tokens, a call a second: %d create calls, %d distinct tokens", n, len(ids))
		if n != wantCreates || len(ids) != wantCreates {
			t.Errorf("%d create calls and %d tokens, want %d of each", n, len(ids), wantCreates)
		}
	})
}

// TestM2MTokenSourceKeepsServing: a failing refresh leaves the valid token
// in service, with a warning that does not show it; callers get an error
// only once it has expired, and a token again once Clerk is back.
func TestM2MTokenSourceKeepsServing(t *testing.T) {
	f := newM2MServer(t)
	synctest.Test(t, func(t *testing.T) {
		logs := &lockedBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, nil))
		src := mustSource(t, f.bubbleClient(t, clerk.WithLogger(logger)), clerk.WithM2MLifetime(time.Minute))
		first, err := src.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		f.srv.FailNext(1_000_000, http.StatusServiceUnavailable, clerktest.EndpointCreateM2MToken)
		time.Sleep(50 * time.Second) // past the refresh point (48 s)
		for time.Now().Before(first.ExpiresAt) {
			tok, err := src.Token(t.Context())
			if err != nil || tok != first {
				t.Fatalf("at %v left: %v, %v; want the valid token", time.Until(first.ExpiresAt), tok, err)
			}
			time.Sleep(250 * time.Millisecond)
		}
		attempts := f.creates() - 1
		tok, err := src.Token(t.Context())
		if tok != nil || !errors.Is(err, clerk.ErrServerError) {
			t.Fatalf("after expiry: %v, %v; want ErrServerError", tok, err)
		}
		// Ten seconds of failing refreshes, one a second, three attempts each.
		if attempts < 3 || attempts > 11*3 {
			t.Errorf("%d create attempts while serving the old token; want about one refresh a second", attempts)
		}
		if !strings.Contains(logs.String(), "refresh failed") || strings.Contains(logs.String(), first.Token()) {
			t.Errorf("log: %s", logs)
		}
		if s := src.Stats(); s.KeptServing == 0 {
			t.Errorf("Stats = %+v", s)
		}
		f.srv.ClearFaults()
		tok, err = src.Token(t.Context())
		if err != nil || tok == first {
			t.Errorf("after recovery: %v, %v", tok, err)
		}
	})
}

// TestM2MTokenSourceSharedStore: three replicas sharing a store mint as
// often together as one alone, and never store the key in clear.
func TestM2MTokenSourceSharedStore(t *testing.T) {
	f := newM2MServer(t)
	synctest.Test(t, func(t *testing.T) {
		store := newMemoryM2MStore()
		var replicas []*clerk.M2MTokenSource
		for range 3 {
			replicas = append(replicas, mustSource(t, f.bubbleClient(t), clerk.WithM2MLifetime(time.Minute), clerk.WithM2MTokenStore(store)))
		}
		// All replicas at once, many callers each.
		var wg sync.WaitGroup
		for i := range 300 {
			wg.Go(func() {
				if _, err := replicas[i%3].Token(t.Context()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := f.creates(); n != 1 {
			t.Fatalf("%d create calls for 300 callers on 3 replicas, want 1", n)
		}
		ids := simulateCalls(t, 10*time.Minute, replicas...)
		n := f.creates()
		t.Logf("3 replicas, 10 simulated minutes, 60 s tokens: %d create calls, %d distinct tokens", n, len(ids))
		if n != wantCreates || len(ids) != wantCreates {
			t.Errorf("%d create calls and %d tokens for 3 replicas, want %d of each", n, len(ids), wantCreates)
		}
		keys := store.keys()
		if len(keys) != 1 || strings.Contains(keys[0], f.caller.SecretKey) || !strings.HasPrefix(keys[0], "m2m:") {
			t.Errorf("store keys = %v", keys)
		}
	})
}

// TestM2MTokenStoreKeys: one key per machine and create parameters.
func TestM2MTokenStoreKeys(t *testing.T) {
	f := newM2MFixture(t)
	other, err := f.srv.AddMachine(clerktest.Machine{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	otherClient, err := clerk.NewM2MClient(other.SecretKey, clerk.WithAPIURL(f.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer otherClient.CloseIdleConnections()
	store := newMemoryM2MStore()
	for _, src := range []*clerk.M2MTokenSource{
		mustSource(t, f.client, clerk.WithM2MTokenStore(store)),
		mustSource(t, f.client, clerk.WithM2MTokenStore(store)), // the same key as the first
		mustSource(t, f.client, clerk.WithM2MTokenStore(store), clerk.WithM2MClaims(map[string]any{"a": 1})),
		mustSource(t, f.client, clerk.WithM2MTokenStore(store), clerk.WithM2MTokenFormat(clerk.M2MTokenJWT)),
		mustSource(t, otherClient, clerk.WithM2MTokenStore(store)),
	} {
		if _, err := src.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if keys := store.keys(); len(keys) != 4 {
		t.Errorf("%d keys, want 4: %v", len(keys), keys)
	}
	if n := f.creates(); n != 4 {
		t.Errorf("%d creates, want 4 (the second source reads the first one's token)", n)
	}
}

// TestM2MTokenSourceStoreFailure: a failing store never fails a refresh.
func TestM2MTokenSourceStoreFailure(t *testing.T) {
	logs := &lockedBuffer{}
	f := newM2MFixture(t, clerk.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	store := newMemoryM2MStore()
	store.failed = errors.New("store down")
	src := mustSource(t, f.client, clerk.WithM2MTokenStore(store))
	tok, err := src.Token(t.Context())
	if err != nil || tok == nil || f.creates() != 1 {
		t.Fatalf("%v, %v after %d creates", tok, err, f.creates())
	}
	if !strings.Contains(logs.String(), "store down") {
		t.Errorf("no warning logged: %s", logs)
	}
}

// TestM2MTokenSourceCallerLeaves: a caller whose context ends stops
// waiting with its cause and does not fail the others. Over loopback: the
// emulator's latency waits on a channel made outside any bubble.
func TestM2MTokenSourceCallerLeaves(t *testing.T) {
	f := newM2MFixture(t)
	f.srv.SetLatency(500*time.Millisecond, clerktest.EndpointCreateM2MToken)
	src := mustSource(t, f.client)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	other := make(chan error, 1)
	go func() { _, err := src.Token(t.Context()); other <- err }()
	if _, err := src.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("leaving caller: %v", err)
	}
	if err := <-other; err != nil {
		t.Errorf("staying caller: %v", err)
	}
	if n := f.creates(); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}
}

// TestM2MCallersLeavingKeepTheCreate: callers whose deadlines are shorter
// than Clerk's answer leave, but the create they started (which Clerk
// bills) still lands in the source for the next caller: one create, not
// one per caller.
func TestM2MCallersLeavingKeepTheCreate(t *testing.T) {
	f := newM2MServer(t)
	synctest.Test(t, func(t *testing.T) {
		src := mustSource(t, f.slowClient(t, 300*time.Millisecond))
		for range 5 {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			_, err := src.Token(ctx)
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("a caller with 20 ms left got %v; want its deadline", err)
			}
		}
		if _, err := src.Token(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := f.creates(); n != 1 {
			t.Errorf("%d create calls for callers that gave up and one that waited; want 1", n)
		}
	})
}

// TestM2MSlowClerkSharedStoreMintsOnce: replicas sharing a store make one
// create between them even when Clerk takes longer to answer than a short
// claim would last: the claim covers the whole mint, retries included.
func TestM2MSlowClerkSharedStoreMintsOnce(t *testing.T) {
	f := newM2MServer(t)
	synctest.Test(t, func(t *testing.T) {
		store := newMemoryM2MStore()
		var wg sync.WaitGroup
		for range 3 {
			src := mustSource(t, f.slowClient(t, 12*time.Second), clerk.WithM2MTokenStore(store))
			wg.Go(func() {
				if _, err := src.Token(t.Context()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := f.creates(); n != 1 {
			t.Errorf("3 replicas made %d create calls while Clerk took 12 s; want 1", n)
		}
	})
}
