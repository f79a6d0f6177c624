package clerk_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// readyAuthenticator verifies with em's key set, fetched over the Backend
// API with secretKey, on a fake clock and without retries, so each Warm is
// one request.
func readyAuthenticator(t *testing.T, apiURL, secretKey string, clock *fakeClock, opts ...clerk.AuthenticatorOption) *clerk.Authenticator {
	t.Helper()
	client, err := clerk.NewClient(secretKey, clerk.WithAPIURL(apiURL), clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	return newAuthenticator(t, append([]clerk.AuthenticatorOption{clerk.WithClient(client), clerk.WithClock(clock.Now)}, opts...)...)
}

func notReady(t *testing.T, err error) *clerk.NotReadyError {
	t.Helper()
	var nr *clerk.NotReadyError
	if !errors.As(err, &nr) || !errors.Is(err, clerk.ErrNotReady) {
		t.Fatalf("error %v (%T), want a *clerk.NotReadyError matching ErrNotReady", err, err)
	}
	return nr
}

func TestWarmLoadsTheKeySetOnce(t *testing.T) {
	clock := newFakeClock()
	em := clerktest.Start(t, clerktest.WithClock(clock.Now))
	a := readyAuthenticator(t, em.URL, em.SecretKey(), clock)

	if err := a.Ready(0); !errors.Is(err, clerk.ErrNoKeySet) {
		t.Fatalf("Ready before any key set: %v, want ErrNoKeySet", err)
	}
	// Ready started a fetch in the background; Warm joins it or, if it
	// ended, finds its keys.
	if err := a.Warm(context.Background()); err != nil {
		t.Fatalf("Warm: %v", err)
	}
	if err := a.Warm(context.Background()); err != nil {
		t.Fatalf("second Warm: %v", err)
	}
	if err := a.Ready(time.Minute); err != nil {
		t.Fatalf("Ready after Warm: %v", err)
	}
	if n := em.Requests(clerktest.EndpointJWKS); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1", n)
	}
	// The loaded keys verify without another fetch.
	d, err := em.SeedDemo("test")
	if err != nil {
		t.Fatal(err)
	}
	token, err := em.SessionToken(d.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.VerifyToken(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if n := em.Requests(clerktest.EndpointJWKS); n != 1 {
		t.Errorf("JWKS fetched %d times after a verification, want 1", n)
	}
}

func TestWarmSaysWhyTheKeysCannotLoad(t *testing.T) {
	em := clerktest.Start(t)
	closed, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "http://" + closed.Addr().String()
	_ = closed.Close()

	cases := []struct {
		name      string
		apiURL    string
		secretKey string
		fault     func()
		is        error
		status    int // of the *APIError; 0 for none
		says      string
	}{
		{name: "secret key refused", apiURL: em.URL, secretKey: "sk_test_notthisinstance", is: clerk.ErrUnauthorized, status: 401, says: "Clerk refused the secret key"},
		{name: "forbidden", apiURL: em.URL, secretKey: em.SecretKey(), fault: func() { em.FailNext(1, 403, clerktest.EndpointJWKS) }, is: clerk.ErrUnauthorized, status: 403, says: "Clerk refused the secret key"},
		{name: "unreachable", apiURL: unreachable, secretKey: em.SecretKey(), is: clerk.ErrTransport, says: "the Backend API could not be reached"},
		{name: "connection dropped", apiURL: em.URL, secretKey: em.SecretKey(), fault: func() { em.DropNext(1, clerktest.EndpointJWKS) }, is: clerk.ErrTransport, says: "the Backend API could not be reached"},
		{name: "server error", apiURL: em.URL, secretKey: em.SecretKey(), fault: func() { em.FailNext(1, 503, clerktest.EndpointJWKS) }, is: clerk.ErrServerError, status: 503, says: "clerk: not ready: no key set loaded: clerk: 503"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			em.ClearFaults()
			if c.fault != nil {
				c.fault()
			}
			clock := newFakeClock()
			a := readyAuthenticator(t, c.apiURL, c.secretKey, clock)
			err := a.Warm(context.Background())
			nr := notReady(t, err)
			if nr.Loaded || nr.Age != 0 || nr.MaxAge != 0 {
				t.Errorf("NotReadyError %+v, want no keys loaded", *nr)
			}
			if !errors.Is(err, clerk.ErrNoKeySet) || errors.Is(err, clerk.ErrKeySetStale) || !errors.Is(err, c.is) {
				t.Errorf("Warm: %v: want ErrNoKeySet and %v, not ErrKeySetStale", err, c.is)
			}
			var apiErr *clerk.APIError
			if got := errors.As(err, &apiErr); got != (c.status != 0) || got && apiErr.StatusCode != c.status {
				t.Errorf("Warm: %v: want an *APIError with status %d: %t", err, c.status, got)
			}
			if !strings.Contains(err.Error(), c.says) || strings.Contains(err.Error(), c.secretKey) {
				t.Errorf("Warm: %q, want it to say %q and never the key", err, c.says)
			}
			// Ready, right after, reports the same cause without a fetch
			// (the cold retry gap has not passed on the fake clock).
			if rerr := a.Ready(0); !errors.Is(rerr, c.is) || !errors.Is(rerr, clerk.ErrNoKeySet) {
				t.Errorf("Ready after the failed Warm: %v, want ErrNoKeySet and %v", rerr, c.is)
			}
		})
	}
	if n := em.Requests(clerktest.EndpointJWKS); n != 4 {
		t.Errorf("the emulator saw %d JWKS requests, want 4 (one per Warm against it)", n)
	}
}

func TestReadyBoundsTheKeySetAge(t *testing.T) {
	em := clerktest.Start(t)
	clock := newFakeClock()
	a := readyAuthenticator(t, em.URL, em.SecretKey(), clock,
		clerk.WithJWKSRefreshInterval(24*time.Hour)) // no refresh due: only the bound changes
	if err := a.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if err := a.Ready(time.Hour); err != nil {
		t.Fatalf("Ready(1h) with keys exactly 1h old: %v", err)
	}
	if err := a.Ready(0); err != nil {
		t.Fatalf("Ready(0), no bound: %v", err)
	}
	clock.Advance(time.Second)
	err := a.Ready(time.Hour)
	nr := notReady(t, err)
	want := clerk.NotReadyError{Loaded: true, Age: time.Hour + time.Second, MaxAge: time.Hour}
	if *nr != want || !errors.Is(err, clerk.ErrKeySetStale) || errors.Is(err, clerk.ErrNoKeySet) {
		t.Errorf("Ready(1h) after 1h1s: %+v, want %+v matching ErrKeySetStale only", *nr, want)
	}
	if got, w := err.Error(), "clerk: not ready: key set fetched 1h0m1s ago, longer than 1h0m0s"; got != w {
		t.Errorf("message %q, want %q", got, w)
	}
	if n := em.Requests(clerktest.EndpointJWKS); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1: Ready never fetches a set not due for refresh", n)
	}
}

