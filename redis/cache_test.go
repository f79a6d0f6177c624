package clerkredis_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkredis "github.com/clerkkit/clerkkit/redis"
	"github.com/redis/go-redis/v9"
)

var ctx = context.Background()

// outageBackoff mirrors the cache's pause after a Redis failure.
const outageBackoff = time.Second

func TestNewRefusesBadConfiguration(t *testing.T) {
	good := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer good.Close()
	noDeadlines := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer noDeadlines.Close()
	secret := clerkredis.WithSecret(testSecret)
	for _, c := range []struct {
		name string
		rdb  redis.UniversalClient
		opts []clerkredis.Option
	}{
		{"nil client", nil, []clerkredis.Option{secret}},
		{"no secret", good, nil},
		{"short secret", good, []clerkredis.Option{clerkredis.WithSecret([]byte("sk_test_short"))}},
		{"client ignores deadlines", noDeadlines, []clerkredis.Option{secret}},
		{"prefix with a hash tag", good, []clerkredis.Option{secret, clerkredis.WithKeyPrefix("app{1}:")}},
		{"zero timeout", good, []clerkredis.Option{secret, clerkredis.WithTimeout(0)}},
		{"nil logger", good, []clerkredis.Option{secret, clerkredis.WithLogger(nil)}},
		{"nil clock", good, []clerkredis.Option{secret, clerkredis.WithClock(nil)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache, err := clerkredis.New(c.rdb, c.opts...)
			if !errors.Is(err, clerkredis.ErrConfig) || cache != nil {
				t.Fatalf("New = %v, %v; want a configuration error", cache, err)
			}
		})
	}
	if _, err := clerkredis.New(good, secret); err != nil {
		t.Fatalf("valid configuration refused: %v", err)
	}
}

func TestHitAndMiss(t *testing.T) {
	f := newFixture(t)
	replicaA, replicaB := f.cache(t), f.cache(t)
	key := clerk.TokenKey{SessionID: "sess_1", Template: "supabase"}
	if _, ok := replicaA.Get(ctx, key); ok {
		t.Fatal("hit on an empty cache")
	}
	tok := token("a")
	replicaA.Set(ctx, key, tok, time.Now().Add(time.Minute))

	got, ok := replicaB.Get(ctx, key)
	if !ok || got.JWT != tok.JWT {
		t.Fatalf("another replica got %v, %v; want the stored token", got, ok)
	}
	for _, other := range []clerk.TokenKey{
		{SessionID: "sess_2", Template: "supabase"},
		{SessionID: "sess_1", Template: "hasura"},
		{SessionID: "sess_1", Template: ""},
		{SessionID: "sess_1", Template: "supabase", ExpiresInSeconds: 120},
	} {
		if _, ok := replicaB.Get(ctx, other); ok {
			t.Errorf("hit for %+v, which was never stored", other)
		}
	}

	// Same secret, other instance; same instance, other secret: both miss.
	otherInstance := fixture{addr: f.addr, instance: "ins_other", prefix: f.prefix}.cache(t)
	otherSecret := f.cache(t, clerkredis.WithSecret(bytes.Repeat([]byte("x"), 32)))
	for name, c := range map[string]*clerkredis.Cache{"other instance": otherInstance, "other secret": otherSecret} {
		if _, ok := c.Get(ctx, key); ok {
			t.Errorf("%s: hit on another instance's token", name)
		}
		if s := c.Stats(); s.Rejected != 0 {
			t.Errorf("%s: another namespace's value was even read: %+v", name, s)
		}
	}
	if s := replicaB.Stats(); s.Hits != 1 || s.Misses != 4 {
		t.Errorf("stats %+v, want 1 hit and 4 misses", s)
	}
}

