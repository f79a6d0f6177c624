package clerkredis

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// outageBackoff is how long the cache leaves Redis alone after a failure.
const outageBackoff = time.Second

// errUnavailable is LockMint's error while the cache leaves Redis alone.
var errUnavailable = errors.New("clerkredis: redis failed recently; not trying it for a moment")

// down reports, and counts, that Redis failed less than outageBackoff ago
// by the cache's clock.
func (c *Cache) down() bool {
	if c.now().UnixNano() < c.downUntil.Load() {
		c.skipped.Add(1)
		return true
	}
	return false
}

// callerDone reports that ctx ended, or reached its deadline: a socket
// deadline taken from ctx can fire a moment before ctx's own timer. It
// reads the real time, as ctx's deadline does.
func callerDone(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

// fail counts and logs a Redis error, at most once a second, so that a
// Redis outage under load yields a log line a second rather than one per
// request, and leaves Redis alone for outageBackoff.
func (c *Cache) fail(ctx context.Context, op string, err error) {
	c.errs.Add(1)
	now := c.now().UnixNano()
	if !callerDone(ctx) { // not the caller giving up: Redis is failing
		c.downUntil.Store(now + int64(outageBackoff))
	}
	last := c.lastLog.Load()
	if now-last < int64(time.Second) || !c.lastLog.CompareAndSwap(last, now) {
		c.unlogged.Add(1)
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "clerkredis: redis operation failed; treating it as a miss",
		slog.String("op", op),
		slog.String("error", err.Error()),
		slog.Uint64("errors_not_logged", c.unlogged.Swap(0)))
}
