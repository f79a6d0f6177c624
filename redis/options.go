package clerkredis

import (
	"errors"
	"log/slog"
	"strings"
	"time"
)

// DefaultTimeout bounds each Redis operation. A cache answer slower than
// this is worth less than minting: the Client then goes to Clerk directly.
const DefaultTimeout = 100 * time.Millisecond

// DefaultKeyPrefix starts every key the cache writes.
const DefaultKeyPrefix = "clerkkit:"

// MinSecretBytes is the least secret New accepts: enough entropy for the
// derived AES-256 and HMAC keys to be as strong as their size.
const MinSecretBytes = 32

// An Option configures New.
type Option func(*settings) error

type settings struct {
	secret   []byte
	instance string
	prefix   string
	timeout  time.Duration
	logger   *slog.Logger
	now      func() time.Time
}

func defaultSettings() settings {
	return settings{prefix: DefaultKeyPrefix, timeout: DefaultTimeout, now: time.Now}
}

// WithSecret sets the input of the key derivation (HKDF-SHA256) for the
// encryption key and the key-name hashing key. It is required and must be
// at least MinSecretBytes long; every replica sharing the cache needs the
// same one. The Clerk secret key is an acceptable secret: whoever holds it
// can mint any token anyway, so the cache adds no exposure, and rotating it
// simply empties the cache. A dedicated random secret works as well and
// keeps a Redis compromise and a secret-key leak apart.
func WithSecret(secret []byte) Option {
	return func(s *settings) error {
		if len(secret) < MinSecretBytes {
			return configError("secret must be at least 32 bytes")
		}
		s.secret = append([]byte(nil), secret...)
		return nil
	}
}

// WithInstance names the Clerk instance whose tokens the cache holds, for
// example its publishable key. Caches with different instances never see
// each other's entries, even with the same secret. It may be left out when
// the secret is already per instance (the Clerk secret key is).
func WithInstance(id string) Option {
	return func(s *settings) error {
		s.instance = id
		return nil
	}
}

// WithKeyPrefix replaces DefaultKeyPrefix. The prefix must not contain
// braces: the cache puts a session's keys in one Redis Cluster hash slot
// with a {hash tag} of its own.
func WithKeyPrefix(prefix string) Option {
	return func(s *settings) error {
		if strings.ContainsAny(prefix, "{}") {
			return configError("key prefix must not contain braces")
		}
		s.prefix = prefix
		return nil
	}
}

// WithTimeout replaces DefaultTimeout. Each operation also ends with the
// caller's context, whichever comes first.
func WithTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 || d > 10*time.Second {
			return configError("timeout must be above 0 and at most 10s")
		}
		s.timeout = d
		return nil
	}
}

// WithLogger receives the cache's warnings: Redis errors, and values that
// fail authentication. It defaults to slog.Default(). Log lines never carry
// a token, a key name or key material, and repeated errors are logged at
// most once a second with a count of those left out.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return configError("logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

// WithClock makes the cache read the time from now instead of time.Now,
// mainly for tests. The clock decides whether a stored token is still
// fresh, the TTL its value gets in Redis (the time left until its fresh-
// until, by this clock), and the second after a Redis failure during which
// the cache leaves Redis alone. Redis's own expiry runs on Redis's clock,
// and operation timeouts on the real one.
func WithClock(now func() time.Time) Option {
	return func(s *settings) error {
		if now == nil {
			return configError("clock must not be nil")
		}
		s.now = now
		return nil
	}
}

// ErrConfig is wrapped by every configuration error New returns.
var ErrConfig = errors.New("clerkredis: invalid configuration")

func configError(reason string) error {
	return &configErr{reason}
}

type configErr struct{ reason string }

func (e *configErr) Error() string { return "clerkredis: " + e.reason }
func (e *configErr) Unwrap() error { return ErrConfig }
