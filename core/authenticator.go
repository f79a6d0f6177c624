package clerk

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/clerkkit/clerkkit/core/internal/jose"
)

// Authenticator verifies the tokens of one Clerk instance: session tokens,
// and the machine tokens a route accepts (M2M tokens, API keys, OAuth
// access tokens). It holds that instance's keys and caches and shares them
// with no other Authenticator. It is safe for concurrent use; build one and
// share it.
type Authenticator struct {
	keys          keySource
	issuer        string   // "" when unknown: iss is then not checked
	parties       []string // allowed azp values; empty: azp not checked
	cookieSuffix  string   // "<suffix>", or "" without a publishable key
	development   bool     // a development instance (pk_test_): the dev browser rule applies
	skewMillis    int64
	now           func() time.Time
	acceptPending bool
	accepts       tokenKinds         // the kinds accepted when a call names none
	audiences     []string           // OAuth JWT aud to require; empty: not checked
	verified      *verificationCache // nil when disabled
	fixedKey      bool               // keys is a CLERK_JWT_KEY: a cached entry's key is always current
	opaque        *opaqueVerifier    // nil without a Client
	// cacheMaxAgeMillis bounds how long a cache entry is trusted
	// without verifying the token again, whatever its exp says.
	cacheMaxAgeMillis int64
	logger            *slog.Logger
	observer          *Observer // nil: nothing observes
}

// Environment variables read by NewAuthenticatorFromEnv. CLERK_JWT_KEY is
// Clerk's name; CLERK_AUTHORIZED_PARTIES (a comma list) is a common
// convention.
const (
	EnvJWTKey            = "CLERK_JWT_KEY"
	EnvAuthorizedParties = "CLERK_AUTHORIZED_PARTIES"
)

// NewAuthenticator builds an Authenticator from options. It needs keys:
// WithJWTKey (networkless), WithFrontendJWKS or WithJWKSURL, or else a
// WithClient, whose Backend API key set is then used.
func NewAuthenticator(opts ...AuthenticatorOption) (*Authenticator, error) {
	s := defaultAuthSettings()
	if err := s.apply(opts); err != nil {
		return nil, err
	}
	return newAuthenticator(&s)
}

// NewAuthenticatorFromEnv builds an Authenticator from Clerk's environment
// variables: CLERK_JWT_KEY (networkless verification; otherwise the key set
// is fetched with client, which may then not be nil), CLERK_PUBLISHABLE_KEY
// (issuer check and suffixed cookie) and CLERK_AUTHORIZED_PARTIES; client,
// when not nil, verifies opaque machine tokens and, without CLERK_JWT_KEY,
// provides the keys. Options win over the environment: a key source among
// opts replaces CLERK_JWT_KEY.
func NewAuthenticatorFromEnv(client *Client, opts ...AuthenticatorOption) (*Authenticator, error) {
	s := defaultAuthSettings()
	if pk := os.Getenv(EnvPublishableKey); pk != "" {
		if err := WithPublishableKey(pk).applyToAuthenticator(&s); err != nil {
			return nil, fromEnv(err, EnvPublishableKey)
		}
	}
	if parties := splitList(os.Getenv(EnvAuthorizedParties)); len(parties) > 0 {
		if err := WithAuthorizedParties(parties...).applyToAuthenticator(&s); err != nil {
			return nil, fromEnv(err, EnvAuthorizedParties)
		}
	}
	if client != nil {
		s.client = client
	}
	if err := s.apply(opts); err != nil {
		return nil, err
	}
	if s.keySources == 0 {
		if key := os.Getenv(EnvJWTKey); key != "" {
			if err := WithJWTKey(key).applyToAuthenticator(&s); err != nil {
				return nil, fromEnv(err, EnvJWTKey)
			}
		} else if s.client == nil {
			return nil, configError("no key source: set " + EnvJWTKey + " or pass a Client")
		}
	}
	return newAuthenticator(&s)
}

