package clerktest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// idSource produces the random parts of identifiers (ids, jti, trace ids,
// default keys and names). It is separate from the state mutex because a
// caller-supplied reader need not be safe for concurrent use, and because
// minting should not hold the state lock while reading randomness.
type idSource struct {
	mu sync.Mutex
	r  io.Reader
}

func newIDSource(r io.Reader) *idSource {
	if r == nil {
		r = rand.Reader
	}
	return &idSource{r: r}
}

func (s *idSource) read(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.ReadFull(s.r, b); err != nil {
		// A failing entropy source leaves no safe way to build identifiers;
		// crypto/rand never fails, so this only fires with a broken WithRandom.
		panic(fmt.Sprintf("clerktest: reading randomness: %v", err))
	}
}

// base62 returns n characters from [0-9A-Za-z], the alphabet of Clerk ids
// and secret keys. Rejection sampling keeps the distribution uniform.
func (s *idSource) base62(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	for len(out) < n {
		s.read(buf)
		for _, c := range buf {
			if c >= 248 { // 248 = 4*62: larger bytes would bias the modulus
				continue
			}
			out = append(out, base62[int(c)%62])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

func (s *idSource) hex(nBytes int) string {
	b := make([]byte, nBytes)
	s.read(b)
	return hex.EncodeToString(b)
}

// intn returns a number in [0, n) for small n (word lists, name suffixes).
func (s *idSource) intn(n int) int {
	var b [1]byte
	for {
		s.read(b[:])
		if limit := 256 - 256%n; int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// id returns a Clerk-shaped identifier: prefix, underscore, 27 base62
// characters (the length of the KSUIDs Clerk uses).
func (s *idSource) id(prefix string) string { return prefix + "_" + s.base62(27) }

// jti mirrors the 20 lowercase hex characters of Clerk's token ids.
func (s *idSource) jti() string { return s.hex(10) }

func (s *idSource) traceID() string { return s.hex(16) }

// Word lists are constants (split on use) so the package keeps no mutable
// globals.
const (
	adjectives = "brave calm eager fancy gentle happy jolly keen lively merry noble proud quick sunny witty zesty"
	animals    = "badger beaver cat dingo eagle ferret gecko heron ibex koala lemur mole newt otter panda quail"
)

// frontendHost mimics the development-instance hosts Clerk hands out.
func (s *idSource) frontendHost() string {
	adj, ani := strings.Fields(adjectives), strings.Fields(animals)
	return fmt.Sprintf("%s-%s-%02d.clerk.accounts.dev",
		adj[s.intn(len(adj))], ani[s.intn(len(ani))], s.intn(100))
}
