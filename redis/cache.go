package clerkredis

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// Cache is a clerk.TokenCache, clerk.TokenMintTracker and
// clerk.TokenMintLocker on Redis, shared by every replica configured with
// the same secret and instance. Build it with New and pass it to
// clerk.WithTokenCache. Its MachineTokens store shares verified machine
// tokens between replicas the same way, and its M2MTokens store the M2M
// tokens the replicas mint to call other services. It is safe for
// concurrent use.
type Cache struct {
	rdb     redis.UniversalClient
	keys    keys
	prefix  string // key prefix and namespace, "clerkkit:<ns>:"
	timeout time.Duration
	logger  *slog.Logger
	now     func() time.Time

	readsMu sync.Mutex
	reads   map[clerk.TokenKey]*read // the read in flight for each key

	// downUntil (Unix ns on c.now's clock) is set when Redis fails: until
	// then Get, BeginMint, Set and LockMint do not try it, so an outage
	// costs one timeout a second rather than one per request and operation.
	downUntil atomic.Int64

	hits, misses, stale, rejected, errs, skipped atomic.Uint64
	machineHits, machineMisses                   atomic.Uint64
	lastLog                                      atomic.Int64 // Unix ns of the last error logged
	unlogged                                     atomic.Uint64
}

var (
	_ clerk.TokenCache       = (*Cache)(nil)
	_ clerk.TokenMintTracker = (*Cache)(nil)
	_ clerk.TokenMintLocker  = (*Cache)(nil)
)

// New returns a Cache on rdb. WithSecret is required. rdb must be built
// with ContextTimeoutEnabled, so the cache's timeouts reach the socket;
// New refuses a *redis.Client, *redis.ClusterClient or *redis.Ring
// without it.
func New(rdb redis.UniversalClient, opts ...Option) (*Cache, error) {
	if rdb == nil {
		return nil, configError("redis client must not be nil")
	}
	if !contextTimeoutEnabled(rdb) {
		return nil, configError("the redis client must have ContextTimeoutEnabled: true, or a slow Redis would hold requests for its ReadTimeout rather than the cache's timeout")
	}
	s := defaultSettings()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	if s.secret == nil {
		return nil, configError("WithSecret is required")
	}
	k, err := deriveKeys(s.secret, s.instance)
	if err != nil {
		return nil, configError(err.Error())
	}
	logger := s.logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Cache{
		rdb:     rdb,
		keys:    k,
		prefix:  s.prefix + k.mac(8, []byte("namespace")) + ":",
		timeout: s.timeout,
		logger:  logger,
		now:     s.now,
		reads:   make(map[clerk.TokenKey]*read),
	}, nil
}

func contextTimeoutEnabled(rdb redis.UniversalClient) bool {
	switch c := rdb.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return true // a wrapper or a mock: trust it
}

// Key layout: every key of a session shares the {hash tag} of the session,
// so the scripts touch a single Redis Cluster slot.
//
//	<prefix><ns>:{<session>}:gen          the session's generation
//	<prefix><ns>:{<session>}:tok:<token>  an encrypted token
//	<prefix><ns>:{<session>}:lock:<token> a mint claim
//	<prefix><ns>:mt:<digest>              a machine token's verify answer (machine.go)
//	<prefix><ns>:m2m:<source>             a shared M2M token (m2m.go)
//	<prefix><ns>:m2m-lock:<source>        its mint claim
//
// <ns>, <session>, <token>, <digest> and <source> are HMACs under a key derived from
// the secret: session IDs, template names and machine tokens never appear.
func (c *Cache) sessionPrefix(sessionID string) string {
	return c.prefix + "{" + c.keys.mac(12, []byte("session"), []byte(sessionID)) + "}:"
}

func (c *Cache) genKey(sessionID string) string { return c.sessionPrefix(sessionID) + "gen" }

func (c *Cache) names(key clerk.TokenKey) (gen, tok, lock string) {
	sp := c.sessionPrefix(key.SessionID)
	id := c.keys.mac(16, []byte("token"), encodeKey(key))
	return sp + "gen", sp + "tok:" + id, sp + "lock:" + id
}

// op bounds one Redis operation by the cache's timeout within ctx.
func (c *Cache) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Stats are the cache's counters since New, for export to metrics.
// Rejected, Errors and Skipped count the machine token and M2M token
// stores too.
type Stats struct {
	// Hits and Misses count the token cache's Gets.
	Hits, Misses uint64
	// Stale counts misses on tokens of a signed-out session: the value's
	// generation is not the session's current one, or the session has none.
	Stale uint64
	// Rejected counts values that failed authentication or decoding, and
	// session generations this cache's secret did not make.
	Rejected uint64
	// Errors counts Redis operations that failed or timed out.
	Errors uint64
	// Skipped counts operations not tried because Redis had failed less
	// than a second before; each is a miss, an unstored token or machine
	// token answer, or a lock error (for the M2M store, an error returned).
	Skipped uint64
	// MachineHits and MachineMisses count the machine token store's Gets
	// (MachineTokens): a hit is a verify answer another replica, or this
	// one, stored; a miss sends the token to Clerk's Backend API.
	MachineHits, MachineMisses uint64
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	return Stats{
		Hits:     c.hits.Load(),
		Misses:   c.misses.Load(),
		Stale:    c.stale.Load(),
		Rejected: c.rejected.Load(),
		Errors:   c.errs.Load(),
		Skipped:  c.skipped.Load(),

		MachineHits:   c.machineHits.Load(),
		MachineMisses: c.machineMisses.Load(),
	}
}
