package clerk

import (
	"context"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// MemoryTokenCache is the in-process TokenCache: a bounded LRU map scoped to
// whoever holds it. Give each Client its own.
type MemoryTokenCache struct {
	entries *lru.Cache[TokenKey, memoryEntry]
	now     func() time.Time

	// mu serialises InvalidateSession with Set, so that a sign-out cannot
	// interleave with a store and leave the session's token behind.
	mu sync.Mutex
}

type memoryEntry struct {
	token      Token
	freshUntil time.Time
}

// NewMemoryTokenCache returns a cache holding at most maxEntries tokens; the
// least recently used goes first.
func NewMemoryTokenCache(maxEntries int) (*MemoryTokenCache, error) {
	if maxEntries < 1 {
		return nil, configError("token cache size must be at least 1")
	}
	entries, err := lru.New[TokenKey, memoryEntry](maxEntries)
	if err != nil {
		return nil, configError(err.Error())
	}
	return &MemoryTokenCache{entries: entries, now: time.Now}, nil
}

// Get returns a copy of the stored token while it is fresh.
func (m *MemoryTokenCache) Get(_ context.Context, key TokenKey) (*Token, bool) {
	e, ok := m.entries.Get(key)
	if !ok {
		return nil, false
	}
	if !m.now().Before(e.freshUntil) {
		m.entries.Remove(key)
		return nil, false
	}
	tok := e.token
	return &tok, true
}

// Set stores a copy of token until freshUntil.
func (m *MemoryTokenCache) Set(_ context.Context, key TokenKey, token *Token, freshUntil time.Time) {
	if token == nil || !m.now().Before(freshUntil) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries.Add(key, memoryEntry{token: *token, freshUntil: freshUntil})
}

// InvalidateSession drops the session's tokens. It walks the keys, which is
// fine for a bounded cache and keeps Get and Set free of a second index.
func (m *MemoryTokenCache) InvalidateSession(_ context.Context, sessionID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, key := range m.entries.Keys() {
		if key.SessionID == sessionID {
			m.entries.Remove(key)
		}
	}
}

// Len reports how many tokens are stored, fresh or not yet evicted.
func (m *MemoryTokenCache) Len() int { return m.entries.Len() }
