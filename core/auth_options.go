package clerk

import (
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/jose"
)

// Defaults an Authenticator starts from; AuthOptions change them.
const (
	// DefaultClockSkew is the leeway on exp, nbf and iat, as in Clerk's
	// SDKs.
	DefaultClockSkew = 5 * time.Second
	// DefaultMaxTokenBytes is the longest token accepted. Clerk's session
	// tokens are about 1 KiB; anything past the limit is refused before
	// parsing.
	DefaultMaxTokenBytes = 8 << 10
	// DefaultJWKSRefreshInterval is how long a fetched key set is used
	// before a background refresh (Clerk's SDKs cache it 5 minutes).
	DefaultJWKSRefreshInterval = 5 * time.Minute
	// DefaultUnknownKIDRefetchInterval is the least time between two key set
	// fetches caused by tokens whose kid is unknown.
	DefaultUnknownKIDRefetchInterval = 30 * time.Second
	// DefaultVerifiedTokenCacheSize is how many verified tokens are
	// remembered so that a repeated token costs no RSA verification.
	DefaultVerifiedTokenCacheSize = 4096
	// DefaultVerifiedTokenMaxAge is how long a verified token is answered
	// from the cache before it is verified again: a Clerk session token
	// lives 60 seconds, so a real one is rarely verified twice.
	DefaultVerifiedTokenMaxAge = time.Minute
)

// An AuthOption configures an Authenticator. Options validate their
// argument: NewAuthenticator returns the first error instead of building an
// Authenticator that would fail later.
type AuthOption func(*authSettings) error

type authSettings struct {
	keySources   int // how many key-source options were given; exactly one is valid
	jwtKey       *rsa.PublicKey
	backend      *Client
	frontendJWKS bool   // derive the URL from the publishable key
	jwksURL      string // explicit public key set URL
	jwksHTTP     *http.Client

	publishableKey string
	fapiHost       string
	issuer         string
	parties        []string

	skew          time.Duration
	now           func() time.Time
	acceptPending bool
	maxTokenBytes int
	jwksTTL       time.Duration
	unknownKIDGap time.Duration
	cacheSize     int
	cacheMaxAge   time.Duration
	logger        *slog.Logger
}

func defaultAuthSettings() authSettings {
	return authSettings{
		skew:          DefaultClockSkew,
		now:           time.Now,
		maxTokenBytes: DefaultMaxTokenBytes,
		jwksTTL:       DefaultJWKSRefreshInterval,
		unknownKIDGap: DefaultUnknownKIDRefetchInterval,
		cacheSize:     DefaultVerifiedTokenCacheSize,
		cacheMaxAge:   DefaultVerifiedTokenMaxAge,
	}
}

// WithJWTKey verifies with the instance's public key (CLERK_JWT_KEY, from
// the dashboard's API keys page): PEM, or bare base64 SubjectPublicKeyInfo.
// Verification then needs no network and no secret key.
func WithJWTKey(pemOrBase64 string) AuthOption {
	return func(s *authSettings) error {
		pub, err := jose.ParsePublicKey(pemOrBase64)
		if err != nil {
			return configError("JWT key: " + err.Error())
		}
		s.jwtKey = pub
		s.keySources++
		return nil
	}
}

// WithBackendJWKS fetches the instance's keys from the Backend API
// (GET /v1/jwks) with the Client's secret key, timeout and retries.
func WithBackendJWKS(c *Client) AuthOption {
	return func(s *authSettings) error {
		if c == nil {
			return configError("backend JWKS needs a Client")
		}
		s.backend = c
		s.keySources++
		return nil
	}
}

// WithFrontendJWKS fetches the instance's public keys from its Frontend
// API, https://<frontend-api>/.well-known/jwks.json, with the host taken
// from the publishable key (WithPublishableKey or CLERK_PUBLISHABLE_KEY). No
// secret key is needed.
func WithFrontendJWKS() AuthOption {
	return func(s *authSettings) error {
		s.frontendJWKS = true
		s.keySources++
		return nil
	}
}

// WithJWKSURL fetches a public key set from jwksURL: a Frontend API behind a
// proxy, or a test server.
func WithJWKSURL(jwksURL string) AuthOption {
	return func(s *authSettings) error {
		if !isHTTPURL(jwksURL) {
			return configError("JWKS URL must be an absolute http(s) URL")
		}
		s.jwksURL = jwksURL
		s.keySources++
		return nil
	}
}

// WithJWKSHTTPClient sends the requests of WithFrontendJWKS and WithJWKSURL
// through hc. (WithBackendJWKS uses the Client's own.)
func WithJWKSHTTPClient(hc *http.Client) AuthOption {
	return func(s *authSettings) error {
		if hc == nil {
			return configError("JWKS HTTP client must not be nil")
		}
		s.jwksHTTP = hc
		return nil
	}
}

// WithPublishableKey tells the Authenticator its instance: the token's iss
// must then be the instance's Frontend API URL, the suffixed session cookie
// of that instance is preferred, and WithFrontendJWKS knows its host.
func WithPublishableKey(pk string) AuthOption {
	return func(s *authSettings) error {
		host, err := frontendAPIHost(pk)
		if err != nil {
			return err
		}
		s.publishableKey, s.fapiHost = pk, host
		return nil
	}
}

