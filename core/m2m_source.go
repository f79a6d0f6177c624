package clerk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/flight"
)

// M2MTokenSource hands out the machine's M2M token, minting it once and
// reusing it until a refresh margin before it expires, as
// golang.org/x/oauth2's ReuseTokenSource does for OAuth tokens. Build one
// per set of create parameters with [M2MClient.TokenSource] and share it;
// it is safe for concurrent use.
//
//   - A token with more than the margin left is returned from memory: an
//     atomic load and a clock read, no lock, no allocation.
//   - When it is due, one refresh runs however many goroutines ask; they
//     all receive its token. A caller whose context ends stops waiting at
//     once without failing the others.
//   - When a refresh fails while the current token is still valid, that
//     token keeps being served (a warning is logged, without the token) and
//     the refresh is tried again a second later; callers see an error only
//     when no valid token is left.
//   - With WithM2MTokenStore, replicas share one token (see
//     [M2MTokenStore]).
//
// [M2MTokenSource.Transport] and [M2MTokenSource.HTTPClient] attach the
// token to outgoing requests.
type M2MTokenSource struct {
	client   *M2MClient
	body     []byte        // the encoded create request, the same for every mint
	lifetime time.Duration // requested; 0: the machine's default
	margin   time.Duration // 0: the default rule, see refreshMargin
	store    M2MTokenStore // nil: this process alone
	storeKey string
	logger   *slog.Logger

	cur     atomic.Pointer[m2mEntry]
	flights flight.Group[struct{}, *M2MToken]

	creates, sharedHits, keptServing atomic.Uint64
	lastForced                       atomic.Int64 // unix nanoseconds of the last forced refresh; 0: none
	// rejectedID is the id of the last token a called service refused: a
	// copy of it read back from the shared store is not used again.
	rejectedID atomic.Pointer[string]
}

// m2mEntry is the token being served and when to stop serving it
// without trying to refresh.
type m2mEntry struct {
	tok       *M2MToken
	refreshAt time.Time // never after tok.ExpiresAt; zero: refresh now
	rejected  bool      // a called service answered 401 to it: never a fallback
}

// Refresh timing defaults.
const (
	// minRefreshMargin is the least time before expiry at which a token is
	// replaced: room for the clock difference between this machine, Clerk
	// and the called service, and for a request in transit.
	minRefreshMargin = 10 * time.Second
	// refreshShare is the share of the lifetime before expiry at which a
	// token is replaced when that is more than minRefreshMargin: a long
	// token then refreshes early enough that a Clerk outage of a fifth of
	// its lifetime passes unnoticed, since the current token keeps serving
	// meanwhile. A 60 s token is refreshed after 48 s, an hour token after
	// 48 min.
	refreshShare = 5
	// m2mRetryGap is how long a still-valid token is served after a failed
	// refresh before the next attempt, so a failing Clerk is not asked on
	// every call.
	m2mRetryGap = time.Second
	// forcedRefreshGap is the least time between two refreshes forced by
	// a called service's 401. A service that refuses every token (one not
	// set up to accept this machine) would otherwise turn each request
	// into a create call, which Clerk bills; a token revoked on purpose is
	// still replaced at its first refusal.
	forcedRefreshGap = 10 * time.Second
)

// WithRefreshMargin makes a token source replace its token d before it
// expires instead of the default: the larger of 10 s and a fifth of the
// token's lifetime. d must be positive and, with WithM2MLifetime, below the
// lifetime. CreateM2MToken refuses it.
func WithRefreshMargin(d time.Duration) M2MTokenOption {
	return m2mOption(func(p *m2mParams) error {
		if d <= 0 {
			return configError("refresh margin must be positive")
		}
		p.margin = d
		if p.sourceOpt == "" {
			p.sourceOpt = "WithRefreshMargin"
		}
		return nil
	})
}

