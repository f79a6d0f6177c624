package clerkredis_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
	clerkredis "github.com/clerkkit/clerkkit/redis"
)

// m2mWorld is an emulator with a calling machine allowed to call an "api"
// machine. The emulator, the M2M clients and the caches of a test all read
// one manual clock, so minutes pass without waiting.
type m2mWorld struct {
	srv    *clerktest.Server
	caller clerktest.Machine
	clock  *fakeClock
}

func newM2MWorld(t *testing.T) *m2mWorld {
	t.Helper()
	// A whole second, so token times have no fraction to round away.
	clock := &fakeClock{now: time.Now().Truncate(time.Second)}
	srv := clerktest.Start(t, clerktest.WithClock(clock.Now))
	api, err := srv.AddMachine(clerktest.Machine{Name: "api"})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := srv.AddMachine(clerktest.Machine{Name: "worker", Scopes: []string{api.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return &m2mWorld{srv: srv, caller: caller, clock: clock}
}

func (w *m2mWorld) creates() int { return w.srv.Requests(clerktest.EndpointCreateM2MToken) }

// source is one replica's token source for 60 s tokens: its own
// M2MClient and, with a store, that store (each replica's own Cache).
func (w *m2mWorld) source(t *testing.T, store clerk.M2MTokenStore, logger *slog.Logger) *clerk.M2MTokenSource {
	t.Helper()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// A short timeout keeps the mint claim (the timeout and 5 s) short
	// for TestM2MVanishedClaimHolder.
	client, err := clerk.NewM2MClient(w.caller.SecretKey, clerk.WithTimeout(2*time.Second),
		clerk.WithAPIURL(w.srv.URL), clerk.WithM2MClock(w.clock.Now), clerk.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	opts := []clerk.M2MTokenOption{clerk.WithM2MLifetime(time.Minute)}
	if store != nil {
		opts = append(opts, clerk.WithM2MTokenStore(store))
	}
	src, err := client.TokenSource(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// replicas builds n replicas sharing f's Redis, each with its own Cache
// on its own connection pool.
func (w *m2mWorld) replicas(t *testing.T, f fixture, n int, opts ...clerkredis.Option) []*clerk.M2MTokenSource {
	t.Helper()
	out := make([]*clerk.M2MTokenSource, n)
	for i := range out {
		out[i] = w.source(t, f.cache(t, append([]clerkredis.Option{clerkredis.WithClock(w.clock.Now)}, opts...)...).M2MTokens(), nil)
	}
	return out
}

// askAtOnce has perSource goroutines per source ask for a token at the
// same moment and returns the distinct token ids handed out.
func askAtOnce(t *testing.T, perSource int, sources ...*clerk.M2MTokenSource) map[string]bool {
	t.Helper()
	var (
		mu  sync.Mutex
		ids = map[string]bool{}
		wg  sync.WaitGroup
	)
	start := make(chan struct{})
	for _, src := range sources {
		for range perSource {
			wg.Go(func() {
				<-start
				tok, err := src.Token(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ids[tok.ID] = true
				mu.Unlock()
			})
		}
	}
	close(start)
	wg.Wait()
	return ids
}

// TestM2MReplicasMintOnce: three replicas, each with its own Cache on one
// Redis, and 100 goroutines on each asking at once: one create call.
func TestM2MReplicasMintOnce(t *testing.T) {
	f := newFixture(t)
	w := newM2MWorld(t)
	w.srv.SetLatency(100*time.Millisecond, clerktest.EndpointCreateM2MToken) // the mint overlaps everyone's miss
	replicas := w.replicas(t, f, 3)
	ids := askAtOnce(t, 100, replicas...)
	n := w.creates()
	t.Logf("3 replicas × 100 concurrent callers: %d create call, %d distinct token", n, len(ids))
	if n != 1 || len(ids) != 1 {
		t.Errorf("%d create calls and %d tokens, want 1 of each", n, len(ids))
	}
	var creates, shared uint64
	for _, r := range replicas {
		s := r.Stats()
		creates += s.Creates
		shared += s.SharedHits
	}
	if creates != 1 || shared != 2 {
		t.Errorf("replicas minted %d times and read the shared token %d times, want 1 and 2", creates, shared)
	}
}

// simulateM2M asks every source for a token once a simulated second for
// d, checking each has more than 10 s left, and returns the distinct ids.
func simulateM2M(t *testing.T, w *m2mWorld, d time.Duration, sources ...*clerk.M2MTokenSource) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for end := w.clock.Now().Add(d); w.clock.Now().Before(end); w.clock.Advance(time.Second) {
		for i, src := range sources {
			tok, err := src.Token(ctx)
			if err != nil {
				t.Fatalf("source %d at +%v: %v", i, d-end.Sub(w.clock.Now()), err)
			}
			if left := tok.ExpiresAt.Sub(w.clock.Now()); left <= 10*time.Second {
				t.Fatalf("source %d handed out a token with %v left", i, left)
			}
			ids[tok.ID] = true
		}
	}
	return ids
}

// wantM2MCreates is the create count of a 10-minute run with 60 s tokens
// and the default margin (12 s): tokens are minted at 0, 48, …, 576 s.
const wantM2MCreates = 13

// TestM2MReplicasTenMinutes: ten simulated minutes of a call a second on
// each of three replicas sharing Redis mint as often as one process alone:
// once per usable lifetime.
func TestM2MReplicasTenMinutes(t *testing.T) {
	alone := newM2MWorld(t)
	aloneIDs := simulateM2M(t, alone, 10*time.Minute, alone.source(t, nil, nil))

	f := newFixture(t)
	w := newM2MWorld(t)
	ids := simulateM2M(t, w, 10*time.Minute, w.replicas(t, f, 3)...)
	n := w.creates()
	t.Logf("10 simulated minutes, 60 s tokens, a call a second: one process %d create calls; 3 replicas sharing Redis %d create calls, %d distinct tokens",
		alone.creates(), n, len(ids))
	if alone.creates() != wantM2MCreates || len(aloneIDs) != wantM2MCreates {
		t.Errorf("one process: %d create calls and %d tokens, want %d of each", alone.creates(), len(aloneIDs), wantM2MCreates)
	}
	if n != wantM2MCreates || len(ids) != wantM2MCreates {
		t.Errorf("3 replicas: %d create calls and %d tokens, want %d of each", n, len(ids), wantM2MCreates)
	}
}

// TestM2MSharedTokenInRedis: what Redis holds is a sealed value under an
// HMAC name, with the TTL of the token's freshness, and no claim is left
// behind.
func TestM2MSharedTokenInRedis(t *testing.T) {
	f := newFixture(t)
	w := newM2MWorld(t)
	tok, err := w.replicas(t, f, 1)[0].Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := f.rawKey(t, ":m2m:")
	rdb := newRedisClient(t, f.addr)
	value, err := rdb.Get(ctx, name).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for what, secret := range map[string]string{"token": tok.Token(), "token id": tok.ID, "machine secret key": w.caller.SecretKey} {
		if bytes.Contains(value, []byte(secret)) || strings.Contains(name, secret) {
			t.Errorf("Redis shows the %s", what)
		}
	}
	// Fresh for 48 s of the token's 60 s by the shared clock.
	if ttl := rdb.PTTL(ctx, name).Val(); ttl <= 47*time.Second || ttl > 48*time.Second {
		t.Errorf("TTL %v, want the 48 s the token stays fresh", ttl)
	}
	for _, k := range f.rawKeys(t) {
		if strings.Contains(k, ":m2m-lock:") {
			t.Errorf("the mint claim %q is still there", k)
		}
	}
}

// m2mStore is a store on a cache of the fixture with a manual clock.
func m2mStore(t *testing.T, f fixture, opts ...clerkredis.Option) (*clerkredis.Cache, *clerkredis.M2MTokenStore, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	c := f.cache(t, append([]clerkredis.Option{clerkredis.WithClock(clock.Now)}, opts...)...)
	return c, c.M2MTokens(), clock
}

// TestM2MTokenStoreExpiresBySealedTime: a value comes back byte for byte
// until its fresh-until by the cache's clock, and not after, even while
// Redis still holds it.
func TestM2MTokenStoreExpiresBySealedTime(t *testing.T) {
	f := newFixture(t)
	_, store, clock := m2mStore(t, f)
	value := []byte("an encoded token")
	if err := store.StoreM2MToken(ctx, "m2m:a", value, clock.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := store.LoadM2MToken(ctx, "m2m:a")
	if err != nil || !bytes.Equal(got, value) {
		t.Fatalf("LoadM2MToken = %q, %v; want the value stored", got, err)
	}
	if got, err := store.LoadM2MToken(ctx, "m2m:b"); got != nil || err != nil {
		t.Errorf("another key: %q, %v; want nothing", got, err)
	}
	clock.Advance(time.Minute)
	if got, err := store.LoadM2MToken(ctx, "m2m:a"); got != nil || err != nil {
		t.Errorf("past its fresh-until: %q, %v; want nothing", got, err)
	}
	if n := newRedisClient(t, f.addr).Exists(ctx, f.rawKey(t, ":m2m:")).Val(); n != 1 {
		t.Fatal("the value left Redis: the test no longer shows the sealed fresh-until at work")
	}
	// Nothing left to store: not stored, not an error.
	if err := store.StoreM2MToken(ctx, "m2m:c", value, clock.Now()); err != nil {
		t.Errorf("StoreM2MToken with no time left: %v", err)
	}
	if len(f.rawKeys(t)) != 1 {
		t.Errorf("keys %q, want only the first value", f.rawKeys(t))
	}
	if err := store.StoreM2MToken(ctx, "m2m:c", nil, clock.Now().Add(time.Minute)); err == nil {
		t.Error("an empty value was accepted")
	}
}

// TestM2MTokenStoreValuesAreBound: a value moved to another key, edited,
// truncated, sealed with another secret or sealed as a machine token
// answer is refused (nothing, no error), logged without a key or value,
// and counted; a cache with another secret reads nothing.
func TestM2MTokenStoreValuesAreBound(t *testing.T) {
	f := newFixture(t)
	var logs logBuffer
	c, store, clock := m2mStore(t, f, clerkredis.WithLogger(logs.logger()))
	rdb := newRedisClient(t, f.addr)
	future := clock.Now().Add(time.Minute)
	valueA := []byte("token of source A")
	if err := store.StoreM2MToken(ctx, "m2m:a", valueA, future); err != nil {
		t.Fatal(err)
	}
	nameA := f.rawKey(t, ":m2m:")
	if err := store.StoreM2MToken(ctx, "m2m:b", []byte("token of source B"), future); err != nil {
		t.Fatal(err)
	}
	nameB := otherKey(t, f, ":m2m:", nameA)
	sealedA, err := rdb.Get(ctx, nameA).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealedA, valueA) || strings.Contains(nameA, "m2m:a") {
		t.Error("Redis shows the value or the store key")
	}

	// A value another secret sealed for the same store key.
	other := f.cache(t, clerkredis.WithSecret([]byte("another secret, 32 bytes or more, for this test")))
	if err := other.M2MTokens().StoreM2MToken(ctx, "m2m:a", valueA, future); err != nil {
		t.Fatal(err)
	}
	otherName := otherKey(t, f, ":m2m:", nameA, nameB)
	otherValue := []byte(rdb.Get(ctx, otherName).Val())
	// A machine token answer sealed with this very secret.
	c.MachineTokens().Set(ctx, "m2m:a", valueA, future)
	machineValue := []byte(rdb.Get(ctx, f.rawKey(t, ":mt:")).Val())

	t.Run("another secret reads nothing", func(t *testing.T) {
		if got, err := other.M2MTokens().LoadM2MToken(ctx, "m2m:b"); got != nil || err != nil {
			t.Errorf("%q, %v", got, err)
		}
		// Not even this cache's value, planted where it looks.
		rdb.Set(ctx, otherName, sealedA, time.Minute)
		if got, err := other.M2MTokens().LoadM2MToken(ctx, "m2m:a"); got != nil || err != nil {
			t.Errorf("%q, %v", got, err)
		}
	})

	baseline := c.Stats().Rejected
	refused := func(t *testing.T, name string, value []byte, key string) {
		t.Helper()
		rdb.Set(ctx, name, value, time.Minute)
		if got, err := store.LoadM2MToken(ctx, key); got != nil || err != nil {
			t.Fatalf("a bad value: %q, %v; want nothing", got, err)
		}
	}
	t.Run("moved to another key", func(t *testing.T) { refused(t, nameB, sealedA, "m2m:b") })
	for _, at := range []int{0, 1, 8, 9, 20, len(sealedA) - 1} {
		t.Run("byte flipped", func(t *testing.T) {
			bad := bytes.Clone(sealedA)
			bad[at] ^= 0x01
			refused(t, nameA, bad, "m2m:a")
		})
	}
	t.Run("truncated", func(t *testing.T) { refused(t, nameA, sealedA[:20], "m2m:a") })
	t.Run("another secret", func(t *testing.T) { refused(t, nameA, otherValue, "m2m:a") })
	t.Run("a machine token answer", func(t *testing.T) { refused(t, nameA, machineValue, "m2m:a") })
	if n := c.Stats().Rejected - baseline; n != 10 {
		t.Errorf("Rejected = %d, want 10", n)
	}
	out := logs.String()
	if !strings.Contains(out, "shared M2M token that failed authentication") {
		t.Errorf("no log line for refused values: %q", out)
	}
	if strings.Contains(out, nameA) || strings.Contains(out, "m2m:a") || strings.Contains(out, string(valueA)) {
		t.Errorf("log shows a key or a value: %q", out)
	}
	// The untouched original still opens.
	rdb.Set(ctx, nameA, sealedA, time.Minute)
	if got, err := store.LoadM2MToken(ctx, "m2m:a"); err != nil || !bytes.Equal(got, valueA) {
		t.Fatalf("the original value no longer opens: %q, %v", got, err)
	}
}

// TestM2MTokenStoreCopiedTokenIsRefused: a replica whose shared token was
// replaced by another source's (other claims, same machine) mints its own
// rather than present the wrong token.
func TestM2MTokenStoreCopiedTokenIsRefused(t *testing.T) {
	f := newFixture(t)
	w := newM2MWorld(t)
	newClient := func() *clerk.M2MClient {
		c, err := clerk.NewM2MClient(w.caller.SecretKey, clerk.WithAPIURL(w.srv.URL), clerk.WithM2MClock(w.clock.Now), clerk.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	cacheA := f.cache(t, clerkredis.WithClock(w.clock.Now))
	a, err := newClient().TokenSource(clerk.WithM2MTokenStore(cacheA.M2MTokens()), clerk.WithM2MClaims(map[string]any{"role": "reader"}))
	if err != nil {
		t.Fatal(err)
	}
	tokA, err := a.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nameA := f.rawKey(t, ":m2m:")
	claimsB := clerk.WithM2MClaims(map[string]any{"role": "writer"})
	b, err := newClient().TokenSource(clerk.WithM2MTokenStore(f.cache(t, clerkredis.WithClock(w.clock.Now)).M2MTokens()), claimsB)
	if err != nil {
		t.Fatal(err)
	}
	tokB, err := b.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nameB := otherKey(t, f, ":m2m:", nameA)

	// A's token copied over B's, then a new replica with B's claims.
	rdb := newRedisClient(t, f.addr)
	rdb.Set(ctx, nameB, rdb.Get(ctx, nameA).Val(), time.Minute)
	cacheC := f.cache(t, clerkredis.WithClock(w.clock.Now))
	c, err := newClient().TokenSource(clerk.WithM2MTokenStore(cacheC.M2MTokens()), claimsB)
	if err != nil {
		t.Fatal(err)
	}
	tokC, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tokC.ID == tokA.ID || tokC.ID == tokB.ID || w.creates() != 3 {
		t.Errorf("the replica got token %s (A's %s, B's %s) after %d creates; want a new one, 3 creates", tokC.ID, tokA.ID, tokB.ID, w.creates())
	}
	if n := cacheC.Stats().Rejected; n != 2 { // its read before and after the claim
		t.Errorf("Rejected = %d, want 2", n)
	}
}

// TestM2MRedisDown: with Redis gone, every replica still gets a token by
// minting directly, once each, and logs why; the store returns errors.
func TestM2MRedisDown(t *testing.T) {
	redisSrv := startPrivateRedis(t)
	f := fixture{addr: redisSrv.Addr, instance: unique("ins_"), prefix: unique("test") + ":"}
	w := newM2MWorld(t)
	var logs logBuffer
	var caches []*clerkredis.Cache
	var replicas []*clerk.M2MTokenSource
	for range 3 {
		c := f.cache(t, clerkredis.WithClock(w.clock.Now), clerkredis.WithTimeout(time.Second))
		caches = append(caches, c)
		replicas = append(replicas, w.source(t, c.M2MTokens(), logs.logger()))
	}
	for _, r := range replicas {
		if _, err := r.Token(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.creates(); n != 1 {
		t.Fatalf("%d creates with Redis up, want 1", n)
	}

	redisSrv.Kill()
	w.clock.Advance(48 * time.Second) // the shared token is due
	for i, r := range replicas {
		tok, err := r.Token(ctx)
		if err != nil {
			t.Fatalf("replica %d with Redis down: %v", i, err)
		}
		if left := tok.ExpiresAt.Sub(w.clock.Now()); left < 59*time.Second {
			t.Errorf("replica %d: a token with %v left, want a new one", i, left)
		}
	}
	if n := w.creates(); n != 4 {
		t.Errorf("%d creates, want 1 + one for each of 3 replicas", n)
	}
	// Each replica now serves its own token from memory.
	w.clock.Advance(10 * time.Second)
	for _, r := range replicas {
		if _, err := r.Token(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.creates(); n != 4 {
		t.Errorf("%d creates after the replicas had tokens, want 4", n)
	}
	for i, c := range caches {
		if s := c.Stats(); s.Errors == 0 {
			t.Errorf("replica %d's cache: %+v, want its Redis errors counted", i, s)
		}
	}
	if out := logs.String(); !strings.Contains(out, "M2M token store read failed") {
		t.Errorf("no warning logged: %q", out)
	}

	store := f.cache(t, clerkredis.WithTimeout(time.Second)).M2MTokens()
	if _, err := store.LoadM2MToken(ctx, "m2m:a"); err == nil {
		t.Error("LoadM2MToken: no error with Redis down")
	}
	if _, ok, err := store.LockM2MMint(ctx, "m2m:a", time.Second); ok || err == nil {
		t.Errorf("LockM2MMint with Redis down: %v, %v", ok, err)
	}
	if err := store.StoreM2MToken(ctx, "m2m:a", []byte("v"), time.Now().Add(time.Minute)); err == nil {
		t.Error("StoreM2MToken: no error with Redis down")
	}
}

// vanishingStore is the store of a replica that dies once it has claimed
// a mint: it takes the claim in Redis and never mints, stores or unlocks.
type vanishingStore struct {
	*clerkredis.M2MTokenStore
	claimed chan struct{}
	gone    chan struct{} // closed when the test ends
	ttl     time.Duration // the claim's, as the source asked
}

func (v *vanishingStore) LockM2MMint(ctx context.Context, key string, ttl time.Duration) (func(), bool, error) {
	_, ok, err := v.M2MTokenStore.LockM2MMint(ctx, key, ttl)
	if !ok || err != nil {
		return nil, ok, err
	}
	v.ttl = ttl
	close(v.claimed)
	<-v.gone // the process is gone: its refresh never goes further
	return nil, false, errors.New("the replica is gone")
}

// TestM2MVanishedClaimHolder: a replica that claimed the mint and died
// holds the others back only until its claim lapses; then one of them
// mints, once, for all.
func TestM2MVanishedClaimHolder(t *testing.T) {
	f := newFixture(t)
	w := newM2MWorld(t)
	vanishing := &vanishingStore{M2MTokenStore: f.cache(t, clerkredis.WithClock(w.clock.Now)).M2MTokens(),
		claimed: make(chan struct{}), gone: make(chan struct{})}
	t.Cleanup(func() { close(vanishing.gone) })
	dead := w.source(t, vanishing, nil)
	claimedAt := time.Now() // no later than Redis set the claim's expiry
	dying, die := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := dead.Token(dying)
		done <- err
	}()
	<-vanishing.claimed
	die()
	if err := <-done; err == nil {
		t.Fatal("the vanished replica got a token")
	}
	if n := w.creates(); n != 0 {
		t.Fatalf("%d creates by the vanished replica, want 0", n)
	}
	// The others arrive a second into the claim, as they would: their
	// own give-up time then falls well after its expiry.
	lock := f.rawKey(t, ":m2m-lock:")
	rdb := newRedisClient(t, f.addr)
	for rdb.PTTL(ctx, lock).Val() > vanishing.ttl-time.Second {
	}

	ids := askAtOnce(t, 20, w.replicas(t, f, 2)...)
	waited := time.Since(claimedAt)
	t.Logf("the others got a token %v after the vanished replica's %v claim; %d create call", waited.Round(time.Millisecond), vanishing.ttl, w.creates())
	if n := w.creates(); n != 1 || len(ids) != 1 {
		t.Errorf("%d creates and %d tokens, want 1 of each", n, len(ids))
	}
	if waited < vanishing.ttl {
		t.Errorf("the others minted %v after the claim, before its %v ttl", waited, vanishing.ttl)
	}
}
