package clerk

import (
	"io"
	"net/http"
)

// Transport returns an http.RoundTripper that sends every request through
// base (http.DefaultTransport when nil) with "Authorization: Bearer <M2M
// token>" from the source, as golang.org/x/oauth2's Transport does. The
// caller's request is never modified: the header is set on a clone.
//
// When the called service answers 401, the token is refreshed once (a
// refresh forced past the rejected token; many requests rejected with the
// same token share one) and the request is sent again with the new token,
// but only when its body can be sent again: no body, http.NoBody, or
// GetBody set (http.NewRequest sets it for bytes, strings and their
// readers). Otherwise, or when the refresh fails, the 401 is returned as
// it came, and the refused token is not sent again: the next request
// refreshes first. A 401 forces a refresh at most once every 10 s, so a
// service that refuses every token costs a create call per 10 s, not one
// per request; its 401s are returned as they come meanwhile.
//
// The token is attached only to requests for the scheme and host of the
// first request: a redirect to another origin is followed without it, so
// a called service cannot pass the token on by redirecting.
func (s *M2MTokenSource) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &m2mTransport{source: s, base: base}
}

// HTTPClient returns a copy of hc (a zero http.Client when nil) whose
// transport is Transport(hc.Transport). hc itself is not changed.
func (s *M2MTokenSource) HTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	c.Transport = s.Transport(c.Transport)
	return &c
}

type m2mTransport struct {
	source *M2MTokenSource
	base   http.RoundTripper
}

// maxDrainBytes is how much of a 401 body is read before it is closed, so
// its connection can be reused for the retry.
const maxDrainBytes = 4 << 10

func (t *m2mTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !sameOriginAsFirst(req) {
		return t.base.RoundTrip(req)
	}
	ctx := req.Context()
	tok, err := t.source.Token(ctx)
	if err != nil {
		closeBody(req) // a RoundTripper closes the body, even on error
		return nil, err
	}
	resp, err := t.base.RoundTrip(withBearer(req, tok, req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	body, replayable := replayBody(req)
	if !replayable {
		t.source.markRejected(tok) // the next request gets a new token
		return resp, nil
	}
	fresh, ferr := t.source.refreshPast(ctx, tok)
	if ferr != nil || fresh.ID == tok.ID {
		if body != nil {
			_ = body.Close()
		}
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBytes))
	_ = resp.Body.Close()
	return t.base.RoundTrip(withBearer(req, fresh, body))
}

// withBearer copies req with the token attached and the given body. The
// copy is shallow but for the header map, the one part it changes:
// http.Request.Clone would also copy the URL, trailers and every header
// value, which a RoundTripper does not modify.
func withBearer(req *http.Request, tok *M2MToken, body io.ReadCloser) *http.Request {
	out := new(http.Request)
	*out = *req
	out.Body = body
	out.Header = make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		out.Header[k] = v
	}
	out.Header["Authorization"] = tok.secret().authorization
	return out
}

// replayBody returns a fresh copy of the request body for a second send,
// and whether there is one: nil for a request without a body.
func replayBody(req *http.Request) (io.ReadCloser, bool) {
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		return req.Body, true
	case req.GetBody == nil:
		return nil, false
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	return body, true
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// sameOriginAsFirst reports whether req goes to the scheme and host of the
// first request of its redirect chain (always true for a first request).
func sameOriginAsFirst(req *http.Request) bool {
	first := req
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	return first == req || (first.URL.Scheme == req.URL.Scheme && first.URL.Host == req.URL.Host)
}
