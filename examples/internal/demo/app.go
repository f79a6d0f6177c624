package demo

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// Environment variables the examples read besides Clerk's own.
const (
	EnvPort     = "PORT"
	EnvTemplate = "CLERK_JWT_TEMPLATE"
	// EnvTokenCache turns the token cache on with that many entries; unset
	// or 0 leaves it off, so every request mints (coalescing still applies).
	EnvTokenCache = "TOKEN_CACHE_SIZE"
	// EnvRedisURL (redis://host:port/db) shares the token cache between
	// replicas through Redis, encrypted with a key derived from the Clerk
	// secret key; it takes precedence over TOKEN_CACHE_SIZE.
	EnvRedisURL = "REDIS_URL"
	// EnvRedisTimeout bounds each Redis operation (a Go duration; the
	// cache's default when unset).
	EnvRedisTimeout = "REDIS_TIMEOUT"
	// EnvHost is the address to listen on. Unset, offline mode listens on
	// loopback only (its /offline/session-token route hands out session
	// tokens to whoever asks) and real mode on every interface; HOST=0.0.0.0
	// opens offline mode to the network.
	EnvHost = "HOST"
	// EnvDebugReasons=1 makes Middleware answer a refused request with
	// the reason in X-Clerk-Auth-Reason in real mode too (offline always
	// does) and logs every refused token's reason at debug level.
	EnvDebugReasons = "CLERK_DEBUG_REASONS"
)

// Defaults of the examples, as in Clerk's Next.js getToken examples.
const (
	DefaultPort     = "8080"
	DefaultTemplate = "test"
)

// App is everything an example server needs, whichever Clerk it talks to.
type App struct {
	Client        *clerk.Client
	Authenticator *clerk.Authenticator
	// Template is the JWT template the routes mint from.
	Template string
	// Addr is where the server listens, from HOST and PORT.
	Addr   string
	Logger *slog.Logger
	// Offline is set when the app runs against the in-process emulator;
	// nil when it talks to a real Clerk instance.
	Offline *Offline
	// ReasonHeader makes the examples' Middleware name why a request is
	// signed out in X-Clerk-Auth-Reason (WithReasonHeader). Offline always;
	// against a real instance only with CLERK_DEBUG_REASONS=1, as the
	// reason tells a prober which check failed.
	ReasonHeader bool

	observer clerk.Option // CLERK_OTEL's; nil: off (see telemetry.go)
	closers  []func() error
}

// Offline is the in-process Clerk of offline mode and its demo sessions.
type Offline struct {
	Emulator *clerktest.Server
	// Demo is Ada, admin of the organization "acme", signed in with it
	// active: the user every route serves, AdminPath included.
	Demo clerktest.Demo
	// Member is Grace, a member of "acme" without the admin role, signed
	// in with it active: AdminPath answers her 403.
	Member SignedInUser
	// SignedInAt is when the demo's browsers signed in, the __client_uat
	// of BrowserCookies: the demo's start, before any of its sessions.
	SignedInAt time.Time
	// Machines are the callers of MachinePath the banner shows.
	Machines Machines
}

// SessionToken mints a fresh session token for the demo session: what a
// browser signed in to the demo would send.
func (o *Offline) SessionToken() (string, error) {
	return o.Token(o.Demo.SessionID)
}

// New configures an App from the environment. With CLERK_SECRET_KEY set it
// talks to that Clerk instance (CLERK_API_URL, CLERK_API_VERSION,
// CLERK_JWT_KEY, CLERK_PUBLISHABLE_KEY and CLERK_AUTHORIZED_PARTIES are
// honoured); without it, it starts the emulator in-process, seeded with a
// demo user, session and template, a member of the demo organization who is
// not its admin, and the machine callers of Machines.
func New(logger *slog.Logger) (*App, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	port, err := portFromEnv()
	if err != nil {
		return nil, err
	}
	app := &App{
		Template:     envOr(EnvTemplate, DefaultTemplate),
		Logger:       logger,
		ReasonHeader: DebugReasons(),
	}
	if app.observer, err = app.telemetry(); err != nil {
		return app, err
	}
	if os.Getenv(clerk.EnvSecretKey) != "" {
		app.Addr = net.JoinHostPort(os.Getenv(EnvHost), port)
		return app, app.connectReal()
	}
	app.Addr = net.JoinHostPort(envOr(EnvHost, "127.0.0.1"), port)
	return app, app.startOffline()
}

