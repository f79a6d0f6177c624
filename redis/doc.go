// Package clerkredis is a token cache on Redis for clerkkit's Client: the
// replicas of a service share the tokens they mint, and replicas that miss
// the same token at the same moment make one Backend API call between them.
//
// Build a Cache with New and hand it to clerk.WithTokenCache; the Client
// finds the mint lock (clerk.TokenMintLocker) on its own:
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
//	clerkkit:<ns>:{<session>}:gen          the session's generation
//	clerkkit:<ns>:{<session>}:tok:<token>  an encrypted token
//	clerkkit:<ns>:{<session>}:lock:<token> a mint claim
//
// so session IDs and template names never appear in Redis, and a session's
// keys share one Redis Cluster slot through the {hash tag}.
//
// Values. A value is the token sealed with AES-256-GCM; the Redis key, the
// TokenKey, the session generation and the freshness deadline are bound as
// associated data. A value copied to another key, edited, or written with
// another secret fails to open and is a miss (logged). Redis expires a
// value when the Client stops considering it fresh (its TTL is the
// remaining freshness), and the sealed deadline is checked too, so removing
// the TTL does not extend a token's use.
//
// Sign-out. InvalidateSession increments the session's generation; tokens
// sealed under an older one are misses everywhere at once. A replica that
// claimed a mint before the sign-out and stores the token after it is
// refused, because the claim read the generation and the store compares it
// in the same script as the write.
//
// Mint lock. LockMint is SET NX PX with a random value; unlock deletes the
// claim only if it still holds that value, so a holder whose claim lapsed
// cannot release another's. A holder that dies blocks others only until
// the claim expires (clerk.WithMintLockTTL).
//
// Failures. Every operation is bounded by WithTimeout (100 ms by default)
// within the caller's context. An error is a miss, or a lock error on which
// the Client mints directly; it is logged with log/slog at most once a
// second, and for a second afterwards the cache does not try Redis, so an
// outage costs one timeout a second rather than one per request.
// InvalidateSession is always tried. No request fails because the cache
// did.
package clerkredis
