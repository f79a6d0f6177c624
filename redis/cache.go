package clerkredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// Cache is a clerk.TokenCache and clerk.TokenMintLocker on Redis, shared by
// every replica configured with the same secret and instance. Build it with
// New and pass it to clerk.WithTokenCache. It is safe for concurrent use.
type Cache struct {
	rdb     redis.UniversalClient
	keys    keys
	prefix  string // key prefix and namespace, "clerkkit:<ns>:"
	timeout time.Duration
	logger  *slog.Logger
	now     func() time.Time

	// claims remembers, for each mint this process claimed, the session's
	// generation when it claimed it, so that Set can refuse to store a token
	// minted across a sign-out on another replica.
	mu     sync.Mutex
	claims map[clerk.TokenKey]claim

	readsMu sync.Mutex
	reads   map[string]*read // Redis key → the read in flight

	// downUntil (Unix ns) is set when Redis fails: until then Get, Set and
	// LockMint do not try it, so an outage costs one timeout a second
	// rather than one per request and operation.
	downUntil atomic.Int64

	hits, misses, stale, rejected, errs, skipped atomic.Uint64
	lastLog                                      atomic.Int64 // Unix ns of the last error logged
	unlogged                                     atomic.Uint64
}

// outageBackoff is how long the cache leaves Redis alone after a failure.
const outageBackoff = time.Second

// errUnavailable is LockMint's error while the cache leaves Redis alone.
var errUnavailable = errors.New("clerkredis: redis failed recently; not trying it for a moment")

// down reports, and counts, that Redis failed less than outageBackoff ago.
func (c *Cache) down() bool {
	if time.Now().UnixNano() < c.downUntil.Load() {
		c.skipped.Add(1)
		return true
	}
	return false
}

type claim struct {
	generation string
	lockValue  string
}

var (
	_ clerk.TokenCache      = (*Cache)(nil)
	_ clerk.TokenMintLocker = (*Cache)(nil)
)

// generationFloor is the least time a session's generation outlives an
// InvalidateSession. A generation also outlives every token stored under it
// (Set extends it); the floor covers mints that were in flight when the
// session was invalidated and store their token later.
const generationFloor = time.Hour

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
		claims:  make(map[clerk.TokenKey]claim),
		reads:   make(map[string]*read),
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
// so the scripts below touch a single Redis Cluster slot.
//
//	<prefix><ns>:{<session>}:gen          the session's generation
//	<prefix><ns>:{<session>}:tok:<token>  an encrypted token
//	<prefix><ns>:{<session>}:lock:<token> a mint claim
//
// <ns>, <session> and <token> are HMACs under a key derived from the
// secret: session IDs and template names never appear.
func (c *Cache) sessionPrefix(sessionID string) string {
	return c.prefix + "{" + c.keys.mac(12, []byte("session"), []byte(sessionID)) + "}:"
}

func (c *Cache) names(key clerk.TokenKey) (gen, tok, lock string) {
	sp := c.sessionPrefix(key.SessionID)
	id := c.keys.mac(16, []byte("token"), encodeKey(key))
	return sp + "gen", sp + "tok:" + id, sp + "lock:" + id
}

// op bounds one Redis operation by the cache's timeout within ctx.
func (c *Cache) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// Get returns the token stored for key while it is fresh and its session
// was not invalidated since. Any Redis error, and any value that fails
// authentication, is a miss. Concurrent Gets for one key in this process
// share one round trip: a burst of requests for a hot token then costs
// Redis one read, and the mint claim that follows a miss is not queued
// behind hundreds of identical reads in the connection pool.
func (c *Cache) Get(ctx context.Context, key clerk.TokenKey) (*clerk.Token, bool) {
	genKey, tokKey, _ := c.names(key)
	c.readsMu.Lock()
	r, joined := c.reads[tokKey]
	if !joined {
		r = &read{done: make(chan struct{})}
		c.reads[tokKey] = r
	}
	c.readsMu.Unlock()
	if !joined {
		r.token, r.ok = c.get(ctx, key, genKey, tokKey)
		c.readsMu.Lock()
		delete(c.reads, tokKey)
		c.readsMu.Unlock()
		close(r.done)
	} else {
		select {
		case <-r.done:
		case <-ctx.Done():
			c.misses.Add(1)
			return nil, false
		}
	}
	if !r.ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	tok := r.token
	return &tok, true
}

