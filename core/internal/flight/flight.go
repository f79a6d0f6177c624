// Package flight coalesces concurrent calls that ask for the same thing
// into one, as golang.org/x/sync/singleflight does, with the difference that
// matters when the callers are HTTP requests: every caller can leave the
// moment its context ends, the one that started the call included, and the
// call is cancelled when its last caller has left.
//
// The work runs under a context that keeps the first caller's values but
// not its cancellation, so one caller giving up never fails the others.
// Deadlines are the work's own business (the work function derives them).
package flight

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Group runs at most one call per key at a time. The zero value is ready to
// use. It must not be copied after first use.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
	joins atomic.Uint64
}

// Func is the work of one call. note records the latest failed attempt of
// work that retries, so a caller that gives up can say what it was waiting
// out; it is safe to call from the work's goroutine at any time.
type Func[V any] func(ctx context.Context, note func(error)) (V, error)

type call[V any] struct {
	done    chan struct{} // closed once val and err are set; made when someone first waits on it
	val     V
	err     error
	last    error              // latest noted failure, guarded by Group.mu
	waiters int                // callers still waiting, guarded by Group.mu
	cancel  context.CancelFunc // nil when the call cannot be cancelled
}

// LeftError is the error of a caller whose context ended before the call
// finished. It matches both the context's cause and, when the work noted
// one, its latest failed attempt, with errors.Is and errors.As.
type LeftError struct {
	Cause error // context.Cause of the caller's context
	Last  error // the latest failure the work noted, or nil
}

func (e *LeftError) Error() string {
	if e.Last != nil {
		return e.Last.Error() + " (gave up waiting to retry: " + e.Cause.Error() + ")"
	}
	return "gave up waiting: " + e.Cause.Error()
}

// Unwrap returns the cause and the latest failure.
func (e *LeftError) Unwrap() []error {
	if e.Last != nil {
		return []error{e.Last, e.Cause}
	}
	return []error{e.Cause}
}

// ErrNotStarted is TryDo's answer when no call was in flight and allow
// refused to start one.
var ErrNotStarted = errors.New("flight: call not started")

// Do returns the result of the call in flight for key, starting one with fn
// when there is none. joined reports that the caller joined a call another
// caller started.
func (g *Group[K, V]) Do(ctx context.Context, key K, fn Func[V]) (v V, err error, joined bool) {
	return g.do(ctx, key, fn, nil, false, false)
}

// DoDetached is Do for work whose effect outlives its callers, such as a
// request whose side effect is paid for whether or not anyone reads its
// answer: the call is never cancelled. It runs to its end even after every
// caller has left, and stays listed meanwhile, so later callers join it
// instead of starting another. fn must bound its own running time.
func (g *Group[K, V]) DoDetached(ctx context.Context, key K, fn Func[V]) (v V, err error, joined bool) {
	return g.do(ctx, key, fn, nil, false, true)
}

// DoFresh never joins: it starts a call of its own, which callers of Do
// arriving later join instead of any call begun before. For "always fetch"
// requests that must not receive a result older than themselves.
func (g *Group[K, V]) DoFresh(ctx context.Context, key K, fn Func[V]) (V, error) {
	v, err, _ := g.do(ctx, key, fn, nil, true, false)
	return v, err
}

// TryDo joins the call in flight for key, or starts one with fn if allow,
// called under the group's lock, returns true; otherwise it returns
// ErrNotStarted. allow must be quick and must not call the Group.
func (g *Group[K, V]) TryDo(ctx context.Context, key K, allow func() bool, fn Func[V]) (v V, err error, joined bool) {
	return g.do(ctx, key, fn, allow, false, false)
}

// Go starts a call for key in the background, unless one is in flight or
// allow (called under the group's lock) refuses, and does not wait for it.
// It reports whether it started one. Nobody waits on such a call until a
// caller joins it, and if the last caller to join leaves, it is cancelled
// like any other: work that must outlive its callers detaches itself.
func (g *Group[K, V]) Go(ctx context.Context, key K, allow func() bool, fn Func[V]) bool {
	g.mu.Lock()
	if _, ok := g.calls[key]; ok || (allow != nil && !allow()) {
		g.mu.Unlock()
		return false
	}
	workCtx, c := g.startLocked(ctx, key, 0, false)
	g.mu.Unlock()
	go g.run(workCtx, key, c, fn)
	return true
}

