package clerkredis_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkredis "github.com/clerkkit/clerkkit/redis"
)

// digest is the store key the core gives for a token.
func digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// machineAnswer is a verify answer as the core hands it to the store.
func machineAnswer(id string) []byte {
	return []byte(`{"object":"api_key","id":"` + id + `","subject":"user_1","name":"CI key","scopes":["read"],"revoked":false,"expired":false,"expiration":null}`)
}

func TestMachineTokensRoundTrip(t *testing.T) {
	f := newFixture(t)
	clock := newFakeClock()
	replicaA, replicaB := f.cache(t, clerkredis.WithClock(clock.Now)), f.cache(t, clerkredis.WithClock(clock.Now))
	key, answer := digest("ak_roundtrip"), machineAnswer("ak_id_1")

	if _, ok := replicaA.MachineTokens().Get(ctx, key); ok {
		t.Fatal("hit on an empty store")
	}
	replicaA.MachineTokens().Set(ctx, key, answer, clock.Now().Add(10*time.Second))
	if got, ok := replicaA.MachineTokens().Get(ctx, key); !ok || !bytes.Equal(got, answer) {
		t.Fatalf("Get = %q, %v; want the stored answer", got, ok)
	}
	if got, ok := replicaB.MachineTokens().Get(ctx, key); !ok || !bytes.Equal(got, answer) {
		t.Fatalf("the other replica got %q, %v; want the stored answer", got, ok)
	}
	if _, ok := replicaB.MachineTokens().Get(ctx, digest("ak_other")); ok {
		t.Fatal("hit on another token")
	}
	name := f.rawKey(t, ":mt:")
	if ttl := newRedisClient(t, f.addr).PTTL(ctx, name).Val(); ttl <= 0 || ttl > 10*time.Second {
		t.Errorf("PTTL = %v, want the time left until until, within (0, 10s]", ttl)
	}

	// Nothing is stored when no time is left, nor an empty answer.
	replicaA.MachineTokens().Set(ctx, digest("ak_now"), answer, clock.Now())
	replicaA.MachineTokens().Set(ctx, digest("ak_past"), answer, clock.Now().Add(-time.Second))
	replicaA.MachineTokens().Set(ctx, digest("ak_empty"), nil, clock.Now().Add(time.Minute))
	f.rawKey(t, ":mt:") // still exactly one

	if s := replicaA.Stats(); s.MachineHits != 1 || s.MachineMisses != 1 || s.Hits != 0 || s.Misses != 0 || s.Errors != 0 {
		t.Errorf("replica A stats %+v, want 1 machine hit, 1 machine miss, nothing else", s)
	}
	if s := replicaB.Stats(); s.MachineHits != 1 || s.MachineMisses != 1 {
		t.Errorf("replica B stats %+v, want 1 machine hit and 1 machine miss", s)
	}
}

// The deadline sealed in the value decides, by the cache's clock: removing
// the Redis TTL does not extend it.
func TestMachineTokenExpiresBySealedTime(t *testing.T) {
	f := newFixture(t)
	clock := newFakeClock()
	store := f.cache(t, clerkredis.WithClock(clock.Now)).MachineTokens()
	key := digest("ak_expiring")
	store.Set(ctx, key, machineAnswer("ak_id_1"), clock.Now().Add(10*time.Second))
	rdb := newRedisClient(t, f.addr)
	name := f.rawKey(t, ":mt:")
	if !rdb.Persist(ctx, name).Val() {
		t.Fatal("PERSIST removed no TTL")
	}
	clock.Advance(10*time.Second - time.Millisecond)
	if _, ok := store.Get(ctx, key); !ok {
		t.Fatal("miss a millisecond before the deadline")
	}
	clock.Advance(time.Millisecond)
	if _, ok := store.Get(ctx, key); ok {
		t.Fatal("hit at the sealed deadline")
	}
	if n := rdb.Exists(ctx, name).Val(); n != 1 {
		t.Fatal("the value left Redis: the test no longer shows the sealed deadline at work")
	}
}