func TestValueExpiresWhenFreshnessEnds(t *testing.T) {
	f := newFixture(t)
	clock := newFakeClock()
	c := f.cache(t, clerkredis.WithClock(clock.Now))
	key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
	c.Set(ctx, key, token("a"), clock.Now().Add(time.Minute))
	tokKey := f.rawKey(t, ":tok:")
	rdb := newRedisClient(t, f.addr)
	// Redis drops the value when its freshness ends...
	ttl := rdb.PTTL(ctx, tokKey).Val()
	if ttl <= 0 || ttl > time.Minute {
		t.Fatalf("PTTL = %v, want within (0, 1m]", ttl)
	}
	clock.Advance(time.Minute - time.Millisecond)
	if _, ok := c.Get(ctx, key); !ok {
		t.Fatal("miss while fresh")
	}
	// ...and the cache refuses it from then on, even while Redis holds it.
	clock.Advance(time.Millisecond)
	if _, ok := c.Get(ctx, key); ok {
		t.Fatal("hit after freshness ended")
	}
	if n := rdb.Exists(ctx, tokKey).Val(); n != 1 {
		t.Fatal("Redis no longer holds the value; the check above proved nothing")
	}

	// A token already stale is not stored at all.
	c.Set(ctx, clerk.TokenKey{SessionID: "sess_2"}, token("b"), clock.Now().Add(-time.Second))
	if _, ok := c.Get(ctx, clerk.TokenKey{SessionID: "sess_2"}); ok {
		t.Error("a stale token was stored")
	}
}

// The freshness is sealed inside the value: removing the key's TTL in
// Redis does not make a token live longer.
func TestFreshnessSurvivesPersist(t *testing.T) {
	f := newFixture(t)
	clock := newFakeClock()
	c := f.cache(t, clerkredis.WithClock(clock.Now))
	key := clerk.TokenKey{SessionID: "sess_1"}
	c.Set(ctx, key, token("a"), clock.Now().Add(300*time.Millisecond))
	rdb := newRedisClient(t, f.addr)
	for _, k := range f.rawKeys(t) {
		rdb.Persist(ctx, k)
	}
	clock.Advance(400 * time.Millisecond)
	if _, ok := c.Get(ctx, key); ok {
		t.Fatal("hit on a value whose TTL an attacker removed")
	}
}

