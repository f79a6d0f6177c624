package clerkredis_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkredis "github.com/clerkkit/clerkkit/redis"
)

const machineSecretKey = "sk_test_SECRETsecretSECRET0123456789"

// apiKeyBackend is Clerk's Backend API for one API key: POST
// /v1/api_keys/verify answers it, and anything else is a 404.
type apiKeyBackend struct {
	*httptest.Server
	calls atomic.Int64
}

func newAPIKeyBackend(t *testing.T, apiKey string) *apiKeyBackend {
	t.Helper()
	b := &apiKeyBackend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.calls.Add(1)
		var body struct {
			Secret string `json:"secret"`
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v1/api_keys/verify" ||
			r.Header.Get("Authorization") != "Bearer "+machineSecretKey ||
			json.NewDecoder(r.Body).Decode(&body) != nil || body.Secret != apiKey {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"code":"resource_not_found","message":"not found"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"object": "api_key", "id": "ak_id_e2e", "type": "api_key", "subject": "user_e2e", "name": "deploy bot",
			"scopes": []string{"read"}, "claims": map[string]any{"team": "ops"}, "revoked": false, "expired": false,
			"expiration": nil, "created_at": 1, "updated_at": 1,
		})
	}))
	t.Cleanup(b.Close)
	return b
}

// machineReplica is one replica accepting API keys, sharing verify
// answers through its own Cache (own Redis connection pool).
func machineReplica(t *testing.T, api *apiKeyBackend, cache *clerkredis.Cache) *clerk.Authenticator {
	t.Helper()
	client, err := clerk.NewClient(machineSecretKey, clerk.WithAPIURL(api.URL))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	a, err := clerk.NewAuthenticator(clerk.WithClient(client), clerk.WithAcceptedTokens(clerk.TokenTypeAPIKey),
		clerk.WithMachineTokenReuse(10*time.Second, cache.MachineTokens()))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Two replicas share one Redis: the API key the first verified with Clerk
// is verified by the second with no call at all, and neither the key nor
// its digest nor Clerk's answer is readable in Redis.
func TestReplicasShareVerifiedAPIKeys(t *testing.T) {
	f := newFixture(t)
	var b [16]byte
	_, _ = rand.Read(b[:])
	apiKey := "ak_" + hex.EncodeToString(b[:])
	api := newAPIKeyBackend(t, apiKey)
	firstCache, secondCache := f.cache(t), f.cache(t)
	first, second := machineReplica(t, api, firstCache), machineReplica(t, api, secondCache)

	auth, err := first.VerifyToken(ctx, apiKey)
	if err != nil || auth.Subject() != "user_e2e" {
		t.Fatalf("first replica: %v, %v", auth, err)
	}
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("first replica made %d calls, want 1", n)
	}
	auth, err = second.VerifyToken(ctx, apiKey)
	if err != nil || auth.Subject() != "user_e2e" || auth.Name() != "deploy bot" || auth.TokenType() != clerk.TokenTypeAPIKey {
		t.Fatalf("second replica: %v, %v", auth, err)
	}
	if n := api.calls.Load(); n != 1 {
		t.Fatalf("the second replica called Clerk (%d calls in all, want 1)", n)
	}
	if s := secondCache.Stats(); s.MachineHits != 1 {
		t.Errorf("second replica's stats %+v, want 1 machine hit", s)
	}
	// Another key is still sent to Clerk, and refused.
	if _, err := second.VerifyToken(ctx, apiKey+"x"); err == nil {
		t.Fatal("an unknown API key was accepted")
	}

	t.Run("nothing readable in Redis", func(t *testing.T) {
		rdb := newRedisClient(t, f.addr)
		forbidden := []string{apiKey, digest(apiKey), strings.TrimPrefix(apiKey, "ak_")}
		answer := []string{"user_e2e", "deploy bot", "ak_id_e2e", "ops"}
		mine := 0
		iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
		for iter.Next(ctx) {
			k := iter.Val()
			inFixture := strings.HasPrefix(k, f.prefix)
			if inFixture && strings.Contains(k, ":mt:") {
				mine++
			}
			v := ""
			if rdb.Type(ctx, k).Val() == "string" {
				v = rdb.Get(ctx, k).Val()
			}
			for _, s := range forbidden {
				if strings.Contains(k, s) || strings.Contains(v, s) {
					t.Errorf("key %q or its value shows the API key or its digest", k)
				}
			}
			for _, s := range answer {
				if inFixture && strings.Contains(v, s) {
					t.Errorf("value of %q shows Clerk's answer (%q)", k, s)
				}
			}
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		if mine != 1 {
			t.Fatalf("%d stored machine token answers, want 1: the scan would prove nothing", mine)
		}
	})
}
