package clerk

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// tokenReuse is the Client's shared-call table and counters. It sits behind
// a pointer so that the Client stays free of locks that fmt or a careless
// copy could trip over.
type tokenReuse struct {
	mu      sync.Mutex
	flights map[TokenKey]*flight

	// invalidations counts InvalidateSession calls, so a token minted
	// across a sign-out is not stored.
	invalidations atomic.Uint64

	hits, misses, coalesced, upstream atomic.Uint64
}

// flight is one Backend API call that every caller asking for the same key
// meanwhile waits on.
type flight struct {
	done    chan struct{} // closed when token and err are set
	token   *Token
	err     error
	lastErr error              // the latest failed attempt, guarded by tokenReuse.mu
	waiters int                // callers still waiting, guarded by tokenReuse.mu
	cancel  context.CancelFunc // stops the call once nobody waits
}

// TokenStats are the Client's getToken counters since it was built, for
// export to metrics.
type TokenStats struct {
	// CacheHits and CacheMisses count cache lookups; both stay 0 without a
	// token cache or with WithoutCache.
	CacheHits, CacheMisses uint64
	// Coalesced counts calls that joined another caller's request in flight
	// instead of sending their own.
	Coalesced uint64
	// UpstreamCalls counts token requests sent to Clerk (a call retried
	// three times counts once).
	UpstreamCalls uint64
}

// TokenStats returns the counters.
func (c *Client) TokenStats() TokenStats {
	r := c.reuse
	return TokenStats{
		CacheHits:     r.hits.Load(),
		CacheMisses:   r.misses.Load(),
		Coalesced:     r.coalesced.Load(),
		UpstreamCalls: r.upstream.Load(),
	}
}

// shared returns the token for key, joining a call in flight for the same
// key or starting one. The call runs on its own goroutine with a context
// that keeps ctx's values and deadline but not its cancellation: one caller
// giving up must not fail the others. When the last waiter gives up, the
// call is cancelled.
func (c *Client) shared(ctx context.Context, key TokenKey, path string, body []byte) (*Token, error) {
	r := c.reuse
	r.mu.Lock()
	f, joined := r.flights[key]
	if joined {
		f.waiters++
		r.mu.Unlock()
		r.coalesced.Add(1)
	} else {
		callCtx, cancel := c.detach(ctx)
		f = &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
		r.flights[key] = f
		r.mu.Unlock()
		r.upstream.Add(1)
		go c.fly(callCtx, f, key, path, body)
	}

	select {
	case <-f.done:
		if f.err != nil {
			return nil, f.err
		}
		tok := *f.token // each caller gets its own copy to keep
		return &tok, nil
	case <-ctx.Done():
		r.mu.Lock()
		last := f.lastErr
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if r.flights[key] == f {
				delete(r.flights, key) // the next caller starts afresh
			}
		}
		r.mu.Unlock()
		if last != nil {
			return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", last, context.Cause(ctx))
		}
		return nil, fmt.Errorf("clerk: waiting for token: %w", context.Cause(ctx))
	}
}

// detach derives the shared call's context: ctx's values, the earlier of
// ctx's deadline and the client's timeout, and a cancel of its own.
func (c *Client) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(ctx)
	deadline, ok := ctx.Deadline()
	if c.timeout > 0 {
		if limit := time.Now().Add(c.timeout); !ok || limit.Before(deadline) {
			deadline, ok = limit, true
		}
	}
	if ok {
		return context.WithDeadline(base, deadline)
	}
	return context.WithCancel(base)
}

// fly performs the shared call, stores a fresh result in the cache and
// wakes the waiters.
func (c *Client) fly(ctx context.Context, f *flight, key TokenKey, path string, body []byte) {
	r := c.reuse
	generation := r.invalidations.Load()
	tok, err := c.mint(ctx, path, body, func(attemptErr error) {
		r.mu.Lock()
		f.lastErr = attemptErr
		r.mu.Unlock()
	})
	if err == nil && c.tokenCache != nil {
		c.store(ctx, key, tok, generation)
	}
	f.cancel()
	r.mu.Lock()
	f.token, f.err = tok, err
	if r.flights[key] == f {
		delete(r.flights, key)
	}
	r.mu.Unlock()
	close(f.done)
}

// store caches tok unless the session was invalidated while it was being
// minted; an invalidation racing with the store is applied again after it.
func (c *Client) store(ctx context.Context, key TokenKey, tok *Token, generation uint64) {
	iat, exp, err := tok.Times()
	if err != nil {
		return // a token without times cannot be judged fresh: never reuse it
	}
	r := c.reuse
	if r.invalidations.Load() != generation {
		return
	}
	c.tokenCache.Set(ctx, key, tok, c.freshness.freshUntil(iat, exp))
	if r.invalidations.Load() != generation {
		c.tokenCache.InvalidateSession(ctx, key.SessionID)
	}
}