// TokenSource returns a source of the machine's M2M tokens created with
// opts (WithM2MLifetime, WithM2MClaims, WithM2MMinRemainingTTL,
// WithM2MTokenFormat) and tuned by WithRefreshMargin and
// WithM2MTokenStore. It mints nothing until the first Token call.
func (c *M2MClient) TokenSource(opts ...M2MTokenOption) (*M2MTokenSource, error) {
	p, err := applyM2MOptions(opts)
	if err != nil {
		return nil, err
	}
	if p.lifetime > 0 && p.margin >= p.lifetime {
		return nil, configError("refresh margin must be below the token lifetime")
	}
	logger := c.logger
	if logger == nil {
		logger = slog.Default() // a failed refresh must not pass unseen
	}
	s := &M2MTokenSource{
		client:   c,
		body:     p.body(),
		lifetime: p.lifetime,
		margin:   p.margin,
		store:    p.store,
		logger:   logger,
	}
	if s.store != nil {
		s.storeKey = m2mStoreKey(c.credentials.authorization(), s.body)
	}
	return s, nil
}

// Token returns a token with more than the refresh margin left, or, while
// Clerk cannot be reached, the current one as long as it is valid. The
// token is shared by every caller and must not be modified.
func (s *M2MTokenSource) Token(ctx context.Context) (*M2MToken, error) {
	if e := s.cur.Load(); e != nil && s.client.now().Before(e.refreshAt) {
		return e.tok, nil
	}
	return s.refresh(ctx)
}

// refresh runs one refresh for all the callers that need it at once.
func (s *M2MTokenSource) refresh(ctx context.Context) (*M2MToken, error) {
	tok, err, _ := s.flights.DoDetached(ctx, struct{}{}, s.work)
	var left *flight.LeftError
	switch {
	case errors.As(err, &left) && left.Last != nil:
		return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", left.Last, left.Cause)
	case errors.As(err, &left):
		return nil, fmt.Errorf("clerk: waiting for M2M token: %w", left.Cause)
	case err != nil:
		return nil, err
	}
	return tok, nil
}

// work is the one refresh in flight. It runs detached (DoDetached): a
// create Clerk has received is billed whether or not anyone waits for its
// answer, so callers giving up must neither cancel it nor start another;
// its token lands in the source for the next caller. The Client's timeout
// bounds it instead (see mint). It first looks again: a refresh that ended
// just before this one started already replaced the token.
func (s *M2MTokenSource) work(ctx context.Context, note func(error)) (*M2MToken, error) {
	e := s.cur.Load()
	if e != nil && s.client.now().Before(e.refreshAt) {
		return e.tok, nil
	}
	tok, err := s.obtain(ctx, note)
	now := s.client.now()
	if err == nil {
		s.cur.Store(&m2mEntry{tok: tok, refreshAt: s.freshUntil(tok, now)})
		return tok, nil
	}
	if e == nil || e.rejected || !now.Before(e.tok.ExpiresAt) {
		return nil, err
	}
	// Keep serving the valid token and try again shortly. A CAS, so a
	// rejection recorded meanwhile is not overwritten.
	retryAt := now.Add(m2mRetryGap)
	if retryAt.After(e.tok.ExpiresAt) {
		retryAt = e.tok.ExpiresAt
	}
	s.cur.CompareAndSwap(e, &m2mEntry{tok: e.tok, refreshAt: retryAt})
	s.keptServing.Add(1)
	s.logger.LogAttrs(ctx, slog.LevelWarn, "clerk: M2M token refresh failed; serving the current token until it expires",
		slog.String("token_id", e.tok.ID),
		slog.Duration("expires_in", e.tok.ExpiresAt.Sub(now)),
		slog.String("error", err.Error()))
	return e.tok, nil
}

// obtain gets a new token: from the shared store or by minting.
func (s *M2MTokenSource) obtain(ctx context.Context, note func(error)) (*M2MToken, error) {
	if s.store != nil {
		return s.obtainShared(ctx, note)
	}
	return s.mint(ctx, note)
}

// mint asks Clerk for a new token, within the Client's timeout (the
// default one when the Client has none: work's context never ends by
// itself). Every attempt counts as a create: one whose answer was lost
// may still have minted.
func (s *M2MTokenSource) mint(ctx context.Context, note func(error)) (*M2MToken, error) {
	ctx, cancel := context.WithTimeout(ctx, s.client.mintBudget())
	defer cancel()
	s.creates.Add(1)
	return s.client.create(ctx, s.body, func(err error) {
		s.creates.Add(1) // the failed attempt is followed by another
		note(err)
	})
}

