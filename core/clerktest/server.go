package clerktest

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Server is a running Backend API emulator. Its methods are safe for
// concurrent use, including while requests are being served.
type Server struct {
	// URL is the base API URL, "http://127.0.0.1:PORT", without a trailing
	// slash: the value a client takes as CLERK_API_URL.
	URL string

	hs     *httptest.Server
	ids    *idSource
	now    func() time.Time
	logger *slog.Logger

	secretKey      string
	publishableKey string
	issuer         string

	closed    chan struct{} // wakes requests sleeping in injected latency
	closeOnce sync.Once

	mu          sync.Mutex
	keys        []*signingKey // served in the JWKS, oldest first
	current     *signingKey   // signs instance-key tokens
	users       map[string]User
	orgs        map[string]Organization
	memberships map[membershipKey]membership
	sessions    map[string]*Session
	templates   map[string]*template
	mach        machineState // machines, M2M tokens, API keys, OAuth tokens
	faults      []*fault
	latency     map[string]time.Duration // by endpoint; "" applies to all
	counts      map[string]int
	last        RecordedRequest
}

// NewServer starts an emulator on a random 127.0.0.1 port. Like
// httptest.NewServer it panics if it cannot listen; call Close when done.
func NewServer(opts ...Option) *Server {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		ids:         newIDSource(cfg.random),
		now:         cfg.clock,
		logger:      cfg.logger,
		closed:      make(chan struct{}),
		users:       map[string]User{},
		orgs:        map[string]Organization{},
		memberships: map[membershipKey]membership{},
		sessions:    map[string]*Session{},
		templates:   map[string]*template{},
		mach:        newMachineState(),
		latency:     map[string]time.Duration{},
		counts:      map[string]int{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	key, kid := cfg.key, cfg.keyID
	if key == nil {
		key = generateRSAKey()
	}
	if kid == "" {
		kid = s.ids.id("ins")
	}
	s.current = &signingKey{kid: kid, key: key}
	s.keys = []*signingKey{s.current}

	s.secretKey = cfg.secretKey
	if s.secretKey == "" {
		s.secretKey = "sk_test_" + s.ids.base62(42)
	}
	s.issuer = strings.TrimSuffix(cfg.issuer, "/")
	if s.issuer == "" {
		s.issuer = "https://" + s.ids.frontendHost()
	}
	host := s.issuer
	if u, err := url.Parse(s.issuer); err == nil && u.Host != "" {
		host = u.Host
	}
	prefix := "pk_test_"
	if strings.HasPrefix(s.secretKey, "sk_live_") {
		prefix = "pk_live_"
	}
	s.publishableKey = prefix + base64.StdEncoding.EncodeToString([]byte(host+"$"))

	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.listener != nil {
		s.hs.Listener.Close()
		s.hs.Listener = cfg.listener
	}
	s.hs.Start()
	s.URL = s.hs.URL
	return s
}

// Close stops the server, first waking any request held by SetLatency so
// Close does not wait out the injected delay.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.hs.Close()
}

// Client returns an *http.Client suited to the server (see
// httptest.Server.Client).
func (s *Server) Client() *http.Client { return s.hs.Client() }

// Handler returns the handler the server listens with, for tests that
// serve the emulator in process: a goroutine in a testing/synctest bubble
// waiting on a loopback socket is not durably blocked, so a bubble's fake
// clock cannot advance while a client waits for the listening server. Run
// the handler on the bubble's side of an http.RoundTripper instead; it
// then reads the bubble's clock too. Requests are counted and faults
// applied as over the socket.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Addr is the listening address, handy when the caller bound port 0.
func (s *Server) Addr() net.Addr { return s.hs.Listener.Addr() }

// SecretKey returns the secret key the API accepts.
func (s *Server) SecretKey() string { return s.secretKey }

// PublishableKey returns "pk_test_" (or "pk_live_") followed by the
// standard base64 of "<frontend-api-host>$", the format Clerk's SDKs decode
// to find the Frontend API.
func (s *Server) PublishableKey() string { return s.publishableKey }

// Issuer returns the iss of every token: the Frontend API URL.
func (s *Server) Issuer() string { return s.issuer }

// JWKSURL returns the authenticated JWKS endpoint, {URL}/v1/jwks.
func (s *Server) JWKSURL() string { return s.URL + "/v1/jwks" }

func (s *Server) String() string {
	return fmt.Sprintf("clerktest.Server{URL: %s, Issuer: %s}", s.URL, s.issuer)
}
