package clerkredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// unlockScript deletes the claim only if it is still ours: a claim that
// expired and was taken by another process stays.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// LockMint claims the minting of key for ttl with SET NX PX and a random
// value. A holder that dies releases nothing; its claim lapses after ttl.
// The claim only spares Clerk duplicate mints: whether the minted token
// may be stored is BeginMint's business, on every path.
func (c *Cache) LockMint(ctx context.Context, key clerk.TokenKey, ttl time.Duration) (unlock func(), ok bool, err error) {
	_, _, lockKey := c.names(key)
	unlock, ok, err = c.claim(ctx, lockKey, ttl)
	if !ok {
		return nil, false, err
	}
	// The Client reads the cache once more now that it holds the claim:
	// that read must not join one that began before this claim, when
	// another replica may not yet have stored the token it minted.
	c.readsMu.Lock()
	delete(c.reads, key)
	c.readsMu.Unlock()
	return unlock, true, nil
}

// claim takes lockKey for ttl with SET NX PX and a random value, and
// returns the function that deletes the claim if it is still this one.
// ok is false with a nil error while another process holds it.
func (c *Cache) claim(ctx context.Context, lockKey string, ttl time.Duration) (unlock func(), ok bool, err error) {
	if c.down() {
		return nil, false, errUnavailable
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	mine := hex.EncodeToString(b[:])
	opCtx, cancel := c.op(ctx)
	defer cancel()
	ok, err = c.rdb.SetNX(opCtx, lockKey, mine, max(ttl, time.Millisecond)).Result()
	if err != nil {
		c.fail(ctx, "lock", err)
		return nil, false, err
	}
	if !ok {
		return nil, false, nil
	}
	return sync.OnceFunc(func() {
		// Release even when the caller's context has ended meanwhile.
		opCtx, cancel := c.op(context.WithoutCancel(ctx))
		defer cancel()
		if err := unlockScript.Run(opCtx, c.rdb, []string{lockKey}, mine).Err(); err != nil {
			c.fail(ctx, "unlock", err)
		}
	}), true, nil
}
