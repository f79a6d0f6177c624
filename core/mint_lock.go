package clerk

import (
	"context"
	"log/slog"
	"time"
)

// A TokenMintLocker is a TokenCache shared by several processes that can
// also elect one of them to mint a missing token. Replicas of a service that
// miss the same key at the same moment then make one Backend API call
// between them: the others wait for the token to appear in the cache.
// The Client uses it when its TokenCache implements it.
type TokenMintLocker interface {
	// LockMint tries to claim the minting of key for at most ttl. ok is
	// false, with a nil error, while another process holds the claim.
	// unlock gives the claim up early; it must not release a claim that
	// expired and was taken by another process since.
	LockMint(ctx context.Context, key TokenKey, ttl time.Duration) (unlock func(), ok bool, err error)
}

// A TokenMintTracker is a TokenCache that must see each mint begin, so that
// a token minted across a sign-out is never stored. The Client calls
// BeginMint before it asks Clerk (or another process) for key's token, and
// stores that token, if at all, through the function BeginMint returned
// instead of Set. A cache shared between processes reads the session's
// sign-out state in BeginMint and stores only while it is unchanged: a
// sign-out on any replica during the mint then keeps the token out. The
// returned function may be called once or not at all.
type TokenMintTracker interface {
	BeginMint(ctx context.Context, key TokenKey) (store func(ctx context.Context, token *Token, freshUntil time.Time))
}

// Defaults of the cross-process mint lock.
const (
	// mintLockTTL bounds how long a replica that claimed a mint and then
	// vanished can keep the others waiting.
	mintLockTTL = 5 * time.Second
	// mintLockPoll is how often a waiting replica looks for the token.
	mintLockPoll = 25 * time.Millisecond
)

// awaitOtherMinter coordinates with other processes through locker before
// this one mints key. It returns a token when another process minted it
// meanwhile; nil means "mint it yourself", with release to call once the
// token is stored. A failing lock never fails the call: minting directly
// is always the fallback.
func (c *Client) awaitOtherMinter(ctx context.Context, locker TokenMintLocker, key TokenKey) (tok *Token, release func(), err error) {
	noop := func() {}
	giveUpAt := time.Now().Add(c.mintLockTTL)
	for {
		unlock, ok, lockErr := locker.LockMint(ctx, key, c.mintLockTTL)
		switch {
		case lockErr != nil:
			if c.logger != nil {
				c.logger.LogAttrs(ctx, slog.LevelWarn, "clerk: token cache lock failed; minting directly",
					slog.String("error", lockErr.Error()))
			}
			return nil, noop, nil
		case ok:
			// Another process may have stored the token between our cache
			// miss and the claim.
			if tok, hit := c.tokenCache.Get(ctx, key); hit {
				unlock()
				return tok, noop, nil
			}
			return nil, unlock, nil
		}
		timer := time.NewTimer(mintLockPoll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, noop, context.Cause(ctx)
		case <-timer.C:
		}
		if tok, hit := c.tokenCache.Get(ctx, key); hit {
			return tok, noop, nil
		}
		if time.Now().After(giveUpAt) {
			return nil, noop, nil // the holder outlived its claim: mint ourselves
		}
	}
}