func TestValuesAreEncryptedAndBound(t *testing.T) {
	f := newFixture(t)
	var logs logBuffer
	c := f.cache(t, clerkredis.WithLogger(logs.logger()))
	rdb := newRedisClient(t, f.addr)
	keyA := clerk.TokenKey{SessionID: "sess_secretid", Template: "tmpl_secretname"}
	keyB := clerk.TokenKey{SessionID: "sess_secretid", Template: "other_template"}
	tokA, tokB := token("a"), token("b")
	c.Set(ctx, keyA, tokA, time.Now().Add(time.Minute))
	c.Set(ctx, keyB, tokB, time.Now().Add(time.Minute))

	// Neither key names nor values give anything away.
	var tokKeys []string
	for _, k := range f.rawKeys(t) {
		if strings.Contains(k, "secretid") || strings.Contains(k, "secretname") || strings.Contains(k, f.instance) {
			t.Errorf("key %q shows a session, template or instance", k)
		}
		if strings.Contains(k, ":tok:") {
			tokKeys = append(tokKeys, k)
		}
		if rdb.Type(ctx, k).Val() != "string" {
			continue
		}
		v := rdb.Get(ctx, k).Val()
		for _, tok := range []*clerk.Token{tokA, tokB} {
			for part := range strings.SplitSeq(tok.JWT, ".") {
				if strings.Contains(v, part) {
					t.Errorf("value of %q contains part of a JWT", k)
				}
			}
		}
		if strings.Contains(v, "eyJ") {
			t.Errorf("value of %q contains base64 JSON", k)
		}
	}
	if len(tokKeys) != 2 {
		t.Fatalf("token keys %q, want 2", tokKeys)
	}
	// Which key is A's: the one without which A misses.
	tokKeyA, tokKeyB := tokKeys[0], tokKeys[1]
	valueA := []byte(rdb.Get(ctx, tokKeyA).Val())
	rdb.Del(ctx, tokKeyA)
	if _, ok := c.Get(ctx, keyA); ok {
		tokKeyA, tokKeyB = tokKeyB, tokKeyA
		valueA = []byte(rdb.Get(ctx, tokKeyA).Val())
	} else {
		rdb.Set(ctx, tokKeyA, valueA, time.Minute)
	}
	baseline := c.Stats().Rejected

	t.Run("moved to another key", func(t *testing.T) {
		rdb.Set(ctx, tokKeyB, valueA, time.Minute)
		if got, ok := c.Get(ctx, keyB); ok {
			t.Fatalf("a value moved to another key opened: %v", got)
		}
	})
	for i, at := range []int{0, 1, 12, len(valueA) / 2, len(valueA) - 1} {
		t.Run("byte flipped", func(t *testing.T) {
			bad := bytes.Clone(valueA)
			bad[at] ^= 0x01
			rdb.Set(ctx, tokKeyA, bad, time.Minute)
			if got, ok := c.Get(ctx, keyA); ok {
				t.Fatalf("case %d: a value with byte %d flipped opened: %v", i, at, got)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		rdb.Set(ctx, tokKeyA, valueA[:20], time.Minute)
		if _, ok := c.Get(ctx, keyA); ok {
			t.Fatal("a truncated value opened")
		}
	})
	if s := c.Stats(); s.Rejected-baseline != 7 {
		t.Errorf("Rejected = %d, want 7", s.Rejected-baseline)
	}
	out := logs.String()
	if !strings.Contains(out, "failed authentication") {
		t.Errorf("no log line for tampered values: %q", out)
	}
	if strings.Contains(out, tokA.JWT) || strings.Contains(out, tokKeyA) || strings.Contains(out, "sess_secretid") {
		t.Errorf("log shows a token, a key or a session: %q", out)
	}
	// The untouched original still opens.
	rdb.Set(ctx, tokKeyA, valueA, time.Minute)
	if got, ok := c.Get(ctx, keyA); !ok || got.JWT != tokA.JWT {
		t.Fatal("the original value no longer opens")
	}
}

func TestInvalidateSession(t *testing.T) {
	f := newFixture(t)
	replicaA, replicaB := f.cache(t), f.cache(t)
	fresh := time.Now().Add(time.Minute)
	signedOut := []clerk.TokenKey{{SessionID: "sess_out"}, {SessionID: "sess_out", Template: "t"}, {SessionID: "sess_out", Template: "t", ExpiresInSeconds: 60}}
	kept := clerk.TokenKey{SessionID: "sess_kept", Template: "t"}
	for _, k := range append(signedOut, kept) {
		replicaA.Set(ctx, k, token(k.Template), fresh)
	}
	replicaB.InvalidateSession(ctx, "sess_out")
	for _, k := range signedOut {
		if _, ok := replicaA.Get(ctx, k); ok {
			t.Errorf("%+v survived the sign-out", k)
		}
	}
	if _, ok := replicaA.Get(ctx, kept); !ok {
		t.Error("another session's token was dropped")
	}
	if s := replicaA.Stats(); s.Stale != 3 {
		t.Errorf("Stale = %d, want 3", s.Stale)
	}
	// The session's next token is cached again.
	replicaA.Set(ctx, signedOut[0], token("again"), fresh)
	if got, ok := replicaB.Get(ctx, signedOut[0]); !ok || !strings.Contains(got.JWT, ".") {
		t.Error("a token stored after the sign-out is not found")
	}
}

// A replica begins a mint, another signs the session out, then the first
// stores what it minted: that token must not be served. Holding the mint
// lock changes nothing.
func TestTokenMintedAcrossASignOutIsNotStored(t *testing.T) {
	for _, locked := range []bool{false, true} {
		t.Run(map[bool]string{false: "unlocked", true: "locked"}[locked], func(t *testing.T) {
			f := newFixture(t)
			minter, other := f.cache(t), f.cache(t)
			key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
			unlock := func() {}
			store := minter.BeginMint(ctx, key)
			if locked {
				var ok bool
				var err error
				if unlock, ok, err = minter.LockMint(ctx, key, time.Second); !ok || err != nil {
					t.Fatalf("LockMint = %v, %v", ok, err)
				}
			}
			other.InvalidateSession(ctx, "sess_1")
			store(ctx, token("minted before sign-out"), time.Now().Add(time.Minute))
			unlock()
			if _, ok := other.Get(ctx, key); ok {
				t.Fatal("a token minted across a sign-out was served")
			}
			// The next mint begins under the new generation and stores.
			minter.BeginMint(ctx, key)(ctx, token("after"), time.Now().Add(time.Minute))
			if _, ok := other.Get(ctx, key); !ok {
				t.Fatal("a token minted after the sign-out was not stored")
			}
		})
	}
}

// Plain Set reads the generation when it is called: it stores after a
// sign-out, which is why the Client uses BeginMint instead.
func TestSetStoresUnderTheCurrentGeneration(t *testing.T) {
	f := newFixture(t)
	c := f.cache(t)
	key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
	c.InvalidateSession(ctx, "sess_1")
	c.Set(ctx, key, token("a"), time.Now().Add(time.Minute))
	if _, ok := f.cache(t).Get(ctx, key); !ok {
		t.Fatal("Set after a sign-out did not store")
	}
}

func TestLockMint(t *testing.T) {
	f := newFixture(t)
	a, b := f.cache(t), f.cache(t)
	key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}

	unlockA, ok, err := a.LockMint(ctx, key, time.Minute)
	if !ok || err != nil {
		t.Fatalf("first claim: %v, %v", ok, err)
	}
	if _, ok, err := b.LockMint(ctx, key, time.Minute); ok || err != nil {
		t.Fatalf("second claim while held: ok=%v err=%v, want refused", ok, err)
	}
	unlockOther, ok, _ := b.LockMint(ctx, clerk.TokenKey{SessionID: "sess_1", Template: "other"}, time.Minute)
	if !ok {
		t.Fatal("a claim on another key was refused")
	}
	unlockOther()
	unlockA()
	unlockA() // idempotent
	unlockB, ok, _ := b.LockMint(ctx, key, time.Minute)
	if !ok {
		t.Fatal("claim after unlock refused")
	}
	lockKey := f.rawKey(t, ":lock:")
	if ttl := newRedisClient(t, f.addr).PTTL(ctx, lockKey).Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("claim PTTL = %v, want within (0, 1m]", ttl)
	}

	t.Run("a lost holder blocks only until expiry", func(t *testing.T) {
		// b never unlocks; its claim lapses.
		if _, ok, _ := a.LockMint(ctx, key, time.Minute); ok {
			t.Fatal("claim taken while b still holds it")
		}
		expireNow(t, f, lockKey)
		unlockA, ok, _ := a.LockMint(ctx, key, time.Minute)
		if !ok {
			t.Fatal("claim still held after its expiry")
		}
		// b's late unlock must not release a's claim.
		unlockB()
		if _, ok, _ := b.LockMint(ctx, key, time.Minute); ok {
			t.Fatal("an expired holder's unlock released another's claim")
		}
		unlockA()
	})
}

