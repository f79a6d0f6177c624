package clerk

import (
	"context"
	"errors"
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
	done    chan struct{} // made when a follower joins; closed once token and err are set
	token   *Token
	err     error
	lastErr error              // the latest failed attempt, guarded by tokenReuse.mu
	waiters int                // callers still waiting, guarded by tokenReuse.mu
	cancel  context.CancelFunc // stops the call once nobody waits
	// bypassCache is the leader's WithoutCache: it mints even when another
	// process is minting the same token.
	bypassCache bool
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
		Coalesced:     r.coalesced.Load(),
		UpstreamCalls: r.upstream.Load(),
	}
}

// shared returns the token for key, joining a call in flight for the same
// key or making it. The first caller (the leader) sends the request on its
// own goroutine, which keeps the common uncontended call free of a goroutine
// hand-off; callers that arrive meanwhile wait for its result.
//
// The request runs under a context that keeps the leader's values and
// deadline but not its cancellation, so one caller giving up does not fail
// the others; when the last caller gives up, the request is cancelled. A
// leader that gives up while others still wait returns when the request
// ends (its deadline and the client's timeout bound that). A waiter whose
// leader ran out of time, while the waiter still has some, tries again
// rather than inherit someone else's deadline.
func (c *Client) shared(ctx context.Context, key TokenKey, target string, body []byte, bypassCache bool) (*Token, error) {
	r := c.reuse
	for {
		r.mu.Lock()
		f, joined := r.flights[key]
		// WithoutCache promises a token minted for this call: joining a
		// request that began earlier could hand back a token from before a
		// template change or a sign-out. The new flight takes the key, so
		// callers arriving later join the newest request.
		if !joined || bypassCache {
			callCtx, cancel := c.detach(ctx)
			f = &flight{waiters: 1, cancel: cancel, bypassCache: bypassCache}
			r.flights[key] = f
			r.mu.Unlock()
			return c.lead(ctx, callCtx, f, key, target, body)
		}
		f.waiters++
		if f.done == nil {
			f.done = make(chan struct{}) // only a follower waits: the lone caller needs none
		}
		r.mu.Unlock()
		r.coalesced.Add(1)
		if tok, err, again := c.follow(ctx, f, key); !again {
			return tok, err
		}
	}
}

// lead performs the shared request on the leader's goroutine.
func (c *Client) lead(ctx, callCtx context.Context, f *flight, key TokenKey, target string, body []byte) (*Token, error) {
	if ctx.Done() == nil { // a context that cannot end needs no watching
		c.fly(callCtx, f, key, target, body)
		return f.token, f.err
	}
	stop := context.AfterFunc(ctx, func() { c.leave(f, key) })
	c.fly(callCtx, f, key, target, body)
	if !stop() { // ctx ended while the request ran: the leader had left
		return nil, c.gaveUp(ctx, f)
	}
	// The leader keeps the minted token itself: the cache stored a copy and
	// followers take copies.
	return f.token, f.err
}

// follow waits for another caller's request. again reports that the
// request failed only because its leader's context ended, while ctx is
// still live: the caller should ask anew.
func (c *Client) follow(ctx context.Context, f *flight, key TokenKey) (tok *Token, err error, again bool) {
	select {
	case <-f.done:
		if f.err != nil && ctx.Err() == nil &&
			(errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
			return nil, nil, true
		}
		tok, err = f.result()
		return tok, err, false
	case <-ctx.Done():
		c.leave(f, key)
		return nil, c.gaveUp(ctx, f), false
	}
}

// leave records that one caller stopped waiting; the last one out cancels
// the request and unlists it so the next caller starts afresh.
func (c *Client) leave(f *flight, key TokenKey) {
	r := c.reuse
	r.mu.Lock()
	defer r.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
		if r.flights[key] == f {
			delete(r.flights, key)
		}
	}
}

// gaveUp is the error of a caller whose context ended first. It carries the
// last failed attempt, when there was one, so "gave up after a 429" reads
// as such.
func (c *Client) gaveUp(ctx context.Context, f *flight) error {
	c.reuse.mu.Lock()
	last := f.lastErr
	c.reuse.mu.Unlock()
	if last != nil {
		return fmt.Errorf("%w (gave up waiting to retry: %w)", last, context.Cause(ctx))
	}
	return fmt.Errorf("clerk: waiting for token: %w", context.Cause(ctx))
}

// result hands each caller its own copy of the token.
func (f *flight) result() (*Token, error) {
	if f.err != nil {
		return nil, f.err
	}
	tok := *f.token
	return &tok, nil
}

// detach derives the shared call's context: ctx's values, the earlier of
// ctx's deadline and the client's timeout, and a cancel of its own.
func (c *Client) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	base := ctx
	if ctx.Done() != nil {
		base = context.WithoutCancel(ctx)
	}
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

// fly performs the shared request, stores a fresh result in the cache and
// wakes the waiters. With a cache shared between processes it first lets
// another process that is already minting the same token finish.
func (c *Client) fly(ctx context.Context, f *flight, key TokenKey, target string, body []byte) {
	r := c.reuse
	generation := r.invalidations.Load()
	save := c.beginMint(ctx, key)
	var tok *Token
	var err error
	release := func() {}
	if locker, ok := c.tokenCache.(TokenMintLocker); ok && !f.bypassCache {
		tok, release, err = c.awaitOtherMinter(ctx, locker, key)
		if tok != nil {
			r.hits.Add(1)
		}
	}
	if tok == nil && err == nil {
		r.upstream.Add(1)
		tok, err = c.mint(ctx, target, body, func(attemptErr error) {
			r.mu.Lock()
			f.lastErr = attemptErr
			r.mu.Unlock()
		})
		if err == nil && save != nil {
			c.store(ctx, key, tok, generation, save)
		}
	}
	release()
	f.cancel()
	r.mu.Lock()
	f.token, f.err = tok, err
	if r.flights[key] == f {
		delete(r.flights, key)
	}
	done := f.done // no follower can join from here on
	r.mu.Unlock()
	if done != nil {
		close(done)
	}
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