// Forget unlists every call whose key matches, so that later callers start
// calls of their own. Callers already waiting on them keep waiting.
func (g *Group[K, V]) Forget(match func(K) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k := range g.calls {
		if match(k) {
			delete(g.calls, k)
		}
	}
}

// Joins counts the callers that joined a call another caller started,
// counted as they join.
func (g *Group[K, V]) Joins() uint64 { return g.joins.Load() }

// InFlight reports whether a call for key is running.
func (g *Group[K, V]) InFlight(key K) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.calls[key]
	return ok
}

func (g *Group[K, V]) do(ctx context.Context, key K, fn Func[V], allow func() bool, fresh, detached bool) (v V, err error, joined bool) {
	if ctx.Err() != nil {
		// A caller that has already left neither starts nor joins a
		// call: otherwise a call that finished at once would race its
		// context's end for which answer it gets.
		return v, &LeftError{Cause: context.Cause(ctx)}, false
	}
	g.mu.Lock()
	c, joined := g.calls[key]
	if fresh {
		joined = false
	}
	if joined {
		c.waiters++
		if c.done == nil {
			c.done = make(chan struct{})
		}
		g.mu.Unlock()
		g.joins.Add(1)
		v, err = g.wait(ctx, key, c)
		return v, err, true
	}
	if allow != nil && !allow() {
		g.mu.Unlock()
		return v, ErrNotStarted, false
	}
	if ctx.Done() == nil {
		// A caller that cannot leave may as well do the work itself: the
		// common uncontended call then costs no goroutine, no channel and
		// no context of its own, since a call with a waiter that cannot
		// leave is never cancelled.
		c = &call[V]{waiters: 1}
		g.listLocked(key, c)
		g.mu.Unlock()
		g.run(ctx, key, c, fn)
		return c.val, c.err, false
	}
	workCtx, c := g.startLocked(ctx, key, 1, detached)
	c.done = make(chan struct{})
	g.mu.Unlock()
	go g.run(workCtx, key, c, fn)
	v, err = g.wait(ctx, key, c)
	return v, err, false
}

// startLocked lists a new call for key with its first waiters; a detached
// call has no cancel, so its last caller leaving neither cancels nor
// unlists it.
func (g *Group[K, V]) startLocked(ctx context.Context, key K, waiters int, detached bool) (context.Context, *call[V]) {
	if detached {
		c := &call[V]{waiters: waiters}
		g.listLocked(key, c)
		return context.WithoutCancel(ctx), c
	}
	workCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c := &call[V]{waiters: waiters, cancel: cancel}
	g.listLocked(key, c)
	return workCtx, c
}

func (g *Group[K, V]) listLocked(key K, c *call[V]) {
	if g.calls == nil {
		g.calls = make(map[K]*call[V])
	}
	g.calls[key] = c
}

func (g *Group[K, V]) run(ctx context.Context, key K, c *call[V], fn Func[V]) {
	val, err := fn(ctx, func(err error) {
		g.mu.Lock()
		c.last = err
		g.mu.Unlock()
	})
	if c.cancel != nil {
		c.cancel()
	}
	g.mu.Lock()
	c.val, c.err = val, err
	if g.calls[key] == c {
		delete(g.calls, key)
	}
	done := c.done // nobody can start waiting from here on
	g.mu.Unlock()
	if done != nil {
		close(done)
	}
}

func (g *Group[K, V]) wait(ctx context.Context, key K, c *call[V]) (v V, err error) {
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
	}
	g.mu.Lock()
	c.waiters--
	last := c.last
	if c.waiters == 0 && c.cancel != nil {
		c.cancel()
		if g.calls[key] == c {
			delete(g.calls, key) // the next caller starts afresh
		}
	}
	g.mu.Unlock()
	return v, &LeftError{Cause: context.Cause(ctx), Last: last}
}
