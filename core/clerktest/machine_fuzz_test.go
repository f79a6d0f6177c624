package clerktest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// FuzzMachineRequest sends arbitrary bodies to every machine endpoint: the
// answer is a 2xx JSON object or a ClerkErrors body, never a 5xx.
func FuzzMachineRequest(f *testing.F) {
	for _, b := range []string{
		"", "{}", "null", "[", `{"token":"mt_x"}`, `{"secret":null}`, `{"access_token":1}`,
		`{"token_format":"jwt","seconds_until_expiration":1e308,"claims":{"a":[1,{"b":null}]}}`,
		`{"seconds_until_expiration":0.0001,"min_remaining_ttl_seconds":0}`,
		`{"name":"abc","subject":"user_2xhFjEI5X2qWRvtV13BzSj8H6Dk","scopes":null,"seconds_until_expiration":1.5}`,
		`{"name":"   ","subject":""}`, `{"revocation_reason":{"x":1}}`,
	} {
		for endpoint := range uint8(7) {
			f.Add(endpoint, b)
		}
	}
	srv := clerktest.NewServer(clerktest.WithKey(testKeys()[0]))
	f.Cleanup(srv.Close)
	api, err := srv.AddMachine(clerktest.Machine{})
	if err != nil {
		f.Fatal(err)
	}
	caller, err := srv.AddMachine(clerktest.Machine{Scopes: []string{api.ID}})
	if err != nil {
		f.Fatal(err)
	}
	tok, err := srv.CreateM2MToken(caller.ID)
	if err != nil {
		f.Fatal(err)
	}
	key, err := srv.CreateAPIKey("user_1", "k")
	if err != nil {
		f.Fatal(err)
	}
	sk := srv.SecretKey()
	targets := []struct{ path, key string }{
		{"/m2m_tokens", caller.SecretKey},
		{"/m2m_tokens/verify", api.SecretKey},
		{"/m2m_tokens/" + tok.ID + "/revoke", caller.SecretKey},
		{"/api_keys", sk},
		{"/api_keys/verify", sk},
		{"/api_keys/" + key.ID + "/revoke", sk},
		{"/oauth_applications/access_tokens/verify", sk},
	}
	client := srv.Client()
	f.Fuzz(func(t *testing.T, endpoint uint8, body string) {
		target := targets[int(endpoint)%len(targets)]
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+target.path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+target.key)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		var answer map[string]any
		if err := json.Unmarshal(b, &answer); err != nil {
			t.Fatalf("%s: %d answer is not a JSON object: %q", target.path, res.StatusCode, b)
		}
		switch res.StatusCode {
		case http.StatusOK, http.StatusCreated:
			if answer["object"] == nil && answer["active"] != false {
				t.Fatalf("%s: 2xx without an object: %s", target.path, b)
			}
		case http.StatusBadRequest, http.StatusNotFound:
			if errs, _ := answer["errors"].([]any); len(errs) != 1 || answer["clerk_trace_id"] == "" {
				t.Fatalf("%s: %d error body %s", target.path, res.StatusCode, b)
			}
		default:
			t.Fatalf("%s: status %d: %s", target.path, res.StatusCode, b)
		}
	})
}
