package clerk

import (
	"context"
	"sync/atomic"

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

func (c *countingKeys) key(ctx context.Context, kid string, hasKid bool) (jose.Key, *AuthError) {
	c.lookups.Add(1)
	return c.keySource.key(ctx, kid, hasKid)
}
