package clerkredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/redis/go-redis/v9"
)

// The sealed plaintext is the JWT itself, so the cache does not depend on
// clerk.Token's JSON form, which is free to change (to a redacted string,
// say) without breaking or leaking through the cache.
func TestStoredPlaintextIsTheJWTAlone(t *testing.T) {
	addr := os.Getenv("CLERKKIT_REDIS_ADDR")
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CLERKKIT_REDIS_ADDR is not set; CI must run these tests against a redis-server")
		}
		t.Skip("CLERKKIT_REDIS_ADDR is not set; run `make redis-test`")
	}
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	var b [6]byte
	_, _ = rand.Read(b[:])
	c, err := New(rdb, WithSecret([]byte("0123456789abcdef0123456789abcdef-internal")), WithKeyPrefix("plain"+hex.EncodeToString(b[:])+":"), WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	key := clerk.TokenKey{SessionID: "sess_1", Template: "t"}
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl"
	c.Set(ctx, key, &clerk.Token{JWT: jwt}, time.Now().Add(time.Minute))

	_, tokKey, _ := c.names(key)
	raw, err := rdb.Get(ctx, tokKey).Bytes()
	if err != nil {
		t.Fatalf("no stored value: %v", err)
	}
	plain, err := c.keys.open(tokKey, key, raw)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != jwt {
		t.Errorf("sealed plaintext is %d bytes starting %.8q, want the %d-byte JWT alone", len(plain), plain, len(jwt))
	}
	if got, ok := c.Get(ctx, key); !ok || got.JWT != jwt {
		t.Error("the stored JWT does not come back as a Token")
	}
}
