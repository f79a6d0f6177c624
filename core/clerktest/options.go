package clerktest

import (
	"crypto/rsa"
	"io"
	"log/slog"
	"net"
	"time"
)

// Option configures a Server. Options exist mainly for determinism: a test
// that fixes the clock, key, key id and secret key gets byte-identical
// tokens on every run.
type Option func(*config)

type config struct {
	clock     func() time.Time
	key       *rsa.PrivateKey
	keyID     string
	secretKey string
	issuer    string
	listener  net.Listener
	random    io.Reader
	logger    *slog.Logger
}

// WithClock makes the server read time from now instead of time.Now. Every
// time-derived value (iat, exp, nbf, fva, session expiry) follows it.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithKey sets the instance's RSA signing key. Without it the server
// generates an RSA-2048 key, which costs tens of milliseconds; tests that
// start many servers can share one key through this option.
func WithKey(key *rsa.PrivateKey) Option {
	return func(c *config) { c.key = key }
}

// WithKeyID sets the kid of the initial signing key. Clerk's kids look like
// "ins_" followed by the instance id.
func WithKeyID(kid string) Option {
	return func(c *config) { c.keyID = kid }
}

// WithSecretKey sets the secret key the API accepts. A key starting with
// "sk_live_" makes the publishable key "pk_live_…"; anything else gives
// "pk_test_…".
func WithSecretKey(sk string) Option {
	return func(c *config) { c.secretKey = sk }
}

// WithIssuer sets the Frontend API URL used as the iss claim, for example
// "https://clerk.example.com". The publishable key is derived from its host.
func WithIssuer(issuer string) Option {
	return func(c *config) { c.issuer = issuer }
}

// WithFrontendAPIHost is WithIssuer for callers that hold a host, as found
// inside a publishable key ("clerk.example.com").
func WithFrontendAPIHost(host string) Option {
	return func(c *config) { c.issuer = "https://" + host }
}

// WithListener serves on l instead of a fresh 127.0.0.1 port, so a
// standalone process can bind a fixed address and report listen errors itself.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// WithRandom sets the source of the random parts of generated identifiers
// (ids, jti, trace ids, default secret key, kid and host). RSA keys are not
// drawn from it, because crypto/rsa ignores caller randomness; use WithKey.
func WithRandom(r io.Reader) Option {
	return func(c *config) { c.random = r }
}

// WithLogger makes the server log one line per request (method, path,
// endpoint, status). Headers and bodies are never logged, so the secret
// key and tokens stay out of logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}