// signalingHandler closes failed at the first key set fetch failure logged.
type signalingHandler struct {
	slog.Handler
	failed chan struct{}
}

func (signalingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h signalingHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "fetching the JWKS failed") {
		select {
		case h.failed <- struct{}{}:
		default:
		}
	}
	return nil
}

func TestReadyRefreshesADueKeySetInTheBackground(t *testing.T) {
	em := clerktest.Start(t)
	clock := newFakeClock()
	failed := make(chan struct{}, 1)
	logger := slog.New(signalingHandler{Handler: slog.DiscardHandler, failed: failed})
	a := readyAuthenticator(t, em.URL, em.SecretKey(), clock, clerk.WithLogger(logger))
	if err := a.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Ten minutes on, the set is due for its 5-minute refresh; Clerk
	// answers 503. Ready answers from the set held and refreshes behind.
	em.FailNext(1, 503, clerktest.EndpointJWKS)
	clock.Advance(10 * time.Minute)
	if err := a.Ready(time.Hour); err != nil {
		t.Fatalf("Ready(1h) with a 10-minute-old set: %v", err)
	}
	<-failed
	err := a.Ready(time.Minute)
	nr := notReady(t, err)
	if !nr.Loaded || nr.Age != 10*time.Minute || nr.MaxAge != time.Minute || !errors.Is(err, clerk.ErrServerError) || !errors.Is(err, clerk.ErrKeySetStale) {
		t.Errorf("Ready(1m) after the failed refresh: %+v (%v), want stale 10m with the 503", *nr, err)
	}
	if n := em.Requests(clerktest.EndpointJWKS); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2: probes within the gap start no fetch", n)
	}

	// A minute later Clerk is back: the next probe starts a refresh, and
	// readiness returns without any request arriving.
	clock.Advance(time.Minute)
	_ = a.Ready(time.Minute)
	for a.Ready(time.Minute) != nil {
		runtime.Gosched()
	}
	if n := em.Requests(clerktest.EndpointJWKS); n != 3 {
		t.Errorf("JWKS fetched %d times, want 3", n)
	}
}

func TestJWTKeyIsReadyAtOnce(t *testing.T) {
	em := clerktest.Start(t)
	a := newAuthenticator(t, clerk.WithJWTKey(em.PublicKeyPEM()))
	if err := a.Ready(time.Nanosecond); err != nil {
		t.Errorf("Ready: %v", err)
	}
	if err := a.Warm(context.Background()); err != nil {
		t.Errorf("Warm: %v", err)
	}
	if n := em.Requests(""); n != 0 {
		t.Errorf("the emulator saw %d requests, want none", n)
	}
}

func TestWarmGivesUpWithItsContext(t *testing.T) {
	em := clerktest.Start(t)
	em.SetLatency(time.Hour, clerktest.EndpointJWKS)
	a := readyAuthenticator(t, em.URL, em.SecretKey(), newFakeClock())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := a.Warm(ctx)
	if !errors.Is(err, clerk.ErrNoKeySet) || !errors.Is(err, context.Canceled) {
		t.Errorf("Warm with a cancelled context: %v, want ErrNoKeySet and context.Canceled", err)
	}
}
