package clerk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// call sends one Backend API request, retrying as the policy allows, and
// returns the body of the first 2xx answer. path is relative to
// {apiURL}/{version} and already escaped.
func (c *Client) call(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	return c.callObserved(ctx, method, c.baseURL+path, body, nil)
}

// callObserved is call, given the whole URL, that also reports each failed attempt that will be
// retried to observe, so that callers waiting on a shared call can give
// the real cause when they stop waiting.
func (c *Client) callObserved(ctx context.Context, method, target string, body []byte, observe func(error)) ([]byte, error) {
	if c.timeout > 0 {
		if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > c.timeout {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
			defer cancel()
		}
	}
	for attempt := 1; ; attempt++ {
		respBody, err := c.attempt(ctx, method, target, body)
		if err == nil {
			return respBody, nil
		}
		wait, retry := c.retryAfter(ctx, err, attempt)
		if !retry {
			return nil, err
		}
		if observe != nil {
			observe(err)
		}
		if c.logger != nil {
			c.logRetry(ctx, method, strings.TrimPrefix(target, c.baseURL), attempt, wait, err)
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", err, context.Cause(ctx))
			case <-timer.C:
			}
		}
	}
}

// retryAfter decides whether a failed attempt is tried again and after how
// long. It never plans a wait that would end past the context's deadline:
// the caller gets the last error now rather than a timeout later.
func (c *Client) retryAfter(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if attempt >= c.retry.MaxAttempts || ctx.Err() != nil {
		return 0, false
	}
	wait := c.retry.backoff(attempt)
	var apiErr *APIError
	var tErr *transportError
	switch {
	case errors.As(err, &apiErr):
		if !retryableStatus(apiErr.StatusCode) {
			return 0, false
		}
		if apiErr.RetryAfter > 0 {
			if apiErr.RetryAfter > c.retry.MaxRetryAfter {
				return 0, false
			}
			wait = apiErr.RetryAfter
		}
	case errors.As(err, &tErr):
	default:
		return 0, false
	}
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
		return 0, false
	}
	return wait, true
}

func (c *Client) logRetry(ctx context.Context, method, path string, attempt int, wait time.Duration, err error) {
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Duration("wait", wait),
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		attrs = append(attrs, slog.Int("status", apiErr.StatusCode), slog.String("trace_id", apiErr.TraceID))
	} else {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "clerk: retrying Backend API call", attrs...)
}

// attempt performs one HTTP exchange.
func (c *Client) attempt(ctx context.Context, method, target string, body []byte) ([]byte, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("clerk: building request: %w", err)
	}
	req.Header = http.Header{
		"Authorization":     {c.credentials.authorization()},
		"Content-Type":      {"application/json"},
		"Clerk-Api-Version": {c.clerkAPIVersion},
		"User-Agent":        {c.userAgent},
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, c.failure(ctx, method, req.URL, err)
	}
	defer func() { _ = resp.Body.Close() }()

	respBody, err := readLimited(resp, c.maxResponseBytes)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case errors.Is(err, ErrResponseTooLarge) && ok:
		return nil, fmt.Errorf("%w (over %d bytes)", ErrResponseTooLarge, c.maxResponseBytes)
	case err != nil && !errors.Is(err, ErrResponseTooLarge):
		return nil, c.failure(ctx, method, req.URL, err)
	case ok:
		return respBody, nil
	}
	return nil, newAPIError(resp, respBody)
}

// failure wraps a transport error. A cancelled context is the caller's
// decision, not a fault to retry.
func (c *Client) failure(ctx context.Context, method string, u *url.URL, err error) error {
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
