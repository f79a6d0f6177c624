package clerkredis

import (
	"context"
	"log/slog"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// Sign-out across replicas rests on each session's generation (see
// generation in crypto.go): a random, authenticated value in Redis that
// every stored value is sealed with. Get serves a value only while the
// session's generation is the one it was sealed with; InvalidateSession
// replaces the generation; a mint reads it when it begins and stores only
// if it is unchanged. A missing generation matches nothing, and none can be
// guessed or forged, so deleting, lowering or planting one never makes an
// older value valid again.

// generationFloor is the least time a session's generation lives after it
// is created, read by a mint or replaced by a sign-out, so that a mint in
// flight finds it still there when it stores; setScript keeps it alive as
// long as the values sealed with it. Its expiry is otherwise harmless:
// those values become misses.
const generationFloor = time.Hour

// beginScript returns the session's generation, creating it as ARGV[1]
// when there is none or when it is still ARGV[3], a value found earlier
// that this cache's secret did not make. It keeps the generation for at
// least ARGV[2] ms.
var beginScript = redis.NewScript(`
local gen = redis.call('GET', KEYS[1])
if not gen or gen == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return gen
`)

// BeginMint reads the session's generation (creating it if the session
// has none) as a mint of key begins, and returns the function that stores
// the minted token: it stores only if the generation is still the same,
// so a sign-out on any replica during the mint keeps the token out. The
// Client calls it before every mint, with or without the mint lock. When
// Redis fails, the returned function stores nothing.
func (c *Cache) BeginMint(ctx context.Context, key clerk.TokenKey) (store func(ctx context.Context, token *clerk.Token, freshUntil time.Time)) {
	gen, ok := c.generation(ctx, key.SessionID)
	if !ok {
		return func(context.Context, *clerk.Token, time.Time) {}
	}
	return func(ctx context.Context, token *clerk.Token, freshUntil time.Time) {
		c.store(ctx, key, gen, token, freshUntil)
	}
}

// generation returns the session's generation, made by this cache's
// secret. One found that was not (written by someone without the secret,
// to be sealed under and later restored) is replaced, which signs the
// session out; ok is false when Redis fails or keeps answering another.
func (c *Cache) generation(ctx context.Context, sessionID string) (gen generation, ok bool) {
	if c.down() {
		return generation{}, false
	}
	genKey := c.genKey(sessionID)
	opCtx, cancel := c.op(ctx)
	defer cancel()
	foreign := "" // no generation is empty, but an attacker's may be: it is replaced too
	for range 2 {
		fresh := c.keys.newGeneration(genKey)
		got, err := beginScript.Run(opCtx, c.rdb, []string{genKey}, fresh.String(), generationFloor.Milliseconds(), foreign).Text()
		if err != nil {
			c.fail(ctx, "begin mint", err)
			return generation{}, false
		}
		if gen, ok := c.keys.checkGeneration(genKey, got); ok {
			return gen, true
		}
		c.rejected.Add(1)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "clerkredis: replacing a session generation that failed authentication (written without the secret)")
		foreign = got
	}
	return generation{}, false
}

// setScript stores the value only while the session's generation is the
// one the value was sealed with, and keeps the generation alive at least as
// long as the value.
var setScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
`)

// store seals token with gen and stores it until freshUntil, if gen is
// still the session's generation.
func (c *Cache) store(ctx context.Context, key clerk.TokenKey, gen generation, token *clerk.Token, freshUntil time.Time) {
	ttl := freshUntil.Sub(c.now()).Truncate(time.Millisecond)
	if token == nil || token.JWT == "" || ttl <= 0 || c.down() {
		return
	}
	genKey, tokKey, _ := c.names(key)
	value := c.keys.seal(tokKey, key, envelope{generation: gen, freshUntil: freshUntil}, []byte(token.JWT))
	opCtx, cancel := c.op(ctx)
	defer cancel()
	if err := setScript.Run(opCtx, c.rdb, []string{genKey, tokKey}, gen.String(), value, ttl.Milliseconds()).Err(); err != nil {
		c.fail(ctx, "set", err)
	}
}

// Set stores token, encrypted, until freshUntil, under the session's
// generation as it is when Set is called. That is the weaker path: a token
// minted before a sign-out on another replica and stored with Set after it
// would be served. The Client never calls Set on this cache; it stores
// through BeginMint, which reads the generation before the mint.
func (c *Cache) Set(ctx context.Context, key clerk.TokenKey, token *clerk.Token, freshUntil time.Time) {
	if token == nil || token.JWT == "" || !c.now().Before(freshUntil) {
		return // not worth a round trip
	}
	c.BeginMint(ctx, key)(ctx, token, freshUntil)
}

// InvalidateSession makes every token of the session a miss, on every
// replica, at once: it replaces the session's generation with a fresh
// random one, one key and one round trip, and a mint that began before
// cannot store its token after (see BeginMint). Deleting the generation
// would be as final, since a missing one matches nothing; writing a fresh
// one spares the session's next mint creating it. The old values stay in
// Redis, encrypted and unreachable, until their TTL. In this process, a Get
// that starts after InvalidateSession returns never shares a read begun
// before it. Unlike the other operations it tries Redis even just after a
// failure: a sign-out lost to a blip would leave the session's tokens
// served elsewhere.
func (c *Cache) InvalidateSession(ctx context.Context, sessionID string) {
	genKey := c.genKey(sessionID)
	opCtx, cancel := c.op(ctx)
	err := c.rdb.Set(opCtx, genKey, c.keys.newGeneration(genKey).String(), generationFloor).Err()
	cancel()
	if err != nil {
		c.fail(ctx, "invalidate", err)
	}
	c.forgetReads(sessionID)
}
