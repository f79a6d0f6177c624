package clerkredis_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkredis "github.com/clerkkit/clerkkit/redis"
	"github.com/redis/go-redis/v9"
)

// Every replica builds the same cache; the Client then reuses tokens any
// replica minted and lets one of them mint a missing one.
func ExampleNew() {
	secretKey := os.Getenv("CLERK_SECRET_KEY")
	rdb := redis.NewClient(&redis.Options{
		Addr:                  "redis:6379",
		ContextTimeoutEnabled: true, // required: the cache's timeouts must reach the socket
	})
	cache, err := clerkredis.New(rdb,
		// The Clerk secret key is an acceptable secret: whoever has it can
		// mint tokens anyway. A dedicated random secret works as well.
		clerkredis.WithSecret([]byte(secretKey)),
	)
	if err != nil {
		log.Fatal(err)
	}
	client, err := clerk.NewClient(secretKey, clerk.WithTokenCache(cache))
	if err != nil {
		log.Fatal(err)
	}
	tok, err := client.GetToken(context.Background(), "sess_123", "supabase")
	if err != nil {
		log.Fatal(err)
	}
	_ = tok.JWT
}

// A dedicated secret and an explicit instance: caches of different Clerk
// instances can share one Redis, and a leaked Clerk secret key does not
// open the cache.
func ExampleWithInstance() {
	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
	cache, err := clerkredis.New(rdb,
		clerkredis.WithSecret([]byte(os.Getenv("TOKEN_CACHE_SECRET"))), // 32 bytes or more
		clerkredis.WithInstance(os.Getenv("CLERK_PUBLISHABLE_KEY")),
		clerkredis.WithKeyPrefix("myapp:clerk:"),
		clerkredis.WithTimeout(50*time.Millisecond),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = cache
}

// Signing out on one replica drops the session's tokens on all of them.
func ExampleCache_InvalidateSession() {
	var client *clerk.Client // built with clerk.WithTokenCache(cache)
	http.HandleFunc("POST /sign-out", func(w http.ResponseWriter, r *http.Request) {
		auth, _ := clerk.AuthFromContext(r.Context())
		client.InvalidateSession(r.Context(), auth.SessionID())
		w.WriteHeader(http.StatusNoContent)
	})
}

// Stats are counters for metrics: a rising Errors or Rejected deserves a
// look at Redis.
func ExampleCache_Stats() {
	report := func(cache *clerkredis.Cache) {
		s := cache.Stats()
		log.Printf("token cache: %d hits, %d misses, %d redis errors, %d rejected values",
			s.Hits, s.Misses, s.Errors, s.Rejected)
	}
	_ = report
}

// Replicas accepting API keys share Clerk's verify answers: a key one of
// them verified is accepted by the others for the reuse time without a
// Backend API call. The answers are encrypted like tokens.
func ExampleCache_MachineTokens() {
	var cache *clerkredis.Cache // built with New, as for tokens
	var client *clerk.Client    // the instance's Backend API client
	auth, err := clerk.NewAuthenticator(
		clerk.WithClient(client),
		clerk.WithAcceptedTokens(clerk.TokenTypeAPIKey, clerk.TokenTypeM2MToken),
		clerk.WithMachineTokenReuse(10*time.Second, cache.MachineTokens()),
	)
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/api/", clerk.Middleware(auth)(http.NotFoundHandler()))
}

// Replicas calling another service with M2M tokens share one token per
// machine and create parameters: the fleet mints once per token lifetime,
// not once per replica. The token is encrypted in Redis like the others.
func ExampleCache_M2MTokens() {
	var cache *clerkredis.Cache             // built with New, as for tokens
	m2m, err := clerk.NewM2MClientFromEnv() // CLERK_MACHINE_SECRET_KEY
	if err != nil {
		log.Fatal(err)
	}
	source, err := m2m.TokenSource(
		clerk.WithM2MLifetime(time.Hour),
		clerk.WithM2MTokenStore(cache.M2MTokens()),
	)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := source.HTTPClient(nil).Get("https://orders.internal/v1/orders")
	if err != nil {
		log.Print(err) // Clerk or the service unreachable; Redis failures never end up here
		return
	}
	defer resp.Body.Close()
}
