package clerk_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

// Tests that run in a testing/synctest bubble cannot talk to an
// httptest.Server: a goroutine waiting on a loopback socket is not durably
// blocked, so the bubble's fake clock would never move. They serve the
// fake Backend API in process instead, through handlerTransport.

// bubbleAPIURL is where a bubble's client believes Clerk is; nothing
// listens there.
const bubbleAPIURL = "http://api.clerk.test"

// errHandlerReset is what a client sees when the handler dropped the
// connection (resetReply) or aborted mid-answer (http.ErrAbortHandler).
var errHandlerReset = errors.New("in-process transport: connection reset")

// handlerTransport answers each request by running h in the same process.
// The handler runs on its own goroutine so that the caller's context can
// end the exchange while the handler is still silent, as it would on a
// real connection.
type handlerTransport struct{ h http.Handler }

func (tr handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	in := req.Clone(req.Context())
	in.Body = io.NopCloser(bytes.NewReader(body))
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "192.0.2.1:49152"
	if in.Host == "" {
		in.Host = req.URL.Host
	}
	w := &resettableRecorder{ResponseRecorder: httptest.NewRecorder()}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				if err, ok := p.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
					panic(p)
				}
				w.reset = true
			}
		}()
		tr.h.ServeHTTP(w, in)
	}()
	select {
	case <-done:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if w.reset {
		return nil, errHandlerReset
	}
	resp := w.Result()
	resp.Request = req
	return resp, nil
}

// resettableRecorder lets a handler drop the connection: Hijack marks the
// exchange as reset and hands back no connection, which resetReply treats
// as nothing to close.
type resettableRecorder struct {
	*httptest.ResponseRecorder
	reset bool
}

func (w *resettableRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.reset = true
	return nil, nil, errHandlerReset
}

// newBubbleAPI is newFakeAPI for a synctest bubble: the same scripted
// replies and request log, with no listening server. Only its URL field is
// set; connect clients to it with newBubbleClient.
func newBubbleAPI(replies ...reply) *fakeAPI {
	return &fakeAPI{Server: &httptest.Server{URL: bubbleAPIURL}, replies: replies}
}

// newBubbleClient is newTestClient over handlerTransport.
func newBubbleClient(t *testing.T, f *fakeAPI, opts ...clerk.ClientOption) *clerk.Client {
	t.Helper()
	hc := &http.Client{Transport: handlerTransport{http.HandlerFunc(f.serve)}}
	return newTestClient(t, f, append([]clerk.ClientOption{clerk.WithHTTPClient(hc)}, opts...)...)
}

// bubbleCall runs GetToken on its own goroutine, for a test that acts while
// the call is under way.
func bubbleCall(ctx context.Context, c *clerk.Client) <-chan error {
	out := make(chan error, 1)
	go func() {
		_, err := c.GetToken(ctx, "sess_1", "test")
		out <- err
	}()
	return out
}