// portFromEnv is PORT, checked here so that a typo is reported as PORT's
// rather than as the listener's error.
func portFromEnv() (string, error) {
	port := envOr(EnvPort, DefaultPort)
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%s must be a port number from 0 to 65535, got %q", EnvPort, port)
	}
	return port, nil
}

// DebugReasons reports whether CLERK_DEBUG_REASONS asks for refusal
// reasons: "1" or "true".
func DebugReasons() bool {
	v, _ := strconv.ParseBool(os.Getenv(EnvDebugReasons))
	return v
}

// clientOptions are the options both modes give the Client. secretKey and
// instance key the Redis cache, when there is one.
func (a *App) clientOptions(secretKey, instance string) ([]clerk.ClientOption, error) {
	opts := []clerk.ClientOption{clerk.WithLogger(a.Logger), a.observer}
	if url := os.Getenv(EnvRedisURL); url != "" {
		cache, err := a.redisCache(url, secretKey, instance)
		if err != nil {
			return nil, err
		}
		return append(opts, clerk.WithTokenCache(cache)), nil
	}
	size := os.Getenv(EnvTokenCache)
	if size == "" || size == "0" {
		return opts, nil
	}
	n, err := strconv.Atoi(size)
	if err != nil {
		return nil, fmt.Errorf("%s must be a number of entries: %w", EnvTokenCache, err)
	}
	cache, err := clerk.NewMemoryTokenCache(n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvTokenCache, err)
	}
	return append(opts, clerk.WithTokenCache(cache)), nil
}

func (a *App) connectReal() error {
	opts, err := a.clientOptions(os.Getenv(clerk.EnvSecretKey), os.Getenv(clerk.EnvPublishableKey))
	if err != nil {
		return err
	}
	client, err := clerk.NewClientFromEnv(opts...)
	if err != nil {
		return err
	}
	authn, err := clerk.NewAuthenticatorFromEnv(client, clerk.WithLogger(a.Logger), a.observer)
	if err != nil {
		return err
	}
	a.Client, a.Authenticator = client, authn
	return nil
}

func (a *App) startOffline() error {
	signedInAt := time.Now()
	emulator := clerktest.NewServer(clerktest.WithLogger(a.Logger))
	demo, err := emulator.SeedDemo(a.Template)
	if err != nil {
		emulator.Close()
		return fmt.Errorf("seeding the emulator: %w", err)
	}
	member, err := seedMember(emulator, demo.OrganizationID)
	if err != nil {
		emulator.Close()
		return fmt.Errorf("seeding the emulator: %w", err)
	}
	machines, err := seedMachines(emulator, demo.UserID)
	if err != nil {
		emulator.Close()
		return fmt.Errorf("seeding the emulator: %w", err)
	}
	opts, err := a.clientOptions(emulator.SecretKey(), emulator.PublishableKey())
	if err != nil {
		emulator.Close()
		return err
	}
	client, err := clerk.NewClient(emulator.SecretKey(), append(opts, clerk.WithAPIURL(emulator.URL))...)
	if err != nil {
		emulator.Close()
		return err
	}
	authn, err := clerk.NewAuthenticator(
		clerk.WithClient(client),
		clerk.WithPublishableKey(emulator.PublishableKey()),
		clerk.WithLogger(a.Logger),
		a.observer,
	)
	if err != nil {
		emulator.Close()
		return err
	}
	a.Client, a.Authenticator = client, authn
	a.Offline = &Offline{Emulator: emulator, Demo: demo, Member: member, SignedInAt: signedInAt, Machines: machines}
	a.ReasonHeader = true
	return nil
}

// Close stops the emulator of offline mode and closes the Redis client.
func (a *App) Close() {
	if a.Offline != nil {
		a.Offline.Emulator.Close()
	}
	for _, closeFn := range a.closers {
		_ = closeFn()
	}
}

// ErrOnlyOffline is returned by what exists only in offline mode.
var ErrOnlyOffline = errors.New("demo: only available in offline mode")

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
