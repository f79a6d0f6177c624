package clerk

import (
	"context"
	"time"
)

// TokenKey identifies tokens that are interchangeable: same session, same
// template, same requested lifetime.
type TokenKey struct {
	SessionID string
	Template  string
	// ExpiresInSeconds is 0 when the template's own lifetime applies.
	ExpiresInSeconds int
}

// A TokenCache keeps minted tokens for reuse. The Client decides what is
// fresh and passes the time until which a token may be handed out; the cache
// must not return it after that. Implementations must be safe for
// concurrent use. NewMemoryTokenCache is the in-process one; a shared store
// (Redis, say) can implement the same three methods.
type TokenCache interface {
	// Get returns the token stored for key if it is still fresh.
	Get(ctx context.Context, key TokenKey) (*Token, bool)
	// Set stores token for key until freshUntil.
	Set(ctx context.Context, key TokenKey, token *Token, freshUntil time.Time)
	// InvalidateSession drops every token of the session, for sign-out.
	InvalidateSession(ctx context.Context, sessionID string)
}

// Freshness says how much of a token's life must remain for it to be
// reused. A token minted for 60 s with the defaults (half, at least 10 s)
// is handed out again for its first 30 s.
type Freshness struct {
	// MinRemainingShare is the share of the lifetime (exp − iat) that must
	// remain, between 0 and 1.
	MinRemainingShare float64
	// MinRemaining is the least remaining time, whatever the share.
	MinRemaining time.Duration
}

// DefaultFreshness reuses a token while half its lifetime and at least 10 s
// remain.
func DefaultFreshness() Freshness {
	return Freshness{MinRemainingShare: 0.5, MinRemaining: 10 * time.Second}
}

func (f Freshness) validate() error {
	if f.MinRemainingShare < 0 || f.MinRemainingShare > 1 || f.MinRemaining < 0 {
		return configError("freshness share must be within 0..1 and the minimum not negative")
	}
	return nil
}

// freshUntil is the last moment a token living from iat to exp may be
// handed out.
func (f Freshness) freshUntil(iat, exp time.Time) time.Time {
	keep := time.Duration(float64(exp.Sub(iat)) * f.MinRemainingShare)
	return exp.Add(-max(keep, f.MinRemaining))
}

// WithTokenCache makes GetToken reuse still-fresh tokens from cache instead
// of minting again. Without it every call mints (concurrent identical calls
// still share one request).
func WithTokenCache(cache TokenCache) ClientOption {
	return clientOption(func(s *settings) error {
		if cache == nil {
			return configError("token cache must not be nil")
		}
		s.tokenCache = cache
		s.clientOnly = "WithTokenCache"
		return nil
	})
}

// WithTokenFreshness replaces DefaultFreshness for the token cache.
func WithTokenFreshness(f Freshness) ClientOption {
	return clientOption(func(s *settings) error {
		if err := f.validate(); err != nil {
			return err
		}
		s.freshness = f
		s.clientOnly = "WithTokenFreshness"
		return nil
	})
}

// WithoutCache makes one GetToken call mint a new token even when a fresh
// one is cached; the new token then replaces it.
func WithoutCache() TokenOption {
	return func(r *tokenRequest) { r.bypassCache = true }
}

// InvalidateSession forgets every cached token of the session, for example
// when the user signs out. It is final for this Client: a GetToken that
// starts after it returns never receives a token minted or cached before
// it. Requests already in flight for the session finish for the callers
// that were waiting, but their tokens are not stored, and later callers
// start a request of their own.
func (c *Client) InvalidateSession(ctx context.Context, sessionID string) {
	r := c.reuse
	r.invalidations.Add(1)
	r.flights.Forget(func(key TokenKey) bool { return key.SessionID == sessionID })
	if c.tokenCache != nil {
		c.tokenCache.InvalidateSession(ctx, sessionID)
	}
}
