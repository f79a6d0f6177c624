package clerk_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

func TestGetTokenWire(t *testing.T) {
	tests := []struct {
		name     string
		template string
		opts     []clerk.TokenOption
		wantPath string
		wantBody string
	}{
		{"template, default lifetime", "supabase", nil, "/v1/sessions/sess_123/tokens/supabase", ""},
		{"template, lifetime set", "supabase", []clerk.TokenOption{clerk.WithExpiresInSeconds(120)}, "/v1/sessions/sess_123/tokens/supabase", `{"expires_in_seconds":120}`},
		{"session token, default lifetime", "", nil, "/v1/sessions/sess_123/tokens", ""},
		{"session token, lifetime set", "", []clerk.TokenOption{clerk.WithExpiresInSeconds(315360000)}, "/v1/sessions/sess_123/tokens", `{"expires_in_seconds":315360000}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			c := newTestClient(t, f)
			tok, err := c.GetToken(context.Background(), "sess_123", tt.template, tt.opts...)
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			if tok.JWT != aJWT {
				t.Errorf("JWT = %q, want %q", tok.JWT, aJWT)
			}
			seen := f.requests()
			if len(seen) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(seen))
			}
			got := seen[0]
			if got.Method != http.MethodPost || got.RawPath != tt.wantPath {
				t.Errorf("request line = %s %s, want POST %s", got.Method, got.RawPath, tt.wantPath)
			}
			if got.Body != tt.wantBody {
				t.Errorf("body = %q, want %q", got.Body, tt.wantBody)
			}
			wantHeaders := map[string]string{
				"Authorization":     "Bearer " + testSecretKey,
				"Content-Type":      "application/json",
				"Clerk-Api-Version": clerk.DefaultClerkAPIVersion,
				"User-Agent":        "github.com/clerkkit/clerkkit/core@v" + clerk.Version,
			}
			for name, want := range wantHeaders {
				if v := got.Header.Values(name); len(v) != 1 || v[0] != want {
					t.Errorf("header %s = %q, want [%q]", name, v, want)
				}
			}
			if got.Header.Get("Content-Length") != "" && tt.wantBody == "" && got.Header.Get("Content-Length") != "0" {
				t.Errorf("Content-Length = %q for a request without body", got.Header.Get("Content-Length"))
			}
		})
	}
}

func TestGetTokenSendsTheVersionsAndUserAgent(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f)
	if _, err := c.GetToken(context.Background(), "sess_1", "t"); err != nil {
		t.Fatal(err)
	}
	got := f.requests()[0]
	if got.RawPath != "/v1/sessions/sess_1/tokens/t" {
		t.Errorf("path = %s", got.RawPath)
	}
	if v := got.Header.Get("Clerk-Api-Version"); v != clerk.DefaultClerkAPIVersion {
		t.Errorf("Clerk-API-Version = %q", v)
	}
	if v := got.Header.Get("User-Agent"); v != "github.com/clerkkit/clerkkit/core@v"+clerk.Version {
		t.Errorf("User-Agent = %q", v)
	}
}

func TestGetTokenAPIURLWithPathPrefix(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f, clerk.WithAPIURL(f.URL+"/clerk-proxy/"))
	if _, err := c.GetToken(context.Background(), "sess_1", "t"); err != nil {
		t.Fatal(err)
	}
	if p := f.requests()[0].RawPath; p != "/clerk-proxy/v1/sessions/sess_1/tokens/t" {
		t.Errorf("path = %s", p)
	}
}

func TestGetTokenErrors(t *testing.T) {
	tests := []struct {
		name       string
		replies    []reply
		wantIs     []error
		wantStatus int
		wantCode   string
		wantTrace  string
		wantCalls  int
	}{
		{
			name:    "401 bad secret key",
			replies: []reply{statusReply(401, clerkErrorBody("clerk_key_invalid", "The provided Clerk Secret Key is invalid.", "tr_401"))},
			wantIs:  []error{clerk.ErrUnauthorized}, wantStatus: 401, wantCode: "clerk_key_invalid", wantTrace: "tr_401", wantCalls: 1,
		},
		{
			name:    "404 unknown session",
			replies: []reply{statusReply(404, clerkErrorBody("resource_not_found", "Resource not found", "tr_404s"))},
			wantIs:  []error{clerk.ErrNotFound}, wantStatus: 404, wantCode: "resource_not_found", wantTrace: "tr_404s", wantCalls: 1,
		},
		{
			name:    "404 unknown template",
			replies: []reply{statusReply(404, clerkErrorBody("resource_not_found", "No JWT template exists with name: nope", "tr_404t"))},
			wantIs:  []error{clerk.ErrNotFound}, wantStatus: 404, wantCode: "resource_not_found", wantTrace: "tr_404t", wantCalls: 1,
		},
		{
			name:    "422 invalid parameter",
			replies: []reply{statusReply(422, clerkErrorBody("form_param_value_invalid", "expires_in_seconds is invalid", "tr_422"))},
			wantIs:  []error{clerk.ErrBadRequest}, wantStatus: 422, wantCode: "form_param_value_invalid", wantTrace: "tr_422", wantCalls: 1,
		},
		{
			name: "429 on every attempt",
			replies: []reply{
				statusReply(429, clerkErrorBody("too_many_requests", "Too many requests", "tr_429"), "Retry-After", "0"),
				statusReply(429, clerkErrorBody("too_many_requests", "Too many requests", "tr_429"), "Retry-After", "0"),
				statusReply(429, clerkErrorBody("too_many_requests", "Too many requests", "tr_429"), "Retry-After", "0"),
				statusReply(429, clerkErrorBody("too_many_requests", "Too many requests", "tr_429"), "Retry-After", "0"),
			},
			wantIs: []error{clerk.ErrRateLimited}, wantStatus: 429, wantCode: "too_many_requests", wantTrace: "tr_429", wantCalls: 4,
		},
		{
			name: "500 on every attempt",
			replies: []reply{
				statusReply(500, clerkErrorBody("internal_clerk_error", "Oops", "tr_500")),
				statusReply(500, clerkErrorBody("internal_clerk_error", "Oops", "tr_500")),
				statusReply(500, clerkErrorBody("internal_clerk_error", "Oops", "tr_500")),
				statusReply(500, clerkErrorBody("internal_clerk_error", "Oops", "tr_500")),
			},
			wantIs: []error{clerk.ErrServerError}, wantStatus: 500, wantCode: "internal_clerk_error", wantTrace: "tr_500", wantCalls: 4,
		},
		{
			name:    "non-JSON body keeps the status and the cf-ray trace",
			replies: []reply{statusReply(403, "<html>denied</html>", "Cf-Ray", "8f00-AMS")},
			wantIs:  []error{clerk.ErrUnauthorized}, wantStatus: 403, wantTrace: "8f00-AMS", wantCalls: 1,
		},
		{
			name:    "empty body keeps the status",
			replies: []reply{statusReply(404, "")},
			wantIs:  []error{clerk.ErrNotFound}, wantStatus: 404, wantCalls: 1,
		},
		{
			name:    "oversized success body",
			replies: []reply{statusReply(200, `{"jwt":"`+strings.Repeat("a", 2<<20)+`"}`)},
			wantIs:  []error{clerk.ErrResponseTooLarge}, wantCalls: 1,
		},
		{
			name:    "oversized error body still gives the status",
			replies: []reply{statusReply(400, strings.Repeat("x", 2<<20))},
			wantIs:  []error{clerk.ErrBadRequest}, wantStatus: 400, wantCalls: 1,
		},
		{
			name:    "200 without a JWT",
			replies: []reply{statusReply(200, `{"object":"token"}`)},
			wantIs:  []error{clerk.ErrInvalidResponse}, wantCalls: 1,
		},
		{
			name:    "200 with two jwt members",
			replies: []reply{statusReply(200, `{"jwt":"a.b.c","jwt":"d.e.f"}`)},
			wantIs:  []error{clerk.ErrInvalidResponse}, wantCalls: 1,
		},
		{
			name:    "200 with trailing data",
			replies: []reply{statusReply(200, `{"jwt":"a.b.c"} {}`)},
			wantIs:  []error{clerk.ErrInvalidResponse}, wantCalls: 1,
		},
		{
			name:    "200 that is not JSON",
			replies: []reply{statusReply(200, `<html>`)},
			wantIs:  []error{clerk.ErrInvalidResponse}, wantCalls: 1,
		},
		{
			name:      "connection reset on every attempt",
			replies:   []reply{resetReply, resetReply, resetReply, resetReply},
			wantIs:    []error{clerk.ErrTransport},
			wantCalls: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, tt.replies...)
			c := newTestClient(t, f)
			tok, err := c.GetToken(context.Background(), "sess_1", "test")
			if err == nil {
				t.Fatalf("GetToken = %v, want an error", tok)
			}
			if tok != nil {
				t.Errorf("token %v returned with error", tok)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			var apiErr *clerk.APIError
			if tt.wantStatus != 0 {
				if !errors.As(err, &apiErr) {
					t.Fatalf("error %T %v is not an *APIError", err, err)
				}
				if apiErr.StatusCode != tt.wantStatus || apiErr.Code() != tt.wantCode || apiErr.TraceID != tt.wantTrace {
					t.Errorf("APIError = status %d code %q trace %q, want %d %q %q",
						apiErr.StatusCode, apiErr.Code(), apiErr.TraceID, tt.wantStatus, tt.wantCode, tt.wantTrace)
				}
			} else if errors.As(err, &apiErr) {
				t.Errorf("unexpected *APIError %v", apiErr)
			}
			if n := len(f.requests()); n != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", n, tt.wantCalls)
			}
			if strings.Contains(err.Error(), testSecretKey) {
				t.Errorf("error leaks the secret key: %v", err)
			}
		})
	}
}

func TestAPIErrorDetails(t *testing.T) {
	body := `{"errors":[{"code":"form_param_value_invalid","message":"is invalid","long_message":"expires_in_seconds must be at least 30","meta":{"param_name":"expires_in_seconds"}},{"code":"second","message":"m2"}],"clerk_trace_id":"abc"}`
	f := newFakeAPI(t, statusReply(422, body))
	c := newTestClient(t, f)
	_, err := c.GetToken(context.Background(), "sess_1", "test")
	var apiErr *clerk.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v", err)
	}
	if len(apiErr.Errors) != 2 || apiErr.Errors[0].LongMessage != "expires_in_seconds must be at least 30" ||
		apiErr.Errors[0].Meta["param_name"] != "expires_in_seconds" || !apiErr.HasCode("second") || apiErr.HasCode("third") {
		t.Errorf("details = %+v", apiErr.Errors)
	}
	want := "clerk: 422 form_param_value_invalid: expires_in_seconds must be at least 30 (trace abc)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestGetTokenRetries(t *testing.T) {
	// The Retry-After rows run in a synctest bubble: the client's waits
	// pass on a fake clock, so they are measured exactly and cost no time.
	t.Run("429 with Retry-After 1 then 200 waits exactly a second", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newBubbleAPI(statusReply(429, clerkErrorBody("too_many_requests", "slow down", "tr"), "Retry-After", "1"))
			c := newBubbleClient(t, f)
			start := time.Now()
			tok, err := c.GetToken(context.Background(), "sess_1", "test")
			if err != nil || tok.JWT != aJWT {
				t.Fatalf("GetToken = %v, %v", tok, err)
			}
			if waited := time.Since(start); waited != time.Second {
				t.Errorf("returned after %v, want the 1s Retry-After", waited)
			}
			if n := len(f.requests()); n != 2 {
				t.Errorf("server saw %d requests, want 2", n)
			}
		})
	})
	t.Run("429 with an HTTP-date Retry-After is honoured", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// The bubble's clock starts on a whole second, so the date
			// lies exactly two seconds ahead.
			date := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
			f := newBubbleAPI(statusReply(429, "", "Retry-After", date))
			c := newBubbleClient(t, f)
			start := time.Now()
			if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
				t.Fatal(err)
			}
			if waited := time.Since(start); waited != 2*time.Second {
				t.Errorf("returned after %v, want the 2s until the date", waited)
			}
		})
	})
	t.Run("three 503s then 200 succeeds", func(t *testing.T) {
		f := newFakeAPI(t, statusReply(503, ""), statusReply(503, ""), statusReply(503, ""))
		c := newTestClient(t, f)
		tok, err := c.GetToken(context.Background(), "sess_1", "test")
		if err != nil || tok.JWT != aJWT {
			t.Fatalf("GetToken = %v, %v", tok, err)
		}
		if n := len(f.requests()); n != 4 {
			t.Errorf("server saw %d requests, want 4", n)
		}
	})
	t.Run("connection reset then 200 succeeds", func(t *testing.T) {
		f := newFakeAPI(t, resetReply)
		c := newTestClient(t, f)
		if _, err := c.GetToken(context.Background(), "sess_1", "test"); err != nil {
			t.Fatal(err)
		}
		if n := len(f.requests()); n != 2 {
			t.Errorf("server saw %d requests, want 2", n)
		}
	})
	for _, status := range []int{400, 401, 403, 404, 409, 422} {
		t.Run(http.StatusText(status)+" is never retried", func(t *testing.T) {
			f := newFakeAPI(t, statusReply(status, clerkErrorBody("x", "y", "z")))
			c := newTestClient(t, f)
			if _, err := c.GetToken(context.Background(), "sess_1", "test"); err == nil {
				t.Fatal("want an error")
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("server saw %d requests, want exactly 1", n)
			}
		})
	}
	t.Run("deadline shorter than Retry-After returns at once with the 429", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newBubbleAPI(statusReply(429, clerkErrorBody("too_many_requests", "slow down", "tr"), "Retry-After", "2"))
			c := newBubbleClient(t, f)
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.GetToken(ctx, "sess_1", "test")
			elapsed := time.Since(start)
			if !errors.Is(err, clerk.ErrRateLimited) {
				t.Fatalf("err = %v, want rate limited", err)
			}
			var apiErr *clerk.APIError
			if errors.As(err, &apiErr) && apiErr.RetryAfter != 2*time.Second {
				t.Errorf("RetryAfter = %v, want 2s", apiErr.RetryAfter)
			}
			if elapsed != 0 {
				t.Errorf("returned after %v, want at once", elapsed)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	})
	t.Run("Retry-After above the policy's ceiling is not slept through", func(t *testing.T) {
		f := newFakeAPI(t, statusReply(429, "", "Retry-After", "3600"))
		c := newTestClient(t, f)
		_, err := c.GetToken(context.Background(), "sess_1", "test")
		var apiErr *clerk.APIError
		if !errors.As(err, &apiErr) || apiErr.RetryAfter != time.Hour {
			t.Fatalf("err = %v, want a 429 asking for an hour", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})
	t.Run("MaxAttempts 1 makes one attempt", func(t *testing.T) {
		f := newFakeAPI(t, statusReply(503, ""))
		c := newTestClient(t, f, clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
		if _, err := c.GetToken(context.Background(), "sess_1", "test"); !errors.Is(err, clerk.ErrServerError) {
			t.Fatalf("err = %v", err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("server saw %d requests, want 1", n)
		}
	})
}

func TestGetTokenCancellation(t *testing.T) {
	// Both rows run in a synctest bubble: synctest.Wait tells when the
	// client is stuck (on the silent server, in its backoff), and the fake
	// clock shows that no time passes between the cancellation and the
	// return.
	t.Run("cancelling while Clerk is silent returns at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			f := newBubbleAPI(func(http.ResponseWriter, *http.Request) { <-release })
			c := newBubbleClient(t, f)
			ctx, cancel := context.WithCancel(context.Background())
			done := bubbleCall(ctx, c)
			synctest.Wait() // the request has reached the silent server
			if n := len(f.requests()); n != 1 {
				t.Fatalf("%d requests before the cancellation, want 1", n)
			}
			start := time.Now()
			cancel()
			err := <-done
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if elapsed := time.Since(start); elapsed != 0 {
				t.Errorf("returned %v after the cancellation", elapsed)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("a cancelled call was retried: %d requests", n)
			}
		})
	})
	t.Run("cancelling during a backoff wait returns at once with both causes", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newBubbleAPI(statusReply(503, ""), statusReply(503, ""))
			c := newBubbleClient(t, f, clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 3, MinBackoff: 5 * time.Second, MaxBackoff: 5 * time.Second}))
			ctx, cancel := context.WithCancel(context.Background())
			done := bubbleCall(ctx, c)
			// The 503 has been answered and the client sleeps on its
			// backoff timer (fake time cannot pass while this goroutine
			// runs, so it is still asleep after Wait).
			synctest.Wait()
			start := time.Now()
			cancel()
			err := <-done
			if !errors.Is(err, context.Canceled) || !errors.Is(err, clerk.ErrServerError) {
				t.Fatalf("err = %v, want both the 503 and the cancellation", err)
			}
			if elapsed := time.Since(start); elapsed != 0 {
				t.Errorf("returned %v after the cancellation", elapsed)
			}
		})
	})
	t.Run("the client timeout bounds a silent server", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		f := newFakeAPI(t, func(http.ResponseWriter, *http.Request) { <-release })
		c := newTestClient(t, f, clerk.WithTimeout(200*time.Millisecond))
		_, err := c.GetToken(context.Background(), "sess_1", "test")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a deadline error", err)
		}
	})
}

func TestGetTokenRefusesHostileInput(t *testing.T) {
	tests := []struct {
		name, sessionID, template string
	}{
		{"empty session ID", "", "test"},
		{"dot session ID", ".", "test"},
		{"dot-dot session ID", "..", "test"},
		{"encoded dot-dot session ID", "%2e%2e", "test"},
		{"upper-case encoded dot-dot", "%2E%2E", "test"},
		{"mixed encoded dot-dot", ".%2e", "test"},
		{"double-encoded dot-dot", "%252e%252e", "test"},
		{"dot-dot template", "sess_1", ".."},
		{"encoded dot template", "sess_1", "%2e"},
		{"newline in session ID", "sess_1\n", "test"},
		{"CRLF header injection in template", "sess_1", "t\r\nX-Evil: 1"},
		{"NUL byte", "sess_\x001", "test"},
		{"DEL byte", "sess_1", "t\x7f"},
		{"invalid UTF-8", "sess_\xff", "test"},
		{"too long", strings.Repeat("a", 513), "test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			c := newTestClient(t, f)
			_, err := c.GetToken(context.Background(), tt.sessionID, tt.template)
			var inputErr *clerk.InputError
			if !errors.As(err, &inputErr) || !errors.Is(err, clerk.ErrInvalidInput) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("a refused input reached the server (%d requests)", n)
			}
		})
	}
}

func TestGetTokenEscapesEverySegment(t *testing.T) {
	tests := []struct {
		name, sessionID, template string
		wantRaw                   string // what goes on the wire
		wantSession, wantTemplate string // what the server decodes
	}{
		{"traversal becomes one segment", "sess_1/../../users", "test", "/v1/sessions/sess_1%2F..%2F..%2Fusers/tokens/test", "sess_1/../../users", "test"},
		{"slash in template", "sess_1", "a/b", "/v1/sessions/sess_1/tokens/a%2Fb", "sess_1", "a/b"},
		{"query mark", "a?b", "test", "/v1/sessions/a%3Fb/tokens/test", "a?b", "test"},
		{"fragment mark", "a#b", "test", "/v1/sessions/a%23b/tokens/test", "a#b", "test"},
		{"space", "a b", "test", "/v1/sessions/a%20b/tokens/test", "a b", "test"},
		{"percent stays literal", "sess_%41", "test", "/v1/sessions/sess_%2541/tokens/test", "sess_%41", "test"},
		{"unicode", "sess_ü", "tëmplate", "/v1/sessions/sess_%C3%BC/tokens/t%C3%ABmplate", "sess_ü", "tëmplate"},
		{"dots inside a name are fine", "sess_1", "v1.2", "/v1/sessions/sess_1/tokens/v1.2", "sess_1", "v1.2"},
		{"three dots are not a dot segment", "...", "test", "/v1/sessions/.../tokens/test", "...", "test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			c := newTestClient(t, f)
			if _, err := c.GetToken(context.Background(), tt.sessionID, tt.template); err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			got := f.requests()[0]
			if got.RawPath != tt.wantRaw {
				t.Errorf("raw path = %s, want %s", got.RawPath, tt.wantRaw)
			}
			segments := strings.Split(strings.TrimPrefix(got.RawPath, "/"), "/")
			if len(segments) != 5 {
				t.Fatalf("server sees %d segments, want 5: %q", len(segments), segments)
			}
			if want := "/v1/sessions/" + tt.wantSession + "/tokens/" + tt.wantTemplate; got.Path != want {
				t.Errorf("decoded path = %q, want %q", got.Path, want)
			}
		})
	}
}

func TestGetTokenLifetimeRange(t *testing.T) {
	for _, n := range []int{-1, 1, 29, 315360001} {
		f := newFakeAPI(t)
		c := newTestClient(t, f)
		_, err := c.GetToken(context.Background(), "sess_1", "test", clerk.WithExpiresInSeconds(n))
		var inputErr *clerk.InputError
		if !errors.As(err, &inputErr) || inputErr.Param != "expires_in_seconds" {
			t.Errorf("lifetime %d: err = %v, want an expires_in_seconds InputError", n, err)
		}
		if len(f.requests()) != 0 {
			t.Errorf("lifetime %d reached the server", n)
		}
	}
	for _, n := range []int{30, 315360000} {
		f := newFakeAPI(t)
		c := newTestClient(t, f)
		if _, err := c.GetToken(context.Background(), "sess_1", "test", clerk.WithExpiresInSeconds(n)); err != nil {
			t.Errorf("lifetime %d: %v", n, err)
		}
	}
}

func TestGetTokenConcurrentUse(t *testing.T) {
	f := newFakeAPI(t)
	c := newTestClient(t, f)
	const callers = 64
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tpl := "t" + strconv.Itoa(i) // distinct keys: nothing to coalesce
			if _, err := c.GetToken(context.Background(), "sess_1", tpl); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(f.requests()); n != callers {
		t.Errorf("server saw %d requests, want %d", n, callers)
	}
}