// WithIssuer sets the iss every token must carry exactly, overriding the
// one derived from the publishable key (for a custom Frontend API domain).
func WithIssuer(iss string) AuthOption {
	return func(s *authSettings) error {
		if !isHTTPURL(iss) {
			return configError("issuer must be an absolute http(s) URL")
		}
		s.issuer = iss
		return nil
	}
}

// WithAuthorizedParties lists the origins (such as "https://example.com")
// allowed in a token's azp. Once set, a token without azp is refused too:
// it guards against tokens minted for another site (CSRF-like use).
func WithAuthorizedParties(origins ...string) AuthOption {
	return func(s *authSettings) error {
		if len(origins) == 0 {
			return configError("authorized parties: at least one origin is needed")
		}
		for _, o := range origins {
			if o == "" || strings.ContainsAny(o, " \t\r\n,") {
				return configError("authorized party must be a non-empty origin without spaces or commas")
			}
		}
		s.parties = append([]string(nil), origins...)
		return nil
	}
}

// WithClockSkew sets the leeway on exp, nbf and iat (default 5 s, at most
// 5 minutes).
func WithClockSkew(d time.Duration) AuthOption {
	return func(s *authSettings) error {
		if d < 0 || d > 5*time.Minute {
			return configError("clock skew must be between 0 and 5 minutes")
		}
		s.skew = d
		return nil
	}
}

// WithAuthClock replaces time.Now, for tests. (Named apart from the
// Client's options so the two never collide.)
func WithAuthClock(now func() time.Time) AuthOption {
	return func(s *authSettings) error {
		if now == nil {
			return configError("clock must not be nil")
		}
		s.now = now
		return nil
	}
}

// WithAcceptPendingSessions counts sessions with pending tasks (sts
// "pending") as signed in. By default they are signed out with
// ReasonSessionPending, as in Clerk's SDKs.
func WithAcceptPendingSessions() AuthOption {
	return func(s *authSettings) error {
		s.acceptPending = true
		return nil
	}
}

// WithMaxTokenBytes sets the longest token accepted (default 8 KiB).
func WithMaxTokenBytes(n int) AuthOption {
	return func(s *authSettings) error {
		if n < 512 || n > 1<<20 {
			return configError("token limit must be between 512 bytes and 1 MiB")
		}
		s.maxTokenBytes = n
		return nil
	}
}

// WithJWKSRefreshInterval sets how long a fetched key set is used before it
// is refreshed in the background (default 5 minutes).
func WithJWKSRefreshInterval(d time.Duration) AuthOption {
	return func(s *authSettings) error {
		if d < time.Second || d > 24*time.Hour {
			return configError("JWKS refresh interval must be between 1 second and 24 hours")
		}
		s.jwksTTL = d
		return nil
	}
}

// WithUnknownKIDRefetchInterval sets the least time between key set fetches
// caused by an unknown kid (default 30 s). Tokens with unknown kids in
// between are refused without calling Clerk.
func WithUnknownKIDRefetchInterval(d time.Duration) AuthOption {
	return func(s *authSettings) error {
		if d < 100*time.Millisecond || d > 24*time.Hour {
			return configError("unknown kid refetch interval must be between 100 ms and 24 hours")
		}
		s.unknownKIDGap = d
		return nil
	}
}

// WithVerifiedTokenCacheSize sets how many verified tokens are remembered
// (default 4096); 0 disables the cache. A remembered token skips the RSA
// verification, not the other checks: its exp, nbf and iat are checked
// again on every hit. Its own exp does not bound the entry, since whoever
// signed the token chose it; two things do. A hit is taken only while the
// key that verified the token is still in the Authenticator's key set, so a
// key withdrawn from the JWKS stops cached tokens as soon as the new set is
// fetched; and an entry older than WithVerifiedTokenMaxAge is verified
// afresh.
func WithVerifiedTokenCacheSize(n int) AuthOption {
	return func(s *authSettings) error {
		if n < 0 || n > 1<<20 {
			return configError("verified token cache size must be between 0 and 1048576")
		}
		s.cacheSize = n
		return nil
	}
}

// WithVerifiedTokenMaxAge sets how long a verified token is answered from
// the cache before its signature is checked again (default 1 minute, the
// lifetime of a Clerk session token), whatever the token's exp.
func WithVerifiedTokenMaxAge(d time.Duration) AuthOption {
	return func(s *authSettings) error {
		if d < time.Second || d > time.Hour {
			return configError("verified token max age must be between 1 second and 1 hour")
		}
		s.cacheMaxAge = d
		return nil
	}
}

// WithAuthLogger receives a debug record for every refused token (its
// reason, never the token) and a warning when a key set fetch fails.
func WithAuthLogger(l *slog.Logger) AuthOption {
	return func(s *authSettings) error {
		if l == nil {
			return configError("logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

func isHTTPURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}
