package clerk_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// testSecretKey is recognisable on purpose: tests grep for it in every
// error and log line they produce.
const testSecretKey = "sk_test_SECRETsecretSECRET0123456789"

// aJWT is shaped like a JWT; the client only checks the shape.
const aJWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl"

// seenRequest is what the fake Backend API received.
type seenRequest struct {
	Method, Path, RawPath string
	Header                http.Header
	Body                  string
}

// reply is one scripted answer; a nil write means "200 with a token".
type reply func(w http.ResponseWriter, r *http.Request)

// fakeAPI is a Backend API stand-in that records every request and answers
// from a script, then with a token once the script runs out.
type fakeAPI struct {
	*httptest.Server
	mu      sync.Mutex
	seen    []seenRequest
	replies []reply
}

func newFakeAPI(t *testing.T, replies ...reply) *fakeAPI {
	t.Helper()
	f := &fakeAPI{replies: replies}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.seen = append(f.seen, seenRequest{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(),
		Header: r.Header.Clone(), Body: string(body),
	})
	var next reply
	if len(f.replies) > 0 {
		next, f.replies = f.replies[0], f.replies[1:]
	}
	f.mu.Unlock()
	if next == nil {
		next = tokenReply(aJWT)
	}
	next(w, r)
}

func (f *fakeAPI) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.seen...)
}

func tokenReply(jwt string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"object":"token","jwt":"`+jwt+`"}`)
	}
}

// statusReply answers with a status, a body and optional header pairs.
func statusReply(status int, body string, headerPairs ...string) reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headerPairs); i += 2 {
			w.Header().Set(headerPairs[i], headerPairs[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// resetReply drops the connection without an answer.
func resetReply(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func clerkErrorBody(code, message, trace string) string {
	return `{"errors":[{"code":"` + code + `","message":"` + message + `","long_message":"` + message +
		`","meta":{}}],"meta":{},"clerk_trace_id":"` + trace + `"}`
}

// newTestClient points a client at the fake with retries that do not slow
// the suite down.
func newTestClient(t *testing.T, f *fakeAPI, opts ...clerk.ClientOption) *clerk.Client {
	t.Helper()
	base := []clerk.ClientOption{
		clerk.WithAPIURL(f.URL),
		clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 3 * time.Second}),
	}
	c, err := clerk.NewClient(testSecretKey, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}
