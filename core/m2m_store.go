package clerk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"
)

// An M2MTokenStore lets the token sources of several processes (replicas
// of one service) share one live M2M token per machine and create
// parameters, so that a fleet mints once per token lifetime instead of
// once per replica. The clerkredis module provides one; any shared store
// with expiring keys and an atomic "set if absent" can.
//
// The source uses it when given one (WithM2MTokenStore), on every refresh:
// it loads the shared token first; on a miss it claims the mint with
// LockM2MMint, loads once more (another replica may have stored it in
// between), else mints and stores; a replica that finds the claim taken
// polls LoadM2MToken and retries the claim until the token appears or it
// wins the claim (a holder that died lets it lapse). Store failures never
// fail a refresh: the source logs a warning and mints directly. A token a
// called service refused is never taken from the store again by the
// replica that saw the refusal: it mints a new one and stores it over the
// old.
//
// The claim lasts the M2MClient's timeout (DefaultTimeout when it has
// none) and 5 s, so it outlasts the mint it guards, retries included. The
// store judges freshUntil by its own clock: give it the same clock as the
// source (both the wall clock in production; clerkredis.WithClock and
// WithM2MClock in tests).
//
// Keys and values are made by the source. key is "m2m:" followed by the hex
// SHA-256 of the machine secret key and the encoded create parameters: it
// tells machines and parameter sets apart without revealing the key. value
// holds the token's bearer value: the store must protect it at rest
// (encrypt it, as clerkredis does for template tokens) and must return it
// byte for byte. Implementations must be safe for concurrent use.
type M2MTokenStore interface {
	// LoadM2MToken returns the value stored under key, or nil with a nil
	// error when there is none (or it has passed its freshUntil).
	LoadM2MToken(ctx context.Context, key string) ([]byte, error)
	// StoreM2MToken stores value under key until freshUntil, the moment
	// the source would refresh it, measured with the source's clock
	// (WithM2MClock); it must not be handed out after that.
	StoreM2MToken(ctx context.Context, key string, value []byte, freshUntil time.Time) error
	// LockM2MMint tries to claim the minting of key's token for at most
	// ttl. ok is false, with a nil error, while another process holds the
	// claim. unlock gives the claim up early; it must not release a claim
	// that expired and was taken by another process since.
	LockM2MMint(ctx context.Context, key string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// WithM2MTokenStore makes a token source share its token with the other
// processes using store; see [M2MTokenStore]. CreateM2MToken refuses it.
func WithM2MTokenStore(store M2MTokenStore) M2MTokenOption {
	return m2mOption(func(p *m2mParams) error {
		if store == nil {
			return configError("M2M token store must not be nil")
		}
		p.store = store
		if p.sourceOpt == "" {
			p.sourceOpt = "WithM2MTokenStore"
		}
		return nil
	})
}

// m2mStoreKey names the shared token of one machine and parameter set.
// The hash input is length-prefixed so no two (key, body) pairs collide.
func m2mStoreKey(authorization string, body []byte) string {
	h := sha256.New()
	h.Write([]byte("clerkkit m2m token v1\x00"))
	var n [8]byte
	for i := range n {
		n[i] = byte(len(authorization) >> (8 * i))
	}
	h.Write(n[:])
	h.Write([]byte(authorization))
	h.Write(body)
	return "m2m:" + hex.EncodeToString(h.Sum(nil))
}

// Timing of the claim on a shared mint. The claim must outlast the mint
// it guards, retries included, or a slow Clerk would let every replica
// mint its own token just when Clerk is struggling.
const (
	// m2mMintPoll is how often a replica waiting on another's mint looks
	// for the token (and tries the claim, in case its holder vanished).
	m2mMintPoll = 100 * time.Millisecond
	// m2mClaimMargin is added to the mint's budget for the store's own
	// round trips.
	m2mClaimMargin = 5 * time.Second
)

// claimTTL is how long a claim on the shared mint lasts.
func (s *M2MTokenSource) claimTTL() time.Duration {
	return s.client.mintBudget() + m2mClaimMargin
}

// obtainShared returns a token from the store, or mints one and stores it
// when this process wins the claim. A token read from the store is used
// only while it is fresh by this source's rule. A replica that finds the
// claim taken polls for the token and retries the claim, which a vanished
// holder's lapse frees; only after two claim lifetimes without either
// does it mint on its own.
func (s *M2MTokenSource) obtainShared(ctx context.Context, note func(error)) (*M2MToken, error) {
	if tok := s.loadShared(ctx); tok != nil {
		return tok, nil
	}
	ttl := s.claimTTL()
	giveUpAt := time.Now().Add(2 * ttl)
	for {
		unlock, ok, err := s.store.LockM2MMint(ctx, s.storeKey, ttl)
		switch {
		case err != nil:
			s.warn(ctx, "clerk: M2M token store lock failed; minting directly", err)
			return s.mintAndStore(ctx, note)
		case ok:
			tok := s.loadShared(ctx)
			if tok == nil {
				tok, err = s.mintAndStore(ctx, note)
			}
			unlock()
			return tok, err
		}
		timer := time.NewTimer(m2mMintPoll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, context.Cause(ctx)
		case <-timer.C:
		}
		if tok := s.loadShared(ctx); tok != nil {
			return tok, nil
		}
		if time.Now().After(giveUpAt) {
			return s.mintAndStore(ctx, note) // the claim keeps being taken, yet no token appears
		}
	}
}

// loadShared reads the shared token; nil when there is none, it cannot be
// read, or it is no longer fresh here.
func (s *M2MTokenSource) loadShared(ctx context.Context) *M2MToken {
	value, err := s.store.LoadM2MToken(ctx, s.storeKey)
	if err != nil {
		s.warn(ctx, "clerk: M2M token store read failed", err)
		return nil
	}
	if value == nil {
		return nil
	}
	now := s.client.now()
	tok, err := decodeM2MToken(value, true, now)
	if err != nil {
		s.warn(ctx, "clerk: M2M token store holds an unreadable token; ignoring it", err)
		return nil
	}
	if !now.Before(s.refreshAt(tok)) {
		return nil
	}
	if id := s.rejectedID.Load(); id != nil && *id == tok.ID {
		return nil // a called service refused it: this replica mints anew
	}
	s.sharedHits.Add(1)
	return tok
}

// mintAndStore mints and offers the token to the other processes.
func (s *M2MTokenSource) mintAndStore(ctx context.Context, note func(error)) (*M2MToken, error) {
	tok, err := s.mint(ctx, note)
	if err != nil {
		return nil, err
	}
	value, err := encodeM2MToken(tok)
	if err == nil {
		err = s.store.StoreM2MToken(ctx, s.storeKey, value, s.refreshAt(tok))
	}
	if err != nil {
		s.warn(ctx, "clerk: M2M token store write failed", err)
	}
	return tok, nil
}

// warn logs a failure that the source works around, without any token or
// key: store errors are the store's own.
func (s *M2MTokenSource) warn(ctx context.Context, msg string, err error) {
	s.logger.LogAttrs(ctx, slog.LevelWarn, msg, slog.String("error", err.Error()))
}
