package clerkredis

import (
	"context"
	"errors"
	"log/slog"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// MachineTokenStore is a clerk.MachineTokenStore on the Cache's Redis:
// the replicas of a service share Clerk's verify answers for opaque
// machine tokens (M2M tokens, API keys, OAuth access tokens), so a token
// one replica verified is not sent to the Backend API again by the others
// for the reuse time. Get it from Cache.MachineTokens and pass it to
// clerk.WithMachineTokenReuse. It is a separate type because Cache's own
// Get and Set are the token cache's.
//
// Answers are kept as tokens are: under key names that are HMACs of the
// core's digest (so nobody without the secret can test a guessed token
// against Redis), sealed with AES-256-GCM with the key name and the
// deadline bound, never served after the deadline by the cache's clock,
// and a Redis failure or a value that fails authentication is a miss. It
// shares the Cache's timeout, outage backoff and counters.
type MachineTokenStore struct {
	c *Cache
}

var _ clerk.MachineTokenStore = (*MachineTokenStore)(nil)

// MachineTokens returns the machine token store on this Cache.
func (c *Cache) MachineTokens() *MachineTokenStore { return &MachineTokenStore{c: c} }

// machineKey names an answer in Redis: <prefix><ns>:mt:<HMAC of key>. A
// single key, so Redis Cluster needs no hash tag for it.
func (c *Cache) machineKey(key string) string {
	return c.prefix + "mt:" + c.keys.mac(16, []byte("machine"), []byte(key))
}

// Get returns the answer stored for key until the deadline it was stored
// with. A Redis error, a value that fails authentication and one past its
// deadline are misses.
func (s *MachineTokenStore) Get(ctx context.Context, key string) ([]byte, bool) {
	answer, ok := s.c.machineGet(ctx, key)
	if !ok {
		s.c.machineMisses.Add(1)
		return nil, false
	}
	s.c.machineHits.Add(1)
	return answer, true
}

func (c *Cache) machineGet(ctx context.Context, key string) ([]byte, bool) {
	if c.down() {
		return nil, false
	}
	name := c.machineKey(key)
	opCtx, cancel := c.op(ctx)
	defer cancel()
	value, err := c.rdb.Get(opCtx, name).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false
	}
	if err != nil {
		c.fail(ctx, "machine get", err)
		return nil, false
	}
	answer, until, err := c.keys.openUntil(machineAADLabel, name, key, value)
	if err != nil {
		c.rejected.Add(1)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "clerkredis: ignoring a stored machine token answer that failed authentication (tampered, moved, or written with another secret)")
		return nil, false
	}
	// Redis's TTL runs on Redis's clock and can be removed; the sealed
	// deadline cannot.
	if !c.now().Before(until) {
		return nil, false
	}
	return answer, true
}

// Set stores value under key until until, encrypted, with a Redis TTL of
// the time left by the cache's clock; nothing is stored when none is left.
// A failure is counted and logged, never returned.
func (s *MachineTokenStore) Set(ctx context.Context, key string, value []byte, until time.Time) {
	c := s.c
	ttl := until.Sub(c.now()).Truncate(time.Millisecond)
	if len(value) == 0 || ttl <= 0 || c.down() {
		return
	}
	name := c.machineKey(key)
	sealed := c.keys.sealUntil(machineAADLabel, name, key, until, value)
	opCtx, cancel := c.op(ctx)
	defer cancel()
	if err := c.rdb.Set(opCtx, name, sealed, ttl).Err(); err != nil {
		c.fail(ctx, "machine set", err)
	}
}
