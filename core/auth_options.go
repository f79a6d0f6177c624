package clerk

import (
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/jose"
)

// Defaults an Authenticator starts from.
const (
	// DefaultClockSkew is the leeway on exp, nbf and iat, as in Clerk's
	// SDKs.
	DefaultClockSkew = 5 * time.Second
	// DefaultVerificationCacheSize is how many verified tokens are
	// remembered so that a repeated token costs no RSA verification.
	DefaultVerificationCacheSize = 4096
	// DefaultVerificationCacheMaxAge is how long a verified token is
	// answered from the cache before it is verified again: a Clerk session
	// token lives 60 seconds, so a real one is rarely verified twice.
	DefaultVerificationCacheMaxAge = time.Minute
	// DefaultMachineTokenReuse is how long a verified opaque machine token
	// is reused before Clerk is asked again.
	DefaultMachineTokenReuse = 10 * time.Second
)

// Fixed bounds no user needs a dial for.
const (
	// maxTokenBytes is the longest token accepted. Clerk's session tokens
	// are about 1 KiB; anything past the limit is refused before parsing.
	maxTokenBytes = 8 << 10
	// keySetRefreshInterval is how long a fetched key set is used before a
	// background refresh (Clerk's SDKs cache it 5 minutes).
	keySetRefreshInterval = 5 * time.Minute
	// unknownKIDRefetchInterval is the least time between two key set
	// fetches caused by tokens whose kid is unknown, so that no token can
	// make us call Clerk per request.
	unknownKIDRefetchInterval = 30 * time.Second
)

type authSettings struct {
	keySources   int // how many key-source options were given; exactly one is valid
	jwtKey       *rsa.PublicKey
	client       *Client
	frontendJWKS bool   // derive the URL from the publishable key
	jwksURL      string // explicit public key set URL
	httpClient   *http.Client

	publishableKey string
	fapiHost       string
	parties        []string

	accepts      tokenKinds
	audiences    []string
	machineReuse time.Duration
	machineStore MachineTokenStore

	skew          time.Duration
	now           func() time.Time
	acceptPending bool
	jwksTTL       time.Duration // test seams; the constants above otherwise
	unknownKIDGap time.Duration
	cacheSize     int
	cacheMaxAge   time.Duration
	logger        *slog.Logger
	observer      *Observer // nil: nothing observes
}

func defaultAuthSettings() authSettings {
	return authSettings{
		skew:          DefaultClockSkew,
		accepts:       kindSession,
		machineReuse:  DefaultMachineTokenReuse,
		now:           time.Now,
		jwksTTL:       keySetRefreshInterval,
		unknownKIDGap: unknownKIDRefetchInterval,
		cacheSize:     DefaultVerificationCacheSize,
		cacheMaxAge:   DefaultVerificationCacheMaxAge,
	}
}

// WithJWTKey verifies with the instance's public key (CLERK_JWT_KEY, from
// the dashboard's API keys page): PEM, or bare base64 SubjectPublicKeyInfo.
// Verification then needs no network and no secret key.
func WithJWTKey(pemOrBase64 string) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		pub, err := jose.ParsePublicKey(pemOrBase64)
		if err != nil {
			return configError("JWT key: " + err.Error())
		}
		s.jwtKey = pub
		s.keySources++
		return nil
	})
}

// WithClient gives the Authenticator the Client it calls Clerk's Backend
// API with, with the Client's secret key, timeout and retries: to verify
// opaque machine tokens (M2M tokens, API keys, OAuth access tokens) and,
// unless WithJWTKey, WithFrontendJWKS or WithJWKSURL gives the keys, to
// fetch the instance's key set (GET /v1/jwks).
func WithClient(c *Client) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		if c == nil {
			return configError("WithClient needs a Client")
		}
		s.client = c
		return nil
	})
}

// WithAcceptedTokens sets the kinds of token the Authenticator accepts
// when a call names none (default: session tokens only, as Clerk's SDKs).
// A token of another kind is signed out with ReasonTokenTypeMismatch, with
// no call to Clerk. Opaque machine tokens are verified over the Backend
// API, so accepting them needs WithClient (or a Client passed to
// NewAuthenticatorFromEnv).
func WithAcceptedTokens(types ...TokenType) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		set, ok := kindsOf(types)
		if !ok || set == 0 {
			return configError("accepted tokens must be one or more TokenType values")
		}
		s.accepts = set
		return nil
	})
}