// expireNow makes Redis expire key at once, by its own clock, and waits
// until it has.
func expireNow(t *testing.T, f fixture, key string) {
	t.Helper()
	rdb := newRedisClient(t, f.addr)
	if err := rdb.PExpire(ctx, key, time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); rdb.Exists(ctx, key).Val() != 0; {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("Redis did not expire %q", key)
		}
		runtime.Gosched()
	}
}

func TestRedisDownIsAMiss(t *testing.T) {
	redisAddr(t) // the logic holds without Redis, but keep this file's tests together
	for name, addr := range map[string]string{
		"refused": "127.0.0.1:1",
		"hanging": blackHole(t),
	} {
		t.Run(name, func(t *testing.T) {
			var logs logBuffer
			// Far below the client's 30s socket timeouts, far above
			// scheduling noise on a loaded machine.
			const timeout = 300 * time.Millisecond
			// The cache's clock stands still: the second in which it
			// leaves Redis alone never ends during the test.
			clock := newFakeClock()
			c := fixture{addr: addr, instance: "i", prefix: "p:"}.cache(t,
				clerkredis.WithLogger(logs.logger()), clerkredis.WithTimeout(timeout), clerkredis.WithClock(clock.Now))
			key := clerk.TokenKey{SessionID: "sess_1"}
			took := func(f func()) time.Duration {
				start := time.Now()
				f()
				return time.Since(start)
			}

			// A caller's shorter deadline wins over the cache's timeout,
			// and the caller giving up says nothing about Redis.
			short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			defer cancel()
			if d := took(func() { c.Get(short, key) }); d > 20*time.Millisecond+200*time.Millisecond {
				t.Errorf("Get with a 20ms deadline took %v", d)
			}
			if s := c.Stats(); s.Errors != 1 || s.Skipped != 0 {
				t.Fatalf("after a caller's deadline: %+v, want 1 error and nothing skipped", s)
			}

			// The first failure costs one timeout...
			if d := took(func() {
				if _, ok := c.Get(ctx, key); ok {
					t.Error("hit without Redis")
				}
			}); d > timeout+time.Second {
				t.Errorf("Get took %v with a %v timeout", d, timeout)
			}
			// ...then Redis is left alone: no waiting at all.
			for range 5 {
				if d := took(func() {
					if _, ok := c.Get(ctx, key); ok {
						t.Error("hit without Redis")
					}
					c.Set(ctx, key, token("a"), time.Now().Add(time.Minute))
					if _, ok, err := c.LockMint(ctx, key, time.Second); ok || err == nil {
						t.Errorf("LockMint = %v, %v; want an error", ok, err)
					}
				}); d > timeout/2 {
					t.Errorf("operations after a failure took %v; they should not try Redis", d)
				}
			}
			// A sign-out is always tried.
			c.InvalidateSession(ctx, "sess_1")
			s := c.Stats()
			if s.Errors != 3 || s.Skipped != 15 {
				t.Errorf("stats %+v, want 3 errors (2 gets, 1 invalidation) and 15 skipped", s)
			}
			if n := strings.Count(logs.String(), "redis operation failed"); n != 1 {
				t.Errorf("%d log lines for 3 failures within a second, want 1:\n%s", n, logs.String())
			}
		})
	}
}

