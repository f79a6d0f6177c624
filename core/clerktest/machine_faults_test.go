package clerktest_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

// machineCall is one well-formed request to a machine endpoint.
type machineCall struct {
	endpoint, path, key, body string
	status                    int
}

func machineCalls(t *testing.T, f machineFixture) []machineCall {
	t.Helper()
	m2m := must(f.srv.CreateM2MToken(f.caller.ID))
	key := must(f.srv.CreateAPIKey(userID27, "k"))
	oat := must(f.srv.CreateOAuthToken(userID27, "client_1"))
	sk := f.srv.SecretKey()
	return []machineCall{
		{clerktest.EndpointCreateM2MToken, "/m2m_tokens", f.caller.SecretKey, `{}`, 201},
		{clerktest.EndpointVerifyM2MToken, "/m2m_tokens/verify", sk, `{"token":"` + m2m.Token + `"}`, 200},
		{clerktest.EndpointRevokeM2MToken, "/m2m_tokens/" + m2m.ID + "/revoke", sk, `{}`, 200},
		{clerktest.EndpointCreateAPIKey, "/api_keys", sk, `{"name":"key","subject":"` + userID27 + `"}`, 200},
		{clerktest.EndpointVerifyAPIKey, "/api_keys/verify", sk, `{"secret":"` + key.Secret + `"}`, 200},
		{clerktest.EndpointRevokeAPIKey, "/api_keys/" + key.ID + "/revoke", sk, `{}`, 200},
		{clerktest.EndpointVerifyOAuthToken, "/oauth_applications/access_tokens/verify", sk, `{"access_token":"` + oat.Token + `"}`, 200},
	}
}

func TestMachineEndpointCountersAndFaults(t *testing.T) {
	f := newMachineFixture(t)
	calls := machineCalls(t, f)
	seen := map[string]bool{}
	for _, c := range calls {
		if seen[c.endpoint] || c.endpoint == clerktest.EndpointUnknown {
			t.Fatalf("endpoint name %q is not distinct", c.endpoint)
		}
		seen[c.endpoint] = true
		t.Run(c.endpoint, func(t *testing.T) {
			f.srv.ResetRequests()
			// Both prefixes reach the endpoint and count under its name.
			for _, prefix := range []string{"/v1", ""} {
				if r := post(t, f.srv, prefix+c.path, c.key, c.body); r.status != c.status {
					t.Fatalf("%s%s: status %d: %s", prefix, c.path, r.status, r.body)
				}
			}
			if got := f.srv.Requests(c.endpoint); got != 2 {
				t.Errorf("Requests = %d, want 2", got)
			}
			if got := f.srv.LastRequest().Endpoint; got != c.endpoint {
				t.Errorf("LastRequest().Endpoint = %q", got)
			}

			// A fault scoped to this endpoint hits it, before auth, and no
			// other endpoint.
			f.srv.FailNext(1, http.StatusServiceUnavailable, c.endpoint)
			for _, other := range calls {
				if other.endpoint != c.endpoint {
					if r := post(t, f.srv, other.path, other.key, other.body); r.status != other.status {
						t.Errorf("%s hit by a fault scoped to %s: %d", other.endpoint, c.endpoint, r.status)
					}
				}
			}
			if code := errorCode(t, post(t, f.srv, c.path, "", c.body), http.StatusServiceUnavailable); code != "service_unavailable" {
				t.Errorf("FailNext code %q", code)
			}
			f.srv.RateLimitNext(1, "3", c.endpoint)
			r := post(t, f.srv, "/v1"+c.path, c.key, c.body)
			if errorCode(t, r, http.StatusTooManyRequests) != "too_many_requests" || r.header.Get("Retry-After") != "3" {
				t.Errorf("RateLimitNext: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
			}

			f.srv.DropNext(1, c.endpoint)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+c.path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+c.key)
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			if res, err := client.Do(req); err == nil {
				res.Body.Close()
				t.Errorf("dropped request answered %d", res.StatusCode)
			}
			if r := post(t, f.srv, c.path, c.key, c.body); r.status != c.status {
				t.Errorf("after the faults: %d %s", r.status, r.body)
			}
		})
	}
}

// SetLatency scoped to a machine endpoint delays it and nothing else. The
// undelayed check uses an hour-long latency so a slow machine cannot make
// the test flaky.
func TestMachineEndpointLatency(t *testing.T) {
	f := newMachineFixture(t)
	calls := machineCalls(t, f)
	verify := calls[1]
	const d = 100 * time.Millisecond
	f.srv.SetLatency(d, clerktest.EndpointVerifyM2MToken)
	begin := time.Now()
	if r := post(t, f.srv, verify.path, verify.key, verify.body); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if got := time.Since(begin); got < d {
		t.Errorf("answered after %v, want >= %v", got, d)
	}
	f.srv.SetLatency(time.Hour, clerktest.EndpointVerifyM2MToken)
	begin = time.Now()
	if r := post(t, f.srv, calls[4].path, calls[4].key, calls[4].body); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if got := time.Since(begin); got > 10*time.Second {
		t.Errorf("an unscoped endpoint waited %v", got)
	}
}

func TestMachineEndpointsAPIVersion(t *testing.T) {
	f := newMachineFixture(t)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+"/m2m_tokens", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+f.caller.SecretKey)
	req.Header.Set("Clerk-API-Version", "latest")
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400 api_version_invalid", res.StatusCode)
	}
}

// TestMachineConcurrentUse mints, verifies and revokes from many goroutines
// over HTTP and the Go API at once; run with -race.
func TestMachineConcurrentUse(t *testing.T) {
	f := newMachineFixture(t)
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				m, err := f.srv.AddMachine(clerktest.Machine{Scopes: []string{f.api.ID}})
				if err != nil {
					errs <- err
					continue
				}
				tok, err := f.srv.CreateM2MToken(m.ID, clerktest.MachineTokenClaims(map[string]any{"w": w, "i": i}))
				if err != nil {
					errs <- err
					continue
				}
				if _, err := f.srv.CreateAPIKey(userID27, "k", clerktest.MachineTokenScopes(fmt.Sprint(i))); err != nil {
					errs <- err
				}
				if _, err := f.srv.CreateOAuthToken(userID27, "c", clerktest.MachineTokenJWT()); err != nil {
					errs <- err
				}
				for _, call := range []machineCall{
					{"", "/m2m_tokens", m.SecretKey, `{"min_remaining_ttl_seconds":10}`, 201},
					{"", "/m2m_tokens/verify", f.api.SecretKey, `{"token":"` + tok.Token + `"}`, 200},
					{"", "/m2m_tokens/" + tok.ID + "/revoke", m.SecretKey, `{}`, 200},
				} {
					req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.srv.URL+call.path, strings.NewReader(call.body))
					req.Header.Set("Authorization", "Bearer "+call.key)
					res, err := f.srv.Client().Do(req)
					if err != nil {
						errs <- err
						continue
					}
					res.Body.Close()
					if res.StatusCode != call.status {
						errs <- fmt.Errorf("%s: %d", call.path, res.StatusCode)
					}
				}
				if got, ok := f.srv.M2MToken(tok.ID); !ok || !got.Revoked {
					errs <- fmt.Errorf("token %s not revoked", tok.ID)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
