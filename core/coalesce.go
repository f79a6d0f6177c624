package clerk

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/flight"
)

// tokenReuse is the Client's shared-call table and counters. It sits behind
// a pointer so that the Client stays free of locks that fmt or a careless
// copy could trip over.
type tokenReuse struct {
	flights flight.Group[TokenKey, *Token]

	// invalidations counts InvalidateSession calls, so a token minted
	// across a sign-out is not stored.
	invalidations atomic.Uint64

	hits, misses, upstream atomic.Uint64
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
	// three times counts once). A token another process minted and stored
	// in a shared cache while this one waited counts as a cache hit.
	UpstreamCalls uint64
}

// TokenStats returns the counters.
func (c *Client) TokenStats() TokenStats {
	r := c.reuse
	return TokenStats{
		CacheHits:     r.hits.Load(),
		CacheMisses:   r.misses.Load(),
		Coalesced:     r.flights.Joins(),
		UpstreamCalls: r.upstream.Load(),
	}
}

// shared returns the token for key, joining a request in flight for the
// same key or making one (see internal/flight: any caller may leave at
// once, and the last to leave cancels the request).
//
// The request is bounded by the deadline of the caller that started it and
// by the client's timeout. A caller that joined it and outlives that
// deadline asks again rather than inherit someone else's deadline.
func (c *Client) shared(ctx context.Context, key TokenKey, target string, body []byte, bypassCache bool) (*Token, error) {
	work := func(workCtx context.Context, note func(error)) (*Token, error) {
		workCtx, cancel := c.bound(workCtx, ctx)
		defer cancel()
		return c.fly(workCtx, key, target, body, bypassCache, note)
	}
	for {
		var tok *Token
		var err error
		joined := false
		if bypassCache {
			// WithoutCache promises a token minted for this call: joining
			// a request that began earlier could hand back a token from
			// before a template change or a sign-out.
			tok, err = c.reuse.flights.DoFresh(ctx, key, work)
		} else {
			tok, err, joined = c.reuse.flights.Do(ctx, key, work)
			if joined {
				c.observer.tokenCache(ctx, TokenCacheCoalesced)
			}
		}
		var left *flight.LeftError
		switch {
		case errors.As(err, &left):
			if left.Last != nil {
				return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", left.Last, left.Cause)
			}
			return nil, fmt.Errorf("clerk: waiting for token: %w", left.Cause)
		case err != nil:
			if joined && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				continue // the starter's deadline ended the request, not ours
			}
			return nil, err
		case joined:
			copied := *tok // each caller its own copy; the starter keeps the original
			return &copied, nil
		}
		return tok, nil
	}
}

// bound gives the shared request the earlier of the starting caller's
// deadline and the client's timeout.
func (c *Client) bound(workCtx, starter context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := starter.Deadline()
	if c.timeout > 0 {
		if limit := time.Now().Add(c.timeout); !ok || limit.Before(deadline) {
			deadline, ok = limit, true
		}
	}
	if ok {
		return context.WithDeadline(workCtx, deadline)
	}
	return workCtx, func() {}
}

// fly performs the shared request and stores a fresh result in the cache.
// With a cache shared between processes it first lets another process that
// is already minting the same token finish.
func (c *Client) fly(ctx context.Context, key TokenKey, target string, body []byte, bypassCache bool, note func(error)) (*Token, error) {
	r := c.reuse
	generation := r.invalidations.Load()
	save := c.beginMint(ctx, key)
	var tok *Token
	var err error
	release := func() {}
	if locker, ok := c.tokenCache.(TokenMintLocker); ok && !bypassCache {
		tok, release, err = c.awaitOtherMinter(ctx, locker, key)
		if tok != nil {
			r.hits.Add(1)
			c.observer.tokenCache(ctx, TokenCacheHit)
		}
	}
	if tok == nil && err == nil {
		r.upstream.Add(1)
		c.observer.tokenCache(ctx, TokenCacheUpstream)
		tok, err = c.mint(ctx, target, body, note)
		if err == nil && save != nil {
			c.store(ctx, key, tok, generation, save)
		}
	}
	release()
	return tok, err
}

// beginMint returns how a token minted from now on is to be stored: by the
// cache's own function when it tracks mints (it then sees the session's
// sign-out state as it is now), else by Set. nil means no cache.
func (c *Client) beginMint(ctx context.Context, key TokenKey) func(context.Context, *Token, time.Time) {
	switch cache := c.tokenCache.(type) {
	case nil:
		return nil
	case TokenMintTracker:
		return cache.BeginMint(ctx, key)
	default:
		return func(ctx context.Context, tok *Token, freshUntil time.Time) { cache.Set(ctx, key, tok, freshUntil) }
	}
}

// store caches tok unless a session was invalidated while it was being
// minted; an invalidation racing with the store is applied again after it.
func (c *Client) store(ctx context.Context, key TokenKey, tok *Token, generation uint64, save func(context.Context, *Token, time.Time)) {
	iat, exp, err := tok.Times()
	if err != nil {
		return // a token without times cannot be judged fresh: never reuse it
	}
	r := c.reuse
	if r.invalidations.Load() != generation {
		return
	}
	save(ctx, tok, c.freshness.freshUntil(iat, exp))
	if r.invalidations.Load() != generation {
		c.tokenCache.InvalidateSession(ctx, key.SessionID)
	}
}
