package clerk

import "sync"

// tokenCache remembers verified tokens so a repeated token costs a map
// lookup instead of an RSA verification. Only tokens that passed every check
// enter, so an attacker cannot fill it, and the caller re-checks exp, nbf
// and iat on every hit. It is keyed by the token itself: the strict decoder
// gives every token exactly one spelling, and comparing whole strings rules
// out collisions. When full, the oldest entry goes (first in, first out):
// session tokens live a minute, so age is the right thing to evict by.
type tokenCache struct {
	mu      sync.RWMutex
	entries map[string]*Auth
	order   []string // ring of keys in insertion order
	next    int
}

func newTokenCache(size int) *tokenCache {
	return &tokenCache{
		entries: make(map[string]*Auth, min(size, 1024)),
		order:   make([]string, size),
	}
}

func (c *tokenCache) get(token string) *Auth {
	c.mu.RLock()
	auth := c.entries[token]
	c.mu.RUnlock()
	return auth
}

func (c *tokenCache) put(token string, auth *Auth) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[token]; ok {
		return
	}
	if old := c.order[c.next]; old != "" {
		delete(c.entries, old)
	}
	c.order[c.next] = token
	c.entries[token] = auth
	c.next = (c.next + 1) % len(c.order)
}
