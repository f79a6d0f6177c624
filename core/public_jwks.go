package clerk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// maxJWKSBytes bounds a public key set response; Clerk's is under 1 KiB.
const maxJWKSBytes = 256 << 10

// publicJWKSFetcher fetches a key set that needs no secret key, such as the
// Frontend API's /.well-known/jwks.json. It tries three times with a short
// backoff on transport errors, 429 and 5xx, as the Backend API client does.
func publicJWKSFetcher(hc *http.Client, target string) func(context.Context) ([]byte, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return func(ctx context.Context) ([]byte, error) {
		var lastErr error
		for attempt := 0; attempt < 3; attempt++ {
			if attempt > 0 {
				timer := time.NewTimer(time.Duration(attempt) * 250 * time.Millisecond)
				select {
				case <-ctx.Done():
					timer.Stop()
					return nil, errors.Join(lastErr, context.Cause(ctx))
				case <-timer.C:
				}
			}
			body, retry, err := getJWKS(ctx, hc, target)
			if err == nil {
				return body, nil
			}
			lastErr = err
			if !retry {
				break
			}
		}
		return nil, lastErr
	}
}

func getJWKS(ctx context.Context, hc *http.Client, target string) (body []byte, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", defaultUserAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("clerk: GET JWKS: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500,
			fmt.Errorf("clerk: GET JWKS: status %d", resp.StatusCode)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, true, fmt.Errorf("clerk: GET JWKS: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, false, fmt.Errorf("clerk: GET JWKS: response over %d bytes", maxJWKSBytes)
	}
	return body, false, nil
}
