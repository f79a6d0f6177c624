package clerk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// requester is the one way this package calls Clerk: the Backend API with a
// secret key, the public key set with none. Every caller gets the same
// retries (RetryPolicy, Retry-After, never past the context's deadline), the
// same bounds (call timeout, response size) and the same refusal of
// redirects, so a new endpoint cannot forget one of them.
type requester struct {
	client   *http.Client // never follows a redirect; see refuseRedirects
	header   http.Header  // sent with every request; copied, never mutated
	retry    RetryPolicy
	timeout  time.Duration // bounds one call, retries included; 0: only ctx does
	maxBytes int64         // response body limit
	logger   *slog.Logger  // nil: no retry records
	observer *Observer     // nil: nothing observes the calls
}

// refuseRedirects returns a shallow copy of hc that hands every redirect
// back instead of following it. net/http re-sends Authorization to any URL
// on the same host name, whatever its scheme or port, so a 307 to
// http://api…:8080 would send the secret key in clear text. The caller's
// client is left as it was: they may use it elsewhere with their own rules.
func refuseRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// do sends one request, retrying as the policy allows, and returns the body
// of the first 2xx answer. authorization is the Authorization header value
// ("Bearer <key>"), or "" to send none. observe, when not nil, receives each
// failed attempt that will be retried, so that callers waiting on a shared
// call can give the real cause when they stop waiting.
func (r *requester) do(ctx context.Context, method, target, authorization string, body []byte, observe func(error)) ([]byte, error) {
	if r.timeout > 0 {
		if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > r.timeout {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, r.timeout)
			defer cancel()
		}
	}
	ctx, ob := r.observer.observeCall(ctx, method, target)
	for attempt := 1; ; attempt++ {
		began := ob.begin()
		respBody, status, err := r.attempt(ctx, method, target, authorization, body)
		if err == nil {
			ob.attempt(ctx, began, status, nil, false, 0)
			ob.end(ctx, nil)
			return respBody, nil
		}
		wait, retry := r.retryAfter(ctx, err, attempt)
		ob.attempt(ctx, began, status, err, retry, wait)
		if !retry {
			ob.end(ctx, err)
			return nil, err
		}
		if observe != nil {
			observe(err)
		}
		if r.logger != nil {
			r.logRetry(ctx, method, target, attempt, wait, err)
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				err = fmt.Errorf("%w (gave up waiting to retry: %w)", err, context.Cause(ctx))
				ob.end(ctx, err)
				return nil, err
			case <-timer.C:
			}
		}
	}
}

// retryAfter decides whether a failed attempt is tried again and after how
// long. Only 429, 5xx and transport failures are: a redirect, any other
// answer or a local error would come back the same. It never plans a wait
// that would end past the context's deadline: the caller gets the last
// error now rather than a timeout later.
func (r *requester) retryAfter(ctx context.Context, err error, attempt int) (time.Duration, bool) {
	if attempt >= r.retry.MaxAttempts || ctx.Err() != nil {
		return 0, false
	}
	wait := r.retry.backoff(attempt)
	var apiErr *APIError
	var tErr *transportError
	switch {
	case errors.As(err, &apiErr):
		if !retryableStatus(apiErr.StatusCode) {
			return 0, false
		}
		if apiErr.RetryAfter > 0 {
			if apiErr.RetryAfter > r.retry.MaxRetryAfter {
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

// logRetry records a retry with the endpoint's route template (the path
// itself for an endpoint without one): a query could carry anything, a
// path names sessions and token ids, and the host is the configured one.
func (r *requester) logRetry(ctx context.Context, method, target string, attempt int, wait time.Duration, err error) {
	route := describeCall(method, target).Route
	if route == "" {
		if u, perr := url.Parse(target); perr == nil {
			route = u.EscapedPath()
		}
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("attempt", attempt),
		slog.Duration("wait", wait),
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		attrs = append(attrs, slog.Int("status", apiErr.StatusCode), slog.String("trace_id", apiErr.TraceID))
	} else {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	r.logger.LogAttrs(ctx, slog.LevelDebug, "clerk: retrying Backend API call", attrs...)
}
