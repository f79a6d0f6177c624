package clerk

import (
	"context"
	"crypto/rsa"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/flight"
	"github.com/clerkkit/clerkkit/core/internal/jose"
)

// keySource finds the key a token names. Each Authenticator owns its own,
// so keys of two Clerk instances never mix (a cache keyed only by kid once
// let one instance's tokens verify on another).
type keySource interface {
	// key finds the key a token names, and the version of the set it
	// came from (see version).
	key(ctx context.Context, kid string, hasKid bool) (jose.Key, uint64, *AuthError)
	// holds reports whether pub is still the key under kid: false once
	// Clerk's key set no longer has it. It never calls Clerk.
	holds(kid string, pub *rsa.PublicKey) bool
	// version names the key set in use; it changes whenever the set does,
	// so a cache entry made under the current version needs no holds.
	version() uint64
}

// staticKey is CLERK_JWT_KEY: one key, no network. Like Clerk's SDKs it
// does not require the token's kid to match anything: there is only one key
// it could mean.
type staticKey struct{ k jose.Key }

func (s staticKey) key(context.Context, string, bool) (jose.Key, uint64, *AuthError) {
	return s.k, 0, nil
}

func (s staticKey) holds(_ string, pub *rsa.PublicKey) bool { return pub == s.k.Pub }

func (staticKey) version() uint64 { return 0 } // one key for life

// fetchTimeout bounds one key set fetch made on behalf of waiting requests
// or in the background; the Client's own timeout and retries apply inside.
const fetchTimeout = 30 * time.Second

// coldRetryGap is the pause after a failed fetch while no key set has ever
// loaded.
const coldRetryGap = time.Second

// jwksCache keeps one key set fetched from Clerk and decides when to fetch
// it again:
//
//   - Requests whose kid is cached never wait: once the set is older than
//     ttl, one background refresh starts and they carry on with the old set.
//   - Concurrent misses share one fetch.
//   - An unknown kid may trigger a fetch (the instance may have rotated its
//     key), but at most once per minGap; unknown kids in between are refused
//     at once, so no token can make us call Clerk per request.
//   - A failed fetch keeps the last good set in service.
type jwksCache struct {
	fetch    func(context.Context) ([]byte, error)
	now      func() time.Time
	ttl      time.Duration
	minGap   time.Duration
	logger   *slog.Logger
	observer *Observer // nil: nothing observes

	current atomic.Pointer[keySet]

	fetches flight.Group[struct{}, struct{}]
	// lastAttempt is the start (Unix ns) of the latest fetch, whatever its
	// outcome; 0 before the first. It is written only under the flight
	// group's lock (in claim), so deciding and starting a fetch is one step.
	lastAttempt atomic.Int64
	// failed is the error of the latest fetch, nil once one succeeds: what
	// Ready and Warm report as the cause.
	failed atomic.Pointer[error]
}

type keySet struct {
	keys      map[string]jose.Key
	fetchedAt time.Time
	version   uint64 // from 1, one more per stored set
}

func (c *jwksCache) version() uint64 {
	if set := c.current.Load(); set != nil {
		return set.version
	}
	return 0
}

func (c *jwksCache) holds(kid string, pub *rsa.PublicKey) bool {
	set := c.current.Load()
	if set == nil {
		return false
	}
	k, ok := set.keys[kid]
	return ok && k.Pub == pub
}

func (c *jwksCache) key(ctx context.Context, kid string, hasKid bool) (jose.Key, uint64, *AuthError) {
	if !hasKid {
		// Without a kid there is nothing to look up, and no reason to call
		// Clerk: Clerk's session tokens always carry one.
		return jose.Key{}, 0, authErr(ReasonJWKKidMismatch, "token has no kid")
	}
	now := c.now()
	set := c.current.Load()
	if set != nil {
		if k, ok := set.keys[kid]; ok {
			if now.Sub(set.fetchedAt) >= c.ttl {
				c.refreshInBackground(ctx, now)
			}
			return k, set.version, nil
		}
	}
	// Join the fetch in flight, or start one unless the previous one
	// started less than the gap ago.
	gap := c.minGap
	if set == nil {
		// With no keys at all nothing verifies, so retrying sooner costs
		// nothing in safety and shortens an outage at start-up.
		gap = min(gap, coldRetryGap)
	}
	_, err, _ := c.fetches.TryDo(ctx, struct{}{}, c.claim(now, gap), c.refreshDetached)
	var left *flight.LeftError
	switch {
	case errors.Is(err, flight.ErrNotStarted):
		if set == nil {
			return jose.Key{}, 0, authErr(ReasonJWKFailedToLoad, "key set unavailable; next fetch not due yet")
		}
		return jose.Key{}, 0, authErr(ReasonJWKKidMismatch, "no key with the token's kid")
	case errors.As(err, &left):
		return jose.Key{}, 0, &AuthError{Reason: ReasonJWKFailedToLoad, Detail: "gave up waiting for the key set", Err: left.Cause}
	}
	set = c.current.Load()
	if set == nil {
		return jose.Key{}, 0, &AuthError{Reason: ReasonJWKFailedToLoad, Detail: "fetching the key set failed", Err: err}
	}
	if k, ok := set.keys[kid]; ok {
		return k, set.version, nil
	}
	return jose.Key{}, 0, authErr(ReasonJWKKidMismatch, "no key with the token's kid")
}

