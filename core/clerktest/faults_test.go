package clerktest_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/clerkkit/clerkkit/core/clerktest"
)

func TestFailNext(t *testing.T) {
	srv := start(t)
	sess := srv.CreateSession("user_1")
	tokens := "/v1/sessions/" + sess.ID + "/tokens"
	tests := []struct {
		name      string
		setup     func()
		requests  []string // paths, GET for jwks, POST for tokens
		statuses  []int
		codes     []string
		retryAfer []string
	}{
		{
			name:     "any endpoint, then recovers",
			setup:    func() { srv.FailNext(2, http.StatusServiceUnavailable) },
			requests: []string{tokens, "/v1/jwks", tokens},
			statuses: []int{503, 503, 200},
			codes:    []string{"service_unavailable", "service_unavailable", ""},
		},
		{
			name:     "before authentication",
			setup:    func() { srv.FailNext(1, http.StatusInternalServerError) },
			requests: []string{"unauthenticated " + tokens},
			statuses: []int{500},
			codes:    []string{"internal_clerk_error"},
		},
		{
			name:     "scoped to jwks",
			setup:    func() { srv.FailNext(1, http.StatusBadGateway, clerktest.EndpointJWKS) },
			requests: []string{tokens, "/.well-known/jwks.json", "/v1/jwks", "/v1/jwks"},
			statuses: []int{200, 200, 502, 200},
			codes:    []string{"", "", "bad_gateway", ""},
		},
		{
			name:     "unusual status",
			setup:    func() { srv.FailNext(1, 418) },
			requests: []string{tokens},
			statuses: []int{418},
			codes:    []string{"injected_failure"},
		},
		{
			name: "rate limit with seconds, then with a date, then none",
			setup: func() {
				srv.RateLimitNext(1, "1")
				srv.RateLimitNext(1, "Wed, 21 Oct 2026 07:28:00 GMT")
				srv.RateLimitNext(1, "")
			},
			requests:  []string{tokens, tokens, tokens, tokens},
			statuses:  []int{429, 429, 429, 200},
			codes:     []string{"too_many_requests", "too_many_requests", "too_many_requests", ""},
			retryAfer: []string{"1", "Wed, 21 Oct 2026 07:28:00 GMT", "", ""},
		},
		{
			name:      "rate limit scoped to tokens",
			setup:     func() { srv.RateLimitNext(1, "2", clerktest.EndpointTokens) },
			requests:  []string{"/v1/jwks", tokens},
			statuses:  []int{200, 429},
			codes:     []string{"", "too_many_requests"},
			retryAfer: []string{"", "2"},
		},
		{
			name:     "faults queue in order",
			setup:    func() { srv.FailNext(1, 500); srv.FailNext(1, 503) },
			requests: []string{tokens, tokens, tokens},
			statuses: []int{500, 503, 200},
			codes:    []string{"internal_clerk_error", "service_unavailable", ""},
		},
		{
			name:     "zero is a no-op",
			setup:    func() { srv.FailNext(0, 500); srv.RateLimitNext(-1, "1") },
			requests: []string{tokens},
			statuses: []int{200},
			codes:    []string{""},
		},
		{
			name:     "cleared",
			setup:    func() { srv.FailNext(5, 500); srv.ClearFaults() },
			requests: []string{tokens},
			statuses: []int{200},
			codes:    []string{""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.setup()
			for i, p := range tt.requests {
				auth := bearer(srv)
				if rest, ok := strings.CutPrefix(p, "unauthenticated "); ok {
					p, auth = rest, ""
				}
				method := http.MethodGet
				if strings.HasSuffix(p, "/tokens") {
					method = http.MethodPost
				}
				r := do(t, srv, method, p, auth, "")
				if r.status != tt.statuses[i] {
					t.Fatalf("request %d: status %d, want %d (%s)", i, r.status, tt.statuses[i], r.body)
				}
				if tt.codes[i] != "" {
					if got := parseErrors(t, r).Errors[0].Code; got != tt.codes[i] {
						t.Errorf("request %d: code %q, want %q", i, got, tt.codes[i])
					}
				}
				if tt.retryAfer != nil && r.header.Get("Retry-After") != tt.retryAfer[i] {
					t.Errorf("request %d: Retry-After %q, want %q", i, r.header.Get("Retry-After"), tt.retryAfer[i])
				}
			}
		})
	}
}