// After an outage the cache goes back to Redis by itself.
func TestRedisComesBack(t *testing.T) {
	r := startPrivateRedis(t)
	clock := newFakeClock()
	c := fixture{addr: r.Addr, instance: "i", prefix: "p:"}.cache(t, clerkredis.WithClock(clock.Now))
	key := clerk.TokenKey{SessionID: "sess_1"}
	c.Set(ctx, key, token("a"), time.Now().Add(time.Minute))
	if _, ok := c.Get(ctx, key); !ok {
		t.Fatal("miss with Redis up")
	}
	r.Kill()
	if _, ok := c.Get(ctx, key); ok {
		t.Fatal("hit with Redis dead")
	}
	r.Start(t) // empty again: nothing was persisted
	c.Set(ctx, key, token("b"), time.Now().Add(time.Minute))
	if s := c.Stats(); s.Skipped != 1 {
		t.Fatalf("Set right after the failure: %+v, want it skipped", s)
	}
	clock.Advance(outageBackoff)
	c.Set(ctx, key, token("c"), time.Now().Add(time.Minute))
	if got, ok := c.Get(ctx, key); !ok || !strings.Contains(got.JWT, ".") {
		t.Fatal("the cache did not go back to Redis after the outage")
	}
}

func TestDefaultLoggerIsSlogDefault(t *testing.T) {
	var logs logBuffer
	old := slog.Default()
	slog.SetDefault(logs.logger())
	defer slog.SetDefault(old)
	c, err := clerkredis.New(newRedisClient(t, "127.0.0.1:1"), clerkredis.WithSecret(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	c.Get(ctx, clerk.TokenKey{SessionID: "sess_1"})
	if !strings.Contains(logs.String(), "redis operation failed") {
		t.Errorf("nothing logged to slog.Default: %q", logs.String())
	}
}