func (s *authSettings) apply(opts []AuthenticatorOption) error {
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt.applyToAuthenticator(s); err != nil {
			return err
		}
	}
	return nil
}

func newAuthenticator(s *authSettings) (*Authenticator, error) {
	keys, err := s.keySource()
	if err != nil {
		return nil, err
	}
	_, fixed := keys.(staticKey)
	a := &Authenticator{
		keys:          keys,
		fixedKey:      fixed,
		parties:       s.parties,
		skewMillis:    s.skew.Milliseconds(),
		now:           s.now,
		acceptPending: s.acceptPending,
		accepts:       s.accepts,
		audiences:     s.audiences,
		logger:        s.logger,
		observer:      s.observer,
	}
	if s.client != nil {
		a.opaque = newOpaqueVerifier(s.client, s.machineReuse, s.machineStore, s.now)
		if s.observer != nil {
			a.opaque.api.observer = s.observer // the Authenticator's own observer wins
		}
	}
	if s.publishableKey != "" {
		a.cookieSuffix = sessionCookieSuffix(s.publishableKey)
		a.development = strings.HasPrefix(s.publishableKey, "pk_test_")
		a.issuer = "https://" + s.fapiHost
	}
	if s.cacheSize > 0 {
		a.verified = newVerificationCache(s.cacheSize)
		a.cacheMaxAgeMillis = s.cacheMaxAge.Milliseconds()
	}
	return a, nil
}

// keySource builds the one key source the options chose.
func (s *authSettings) keySource() (keySource, error) {
	switch {
	case s.keySources == 0:
		if s.client != nil {
			return s.clientKeys(), nil
		}
		return nil, configError("no key source: use WithJWTKey, WithClient, WithFrontendJWKS or WithJWKSURL")
	case s.keySources > 1:
		return nil, configError("more than one key source given; choose one")
	case s.jwtKey != nil:
		return staticKey{jose.Key{Pub: s.jwtKey}}, nil
	}
	var fetch func(context.Context) ([]byte, error)
	switch {
	case s.jwksURL != "":
		fetch = publicJWKSFetcher(s.httpClient, s.jwksURL, s.observer)
	case s.fapiHost == "":
		return nil, configError("WithFrontendJWKS needs a publishable key")
	default:
		fetch = publicJWKSFetcher(s.httpClient, "https://"+s.fapiHost+"/.well-known/jwks.json", s.observer)
	}
	return s.jwks(fetch), nil
}

// clientKeys is the key set of the Backend API, fetched with the Client.
func (s *authSettings) clientKeys() keySource { return s.jwks(s.client.jwksFetcher(s.observer)) }

func (s *authSettings) jwks(fetch func(context.Context) ([]byte, error)) *jwksCache {
	return &jwksCache{
		fetch:    fetch,
		now:      s.now,
		ttl:      s.jwksTTL,
		minGap:   s.unknownKIDGap,
		logger:   s.logger,
		observer: s.observer,
	}
}

// fetchJWKS reads the instance's key set from the Backend API, with the
// Client's retries, timeout and response size limit.
func (c *Client) fetchJWKS(ctx context.Context) ([]byte, error) {
	return c.call(ctx, http.MethodGet, "/jwks", nil)
}

// jwksFetcher is fetchJWKS reporting to obs instead of the Client's
// observer, when obs is not nil.
func (c *Client) jwksFetcher(obs *Observer) func(context.Context) ([]byte, error) {
	if obs == nil {
		return c.fetchJWKS
	}
	api := *c.api
	api.observer = obs
	return func(ctx context.Context) ([]byte, error) {
		return api.do(ctx, http.MethodGet, c.baseURL+"/jwks", c.credentials.authorization(), nil, nil)
	}
}

