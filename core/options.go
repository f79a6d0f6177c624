package clerk

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults a Client starts from.
const (
	// DefaultAPIURL is Clerk's Backend API.
	DefaultAPIURL = "https://api.clerk.com"
	// DefaultTimeout bounds one call, retries and waits included, when the
	// caller's context has no earlier deadline.
	DefaultTimeout = 15 * time.Second
)

// Fixed facts of the wire that no user needs a dial for.
const (
	// apiVersion is the version path segment of every Backend API URL;
	// Clerk has only ever had v1.
	apiVersion = "v1"
	// clerkAPIVersion is the dated version sent in the Clerk-API-Version
	// header. The token and JWKS endpoints are the same in every dated
	// version; pinning one keeps Clerk from changing answers under us.
	clerkAPIVersion = "2026-05-12"
	// maxResponseBytes caps how much of a response body is read. A token
	// answer is about 1 KiB and a JWKS a few; anything near the cap is not
	// Clerk.
	maxResponseBytes = 1 << 20
)

// settings is what the options fill in; NewClient turns it into a Client.
type settings struct {
	apiURL      string
	httpClient  *http.Client
	timeout     time.Duration
	retry       RetryPolicy
	logger      *slog.Logger
	tokenCache  TokenCache
	freshness   Freshness
	mintLockTTL time.Duration // test seams; the constants otherwise
	maxBytes    int64
	observer    *Observer        // nil: nothing observes
	clock       func() time.Time // WithM2MClock; M2MClient only
	// clientOnly names an option given that only a Client uses (the
	// template-token cache), so NewM2MClient can refuse it by name.
	clientOnly string
}

func defaultSettings() settings {
	return settings{
		apiURL:      DefaultAPIURL,
		timeout:     DefaultTimeout,
		retry:       DefaultRetryPolicy(),
		freshness:   DefaultFreshness(),
		mintLockTTL: mintLockTTL,
		maxBytes:    maxResponseBytes,
	}
}

// clientSettings applies opts, in order, over the defaults; nil options
// are skipped. NewClient and NewM2MClient share it.
func clientSettings(opts []ClientOption) (settings, error) {
	s := defaultSettings()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt.applyToClient(&s); err != nil {
			return settings{}, err
		}
	}
	return s, nil
}

// A ClientOption configures NewClient. Options validate their argument,
// and the constructors return the first error instead of building
// something that would fail later.
type ClientOption interface{ applyToClient(*settings) error }

// An AuthenticatorOption configures NewAuthenticator.
type AuthenticatorOption interface {
	applyToAuthenticator(*authSettings) error
}

// An Option configures either constructor: WithLogger and WithHTTPClient
// mean the same to a Client and an Authenticator, so they have one name.
type Option interface {
	ClientOption
	AuthenticatorOption
}

type clientOption func(*settings) error

func (f clientOption) applyToClient(s *settings) error { return f(s) }

type authenticatorOption func(*authSettings) error

func (f authenticatorOption) applyToAuthenticator(s *authSettings) error { return f(s) }

// sharedOption is an Option: one setting for both constructors.
type sharedOption struct {
	client clientOption
	auth   authenticatorOption
}

func (o sharedOption) applyToClient(s *settings) error { return o.client(s) }

func (o sharedOption) applyToAuthenticator(s *authSettings) error { return o.auth(s) }

// WithAPIURL points the client at another Backend API, such as a proxy or the
// clerktest emulator. It must be an absolute http or https URL without query
// or fragment; a trailing slash is ignored.
func WithAPIURL(apiURL string) ClientOption {
	return clientOption(func(s *settings) error {
		u, err := url.Parse(apiURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return configError("API URL must be an absolute http(s) URL without credentials, query or fragment")
		}
		s.apiURL = strings.TrimRight(u.String(), "/")
		return nil
	})
}

// WithHTTPClient sends requests to Clerk through hc, for example to add
// tracing or a proxy: the Client's Backend API calls, and the
// Authenticator's key set fetches from WithFrontendJWKS and WithJWKSURL
// (WithClient uses its Client's). Timeouts and retries still apply, and
// redirects are never followed: a shallow copy of hc whose CheckRedirect
// refuses them is used (see RedirectError); hc is not changed.
func WithHTTPClient(hc *http.Client) Option {
	check := func() error {
		if hc == nil {
			return configError("HTTP client must not be nil")
		}
		return nil
	}
	return sharedOption{
		client: func(s *settings) error { s.httpClient = hc; return check() },
		auth:   func(s *authSettings) error { s.httpClient = hc; return check() },
	}
}

// WithTimeout bounds each call, retries and waits included. A caller's
// context with an earlier deadline wins. Zero means only the caller's context
// bounds the call.
func WithTimeout(d time.Duration) ClientOption {
	return clientOption(func(s *settings) error {
		if d < 0 {
			return configError("timeout must not be negative")
		}
		s.timeout = d
		return nil
	})
}

// WithRetry replaces the retry policy; see RetryPolicy for the fields.
// RetryPolicy{MaxAttempts: 1} makes every call a single attempt, as in
// Clerk's own SDKs.
func WithRetry(p RetryPolicy) ClientOption {
	return clientOption(func(s *settings) error {
		if err := p.validate(); err != nil {
			return err
		}
		s.retry = p
		return nil
	})
}

// WithLogger receives what is worth knowing and never a key or a token: a
// Client logs a debug record for every retry (status, trace id, delay) and
// TokenHandler failures; an Authenticator a debug record for every refused
// token (its reason) and a warning when a key set fetch fails. Without it
// nothing is logged, except TokenHandler failures, which go to
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	check := func() error {
		if l == nil {
			return configError("logger must not be nil")
		}
		return nil
	}
	return sharedOption{
		client: func(s *settings) error { s.logger = l; return check() },
		auth:   func(s *authSettings) error { s.logger = l; return check() },
	}
}

// isWordChar reports whether c is an ASCII letter, digit, '_' or '-'.
func isWordChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

func configError(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, reason)
}
