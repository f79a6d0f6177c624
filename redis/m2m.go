package clerkredis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// M2MTokenStore is a clerk.M2MTokenStore on the Cache's Redis: the
// replicas of a service share one live M2M token per machine and create
// parameters, so the fleet asks Clerk for one token per lifetime instead
// of one per replica. Get it from Cache.M2MTokens and pass it to
// clerk.WithM2MTokenStore when building each replica's token source.
//
// Tokens are kept as template tokens are: under key names that are HMACs
// of the core's key, sealed with AES-256-GCM with the key name and the
// fresh-until time bound, never handed out after that time by the cache's
// clock. Redis failures are returned (the token source then logs them and
// mints directly) and, like the Cache's own, make it leave Redis alone for
// a second. It shares the Cache's timeout, outage backoff and counters.
type M2MTokenStore struct {
	c *Cache
}

var _ clerk.M2MTokenStore = (*M2MTokenStore)(nil)

// M2MTokens returns the M2M token store on this Cache.
func (c *Cache) M2MTokens() *M2MTokenStore { return &M2MTokenStore{c: c} }

// m2mNames names a shared token and its mint claim in Redis:
// <prefix><ns>:m2m:<HMAC of key> and <prefix><ns>:m2m-lock:<HMAC of key>.
// Single keys, so Redis Cluster needs no hash tag for them.
func (c *Cache) m2mNames(key string) (tok, lock string) {
	id := c.keys.mac(16, []byte("m2m"), []byte(key))
	return c.prefix + "m2m:" + id, c.prefix + "m2m-lock:" + id
}

// errEmptyM2MValue refuses a value that could not come back byte for byte
// as a token.
var errEmptyM2MValue = errors.New("clerkredis: empty M2M token value")

// LoadM2MToken returns the token stored under key while it is fresh by the
// cache's clock. None, one past its fresh-until and one that fails
// authentication (tampered, moved from another key, written with another
// secret; logged and counted as Rejected) are nil with a nil error; a
// Redis failure is an error.
func (s *M2MTokenStore) LoadM2MToken(ctx context.Context, key string) ([]byte, error) {
	c := s.c
	if c.down() {
		return nil, errUnavailable
	}
	name, _ := c.m2mNames(key)
	opCtx, cancel := c.op(ctx)
	defer cancel()
	value, err := c.rdb.Get(opCtx, name).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		c.fail(ctx, "m2m load", err)
		return nil, fmt.Errorf("clerkredis: loading the shared M2M token: %w", err)
	}
	token, until, err := c.keys.openUntil(m2mAADLabel, name, key, value)
	if err != nil {
		c.rejected.Add(1)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "clerkredis: ignoring a shared M2M token that failed authentication (tampered, moved, or written with another secret)")
		return nil, nil
	}
	// Redis's TTL runs on Redis's clock and can be removed; the sealed
	// fresh-until cannot.
	if !c.now().Before(until) {
		return nil, nil
	}
	return token, nil
}

// StoreM2MToken stores value under key until freshUntil, encrypted, with
// a Redis TTL of the time left by the cache's clock; nothing is stored
// when none is left.
func (s *M2MTokenStore) StoreM2MToken(ctx context.Context, key string, value []byte, freshUntil time.Time) error {
	c := s.c
	if len(value) == 0 {
		return errEmptyM2MValue
	}
	ttl := freshUntil.Sub(c.now()).Truncate(time.Millisecond)
	if ttl <= 0 {
		return nil
	}
	if c.down() {
		return errUnavailable
	}
	name, _ := c.m2mNames(key)
	sealed := c.keys.sealUntil(m2mAADLabel, name, key, freshUntil, value)
	opCtx, cancel := c.op(ctx)
	defer cancel()
	if err := c.rdb.Set(opCtx, name, sealed, ttl).Err(); err != nil {
		c.fail(ctx, "m2m store", err)
		return fmt.Errorf("clerkredis: storing the shared M2M token: %w", err)
	}
	return nil
}

// LockM2MMint claims the minting of key's token for ttl, as LockMint
// does for template tokens: SET NX PX with a random value, and an unlock
// that deletes the claim only while it is still this one. A holder that
// dies releases nothing; its claim lapses after ttl.
func (s *M2MTokenStore) LockM2MMint(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error) {
	_, lock := s.c.m2mNames(key)
	unlock, ok, err = s.c.claim(ctx, lock, ttl)
	if err != nil && !errors.Is(err, errUnavailable) {
		err = fmt.Errorf("clerkredis: claiming the M2M token mint: %w", err)
	}
	return unlock, ok, err
}