// Authenticate reads the token from what the request carries and verifies
// it, accepting the kinds named (none: the Authenticator's
// WithAcceptedTokens, session tokens by default). It never returns nil: a
// request without a valid token of an accepted kind gets a signed-out Auth
// whose Reason says why.
//
// The token is read as Clerk's SDKs read it: an Authorization header with
// the scheme exactly "Bearer" wins and cookies are then not read; any other
// header is ignored and the cookie path runs. A session token from a
// cookie must come with __client_uat and not predate it, and on a
// development instance with the dev browser cookie, as Clerk's
// authenticateRequest requires for requests that are not page loads (no
// handshake here: such a request is signed out with Clerk's reason).
func (a *Authenticator) Authenticate(ctx context.Context, src Carrier, accepts ...TokenType) *Auth {
	if !a.observer.observesAuthentication() {
		return a.authenticate(ctx, src, accepts)
	}
	start := time.Now()
	auth := a.authenticate(ctx, src, accepts)
	a.observer.authentication(ctx, auth.kind, auth.machine != nil, auth.err, start)
	return auth
}

func (a *Authenticator) authenticate(ctx context.Context, src Carrier, accepts []TokenType) *Auth {
	kinds := a.kinds(accepts)
	if src == nil {
		return a.refuse(ctx, "", authErr(ReasonSessionTokenMissing, "no token in the request"))
	}
	if token, ok := bearerToken(src.Header("Authorization")); ok {
		auth, kind, err := a.verify(ctx, token, false, kinds)
		if err != nil {
			return a.refuse(ctx, kind, err)
		}
		return auth
	}
	st := a.readCookies(src)
	if err := a.cookieRule(st); err != nil {
		kind := TokenTypeSessionToken
		if st.token == "" {
			kind = "" // there was no token
		}
		return a.refuse(ctx, kind, err)
	}
	auth, kind, err := a.verify(ctx, st.token, true, kinds)
	if err == nil {
		err = checkClientUAT(auth, st.uat)
	}
	if err != nil {
		return a.refuse(ctx, kind, err)
	}
	return auth
}

func (a *Authenticator) refuse(ctx context.Context, kind TokenType, err *AuthError) *Auth {
	a.logRefusal(ctx, err)
	return signedOut(kind, err)
}

// AuthenticateRequest is Authenticate for a net/http request.
func (a *Authenticator) AuthenticateRequest(r *http.Request, accepts ...TokenType) *Auth {
	return a.Authenticate(r.Context(), requestCarrier{r}, accepts...)
}

// VerifyToken verifies one token, from wherever it came, accepting the
// kinds named (none: the Authenticator's default). A refused token gives a
// nil Auth and an *AuthError with the Reason.
func (a *Authenticator) VerifyToken(ctx context.Context, token string, accepts ...TokenType) (*Auth, error) {
	var start time.Time
	observing := a.observer.observesAuthentication()
	if observing {
		start = time.Now()
	}
	auth, kind, err := a.verify(ctx, token, false, a.kinds(accepts))
	if observing {
		a.observer.authentication(ctx, kind, auth != nil && auth.machine != nil, err, start)
	}
	if err != nil {
		a.logRefusal(ctx, err)
		return nil, err
	}
	return auth, nil
}

// kinds is the set a call accepts. A name that is no TokenType accepts
// nothing, so a typo fails closed.
func (a *Authenticator) kinds(accepts []TokenType) tokenKinds {
	if len(accepts) == 0 {
		return a.accepts
	}
	set, _ := kindsOf(accepts)
	return set
}

func (a *Authenticator) logRefusal(ctx context.Context, err *AuthError) {
	if a.logger == nil || err.Reason == ReasonSessionTokenMissing || !a.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("reason", string(err.Reason)), slog.String("detail", err.Detail)}
	if err.Err != nil {
		attrs = append(attrs, slog.String("error", err.Err.Error()))
	}
	a.logger.LogAttrs(ctx, slog.LevelDebug, "clerk: token refused", attrs...)
}

// String describes the Authenticator's configuration (never a key).
func (a *Authenticator) String() string {
	return "clerk.Authenticator{issuer: " + a.issuer + "}"
}

func splitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
