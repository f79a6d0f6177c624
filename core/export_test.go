package clerk

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/jose"
)

// CountKeyLookups wraps a's key source so a test can see how many tokens
// went through signature verification (a verified-token cache hit looks up
// no key).
func CountKeyLookups(a *Authenticator) *atomic.Int64 {
	c := &countingKeys{keySource: a.keys}
	a.keys = c
	return &c.lookups
}

type countingKeys struct {
	keySource
	lookups atomic.Int64
}

func (c *countingKeys) key(ctx context.Context, kid string, hasKid bool) (jose.Key, uint64, *AuthError) {
	c.lookups.Add(1)
	return c.keySource.key(ctx, kid, hasKid)
}

// Test seams for bounds that have one right value in production but that
// tests must shrink or read.
const (
	DefaultUnknownKIDRefetchInterval = unknownKIDRefetchInterval
	DefaultMaxTokenBytes             = maxTokenBytes
	DefaultClerkAPIVersion           = clerkAPIVersion
	DefaultMaxResponseBytes          = maxResponseBytes
	M2MForcedRefreshGap              = forcedRefreshGap
)

// WithJWKSRefreshInterval shortens how long a key set is used before a
// background refresh.
func WithJWKSRefreshInterval(d time.Duration) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error { s.jwksTTL = d; return nil })
}

// WithUnknownKIDRefetchInterval shortens the least time between fetches
// caused by unknown kids.
func WithUnknownKIDRefetchInterval(d time.Duration) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error { s.unknownKIDGap = d; return nil })
}

// WithMaxResponseBytes lowers the response body limit.
func WithMaxResponseBytes(n int64) ClientOption {
	return clientOption(func(s *settings) error { s.maxBytes = n; return nil })
}

// WithMintLockTTL shortens the cross-process mint claim.
func WithMintLockTTL(d time.Duration) ClientOption {
	return clientOption(func(s *settings) error { s.mintLockTTL = d; return nil })
}
