package clerk

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Readiness sentinels. Every error Warm and Ready return is a
// *NotReadyError, which matches ErrNotReady and, by its state, ErrNoKeySet
// or ErrKeySetStale; the fetch failure it carries stays reachable too:
// errors.Is(err, ErrUnauthorized) when Clerk refused the secret key,
// errors.Is(err, ErrTransport) when the API could not be reached.
var (
	// ErrNotReady is matched by every error of Warm and Ready.
	ErrNotReady = errors.New("clerk: not ready")
	// ErrNoKeySet: no key set has loaded yet, so no token can be verified.
	ErrNoKeySet = errors.New("clerk: no key set loaded")
	// ErrKeySetStale: the key set held was fetched longer ago than the
	// bound given to Ready.
	ErrKeySetStale = errors.New("clerk: key set too old")
)

// NotReadyError says why an Authenticator cannot, or can no longer be
// trusted to, verify tokens.
type NotReadyError struct {
	// Loaded reports whether a key set is held (an older one, when a
	// refresh failed).
	Loaded bool
	// Age is how long ago the key set held was fetched; zero when none is.
	Age time.Duration
	// MaxAge is the bound Ready was given when the set is older than it;
	// zero otherwise.
	MaxAge time.Duration
	// Err is why the latest fetch failed: an *APIError (ErrUnauthorized
	// when Clerk refused the secret key), a transport failure
	// (ErrTransport), an unreadable key set, or the caller's context
	// ending. Nil when no fetch has failed since the last success.
	Err error
}

func (e *NotReadyError) Error() string {
	var b strings.Builder
	b.WriteString("clerk: not ready: ")
	switch {
	case !e.Loaded:
		b.WriteString("no key set loaded")
	case e.MaxAge > 0:
		b.WriteString("key set fetched " + e.Age.Round(time.Second).String() + " ago, longer than " + e.MaxAge.String())
	default:
		b.WriteString("refreshing the key set failed (keys fetched " + e.Age.Round(time.Second).String() + " ago still in use)")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(fetchFailureHint(e.Err))
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// fetchFailureHint names, in words, the two causes an operator can fix.
func fetchFailureHint(err error) string {
	switch {
	case errors.Is(err, ErrUnauthorized):
		return "Clerk refused the secret key: "
	case errors.Is(err, ErrTransport):
		return "the Backend API could not be reached: "
	}
	return ""
}

// Is matches ErrNotReady, and ErrNoKeySet or ErrKeySetStale by state.
func (e *NotReadyError) Is(target error) bool {
	switch target {
	case ErrNotReady:
		return true
	case ErrNoKeySet:
		return !e.Loaded
	case ErrKeySetStale:
		return e.Loaded && e.MaxAge > 0
	}
	return false
}

// Unwrap returns the fetch failure.
func (e *NotReadyError) Unwrap() error { return e.Err }

// readiness is what a key source that fetches can say about itself; a
// WithJWTKey key has nothing to load and is always ready.
type readiness interface {
	warm(ctx context.Context) error
	ready(maxAge time.Duration) error
}

// Warm loads the key set now, unless one fetched within the refresh
// interval (5 minutes) is held, and reports whether tokens can be
// verified: call it at start-up, so that an unreachable API URL or a
// secret key Clerk refuses is found before the first request instead of
// as a 401 for every caller. A fetch already in flight is joined.
//
// On failure it returns a *NotReadyError carrying the cause (see
// ErrNotReady), even when an older key set is still held and in use, so
// a deployment check sees it. With WithJWTKey there is nothing to load
// and Warm returns nil at once, without a call to Clerk.
func (a *Authenticator) Warm(ctx context.Context) error {
	if r, ok := a.keys.(readiness); ok {
		return r.warm(ctx)
	}
	return nil
}

// Ready reports, for a readiness probe, whether tokens can be verified:
// nil when a key set is loaded and, when maxAge > 0, was fetched at most
// maxAge ago; otherwise a *NotReadyError saying which, with the latest
// fetch failure.
//
// Ready never waits for Clerk. When no set is loaded, or the one held is
// due for its refresh, it starts a fetch in the background, as a request
// would, so that an idle server's probe recovers by itself once Clerk
// answers again. The key set is kept through Clerk outages and Clerk
// rotates keys rarely: a maxAge shorter than an outage you want to ride
// out takes every replica out of service at once. With WithJWTKey Ready
// is always nil.
func (a *Authenticator) Ready(maxAge time.Duration) error {
	if r, ok := a.keys.(readiness); ok {
		return r.ready(maxAge)
	}
	return nil
}

func (c *jwksCache) warm(ctx context.Context) error {
	now := c.now()
	if set := c.current.Load(); set != nil && now.Sub(set.fetchedAt) < c.ttl {
		return nil
	}
	// An explicit call is not bound by the gaps that keep tokens from
	// making us call Clerk; it still records its start, so requests
	// arriving meanwhile join it instead of starting another.
	_, err, _ := c.fetches.TryDo(ctx, struct{}{}, c.claim(now, 0), c.refreshDetached)
	if err == nil {
		return nil
	}
	e := &NotReadyError{Err: err}
	if set := c.current.Load(); set != nil {
		e.Loaded, e.Age = true, now.Sub(set.fetchedAt)
	}
	return e
}

func (c *jwksCache) ready(maxAge time.Duration) error {
	now := c.now()
	set := c.current.Load()
	switch {
	case set == nil:
		c.fetches.Go(context.Background(), struct{}{}, c.claim(now, min(c.minGap, coldRetryGap)), c.refreshDetached)
	case now.Sub(set.fetchedAt) >= c.ttl:
		c.refreshInBackground(context.Background(), now)
	}
	var cause error
	if p := c.failed.Load(); p != nil {
		cause = *p
	}
	switch {
	case set == nil:
		return &NotReadyError{Err: cause}
	case maxAge > 0 && now.Sub(set.fetchedAt) > maxAge:
		return &NotReadyError{Loaded: true, Age: now.Sub(set.fetchedAt), MaxAge: maxAge, Err: cause}
	}
	return nil
}
