package clerk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// call sends one Backend API request with the secret key, retrying as the
// policy allows, and returns the body of the first 2xx answer. path is
// relative to {apiURL}/{version} and already escaped.
func (c *Client) call(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	return c.callObserved(ctx, method, c.baseURL+path, body, nil)
}

// callObserved is call, given the whole URL, that also reports each failed
// attempt that will be retried to observe (see requester.do).
func (c *Client) callObserved(ctx context.Context, method, target string, body []byte, observe func(error)) ([]byte, error) {
	return c.api.do(ctx, method, target, c.credentials.authorization(), body, observe)
}

// attempt performs one HTTP exchange. It returns the answer's status too
// (0 when none came), for an Observer.
func (r *requester) attempt(ctx context.Context, method, target, authorization string, body []byte) ([]byte, int, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, 0, fmt.Errorf("clerk: building request: %w", err)
	}
	req.Header = r.header.Clone()
	if authorization != "" {
		req.Header["Authorization"] = []string{authorization}
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, 0, failure(ctx, method, req.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if redirect := newRedirectError(resp); redirect != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // lets the connection be reused
		return nil, resp.StatusCode, redirect
	}

	respBody, err := readLimited(resp, r.maxBytes)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case errors.Is(err, ErrResponseTooLarge) && ok:
		return nil, resp.StatusCode, fmt.Errorf("%w (over %d bytes)", ErrResponseTooLarge, r.maxBytes)
	case err != nil && !errors.Is(err, ErrResponseTooLarge):
		return nil, resp.StatusCode, failure(ctx, method, req.URL, err)
	case ok:
		return respBody, resp.StatusCode, nil
	}
	return nil, resp.StatusCode, newAPIError(resp, respBody)
}

// newRedirectError returns the error for a 3xx answer that names a target,
// or nil for any other answer. Only the target's host is kept.
func newRedirectError(resp *http.Response) *RedirectError {
	if resp.StatusCode < 300 || resp.StatusCode > 399 || resp.Header.Get("Location") == "" {
		return nil
	}
	e := &RedirectError{StatusCode: resp.StatusCode}
	if u, err := resp.Location(); err == nil && len(u.Host) <= maxRedirectHostLen {
		e.Host = u.Host
	}
	return e
}

// maxRedirectHostLen bounds the host a RedirectError repeats: a DNS name
// and a port fit; anything longer is not worth a log line.
const maxRedirectHostLen = 262

// failure wraps a transport error. A cancelled context is the caller's
// decision, not a fault to retry.
func failure(ctx context.Context, method string, u *url.URL, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err // its message repeats the URL; ours names the path once
	}
	op := method + " " + u.EscapedPath()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("clerk: %s: %w", op, context.Cause(ctx))
	}
	return &transportError{op: op, err: err}
}

// transportError is a failure below HTTP: refused or reset connections,
// timeouts, truncated bodies. It is retried.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return "clerk: " + e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// Is makes every transportError match ErrTransport.
func (e *transportError) Is(target error) bool { return target == ErrTransport }

// readLimited reads the whole body up to limit bytes. A longer body yields
// what was read and ErrResponseTooLarge.
func readLimited(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n > limit {
		return nil, ErrResponseTooLarge
	} else if n > 0 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(buf)) > limit {
		return buf[:limit], ErrResponseTooLarge
	}
	return buf, nil
}

// clerkErrors is the body of every non-2xx Backend API answer.
type clerkErrors struct {
	Errors  []ErrorDetail `json:"errors"`
	TraceID string        `json:"clerk_trace_id"`
}

// newAPIError builds the error for a non-2xx answer. A body that is not
// ClerkErrors JSON still gives an error with the status.
func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	var parsed clerkErrors
	if json.Unmarshal(body, &parsed) == nil {
		e.Errors = parsed.Errors
		e.TraceID = parsed.TraceID
	}
	if e.TraceID == "" {
		e.TraceID = resp.Header.Get("Cf-Ray")
	}
	return e
}
