// Package clerkredis is a token cache on Redis for clerkkit's Client: the
// replicas of a service share the tokens they mint, and replicas that miss
// the same token at the same moment make one Backend API call between them.
//
// Build a Cache with New and hand it to clerk.WithTokenCache; the Client
// finds the mint tracking (clerk.TokenMintTracker) and the mint lock
// (clerk.TokenMintLocker) on its own:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//	cache, err := clerkredis.New(rdb, clerkredis.WithSecret([]byte(os.Getenv("CLERK_SECRET_KEY"))))
//	client, err := clerk.NewClient(secretKey, clerk.WithTokenCache(cache))
//
// # How the pieces fit
//
// Keys. The secret and the instance (WithInstance) derive, with
// HKDF-SHA256, an AES-256-GCM key and an HMAC key. Key names are HMACs:
//
//	clerkkit:<ns>:{<session>}:gen          the session's generation (random, authenticated)
//	clerkkit:<ns>:{<session>}:tok:<token>  an encrypted token
//	clerkkit:<ns>:{<session>}:lock:<token> a mint claim
//
// so session IDs and template names never appear in Redis, and a session's
// keys share one Redis Cluster slot through the {hash tag}.
//
// Values. A value is the JWT sealed with AES-256-GCM; the Redis key, the
// TokenKey, the session generation and the freshness deadline are bound as
// associated data. A value copied to another key, edited, or written with
// another secret fails to open and is a miss (logged). Redis expires a
// value when the Client stops considering it fresh (its TTL is the
// remaining freshness), and the sealed deadline is checked too, so removing
// the TTL does not extend a token's use.
//
// Sign-out. Each session has a generation: 16 random bytes and their HMAC,
// created when its first mint begins. Every value is sealed with the
// generation and served only while the session still has exactly that one;
// InvalidateSession replaces it with a fresh random one. A mint reads the
// generation when it begins (BeginMint, which the Client calls before every
// mint, locked or not) and stores only if it is unchanged, compared in the
// same script as the write. So once InvalidateSession has returned, and
// provided its one write reached Redis (a failure is logged and counted),
// no replica serves a token of the session cached, or minted, before it,
// and in this process no Get shares a read begun before it. Anyone who can
// write to Redis but not read it cannot undo a sign-out: a missing
// generation matches nothing, a lowered or guessed one matches nothing, and
// one planted without the secret is replaced before anything is sealed with
// it. Out of scope: an attacker who can read and write Redis and restores a
// generation it read earlier together with values sealed under it; and
// Set, which the Client does not use, takes the generation as it is when
// called rather than when the token was minted.
//
// Mint lock. LockMint is SET NX PX with a random value; unlock deletes the
// claim only if it still holds that value, so a holder whose claim lapsed
// cannot release another's. A holder that dies blocks others only until
// the claim expires, after 5 s.
//
// Machine tokens. Cache.MachineTokens is a clerk.MachineTokenStore for
// clerk.WithMachineTokenReuse: Clerk's verify answers for opaque machine
// tokens (M2M tokens, API keys, OAuth access tokens) are shared between
// replicas, so a token one replica verified costs the others no Backend
// API call while it is reused. An answer lives under
//
//	clerkkit:<ns>:mt:<digest>  version | until | nonce | AES-GCM(verify answer)
//
// where <digest> is an HMAC of the core's SHA-256 of the token: neither
// the token nor a digest anyone could test a guessed token against
// appears. The Redis key, the core's key and the deadline are bound as
// associated data, under a label of their own, so a value moved to another
// key, edited, written with another secret, or copied from a session
// token's key is a miss (counted in Stats().Rejected). Its TTL is the time
// left until the deadline the core gives, by the cache's clock, and the
// sealed deadline is checked on every read. Stats().MachineHits and
// MachineMisses count its reads.
//
// M2M tokens. Cache.M2MTokens is a clerk.M2MTokenStore for
// clerk.WithM2MTokenStore: the replicas' M2M token sources share one live
// token per machine and create parameters, so a fleet mints once per token
// lifetime. A token lives under
//
//	clerkkit:<ns>:m2m:<source>       version | fresh until | nonce | AES-GCM(token)
//	clerkkit:<ns>:m2m-lock:<source>  its mint claim, as LockMint's
//
// where <source> is an HMAC of the core's key, bound as machine token
// answers are under a label of its own, with a TTL of the time left until
// the source would refresh it (by the cache's clock) and the sealed time
// checked on every read. Its Redis failures are returned: the token source
// logs them and mints directly.
//
// Failures. Every operation is bounded by WithTimeout (100 ms by default)
// within the caller's context. An error is a miss, or a lock error on which
// the Client mints directly; it is logged with log/slog at most once a
// second, and for a second afterwards the cache does not try Redis, so an
// outage costs one timeout a second rather than one per request.
// InvalidateSession is always tried. No request fails because the cache
// did.
package clerkredis
