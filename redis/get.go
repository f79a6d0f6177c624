package clerkredis

import (
	"context"
	"log/slog"

	clerk "github.com/clerkkit/clerkkit/core"
)

// Get returns the token stored for key while it is fresh and sealed under
// the session's current generation. Any Redis error, and any value that
// fails authentication, is a miss. Concurrent Gets for one key in this
// process share one round trip: a burst of requests for a hot token then
// costs Redis one read, and the mint claim that follows a miss is not
// queued behind hundreds of identical reads in the connection pool. A Get
// that starts after InvalidateSession returned never shares a read begun
// before it.
func (c *Cache) Get(ctx context.Context, key clerk.TokenKey) (*clerk.Token, bool) {
	c.readsMu.Lock()
	r, joined := c.reads[key]
	if !joined {
		r = &read{done: make(chan struct{})}
		c.reads[key] = r
	}
	c.readsMu.Unlock()
	if !joined {
		r.token, r.ok = c.get(ctx, key)
		c.readsMu.Lock()
		if c.reads[key] == r { // a sign-out may have unlisted it already
			delete(c.reads, key)
		}
		c.readsMu.Unlock()
		close(r.done)
	} else {
		select {
		case <-r.done:
		case <-ctx.Done():
			c.misses.Add(1)
			return nil, false
		}
	}
	if !r.ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return &clerk.Token{JWT: r.token}, true
}

// read is one Redis read that concurrent Gets of a key share.
type read struct {
	done  chan struct{}
	token string // the JWT
	ok    bool
}

// forgetReads unlists the session's reads in flight, so that a Get
// starting from now on reads Redis itself. InvalidateSession calls it once
// the new generation is written: a read listed later began after that.
func (c *Cache) forgetReads(sessionID string) {
	c.readsMu.Lock()
	defer c.readsMu.Unlock()
	for key := range c.reads {
		if key.SessionID == sessionID {
			delete(c.reads, key)
		}
	}
}

func (c *Cache) get(ctx context.Context, key clerk.TokenKey) (string, bool) {
	if c.down() {
		return "", false
	}
	genKey, tokKey, _ := c.names(key)
	opCtx, cancel := c.op(ctx)
	defer cancel()
	// One MGET reads the value and the generation it must match together.
	vals, err := c.rdb.MGet(opCtx, genKey, tokKey).Result()
	if err != nil {
		c.fail(ctx, "get", err)
		return "", false
	}
	raw, ok := vals[1].(string)
	if !ok {
		return "", false
	}
	value := []byte(raw)
	plain, err := c.keys.open(tokKey, key, value)
	if err != nil {
		c.rejected.Add(1)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "clerkredis: ignoring a cached token that failed authentication (tampered, moved, or written with another secret)")
		return "", false
	}
	env, _ := header(value) // authenticated by open
	// A missing generation matches nothing: deleting it signs the session
	// out rather than reviving what was sealed before.
	if gen, _ := vals[0].(string); gen != env.generation.String() {
		c.stale.Add(1)
		return "", false
	}
	if !c.now().Before(env.freshUntil) {
		return "", false
	}
	if len(plain) == 0 {
		c.rejected.Add(1)
		return "", false
	}
	return string(plain), true
}
