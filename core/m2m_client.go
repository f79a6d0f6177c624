package clerk

import (
	"log/slog"
	"os"
	"strings"
	"time"
)

// EnvMachineSecretKey is the variable NewM2MClientFromEnv reads, the name
// Clerk's documentation gives a machine's secret key.
const EnvMachineSecretKey = "CLERK_MACHINE_SECRET_KEY"

// M2MClient calls Clerk's Backend API as one machine, with that machine's
// secret key ("ak_…"), to mint and revoke its M2M tokens. It is the machine
// half of getToken: a worker, cron job or backend uses it, usually through
// a [M2MTokenSource], to call other services that accept M2M tokens.
//
// It is safe for concurrent use; build one per machine and share it. It
// shares nothing with a [Client]: not the key, not the connection pool.
type M2MClient struct {
	credentials *credentials // behind a func so fmt never prints the key
	baseURL     string       // apiURL + "/" + version
	api         *requester
	logger      *slog.Logger // nil: nothing logged but refresh failures (slog.Default)
	now         func() time.Time
}

// NewM2MClient returns an M2MClient for the machine whose secret key is
// given. A missing or malformed key is an error naming
// CLERK_MACHINE_SECRET_KEY; the key never appears in it.
//
// It takes the ClientOptions that concern calling Clerk: WithAPIURL,
// WithHTTPClient, WithTimeout, WithRetry, WithLogger, WithObserver and
// WithM2MClock. WithTokenCache and WithTokenFreshness configure the
// session-token cache of a Client and are refused: a [M2MTokenSource]
// does that job here.
func NewM2MClient(machineSecretKey string, opts ...ClientOption) (*M2MClient, error) {
	if err := checkMachineSecretKey(machineSecretKey); err != nil {
		return nil, err
	}
	s, err := clientSettings(opts)
	if err != nil {
		return nil, err
	}
	if s.clientOnly != "" {
		return nil, configError(s.clientOnly + " configures a Client's session tokens; an M2MClient reuses tokens through its TokenSource")
	}
	now := s.clock
	if now == nil {
		now = time.Now
	}
	return &M2MClient{
		credentials: newCredentials(machineSecretKey),
		baseURL:     s.apiURL + "/" + apiVersion,
		api:         newRequester(&s),
		logger:      s.logger,
		now:         now,
	}, nil
}

// NewM2MClientFromEnv builds an M2MClient from CLERK_MACHINE_SECRET_KEY and
// CLERK_API_URL (and refuses a CLERK_API_VERSION other than v1, as
// NewClientFromEnv does). opts are applied after the variables and win.
func NewM2MClientFromEnv(opts ...ClientOption) (*M2MClient, error) {
	var fromEnv []ClientOption
	if v, ok := os.LookupEnv(EnvAPIURL); ok && v != "" {
		fromEnv = append(fromEnv, WithAPIURL(v))
	}
	if v := os.Getenv(EnvAPIVersion); v != "" && v != apiVersion {
		return nil, configError(EnvAPIVersion + " must be " + apiVersion + " or unset")
	}
	return NewM2MClient(os.Getenv(EnvMachineSecretKey), append(fromEnv, opts...)...)
}

// WithM2MClock replaces time.Now where an M2MClient and its token sources
// judge expiry: whether Clerk's answer is already expired, and when a
// source refreshes. It is for tests that simulate hours of tokens without
// waiting (with the clerktest emulator's own WithClock on the same clock);
// retry waits and timeouts still use real time. NewClient refuses it.
func WithM2MClock(now func() time.Time) ClientOption {
	return clientOption(func(s *settings) error {
		if now == nil {
			return configError("clock must not be nil")
		}
		s.clock = now
		return nil
	})
}

// checkMachineSecretKey refuses what cannot be a machine secret key. The
// key itself never enters the message.
func checkMachineSecretKey(key string) error {
	switch {
	case key == "":
		return configError("machine secret key is missing (set " + EnvMachineSecretKey + ")")
	case strings.HasPrefix(key, "sk_test_") || strings.HasPrefix(key, "sk_live_"):
		return configError("machine secret key (" + EnvMachineSecretKey + ") is an instance secret key; machine keys start with ak_")
	case !strings.HasPrefix(key, "ak_"):
		return configError("machine secret key (" + EnvMachineSecretKey + ") must start with ak_")
	case len(key) == len("ak_"):
		return configError("machine secret key (" + EnvMachineSecretKey + ") has nothing after its prefix")
	case len(key) > maxSegmentBytes:
		return configError("machine secret key (" + EnvMachineSecretKey + ") is longer than 512 bytes")
	}
	for i := len("ak_"); i < len(key); i++ {
		if !isWordChar(key[i]) {
			return configError("machine secret key (" + EnvMachineSecretKey + ") contains a character Clerk keys never have (whitespace or a quote copied along?)")
		}
	}
	return nil
}

// CloseIdleConnections closes the client's idle keep-alive connections to
// Clerk, for tests and shutdown.
func (c *M2MClient) CloseIdleConnections() { c.api.client.CloseIdleConnections() }

// String describes the client without its machine secret key.
func (c *M2MClient) String() string {
	return "clerk.M2MClient{api: " + c.baseURL + ", key: ak_[redacted]}"
}

// GoString keeps %#v from printing the key.
func (c *M2MClient) GoString() string { return c.String() }

// LogValue keeps slog from printing the key.
func (c *M2MClient) LogValue() slog.Value {
	return slog.GroupValue(slog.String("api", c.baseURL), slog.String("key", "ak_[redacted]"))
}

// mintBudget bounds one create, retries included, when no caller's
// context does: the Client's timeout, or DefaultTimeout when it has none.
func (c *M2MClient) mintBudget() time.Duration {
	if c.api.timeout > 0 {
		return c.api.timeout
	}
	return DefaultTimeout
}