func TestDropNext(t *testing.T) {
	srv := start(t)
	sess := srv.CreateSession("user_1")
	srv.DropNext(1, clerktest.EndpointTokens)
	// The JWKS endpoint is out of the drop's scope.
	if r := do(t, srv, "GET", "/v1/jwks", bearer(srv), ""); r.status != 200 {
		t.Fatalf("jwks status %d", r.status)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/sessions/"+sess.ID+"/tokens", nil)
	req.Header.Set("Authorization", bearer(srv))
	// POST is not retried by net/http, so the drop surfaces as an error.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Do(req)
	if err == nil {
		res.Body.Close()
		t.Fatalf("dropped request answered %d", res.StatusCode)
	}
	if got := srv.Requests(clerktest.EndpointTokens); got != 1 {
		t.Errorf("dropped request counted %d times", got)
	}
	if r := do(t, srv, "POST", "/v1/sessions/"+sess.ID+"/tokens", bearer(srv), ""); r.status != 200 {
		t.Errorf("after the drop: status %d", r.status)
	}
}

func TestSetLatency(t *testing.T) {
	srv := start(t)
	const d = 150 * time.Millisecond
	// "Not delayed" is checked against an hour-long latency, so a slow
	// machine cannot make the test flaky.
	const long, quick = time.Hour, 10 * time.Second
	timed := func(path string) time.Duration {
		t.Helper()
		begin := time.Now()
		if r := do(t, srv, "GET", path, bearer(srv), ""); r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		return time.Since(begin)
	}
	srv.SetLatency(d, clerktest.EndpointPublicJWKS)
	if got := timed("/.well-known/jwks.json"); got < d {
		t.Errorf("scoped latency: answered after %v, want >= %v", got, d)
	}
	srv.SetLatency(long, clerktest.EndpointPublicJWKS)
	if got := timed("/v1/jwks"); got >= quick {
		t.Errorf("unscoped endpoint delayed %v", got)
	}
	srv.SetLatency(d)
	if got := timed("/v1/jwks"); got < d {
		t.Errorf("global latency: answered after %v", got)
	}
	srv.SetLatency(0)
	srv.SetLatency(0, clerktest.EndpointPublicJWKS)
	if got := timed("/.well-known/jwks.json"); got >= quick {
		t.Errorf("latency not removed: %v", got)
	}
}

// Close must not wait out injected latency.
func TestCloseDuringLatency(t *testing.T) {
	srv := clerktest.NewServer(clerktest.WithKey(testKeys()[0]))
	srv.SetLatency(time.Hour)
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/.well-known/jwks.json", nil)
		res, err := srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
	}()
	for srv.Requests("") == 0 { // the request is in, waiting out its latency
		runtime.Gosched()
	}
	begin := time.Now()
	srv.Close()
	<-done
	if time.Since(begin) > 5*time.Second {
		t.Errorf("Close took %v", time.Since(begin))
	}
}

func TestObservation(t *testing.T) {
	srv := start(t)
	sess := srv.CreateSession("user_1")
	if got := srv.LastRequest(); got.Method != "" || got.Header != nil {
		t.Errorf("LastRequest before any = %+v", got)
	}
	do(t, srv, "GET", "/v1/jwks", bearer(srv), "")
	do(t, srv, "GET", "/.well-known/jwks.json", "", "")
	do(t, srv, "GET", "/nowhere?x=1", "", "")
	srv.FailNext(1, 503)
	do(t, srv, "POST", "/v1/sessions/"+sess.ID+"/tokens", bearer(srv), "")
	do(t, srv, "POST", "/v1/sessions/"+sess.ID+"/tokens", bearer(srv), `{"expires_in_seconds":60}`)
	want := map[string]int{clerktest.EndpointJWKS: 1, clerktest.EndpointPublicJWKS: 1, clerktest.EndpointUnknown: 1, clerktest.EndpointTokens: 2, "": 5}
	for ep, n := range want {
		if got := srv.Requests(ep); got != n {
			t.Errorf("Requests(%q) = %d, want %d", ep, got, n)
		}
	}
	last := srv.LastRequest()
	if last.Method != http.MethodPost || last.Path != "/v1/sessions/"+sess.ID+"/tokens" || last.Endpoint != clerktest.EndpointTokens ||
		string(last.Body) != `{"expires_in_seconds":60}` || last.Header.Get("Authorization") != bearer(srv) ||
		last.Header.Get("Content-Type") != "application/json" {
		t.Errorf("LastRequest = %+v", last)
	}
	// The copy is the caller's own.
	last.Header.Set("Authorization", "x")
	last.Body[0] = 'X'
	if again := srv.LastRequest(); again.Header.Get("Authorization") != bearer(srv) || again.Body[0] != '{' {
		t.Error("LastRequest shares memory with the server")
	}
	srv.ResetRequests()
	if srv.Requests("") != 0 || srv.LastRequest().Method != "" {
		t.Error("ResetRequests kept state")
	}
}

func TestKeyRotation(t *testing.T) {
	srv := start(t, clerktest.WithKeyID("ins_old"))
	sess := srv.CreateSession("user_1")
	oldToken, err := srv.SessionToken(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	oldPEM := srv.PublicKeyPEM()
	if err := srv.RotateKeyTo(testKeys()[1], "ins_new"); err != nil {
		t.Fatal(err)
	}
	if srv.KeyID() != "ins_new" || srv.PublicKeyPEM() == oldPEM {
		t.Errorf("after rotation: kid %q", srv.KeyID())
	}
	newToken := tokenFrom(t, do(t, srv, "POST", "/v1/sessions/"+sess.ID+"/tokens", bearer(srv), ""))
	if h, _ := verified(t, srv, newToken); h["kid"] != "ins_new" {
		t.Errorf("new token kid %v", h["kid"])
	}
	verified(t, srv, oldToken) // still in the JWKS
	if n := strings.Count(string(srv.JWKS()), `"kid"`); n != 2 {
		t.Errorf("JWKS holds %d keys during rotation, want 2", n)
	}

	if err := srv.RotateKeyTo(testKeys()[2], "ins_new"); err == nil {
		t.Error("duplicate kid accepted")
	}
	if err := srv.RetireKey("ins_new"); err == nil {
		t.Error("retired the current signer")
	}
	if err := srv.RetireKey("ins_nope"); err == nil {
		t.Error("retired an unknown key")
	}
	if err := srv.RetireKey("ins_old"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(srv.JWKS()), "ins_old") || !strings.Contains(string(srv.JWKS()), "ins_new") {
		t.Errorf("JWKS after retiring = %s", srv.JWKS())
	}
	generated := srv.RotateKey()
	if !strings.HasPrefix(generated, "ins_") || srv.KeyID() != generated {
		t.Errorf("RotateKey = %q, KeyID %q", generated, srv.KeyID())
	}
	tok, err := srv.SessionToken(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	verified(t, srv, tok)
}
