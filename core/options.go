package clerk

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults a Client starts from; every one of them can be changed by an Option.
const (
	// DefaultAPIURL is Clerk's Backend API.
	DefaultAPIURL = "https://api.clerk.com"
	// DefaultAPIVersion is the version path segment of every Backend API URL.
	DefaultAPIVersion = "v1"
	// DefaultClerkAPIVersion is the dated API version sent in the
	// Clerk-API-Version header. The token and JWKS endpoints are the same in
	// every dated version; pinning one keeps Clerk from changing answers
	// under us.
	DefaultClerkAPIVersion = "2026-05-12"
	// DefaultTimeout bounds one call, retries and waits included, when the
	// caller's context has no earlier deadline.
	DefaultTimeout = 15 * time.Second
	// DefaultMaxResponseBytes caps how much of a response body is read. A
	// token answer is about 1 KiB and a JWKS a few; anything near the cap is
	// not Clerk.
	DefaultMaxResponseBytes = 1 << 20
)

// settings is what the options fill in; NewClient turns it into a Client.
type settings struct {
	apiURL           string
	apiVersion       string
	clerkAPIVersion  string
	httpClient       *http.Client
	timeout          time.Duration
	retry            RetryPolicy
	logger           *slog.Logger
	userAgent        string
	maxResponseBytes int64
	tokenCache       TokenCache
	freshness        Freshness
	mintLockTTL      time.Duration
}

func defaultSettings() settings {
	return settings{
		apiURL:           DefaultAPIURL,
		apiVersion:       DefaultAPIVersion,
		clerkAPIVersion:  DefaultClerkAPIVersion,
		timeout:          DefaultTimeout,
		retry:            DefaultRetryPolicy(),
		userAgent:        defaultUserAgent,
		maxResponseBytes: DefaultMaxResponseBytes,
		freshness:        DefaultFreshness(),
		mintLockTTL:      DefaultMintLockTTL,
	}
}

// An Option configures a Client. Options validate their argument: NewClient
// returns the first option's error instead of building a Client that would
// fail later.
type Option func(*settings) error

// WithAPIURL points the client at another Backend API, such as a proxy or the
// clerktest emulator. It must be an absolute http or https URL without query
// or fragment; a trailing slash is ignored.
func WithAPIURL(apiURL string) Option {
	return func(s *settings) error {
		u, err := url.Parse(apiURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return configError("API URL must be an absolute http(s) URL without credentials, query or fragment")
		}
		s.apiURL = strings.TrimRight(u.String(), "/")
		return nil
	}
}

// WithAPIVersion sets the version path segment (CLERK_API_VERSION, "v1").
func WithAPIVersion(version string) Option {
	return func(s *settings) error {
		if version == "" || !isToken(version) {
			return configError("API version must be one path segment such as v1")
		}
		s.apiVersion = version
		return nil
	}
}

// WithClerkAPIVersion sets the dated version sent in the Clerk-API-Version
// header.
func WithClerkAPIVersion(version string) Option {
	return func(s *settings) error {
		if version == "" || !isToken(version) {
			return configError("Clerk-API-Version must be a date such as " + DefaultClerkAPIVersion)
		}
		s.clerkAPIVersion = version
		return nil
	}
}

// WithHTTPClient makes the client send its requests through hc, for example
// to add tracing or a proxy. The client's own timeout and retries still apply,
// and redirects are never followed: the Client uses a shallow copy of hc
// whose CheckRedirect refuses them (see RedirectError); hc is not changed.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return configError("HTTP client must not be nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each call, retries and waits included. A caller's
// context with an earlier deadline wins. Zero means only the caller's context
// bounds the call.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return configError("timeout must not be negative")
		}
		s.timeout = d
		return nil
	}
}

// WithRetry replaces the retry policy; see RetryPolicy for the fields.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		if err := p.validate(); err != nil {
			return err
		}
		s.retry = p
		return nil
	}
}

// WithoutRetries makes every call a single attempt, as in Clerk's own SDKs.
func WithoutRetries() Option {
	return func(s *settings) error {
		s.retry = RetryPolicy{MaxAttempts: 1}
		return nil
	}
}

// WithLogger receives a debug record for every retry (status, trace id and
// delay; never the key or a token). Without it the client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return configError("logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

// WithUserAgent puts product (for example "my-service/1.2") in front of the
// client's own User-Agent, so Clerk support can tell your calls apart.
func WithUserAgent(product string) Option {
	return func(s *settings) error {
		if product == "" || !isHeaderText(product) {
			return configError("user agent must be printable ASCII")
		}
		s.userAgent = product + " " + defaultUserAgent
		return nil
	}
}

// WithMaxResponseBytes caps how many bytes of a response body are read.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1024 {
			return configError("response limit must be at least 1024 bytes")
		}
		s.maxResponseBytes = n
		return nil
	}
}

// isToken reports whether v is a non-empty run of characters that are safe
// both in a URL path segment and in a header value without escaping.
func isToken(v string) bool {
	for i := 0; i < len(v); i++ {
		if !isWordChar(v[i]) && v[i] != '.' {
			return false
		}
	}
	return v != "" && v != "." && v != ".."
}

// isWordChar reports whether c is an ASCII letter, digit, '_' or '-'.
func isWordChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// isHeaderText reports whether v is printable ASCII, safe in a header value.
func isHeaderText(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

func configError(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, reason)
}
