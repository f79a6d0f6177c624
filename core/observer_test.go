package clerk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// recorder is an Observer that writes every event as one line, so a test
// compares what happened with one slice of strings.
type recorder struct {
	mu     sync.Mutex
	lines  []string
	events []any // the raw events, to search for secrets
}

func (r *recorder) add(ev any, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
	r.events = append(r.events, ev)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.lines
	r.lines = nil
	return out
}

type ctxMark struct{}

func (r *recorder) observer() clerk.Observer {
	return clerk.Observer{
		APICallStart: func(ctx context.Context, c clerk.APICall) context.Context {
			r.add(c, "start %s %s %s %s", c.Endpoint, c.Method, c.Route, c.ServerAddress)
			return context.WithValue(ctx, ctxMark{}, c.Endpoint)
		},
		APIAttempt: func(ctx context.Context, c clerk.APICall, a clerk.APIAttempt) {
			// The context is the one APICallStart returned.
			r.add(a, "attempt %s #%d status=%d trace=%t err=%t retry=%t mark=%v",
				c.Endpoint, a.Number, a.StatusCode, a.TraceID != "", a.Err != nil, a.Retry, ctx.Value(ctxMark{}))
		},
		APICallEnd: func(ctx context.Context, c clerk.APICall, e clerk.APICallResult) {
			r.add(e, "end %s attempts=%d status=%d err=%t mark=%v", c.Endpoint, e.Attempts, e.StatusCode, e.Err != nil, ctx.Value(ctxMark{}))
		},
		Authentication: func(_ context.Context, e clerk.AuthenticationEvent) {
			r.add(e, "auth %s %s %s", e.Outcome, e.TokenType, e.Reason)
		},
		TokenCache: func(_ context.Context, o clerk.TokenCacheOutcome) {
			r.add(o, "cache %s", o)
		},
		JWKSFetch: func(_ context.Context, e clerk.JWKSFetchEvent) {
			r.add(e, "jwks err=%t keys=%d loaded=%t", e.Err != nil, e.Keys, !e.LoadedAt.IsZero())
		},
	}
}

// assertNoSecret fails if any recorded event mentions one of secrets.
func (r *recorder) assertNoSecret(t *testing.T, secrets ...string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.events {
		text := fmt.Sprintf("%+v", ev)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("an event holds a secret: %s", text)
			}
		}
	}
}

// assertNoPathLabel fails if a call's description holds part of the path,
// such as the session id (an error's message may name the path).
func (r *recorder) assertNoPathLabel(t *testing.T, part string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.events {
		if c, ok := ev.(clerk.APICall); ok && strings.Contains(fmt.Sprintf("%+v", c), part) {
			t.Errorf("a call's labels hold %q: %+v", part, c)
		}
	}
}

func fastRetry(attempts int) clerk.ClientOption {
	return clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: attempts, MaxRetryAfter: time.Second})
}

func hostOf(srv *clerktest.Server) string {
	u, err := url.Parse(srv.URL)
	if err != nil {
		panic(err)
	}
	return u.Hostname()
}