// read is one Redis read that concurrent Gets of a key share.
type read struct {
	done  chan struct{}
	token clerk.Token
	ok    bool
}

func (c *Cache) get(ctx context.Context, key clerk.TokenKey, genKey, tokKey string) (clerk.Token, bool) {
	if c.down() {
		return clerk.Token{}, false
	}
	opCtx, cancel := c.op(ctx)
	defer cancel()
	vals, err := c.rdb.MGet(opCtx, genKey, tokKey).Result()
	if err != nil {
		c.fail(ctx, "get", err)
		return clerk.Token{}, false
	}
	raw, ok := vals[1].(string)
	if !ok {
		return clerk.Token{}, false
	}
	value := []byte(raw)
	plain, err := c.keys.open(tokKey, key, value)
	if err != nil {
		c.rejected.Add(1)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "clerkredis: ignoring a cached token that failed authentication (tampered, moved, or written with another secret)")
		return clerk.Token{}, false
	}
	env, _ := header(value) // authenticated by open
	if gen, _ := vals[0].(string); strconv.FormatUint(env.generation, 10) != orZero(gen) {
		c.stale.Add(1)
		return clerk.Token{}, false
	}
	if !c.now().Before(env.freshUntil) {
		return clerk.Token{}, false
	}
	var tok clerk.Token
	if err := json.Unmarshal(plain, &tok); err != nil || tok.JWT == "" {
		c.rejected.Add(1)
		return clerk.Token{}, false
	}
	return tok, true
}

func orZero(gen string) string {
	if gen == "" {
		return "0"
	}
	return gen
}

// setScript stores the value only while the session's generation is the
// one the value was sealed with, and keeps the generation alive at least as
// long as the value.
var setScript = redis.NewScript(`
local gen = redis.call('GET', KEYS[1]) or '0'
if gen ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('SET', KEYS[1], gen, 'PX', ttl)
end
return 1
`)

// Set stores token, encrypted, until freshUntil. When this process claimed
// the mint with LockMint, the token is stored only if its session was not
// invalidated since the claim, by any replica.
func (c *Cache) Set(ctx context.Context, key clerk.TokenKey, token *clerk.Token, freshUntil time.Time) {
	ttl := freshUntil.Sub(c.now()).Truncate(time.Millisecond)
	if token == nil || ttl <= 0 || c.down() {
		return
	}
	plain, err := json.Marshal(token)
	if err != nil {
		return
	}
	genKey, tokKey, _ := c.names(key)
	opCtx, cancel := c.op(ctx)
	defer cancel()
	c.mu.Lock()
	cl, claimed := c.claims[key]
	c.mu.Unlock()
	gen := cl.generation
	if !claimed {
		g, err := c.rdb.Get(opCtx, genKey).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			c.fail(ctx, "set", err)
			return
		}
		gen = orZero(g)
	}
	genN, err := strconv.ParseUint(gen, 10, 64)
	if err != nil {
		c.fail(ctx, "set", errors.New("clerkredis: session generation is not a number"))
		return
	}
	value := c.keys.seal(tokKey, key, envelope{generation: genN, freshUntil: freshUntil}, plain)
	if err := setScript.Run(opCtx, c.rdb, []string{genKey, tokKey}, gen, value, ttl.Milliseconds()).Err(); err != nil {
		c.fail(ctx, "set", err)
	}
}

// invalidateScript moves the session to a new generation, which makes
// every token stored under an older one a miss, and keeps the generation
// for at least ARGV[1] ms.
var invalidateScript = redis.NewScript(`
redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 1
`)

