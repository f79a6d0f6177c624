package clerktest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// postJSON is the examples' minimal Backend API client.
func postJSON(srv *clerktest.Server, path, key, body string) (int, map[string]any) {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func ExampleServer_AddMachine() {
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()))
	defer srv.Close()

	// The API machine is added first, so the worker may name it in Scopes.
	api, _ := srv.AddMachine(clerktest.Machine{Name: "billing-api"})
	worker, _ := srv.AddMachine(clerktest.Machine{Name: "nightly-worker", Scopes: []string{api.ID}})

	// The worker mints a token with its own secret key...
	status, created := postJSON(srv, "/m2m_tokens", worker.SecretKey, `{"seconds_until_expiration":300}`)
	fmt.Println(status, created["object"])

	// ...and the API, which the token is granted to, verifies it with its key.
	status, verified := postJSON(srv, "/m2m_tokens/verify", api.SecretKey, `{"token":"`+created["token"].(string)+`"}`)
	fmt.Println(status, verified["subject"] == worker.ID, verified["revoked"], verified["expired"])
	// Output:
	// 201 machine_to_machine_token
	// 200 true false false
}

func ExampleServer_CreateM2MToken() {
	now := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()), clerktest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	api, _ := srv.AddMachine(clerktest.Machine{ID: "mch_api"})
	worker, _ := srv.AddMachine(clerktest.Machine{ID: "mch_worker", Scopes: []string{api.ID}})

	// An opaque token, already revoked, for a test of the refusal path.
	revoked, _ := srv.CreateM2MToken(worker.ID, clerktest.MachineTokenRevoked("leaked"))
	fmt.Println(revoked.Token[:3], revoked.Revoked)

	// A JWT for a verifier that works offline with the instance's key.
	jwt, _ := srv.CreateM2MToken(worker.ID, clerktest.MachineTokenJWT(),
		clerktest.MachineTokenClaims(map[string]any{"job": "export"}))
	claims := claimsOf(jwt.Token)
	fmt.Println(claims["sub"], claims["scopes"], claims["job"], claims["jti"] == jwt.ID)
	// Output:
	// mt_ true
	// mch_worker mch_api export true
}

func ExampleServer_CreateAPIKey() {
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()))
	defer srv.Close()
	key, _ := srv.CreateAPIKey("user_123", "ci", clerktest.MachineTokenScopes("read"))

	status, verified := postJSON(srv, "/api_keys/verify", srv.SecretKey(), `{"secret":"`+key.Secret+`"}`)
	fmt.Println(status, verified["object"], verified["subject"], verified["scopes"], verified["expiration"])

	_ = srv.RevokeAPIKey(key.ID, "rotated")
	_, verified = postJSON(srv, "/api_keys/verify", srv.SecretKey(), `{"secret":"`+key.Secret+`"}`)
	fmt.Println(verified["revoked"], verified["revocation_reason"])
	// Output:
	// 200 api_key user_123 [read] <nil>
	// true rotated
}

func ExampleServer_CreateOAuthToken() {
	srv := clerktest.NewServer(clerktest.WithKey(exampleKey()))
	defer srv.Close()
	tok, _ := srv.CreateOAuthToken("user_123", "client_abc",
		clerktest.MachineTokenScopes("email"), clerktest.MachineTokenAudience("https://api.example.com"))

	status, verified := postJSON(srv, "/oauth_applications/access_tokens/verify", srv.SecretKey(), `{"access_token":"`+tok.Token+`"}`)
	fmt.Println(status, verified["object"], verified["client_id"], verified["scopes"], verified["aud"])

	// An expired JWT access token answers {"active": false}.
	expired, _ := srv.CreateOAuthToken("user_123", "client_abc", clerktest.MachineTokenJWT(), clerktest.MachineTokenExpired())
	_, verified = postJSON(srv, "/oauth_applications/access_tokens/verify", srv.SecretKey(), `{"access_token":"`+expired.Token+`"}`)
	fmt.Println(verified)
	// Output:
	// 200 clerk_idp_oauth_access_token client_abc [email] [https://api.example.com]
	// map[active:false]
}