// claim returns the flight group's start condition: the previous fetch
// began at least gap before now. Allowing records now as the new start.
func (c *jwksCache) claim(now time.Time, gap time.Duration) func() bool {
	return func() bool {
		if !c.due(now, gap) {
			return false
		}
		c.lastAttempt.Store(now.UnixNano())
		return true
	}
}

func (c *jwksCache) due(now time.Time, gap time.Duration) bool {
	last := c.lastAttempt.Load()
	return last == 0 || now.UnixNano()-last >= int64(gap)
}

// refreshInBackground starts a refresh of a stale set unless one runs or
// the last attempt (a failure, if the set is still stale) is too recent.
// Requests go on with the stale set meanwhile.
func (c *jwksCache) refreshInBackground(ctx context.Context, now time.Time) {
	gap := min(c.minGap, c.ttl)
	if c.due(now, gap) { // a cheap look before taking the group's lock
		c.fetches.Go(ctx, struct{}{}, c.claim(now, gap), c.refreshDetached)
	}
}

// refreshDetached fetches under its own timeout, without the cancellation
// of the requests waiting for it: the fetch serves whoever comes next too.
func (c *jwksCache) refreshDetached(ctx context.Context, _ func(error)) (struct{}, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	return struct{}{}, c.observedRefresh(ctx)
}

// observedRefresh is refresh, reported to the observer.
func (c *jwksCache) observedRefresh(ctx context.Context) error {
	if c.observer == nil || c.observer.JWKSFetch == nil {
		return c.refresh(ctx)
	}
	start := time.Now()
	err := c.refresh(ctx)
	e := JWKSFetchEvent{Err: err, Duration: time.Since(start)}
	if set := c.current.Load(); set != nil {
		e.Keys, e.LoadedAt = len(set.keys), set.fetchedAt
	}
	c.observer.JWKSFetch(ctx, e)
	return err
}

func (c *jwksCache) refresh(ctx context.Context) error {
	body, err := c.fetch(ctx)
	if err == nil {
		var keys map[string]jose.Key
		if keys, err = jose.ParseJWKS(body); err == nil {
			prev := c.current.Load()
			keepUnchanged(keys, prev)
			// Refreshes run one at a time (the flight group), so the
			// version needs no atomic increment.
			next := &keySet{keys: keys, fetchedAt: c.now(), version: 1}
			if prev != nil {
				next.version = prev.version + 1
			}
			c.current.Store(next)
			c.failed.Store(nil)
			return nil
		}
	}
	c.failed.Store(&err)
	if c.logger != nil {
		haveKeys := c.current.Load() != nil
		msg := "clerk: fetching the JWKS failed; keeping the last good keys"
		if !haveKeys {
			msg = "clerk: fetching the JWKS failed; no keys loaded yet, so no token can be verified"
		}
		c.logger.LogAttrs(ctx, slog.LevelWarn, msg, slog.String("error", err.Error()), slog.Bool("have_keys", haveKeys))
	}
	return err
}

// keepUnchanged reuses the previous set's key values where a refresh brought
// the same key under the same kid, so that verified-token cache entries,
// which compare keys by identity, survive a refresh that changed nothing.
func keepUnchanged(keys map[string]jose.Key, prev *keySet) {
	if prev == nil {
		return
	}
	for kid, k := range keys {
		if old, ok := prev.keys[kid]; ok && old.Alg == k.Alg && old.Pub.Equal(k.Pub) {
			keys[kid] = old
		}
	}
}
