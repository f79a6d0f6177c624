package clerk

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says when and how long a Client waits before trying a failed
// call again. Only 429, 5xx and transport failures are retried: any other
// answer would come back the same.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 disables retries.
	MaxAttempts int
	// MinBackoff is the base of the exponential backoff: the n-th retry
	// waits a random duration in [0, MinBackoff·2ⁿ⁻¹], capped by MaxBackoff
	// ("full jitter", so that many clients failing together do not come
	// back together).
	MinBackoff time.Duration
	// MaxBackoff caps one computed wait.
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client is willing to
	// sleep through; a longer one ends the call with the 429 at once.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy allows four attempts, waits from 100 ms up to 2 s
// between them, and follows a Retry-After of up to 10 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   4,
		MinBackoff:    100 * time.Millisecond,
		MaxBackoff:    2 * time.Second,
		MaxRetryAfter: 10 * time.Second,
	}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1 || p.MaxAttempts > 20:
		return configError("retry attempts must be between 1 and 20")
	case p.MinBackoff < 0 || p.MaxBackoff < 0 || p.MaxRetryAfter < 0:
		return configError("retry durations must not be negative")
	case p.MaxBackoff < p.MinBackoff:
		return configError("retry MaxBackoff must not be below MinBackoff")
	}
	return nil
}

// backoff returns the wait before retry number n (1 for the first retry).
func (p RetryPolicy) backoff(n int) time.Duration {
	if p.MinBackoff <= 0 {
		return 0
	}
	ceiling := p.MaxBackoff
	if n <= 30 {
		if d := p.MinBackoff << (n - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling + 1)
}

// retryableStatus reports whether an answer with this status may succeed if
// asked again.
func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

// maxRetryAfter caps what a Retry-After header can ask for, so a hostile or
// broken value cannot overflow a Duration.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After value in either of its forms: delay
// seconds or an HTTP date. It returns 0 when the header is absent or
// unreadable, which means "use the backoff".
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now) // saturates instead of overflowing
	}
	return min(max(d, 0), maxRetryAfter)
}