func TestMachineTokenValuesAreBound(t *testing.T) {
	f := newFixture(t)
	var logs logBuffer
	c := f.cache(t, clerkredis.WithLogger(logs.logger()))
	store := c.MachineTokens()
	rdb := newRedisClient(t, f.addr)
	future := time.Now().Add(time.Minute)
	keyA, keyB := digest("ak_secret_a"), digest("ak_secret_b")
	answerA := machineAnswer("ak_id_a")
	store.Set(ctx, keyA, answerA, future)
	nameA := f.rawKey(t, ":mt:")
	store.Set(ctx, keyB, machineAnswer("ak_id_b"), future)
	nameB := otherKey(t, f, ":mt:", nameA)
	valueA, err := rdb.Get(ctx, nameA).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{nameA, nameB} {
		if strings.Contains(name, keyA) || strings.Contains(name, keyB) {
			t.Errorf("key %q shows the token's digest", name)
		}
	}
	if bytes.Contains(valueA, []byte("ak_id_a")) || bytes.Contains(valueA, []byte("user_1")) {
		t.Error("the stored value shows the answer")
	}

	// Values another secret sealed, for the same store key.
	other := f.cache(t, clerkredis.WithSecret([]byte("another secret, 32 bytes or more, for this test")))
	other.MachineTokens().Set(ctx, keyA, answerA, future)
	otherValue := []byte(rdb.Get(ctx, otherKey(t, f, ":mt:", nameA, nameB)).Val())
	// A session token's value, sealed with this very secret.
	tokenKey := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
	c.Set(ctx, tokenKey, token("a"), future)
	tokName := f.rawKey(t, ":tok:")
	tokValue := []byte(rdb.Get(ctx, tokName).Val())

	baseline := c.Stats().Rejected
	refused := func(t *testing.T, name string, value []byte, key string) {
		t.Helper()
		rdb.Set(ctx, name, value, time.Minute)
		if got, ok := store.Get(ctx, key); ok {
			t.Fatalf("a bad value opened: %q", got)
		}
	}
	t.Run("moved to another key", func(t *testing.T) { refused(t, nameB, valueA, keyB) })
	for _, at := range []int{0, 1, 8, 9, 20, len(valueA) - 1} {
		t.Run("byte flipped", func(t *testing.T) {
			bad := bytes.Clone(valueA)
			bad[at] ^= 0x01
			refused(t, nameA, bad, keyA)
		})
	}
	t.Run("moved under another key prefix", func(t *testing.T) {
		// Same secret, instance and token: only the key name differs.
		g := fixture{addr: f.addr, instance: f.instance, prefix: unique("test") + ":"}
		elsewhere := g.cache(t)
		elsewhere.MachineTokens().Set(ctx, keyA, answerA, future)
		rdb.Set(ctx, g.rawKey(t, ":mt:"), valueA, time.Minute)
		if got, ok := elsewhere.MachineTokens().Get(ctx, keyA); ok {
			t.Fatalf("a value moved under another prefix opened: %q", got)
		}
		if n := elsewhere.Stats().Rejected; n != 1 {
			t.Errorf("Rejected = %d there, want 1", n)
		}
	})
	t.Run("truncated", func(t *testing.T) { refused(t, nameA, valueA[:20], keyA) })
	t.Run("another secret", func(t *testing.T) { refused(t, nameA, otherValue, keyA) })
	t.Run("a session token's value", func(t *testing.T) { refused(t, nameA, tokValue, keyA) })
	t.Run("into a session token's key", func(t *testing.T) {
		rdb.Set(ctx, tokName, valueA, time.Minute)
		if _, ok := c.Get(ctx, tokenKey); ok {
			t.Fatal("a machine token answer opened as a session token")
		}
	})
	if s := c.Stats(); s.Rejected-baseline != 11 {
		t.Errorf("Rejected = %d, want 11", s.Rejected-baseline)
	}
	out := logs.String()
	if !strings.Contains(out, "machine token answer that failed authentication") {
		t.Errorf("no log line for tampered answers: %q", out)
	}
	if strings.Contains(out, nameA) || strings.Contains(out, keyA) || strings.Contains(out, "ak_id_a") {
		t.Errorf("log shows a key or an answer: %q", out)
	}
	// The untouched original still opens.
	rdb.Set(ctx, nameA, valueA, time.Minute)
	if got, ok := store.Get(ctx, keyA); !ok || !bytes.Equal(got, answerA) {
		t.Fatal("the original value no longer opens")
	}
}

// otherKey is the fixture's only key containing part that is not one of
// known.
func otherKey(t *testing.T, f fixture, part string, known ...string) string {
	t.Helper()
	var found []string
	for _, k := range f.rawKeys(t) {
		isKnown := false
		for _, n := range known {
			isKnown = isKnown || k == n
		}
		if strings.Contains(k, part) && !isKnown {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		t.Fatalf("new keys containing %q: %q, want exactly one", part, found)
	}
	return found[0]
}

// A dead or hanging Redis is a miss, and costs one timeout per second
// (the outage backoff, by the cache's clock), not one per operation.
func TestMachineTokensRedisDown(t *testing.T) {
	redisAddr(t) // the logic holds without Redis, but keep this file's tests together
	for name, addr := range map[string]string{
		"refused": "127.0.0.1:1",
		"hanging": blackHole(t),
	} {
		t.Run(name, func(t *testing.T) {
			const timeout = 300 * time.Millisecond
			clock := newFakeClock()
			c := fixture{addr: addr, instance: "i", prefix: "p:"}.cache(t,
				clerkredis.WithTimeout(timeout), clerkredis.WithClock(clock.Now))
			store := c.MachineTokens()
			key := digest("ak_1")
			took := func(f func()) time.Duration {
				start := time.Now()
				f()
				return time.Since(start)
			}
			window := func() {
				t.Helper()
				if d := took(func() {
					if _, ok := store.Get(ctx, key); ok {
						t.Error("hit without Redis")
					}
				}); d > timeout+time.Second {
					t.Errorf("Get took %v with a %v timeout", d, timeout)
				}
				for range 5 {
					if d := took(func() {
						if _, ok := store.Get(ctx, key); ok {
							t.Error("hit without Redis")
						}
						store.Set(ctx, key, machineAnswer("ak_id_1"), clock.Now().Add(time.Minute))
					}); d > timeout/2 {
						t.Errorf("operations after a failure took %v; they should not try Redis", d)
					}
				}
			}
			window()
			if s := c.Stats(); s.Errors != 1 || s.Skipped != 10 || s.MachineMisses != 6 {
				t.Fatalf("first second: %+v, want 1 error, 10 skipped, 6 machine misses", s)
			}
			clock.Advance(time.Second)
			window()
			if s := c.Stats(); s.Errors != 2 || s.Skipped != 20 || s.MachineMisses != 12 {
				t.Fatalf("second second: %+v, want 2 errors, 20 skipped, 12 machine misses", s)
			}
			// A failing Set counts as well, and opens a window of its own.
			clock.Advance(time.Second)
			store.Set(ctx, key, machineAnswer("ak_id_1"), clock.Now().Add(time.Minute))
			store.Get(ctx, key)
			if s := c.Stats(); s.Errors != 3 || s.Skipped != 21 {
				t.Fatalf("after a failed Set: %+v, want 3 errors and 21 skipped", s)
			}
		})
	}
}