// WithOAuthAudience requires an OAuth access token's aud to contain one of
// audiences (for JWT-format tokens and the verify answer of opaque ones),
// as the audience option of Clerk's SDKs does. Without it aud is not
// checked.
func WithOAuthAudience(audiences ...string) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		if len(audiences) == 0 || slices.Contains(audiences, "") {
			return configError("OAuth audience: give one or more non-empty values")
		}
		s.audiences = slices.Clone(audiences)
		return nil
	})
}

// WithMachineTokenReuse sets how long a verified opaque machine token is
// reused without asking Clerk again (default 10 s; 0 asks every time) and,
// when store is not nil, a store that shares those answers between replicas
// (clerkredis implements one). Reuse never outlives the token's own
// expiry, but it is the revocation latency: a token revoked at Clerk keeps
// working for up to maxAge where it was verified just before.
func WithMachineTokenReuse(maxAge time.Duration, store MachineTokenStore) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		if maxAge < 0 || maxAge > 5*time.Minute {
			return configError("machine token reuse must be between 0 and 5 minutes")
		}
		s.machineReuse, s.machineStore = maxAge, store
		return nil
	})
}

// WithFrontendJWKS fetches the instance's public keys from its Frontend
// API, https://<frontend-api>/.well-known/jwks.json, with the host taken
// from the publishable key (WithPublishableKey or CLERK_PUBLISHABLE_KEY). No
// secret key is needed.
func WithFrontendJWKS() AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		s.frontendJWKS = true
		s.keySources++
		return nil
	})
}

// WithJWKSURL fetches a public key set from jwksURL: a Frontend API behind a
// proxy, or a test server. WithHTTPClient applies to it.
func WithJWKSURL(jwksURL string) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		if !isHTTPURL(jwksURL) {
			return configError("JWKS URL must be an absolute http(s) URL")
		}
		s.jwksURL = jwksURL
		s.keySources++
		return nil
	})
}

// WithPublishableKey tells the Authenticator its instance: the token's iss
// must then be exactly the instance's Frontend API URL (Clerk's SDKs do not
// check iss), the suffixed session cookie of that instance is preferred,
// and WithFrontendJWKS knows its host.
func WithPublishableKey(pk string) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		host, err := frontendAPIHost(pk)
		if err != nil {
			return err
		}
		s.publishableKey, s.fapiHost = pk, host
		return nil
	})
}

// WithAuthorizedParties lists the origins (such as "https://example.com")
// allowed in a token's azp. Once set, a token without azp is refused too:
// it guards against tokens minted for another site (CSRF-like use).
func WithAuthorizedParties(origins ...string) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
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
	})
}

// WithClockSkew sets the leeway on exp, nbf and iat (default 5 s, at most
// 5 minutes).
func WithClockSkew(d time.Duration) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		if d < 0 || d > 5*time.Minute {
			return configError("clock skew must be between 0 and 5 minutes")
		}
		s.skew = d
		return nil
	})
}

// WithClock replaces time.Now for the checks of exp, nbf and iat, and for
// the key set's and the verification cache's ages: for tests.
func WithClock(now func() time.Time) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		if now == nil {
			return configError("clock must not be nil")
		}
		s.now = now
		return nil
	})
}

// WithAcceptPendingSessions counts sessions with pending tasks (sts
// "pending") as signed in. By default they are signed out with
// ReasonSessionPending, as in Clerk's SDKs.
func WithAcceptPendingSessions() AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		s.acceptPending = true
		return nil
	})
}

// WithVerificationCache sets how many verified tokens are remembered
// (default 4096; 0 turns the cache off) and for how long at most (default 1
// minute, the lifetime of a Clerk session token). A remembered token skips
// the RSA verification, not the other checks: its exp, nbf and iat are
// checked again on every hit. Its own exp does not bound the entry, since
// whoever signed the token chose it; two things do. A hit is taken only
// while the key that verified the token is still in the Authenticator's key
// set, so a key withdrawn from the JWKS stops cached tokens as soon as the
// new set is fetched; and an entry older than maxAge is verified afresh.
func WithVerificationCache(size int, maxAge time.Duration) AuthenticatorOption {
	return authenticatorOption(func(s *authSettings) error {
		if size < 0 || size > 1<<20 {
			return configError("verification cache size must be between 0 and 1048576")
		}
		if maxAge < time.Second || maxAge > time.Hour {
			return configError("verification cache max age must be between 1 second and 1 hour")
		}
		s.cacheSize, s.cacheMaxAge = size, maxAge
		return nil
	})
}

func isHTTPURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}