// refreshMargin is how long before expiry a token of this lifetime is
// replaced: WithRefreshMargin, else the larger of 10 s and a fifth of the
// lifetime, and never more than half of it.
func (s *M2MTokenSource) refreshMargin(lifetime time.Duration) time.Duration {
	m := s.margin
	if m == 0 {
		m = max(minRefreshMargin, lifetime/refreshShare)
	}
	if lifetime <= 0 {
		return m // unknown: the cap cannot be computed, the margin still holds
	}
	return min(m, lifetime/2)
}

// refreshAt is the moment tok stops being handed out without a refresh.
// Its lifetime is read from Clerk's created_at, else from the requested
// one, so every replica computes the same moment for a shared token.
func (s *M2MTokenSource) refreshAt(tok *M2MToken) time.Time {
	lifetime := s.lifetime
	if !tok.CreatedAt.IsZero() && tok.ExpiresAt.After(tok.CreatedAt) {
		lifetime = tok.ExpiresAt.Sub(tok.CreatedAt)
	}
	return tok.ExpiresAt.Add(-s.refreshMargin(lifetime))
}

// freshUntil is refreshAt for a token just obtained, but never earlier than
// half of its remaining life: a token Clerk handed back through
// min_remaining_ttl_seconds with little life left must still be used for a
// while, or every call would ask Clerk again.
func (s *M2MTokenSource) freshUntil(tok *M2MToken, now time.Time) time.Time {
	at := s.refreshAt(tok)
	if floor := now.Add(tok.ExpiresAt.Sub(now) / 2); at.Before(floor) {
		at = floor
	}
	return at
}

// M2MSourceStats are a token source's counters since it was built.
type M2MSourceStats struct {
	// Creates counts create requests sent to Clerk, retries included:
	// an attempt whose answer was lost may still have minted a token.
	Creates uint64
	// Coalesced counts callers that waited for another caller's refresh.
	Coalesced uint64
	// SharedHits counts refreshes answered by the shared store.
	SharedHits uint64
	// KeptServing counts failed refreshes after which the still-valid
	// token kept being served.
	KeptServing uint64
}

// Stats returns the counters.
func (s *M2MTokenSource) Stats() M2MSourceStats {
	return M2MSourceStats{
		Creates:     s.creates.Load(),
		Coalesced:   s.flights.Joins(),
		SharedHits:  s.sharedHits.Load(),
		KeptServing: s.keptServing.Load(),
	}
}

// String describes the source without its token.
func (s *M2MTokenSource) String() string {
	return "clerk.M2MTokenSource{client: " + s.client.String() + "}"
}

// GoString keeps %#v from printing the token.
func (s *M2MTokenSource) GoString() string { return s.String() }

// LogValue keeps slog from printing the token.
func (s *M2MTokenSource) LogValue() slog.Value { return slog.StringValue(s.String()) }

// refreshPast returns a token other than rejected, which a called service
// refused: it marks rejected as due (once, however many requests were
// refused with it) and refreshes, so concurrent rejections share one
// create. It returns rejected itself only when no refresh could replace it.
func (s *M2MTokenSource) refreshPast(ctx context.Context, rejected *M2MToken) (*M2MToken, error) {
	for range 2 {
		if !s.markRejected(rejected) {
			return rejected, nil
		}
		tok, err := s.Token(ctx)
		if err != nil || tok.ID != rejected.ID {
			return tok, err
		}
		// A refresh that began before the mark handed back the rejected
		// token; the mark is in place now, so one more round mints.
	}
	return rejected, nil
}

// markRejected makes the next Token call refresh instead of handing out
// rejected, which a called service refused, and keeps rejected from ever
// being served as a fallback. A token already replaced or marked is left
// alone. It reports false, marking nothing, when the last forced refresh
// was less than forcedRefreshGap ago.
func (s *M2MTokenSource) markRejected(rejected *M2MToken) bool {
	for {
		e := s.cur.Load()
		if e == nil || e.tok != rejected || e.rejected {
			return true
		}
		now := s.client.now().UnixNano()
		last := s.lastForced.Load()
		if last != 0 && now-last < int64(forcedRefreshGap) {
			return false
		}
		if s.cur.CompareAndSwap(e, &m2mEntry{tok: rejected, rejected: true}) {
			s.lastForced.Store(now)
			s.rejectedID.Store(&rejected.ID)
			return true
		}
	}
}
