package clerk

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzTokenPath checks the promise of path.go: any accepted session ID and
// template reach the server as exactly two segments that decode back to the
// caller's values.
func FuzzTokenPath(f *testing.F) {
	for _, seed := range [][2]string{
		{"sess_123", "test"}, {"sess_1/../../users", "x"}, {"%2e%2e", "t"}, {"a?b#c", "d e"},
		{"sess_ü", "tëmplate"}, {".", ""}, {"...", "%252e%252e"}, {"a\x00b", "t"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, sessionID, template string) {
		target, err := tokenURL("https://api.clerk.com/v1", sessionID, template)
		if err != nil {
			return
		}
		u, err := url.Parse(target)
		if err != nil {
			t.Fatalf("accepted input gives an unparsable URL %q: %v", target, err)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("input leaked into query or fragment: %q", target)
		}
		segments := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
		want := 5
		if template == "" {
			want = 4
		}
		if len(segments) != want {
			t.Fatalf("server would see %d segments in %q", len(segments), u.EscapedPath())
		}
		got, err := url.PathUnescape(segments[2])
		if err != nil || got != sessionID {
			t.Fatalf("session segment decodes to %q, want %q", got, sessionID)
		}
		if template != "" {
			if got, err := url.PathUnescape(segments[4]); err != nil || got != template {
				t.Fatalf("template segment decodes to %q, want %q", got, template)
			}
		}
		for _, s := range segments {
			if s == "." || s == ".." {
				t.Fatalf("dot segment on the wire: %q", u.EscapedPath())
			}
		}
	})
}

// FuzzAPIErrorBody feeds arbitrary error bodies and headers: building the
// error must never panic and must always keep the status.
func FuzzAPIErrorBody(f *testing.F) {
	f.Add(429, []byte(`{"errors":[{"code":"too_many_requests","message":"m","meta":{"a":1}}],"clerk_trace_id":"t"}`), "3", "ray")
	f.Add(500, []byte(`<html>`), "Wed, 21 Oct 2015 07:28:00 GMT", "")
	f.Add(404, []byte(`{"errors":null}`), "", "")
	f.Add(401, []byte(`{"errors":[{"code":5}]}`), "-1", "")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter, cfRay string) {
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		resp.Header.Set("Retry-After", retryAfter)
		resp.Header.Set("Cf-Ray", cfRay)
		e := newAPIError(resp, body)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		if e.RetryAfter < 0 || e.RetryAfter > 24*time.Hour {
			t.Fatalf("RetryAfter %v out of bounds", e.RetryAfter)
		}
		_ = e.Error()
		_ = e.Code()
	})
}

// FuzzReadLimited checks that the body limit holds whatever the declared
// length says.
func FuzzReadLimited(f *testing.F) {
	f.Add([]byte("hello"), int64(-1))
	f.Add(bytes.Repeat([]byte("x"), 5000), int64(10))
	f.Fuzz(func(t *testing.T, body []byte, declared int64) {
		resp := &http.Response{Body: nopCloser{bytes.NewReader(body)}, ContentLength: declared}
		got, err := readLimited(resp, 1024)
		if int64(len(got)) > 1024 {
			t.Fatalf("read %d bytes past the limit", len(got))
		}
		if err == nil && declared <= 0 && !bytes.Equal(got, body) {
			t.Fatalf("unbounded read changed the body")
		}
	})
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
