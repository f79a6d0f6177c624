package clerk

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Client calls one Clerk instance's Backend API with its secret key. It is
// safe for concurrent use; build one per instance and share it. Two Clients
// share nothing: not the key, not the connection pool.
type Client struct {
	credentials *credentials // behind a pointer so fmt prints an address, not the key
	keyKind     string       // "sk_test" or "sk_live": all String may show
	baseURL     string       // apiURL + "/" + version
	api         *requester   // every Backend API call goes through it
	timeout     time.Duration
	logger      *slog.Logger
	tokenCache  TokenCache // nil: every call mints
	freshness   Freshness
	mintLockTTL time.Duration
	reuse       *tokenReuse
	observer    *Observer // nil: nothing observes
}

// NewClient returns a Client for the instance whose secret key is given.
// A missing or malformed key, or any invalid option, is an error: a Client
// that exists can authenticate to Clerk.
func NewClient(secretKey string, opts ...ClientOption) (*Client, error) {
	kind, err := checkSecretKey(secretKey)
	if err != nil {
		return nil, err
	}
	s, err := clientSettings(opts)
	if err != nil {
		return nil, err
	}
	if s.clock != nil {
		return nil, configError("WithM2MClock applies only to an M2MClient")
	}
	api := newRequester(&s)
	return &Client{
		credentials: newCredentials(secretKey),
		keyKind:     kind,
		baseURL:     s.apiURL + "/" + apiVersion,
		api:         api,
		timeout:     s.timeout, // a shared call's deadline is set before it reaches api
		logger:      s.logger,
		tokenCache:  s.tokenCache,
		freshness:   s.freshness,
		mintLockTTL: s.mintLockTTL,
		reuse:       &tokenReuse{},
		observer:    s.observer,
	}, nil
}

// newRequester builds the Backend API requester from the options: the
// caller's HTTP client made to refuse redirects (or one with its own
// pool), the fixed headers, retries, timeout and size limit. Client and
// M2MClient both call Clerk through it, so neither can miss one of them.
func newRequester(s *settings) *requester {
	hc := s.httpClient
	if hc == nil {
		hc = &http.Client{Transport: newTransport()}
	}
	return &requester{
		client: refuseRedirects(hc),
		header: http.Header{
			"Content-Type":      {"application/json"},
			"Clerk-Api-Version": {clerkAPIVersion},
			"User-Agent":        {defaultUserAgent},
		},
		retry:    s.retry,
		timeout:  s.timeout,
		maxBytes: s.maxBytes,
		logger:   s.logger,
		observer: s.observer,
	}
}

// Environment variables read by NewClientFromEnv; the names are Clerk's.
const (
	EnvSecretKey  = "CLERK_SECRET_KEY"
	EnvAPIURL     = "CLERK_API_URL"
	EnvAPIVersion = "CLERK_API_VERSION"
)

// NewClientFromEnv builds a Client from CLERK_SECRET_KEY and CLERK_API_URL,
// the variables Clerk's SDKs read; CLERK_API_VERSION may be unset or "v1",
// the only version Clerk has. Unset variables keep their defaults; opts are
// applied after them and win.
//
// Every error for a variable's value names the variable, as in
// "clerk: invalid configuration: secret key must start with sk_test_ or
// sk_live_ (from CLERK_SECRET_KEY)", and never the value.
func NewClientFromEnv(opts ...ClientOption) (*Client, error) {
	secretKey := os.Getenv(EnvSecretKey)
	if secretKey == "" {
		return nil, configError(EnvSecretKey + " is not set")
	}
	if _, err := checkSecretKey(secretKey); err != nil {
		return nil, fromEnv(err, EnvSecretKey)
	}
	var envOpts []ClientOption
	if v := os.Getenv(EnvAPIURL); v != "" {
		opt := WithAPIURL(v)
		var probe settings
		if err := opt.applyToClient(&probe); err != nil {
			return nil, fromEnv(err, EnvAPIURL)
		}
		envOpts = append(envOpts, opt)
	}
	if v := os.Getenv(EnvAPIVersion); v != "" && v != apiVersion {
		return nil, configError(EnvAPIVersion + " must be " + apiVersion + " or unset")
	}
	return NewClient(secretKey, append(envOpts, opts...)...)
}

// fromEnv names the variable a refused value came from.
func fromEnv(err error, variable string) error {
	return fmt.Errorf("%w (from %s)", err, variable)
}

// checkSecretKey refuses what cannot be a Clerk secret key and returns its
// kind. The key itself never enters the message.
func checkSecretKey(key string) (kind string, err error) {
	if key == "" {
		return "", configError("secret key is missing (set " + EnvSecretKey + ")")
	}
	var rest string
	switch {
	case strings.HasPrefix(key, "sk_test_"):
		kind, rest = "sk_test", key[len("sk_test_"):]
	case strings.HasPrefix(key, "sk_live_"):
		kind, rest = "sk_live", key[len("sk_live_"):]
	default:
		return "", configError("secret key must start with sk_test_ or sk_live_")
	}
	if rest == "" {
		return "", configError("secret key has nothing after its prefix")
	}
	for i := 0; i < len(rest); i++ {
		if !isWordChar(rest[i]) {
			return "", configError("secret key contains a character Clerk keys never have (whitespace or a quote copied along?)")
		}
	}
	return kind, nil
}

// newTransport gives each Client its own connection pool with timeouts that
// keep a stalled Clerk from holding a request for ever.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// CloseIdleConnections closes the Client's idle keep-alive connections, for
// tests and shutdown.
func (c *Client) CloseIdleConnections() { c.api.client.CloseIdleConnections() }

// String describes the Client without its secret key.
func (c *Client) String() string {
	return "clerk.Client{api: " + c.baseURL + ", key: " + c.keyKind + "_[redacted]}"
}

// GoString keeps %#v from printing the key.
func (c *Client) GoString() string { return c.String() }

// LogValue keeps slog from printing the key.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api", c.baseURL),
		slog.String("key", c.keyKind+"_[redacted]"),
	)
}

// credentials holds the Authorization header value. fmt cannot call
// methods on unexported fields, so redaction by a Format method would not
// protect a Client printed field by field. A pointer is not enough either:
// verbs that do not fit a pointer (%s, %q) print it as "%!s(*credentials=
// &{…})", contents included. A func is printed as an address whatever the
// verb, so the header lives behind one.
type credentials struct {
	authorization func() string // "Bearer <secret key>", built once
}

func newCredentials(secretKey string) *credentials {
	header := "Bearer " + secretKey
	return &credentials{authorization: func() string { return header }}
}