func equalLines(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestObserverBackendAPICalls: every Backend API call is reported with its
// attempts, retries, statuses and trace id, under a route template.
func TestObserverBackendAPICalls(t *testing.T) {
	srv := clerktest.Start(t)
	if _, err := srv.AddUser(clerktest.User{ID: "user_obs"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddTemplate(clerktest.Template{Name: "svc"}); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_obs")
	rec := &recorder{}
	c, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), fastRetry(3), clerk.WithObserver(rec.observer()))
	if err != nil {
		t.Fatal(err)
	}
	host := hostOf(srv)
	ctx := context.Background()

	srv.RateLimitNext(1, "", clerktest.EndpointTokens)
	tok, err := c.GetToken(ctx, sess.ID, "svc")
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, rec.take(), []string{
		"cache upstream",
		"start get_token POST /v1/sessions/{session_id}/tokens/{template} " + host,
		"attempt get_token #1 status=429 trace=true err=true retry=true mark=get_token",
		"attempt get_token #2 status=200 trace=false err=false retry=false mark=get_token",
		"end get_token attempts=2 status=200 err=false mark=get_token",
	})

	_, err = c.GetToken(ctx, "sess_unknown", "")
	var apiErr *clerk.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown session: %v", err)
	}
	equalLines(t, rec.take(), []string{
		"cache upstream",
		"start get_token POST /v1/sessions/{session_id}/tokens " + host,
		"attempt get_token #1 status=404 trace=true err=true retry=false mark=get_token",
		"end get_token attempts=1 status=404 err=true mark=get_token",
	})

	srv.FailNext(3, http.StatusServiceUnavailable, clerktest.EndpointTokens)
	if _, err := c.GetToken(ctx, sess.ID, ""); err == nil {
		t.Fatal("three 503s: no error")
	}
	equalLines(t, rec.take(), []string{
		"cache upstream",
		"start get_token POST /v1/sessions/{session_id}/tokens " + host,
		"attempt get_token #1 status=503 trace=true err=true retry=true mark=get_token",
		"attempt get_token #2 status=503 trace=true err=true retry=true mark=get_token",
		"attempt get_token #3 status=503 trace=true err=true retry=false mark=get_token",
		"end get_token attempts=3 status=503 err=true mark=get_token",
	})

	srv.DropNext(1, clerktest.EndpointTokens)
	if _, err := c.GetToken(ctx, sess.ID, ""); err != nil {
		t.Fatal(err)
	}
	equalLines(t, rec.take(), []string{
		"cache upstream",
		"start get_token POST /v1/sessions/{session_id}/tokens " + host,
		"attempt get_token #1 status=0 trace=false err=true retry=true mark=get_token",
		"attempt get_token #2 status=200 trace=false err=false retry=false mark=get_token",
		"end get_token attempts=2 status=200 err=false mark=get_token",
	})
	rec.assertNoSecret(t, srv.SecretKey(), tok.JWT)
	rec.assertNoPathLabel(t, sess.ID)
}

// TestObserverTokenCache: cache hits, misses, coalesced calls and upstream
// calls are reported as TokenStats counts them.
func TestObserverTokenCache(t *testing.T) {
	srv := clerktest.Start(t)
	if _, err := srv.AddUser(clerktest.User{ID: "user_obs"}); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_obs")
	cache, err := clerk.NewMemoryTokenCache(16)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	release := make(chan struct{})
	obs := rec.observer()
	start := obs.APICallStart
	obs.APICallStart = func(ctx context.Context, c clerk.APICall) context.Context {
		<-release // holds the first request until the second caller has joined it
		return start(ctx, c)
	}
	obs.APIAttempt, obs.APICallEnd = nil, nil
	c, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), clerk.WithTokenCache(cache), clerk.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := c.GetToken(ctx, sess.ID, ""); err != nil {
				t.Error(err)
			}
		})
	}
	for c.TokenStats().Coalesced == 0 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if _, err := c.GetToken(ctx, sess.ID, ""); err != nil {
		t.Fatal(err)
	}
	got := rec.take()
	// The second caller's miss may come before or after the first one's
	// upstream call; what follows may not move.
	if len(got) > 3 {
		slices.Sort(got[:3])
	}
	equalLines(t, got, []string{"cache miss", "cache miss", "cache upstream",
		"start get_token POST /v1/sessions/{session_id}/tokens " + hostOf(srv), "cache coalesced", "cache hit"})
	if s := c.TokenStats(); s.CacheHits != 1 || s.CacheMisses != 2 || s.Coalesced != 1 || s.UpstreamCalls != 1 {
		t.Fatalf("stats %+v disagree with the events", s)
	}
}