// InvalidateSession makes every token of the session a miss, on every
// replica, at once. It bumps a per-session generation rather than finding
// and deleting keys: one key, one round trip, and a mint that was claimed
// before the sign-out cannot store its token after it (see Set). The old
// values stay in Redis, encrypted and unreachable, until their TTL. Unlike
// the other operations it tries Redis even just after a failure: a sign-out
// lost to a blip would leave the session's tokens served elsewhere.
func (c *Cache) InvalidateSession(ctx context.Context, sessionID string) {
	genKey := c.sessionPrefix(sessionID) + "gen"
	opCtx, cancel := c.op(ctx)
	defer cancel()
	if err := invalidateScript.Run(opCtx, c.rdb, []string{genKey}, generationFloor.Milliseconds()).Err(); err != nil {
		c.fail(ctx, "invalidate", err)
	}
}

// lockScript claims the mint and reads the session's generation in one
// step; it answers nil when another process holds the claim.
var lockScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('GET', KEYS[2]) or '0'
end
return false
`)

// unlockScript deletes the claim only if it is still ours: a claim that
// expired and was taken by another process stays.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// LockMint claims the minting of key for ttl with SET NX PX and a random
// value. A holder that dies releases nothing; its claim lapses after ttl.
func (c *Cache) LockMint(ctx context.Context, key clerk.TokenKey, ttl time.Duration) (unlock func(), ok bool, err error) {
	if c.down() {
		return nil, false, errUnavailable
	}
	genKey, _, lockKey := c.names(key)
	var b [16]byte
	_, _ = rand.Read(b[:])
	mine := hex.EncodeToString(b[:])
	opCtx, cancel := c.op(ctx)
	defer cancel()
	gen, err := lockScript.Run(opCtx, c.rdb, []string{lockKey, genKey}, mine, max(ttl.Milliseconds(), 1)).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		c.fail(ctx, "lock", err)
		return nil, false, err
	}
	c.mu.Lock()
	c.claims[key] = claim{generation: gen, lockValue: mine}
	c.mu.Unlock()
	return sync.OnceFunc(func() {
		c.mu.Lock()
		if c.claims[key].lockValue == mine {
			delete(c.claims, key)
		}
		c.mu.Unlock()
		// Release even when the caller's context has ended meanwhile.
		opCtx, cancel := c.op(context.WithoutCancel(ctx))
		defer cancel()
		if err := unlockScript.Run(opCtx, c.rdb, []string{lockKey}, mine).Err(); err != nil {
			c.fail(ctx, "unlock", err)
		}
	}), true, nil
}

// Stats are the cache's counters since New, for export to metrics.
type Stats struct {
	Hits, Misses uint64
	// Stale counts misses on tokens of an invalidated session.
	Stale uint64
	// Rejected counts values that failed authentication or decoding.
	Rejected uint64
	// Errors counts Redis operations that failed or timed out.
	Errors uint64
	// Skipped counts operations not tried because Redis had failed less
	// than a second before; each is a miss, or a lock error.
	Skipped uint64
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
	}
}

// callerDone reports that ctx ended, or reached its deadline: a socket
// deadline taken from ctx can fire a moment before ctx's own timer.
func callerDone(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

// fail counts and logs a Redis error, at most once a second, so that a
// Redis outage under load yields a log line a second rather than one per
// request, and leaves Redis alone for outageBackoff.
func (c *Cache) fail(ctx context.Context, op string, err error) {
	c.errs.Add(1)
	now := time.Now().UnixNano()
	if !callerDone(ctx) { // not the caller giving up: Redis is failing
		c.downUntil.Store(now + int64(outageBackoff))
	}
	last := c.lastLog.Load()
	if now-last < int64(time.Second) || !c.lastLog.CompareAndSwap(last, now) {
		c.unlogged.Add(1)
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "clerkredis: redis operation failed; treating it as a miss",
		slog.String("op", op),
		slog.String("error", err.Error()),
		slog.Uint64("errors_not_logged", c.unlogged.Swap(0)))
}
