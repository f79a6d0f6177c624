package clerk

import (
	"crypto/rsa"
	"sync"
)

// verificationCache remembers verified tokens so a repeated token costs a map
// lookup instead of an RSA verification. Only tokens that passed every check
// enter, so an attacker cannot fill it. It is keyed by the token itself: the
// strict decoder gives every token exactly one spelling, and comparing whole
// strings rules out collisions. When full, the oldest entry goes (first in,
// first out): session tokens live a minute, so age is the right thing to
// evict by.
//
// A hit is only as good as the key that verified it, and a token's exp is
// chosen by whoever signed it. So each entry remembers its key and until
// when it may be used, and verify takes a hit only before then and while
// that key is still in the Authenticator's key set; otherwise the token is
// verified afresh. Opaque machine tokens, verified by Clerk rather than by
// a key, enter with no key and a short lifetime (WithMachineTokenReuse).
type verificationCache struct {
	mu      sync.RWMutex
	entries map[string]*verifiedToken // immutable once stored
	order   []string                  // ring of keys in insertion order
	next    int
}

// verifiedToken is one cache entry.
type verifiedToken struct {
	auth  *Auth
	kid   string         // the kid the key was found under
	key   *rsa.PublicKey // the key that verified the signature; nil for opaque tokens
	until int64          // Unix milliseconds: no hit from then on
	// version is the key set's when the token was verified: while it is
	// still the current one, the key is in it without looking.
	version uint64
}

func newVerificationCache(size int) *verificationCache {
	return &verificationCache{
		entries: make(map[string]*verifiedToken, min(size, 1024)),
		order:   make([]string, size),
	}
}

func (c *verificationCache) get(token string) *verifiedToken {
	c.mu.RLock()
	e := c.entries[token]
	c.mu.RUnlock()
	return e
}

// put adds an entry, or replaces the entry of a token verified again
// (after its key set changed or it reached the maximum age).
func (c *verificationCache) put(token string, v verifiedToken) {
	e := &v
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[token]; ok {
		c.entries[token] = e
		return
	}
	if old := c.order[c.next]; old != "" {
		delete(c.entries, old)
	}
	c.order[c.next] = token
	c.entries[token] = e
	c.next = (c.next + 1) % len(c.order)
}