// TestObserverAuthentication: each authentication is reported once with
// its outcome, token type and reason, and a machine token's verification
// call goes to the Authenticator's observer.
func TestObserverAuthentication(t *testing.T) {
	srv := clerktest.Start(t)
	if _, err := srv.AddUser(clerktest.User{ID: "user_obs"}); err != nil {
		t.Fatal(err)
	}
	m, err := srv.AddMachine(clerktest.Machine{})
	if err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_obs")
	c, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), fastRetry(1))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	a := newAuthenticator(t, clerk.WithClient(c), clerk.WithJWTKey(srv.PublicKeyPEM()),
		clerk.WithAcceptedTokens(clerk.TokenTypeAny), clerk.WithObserver(rec.observer()))
	ctx := context.Background()
	session, err := srv.SessionToken(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := srv.SessionToken(sess.ID, clerktest.TokenExpired())
	if err != nil {
		t.Fatal(err)
	}
	m2m, err := srv.CreateM2MToken(m.ID)
	if err != nil {
		t.Fatal(err)
	}

	if auth := a.Authenticate(ctx, bearer(session)); !auth.SignedIn() {
		t.Fatalf("session token: %v", auth)
	}
	if auth := a.Authenticate(ctx, bearer(expired)); auth.Reason() != clerk.ReasonTokenExpired {
		t.Fatalf("expired token: %v", auth)
	}
	if auth := a.Authenticate(ctx, fakeSource{}); auth.Reason() != clerk.ReasonSessionTokenMissing {
		t.Fatalf("no token: %v", auth)
	}
	if _, err := a.VerifyToken(ctx, m2m.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := a.VerifyToken(ctx, session, clerk.TokenTypeAPIKey); err == nil {
		t.Fatal("session token accepted as an API key")
	}
	equalLines(t, rec.take(), []string{
		"auth signed_in session_token ",
		"auth signed_out session_token token-expired",
		"auth signed_out  session-token-missing",
		"start verify_m2m_token POST /v1/m2m_tokens/verify " + hostOf(srv),
		"attempt verify_m2m_token #1 status=200 trace=false err=false retry=false mark=verify_m2m_token",
		"end verify_m2m_token attempts=1 status=200 err=false mark=verify_m2m_token",
		"auth authenticated m2m_token ",
		"auth signed_out session_token token-type-mismatch",
	})
	rec.assertNoSecret(t, srv.SecretKey(), session, expired, m2m.Token)
}

// TestObserverJWKS: key set fetches are reported with the set's size and
// load time, a failed one too, and a refresh for an unknown kid.
func TestObserverJWKS(t *testing.T) {
	clock := newFakeClock()
	srv := clerktest.Start(t, clerktest.WithClock(clock.Now))
	if _, err := srv.AddUser(clerktest.User{ID: "user_obs"}); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_obs")
	c, err := clerk.NewClient(srv.SecretKey(), clerk.WithAPIURL(srv.URL), fastRetry(1))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	a := newAuthenticator(t, clerk.WithClient(c), clerk.WithClock(clock.Now), clerk.WithObserver(rec.observer()))
	ctx := context.Background()
	verify := func() error {
		token, err := srv.SessionToken(sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.VerifyToken(ctx, token)
		return err
	}

	srv.FailNext(1, http.StatusInternalServerError, clerktest.EndpointJWKS)
	if err := verify(); err == nil {
		t.Fatal("verified without keys")
	}
	clock.Advance(2 * time.Second) // past the cold retry gap
	if err := verify(); err != nil {
		t.Fatal(err)
	}
	srv.RotateKey()
	clock.Advance(time.Minute) // past the gap between unknown-kid fetches
	if err := verify(); err != nil {
		t.Fatal(err)
	}
	equalLines(t, rec.take(), []string{
		"start jwks GET /v1/jwks " + hostOf(srv),
		"attempt jwks #1 status=500 trace=true err=true retry=false mark=jwks",
		"end jwks attempts=1 status=500 err=true mark=jwks",
		"jwks err=true keys=0 loaded=false",
		"auth signed_out session_token jwk-remote-failed-to-load",
		"start jwks GET /v1/jwks " + hostOf(srv),
		"attempt jwks #1 status=200 trace=false err=false retry=false mark=jwks",
		"end jwks attempts=1 status=200 err=false mark=jwks",
		"jwks err=false keys=1 loaded=true",
		"auth signed_in session_token ",
		"start jwks GET /v1/jwks " + hostOf(srv),
		"attempt jwks #1 status=200 trace=false err=false retry=false mark=jwks",
		"end jwks attempts=1 status=200 err=false mark=jwks",
		"jwks err=false keys=2 loaded=true",
		"auth signed_in session_token ",
	})
}

// TestObserverPublicJWKSRoute: the Frontend API key set is labelled with
// its own route.
func TestObserverPublicJWKSRoute(t *testing.T) {
	srv := clerktest.Start(t)
	if _, err := srv.AddUser(clerktest.User{ID: "user_obs"}); err != nil {
		t.Fatal(err)
	}
	sess := srv.CreateSession("user_obs")
	rec := &recorder{}
	obs := rec.observer()
	obs.APIAttempt, obs.APICallEnd, obs.Authentication, obs.JWKSFetch = nil, nil, nil, nil
	a := newAuthenticator(t, clerk.WithJWKSURL(srv.URL+"/.well-known/jwks.json"), clerk.WithObserver(obs))
	token, err := srv.SessionToken(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.VerifyToken(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	equalLines(t, rec.take(), []string{"start jwks GET /.well-known/jwks.json " + hostOf(srv)})
}
