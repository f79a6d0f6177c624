package clerk_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// jwksAuthenticator fetches keys from srv over the Backend API, with the
// verified-token cache off so every call reaches the key cache.
func jwksAuthenticator(t *testing.T, srv *jwksServer, clock *fakeClock, opts ...clerk.AuthenticatorOption) *clerk.Authenticator {
	t.Helper()
	return newAuthenticator(t, append([]clerk.AuthenticatorOption{
		clerk.WithClient(backendClient(t, srv)),
		clerk.WithClock(clock.Now),
		clerk.WithVerificationCache(0, clerk.DefaultVerificationCacheMaxAge),
	}, opts...)...)
}

func TestJWKSColdCacheCoalescesConcurrentMisses(t *testing.T) {
	key := rsaKey(t, 0)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	srv.delay.Store(int64(50 * time.Millisecond)) // keep the fetch in flight while all arrive
	clock := newFakeClock()
	a := jwksAuthenticator(t, srv, clock)
	token := validToken(t, clock.Now())

	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			<-start
			if _, err := a.VerifyToken(context.Background(), token); err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want exactly 1", n)
	}
}

func TestJWKSUnknownKIDsRefetchAtMostOncePerInterval(t *testing.T) {
	key := rsaKey(t, 0)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	clock := newFakeClock()
	interval := 10 * time.Second
	a := jwksAuthenticator(t, srv, clock, clerk.WithUnknownKIDRefetchInterval(interval))
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err)
	}

	// The kid is refused before the signature is looked at, so one signed
	// body serves every header.
	_, body, _ := strings.Cut(validToken(t, clock.Now()), ".")
	storm := func() {
		t.Helper()
		var wg sync.WaitGroup
		for range 1000 {
			wg.Go(func() {
				kid := fmt.Sprintf("ins_%016x", rand.Uint64())
				token := b64([]byte(mustJSON(t, sessionHeader(kid)))) + "." + body
				_, err := a.VerifyToken(context.Background(), token)
				if r := reasonOf(err); r != clerk.ReasonJWKKidMismatch {
					t.Errorf("unknown kid: reason %q, want %q", r, clerk.ReasonJWKKidMismatch)
				}
			})
		}
		wg.Wait()
	}
	storm() // within the interval of the warm-up fetch: no fetch at all
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("after 1000 unknown kids within the interval: %d fetches, want 1", n)
	}
	clock.Advance(interval)
	storm() // a new interval: one refetch, shared or refused fast
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("after 1000 unknown kids in the next interval: %d fetches, want 2", n)
	}
	clock.Advance(interval / 2)
	storm()
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("half an interval later: %d fetches, want still 2", n)
	}
}

func TestJWKSEndpointDownKeepsLastGoodKeys(t *testing.T) {
	key := rsaKey(t, 0)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	clock := newFakeClock()
	// Unknown kids never start a fetch here, so awaitKeyFetch only waits.
	a := jwksAuthenticator(t, srv, clock, clerk.WithJWKSRefreshInterval(time.Minute),
		clerk.WithUnknownKIDRefetchInterval(time.Hour))
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err)
	}
	srv.down.Store(true)
	clock.Advance(2 * time.Minute) // the set is stale: refreshes start and fail
	for i := range 20 {
		if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
			t.Fatalf("request %d with Clerk down: %v", i, err)
		}
		clock.Advance(time.Second)
	}
	awaitKeyFetch(t, a, clock.Now())
	// Failed refreshes are spaced out, not retried per request.
	if n := srv.hits.Load(); n < 2 || n > 3 {
		t.Fatalf("%d fetches while down, want a background refresh and at most 3 in all", n)
	}
}

func TestJWKSColdAndDown(t *testing.T) {
	key := rsaKey(t, 0)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	srv.down.Store(true)
	clock := newFakeClock()
	a := jwksAuthenticator(t, srv, clock)
	token := validToken(t, clock.Now())
	_, err := a.VerifyToken(context.Background(), token)
	if r := reasonOf(err); r != clerk.ReasonJWKFailedToLoad {
		t.Fatalf("reason %q, want %q (%v)", r, clerk.ReasonJWKFailedToLoad, err)
	}
	_, err = a.VerifyToken(context.Background(), token) // refused fast: retry not due
	if r := reasonOf(err); r != clerk.ReasonJWKFailedToLoad || srv.hits.Load() != 1 {
		t.Fatalf("second try: reason %q, %d fetches", r, srv.hits.Load())
	}
	srv.down.Store(false)
	clock.Advance(time.Second)
	if _, err := a.VerifyToken(context.Background(), token); err != nil {
		t.Fatalf("after Clerk came back: %v", err)
	}
}

func TestJWKSKeyRotation(t *testing.T) {
	oldKey, newKey := rsaKey(t, 0), rsaKey(t, 1)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &oldKey.PublicKey))
	clock := newFakeClock()
	a := jwksAuthenticator(t, srv, clock)
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(t, jwkFor("ins_test2", "RS256", &newKey.PublicKey), jwkFor(testKID, "RS256", &oldKey.PublicKey))
	clock.Advance(clerk.DefaultUnknownKIDRefetchInterval)
	rotated := mint(t, newKey, sessionHeader("ins_test2"), sessionClaimsAt(clock.Now()))
	if _, err := a.VerifyToken(context.Background(), rotated); err != nil {
		t.Fatalf("token with the new kid: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatalf("old kid still published: %v", err)
	}
}

func TestJWKSBackgroundRefreshDoesNotBlock(t *testing.T) {
	oldKey, newKey := rsaKey(t, 0), rsaKey(t, 1)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &oldKey.PublicKey))
	clock := newFakeClock()
	a := jwksAuthenticator(t, srv, clock, clerk.WithJWKSRefreshInterval(time.Minute))
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(t, jwkFor("ins_test2", "RS256", &newKey.PublicKey))
	srv.delay.Store(int64(time.Hour)) // a refresh that never ends must not hold requests
	clock.Advance(time.Minute)
	done := make(chan error, 1)
	go func() {
		_, err := a.VerifyToken(context.Background(), validToken(t, clock.Now()))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request waited for the background refresh")
	}
	srv.delay.Store(0)
	srv.CloseClientConnections()
}

func TestJWKSRefreshPicksUpRotatedSet(t *testing.T) {
	oldKey, newKey := rsaKey(t, 0), rsaKey(t, 1)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &oldKey.PublicKey))
	clock := newFakeClock()
	a := jwksAuthenticator(t, srv, clock, clerk.WithJWKSRefreshInterval(time.Minute),
		clerk.WithUnknownKIDRefetchInterval(time.Hour))
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(t, jwkFor("ins_test2", "RS256", &newKey.PublicKey))
	clock.Advance(time.Minute)
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err) // served from the stale set while it refreshes
	}
	// The new kid is unknown to the stale set, so this call joins the
	// refresh in flight, or finds its keys if it has finished already.
	rotated := mint(t, newKey, sessionHeader("ins_test2"), sessionClaimsAt(clock.Now()))
	if _, err := a.VerifyToken(context.Background(), rotated); err != nil {
		t.Fatalf("token with the new kid after the refresh: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

func TestAuthenticatorsNeverShareKeys(t *testing.T) {
	keyA, keyB := rsaKey(t, 0), rsaKey(t, 1)
	// Two instances publishing different keys under the same kid.
	srvA := newJWKSServer(t, jwkFor(testKID, "RS256", &keyA.PublicKey))
	srvB := newJWKSServer(t, jwkFor(testKID, "RS256", &keyB.PublicKey))
	clock := newFakeClock()
	a := jwksAuthenticator(t, srvA, clock)
	b := jwksAuthenticator(t, srvB, clock)
	tokenA := validToken(t, clock.Now())
	if _, err := a.VerifyToken(context.Background(), tokenA); err != nil {
		t.Fatal(err)
	}
	_, err := b.VerifyToken(context.Background(), tokenA)
	if r := reasonOf(err); r != clerk.ReasonTokenInvalidSignature {
		t.Fatalf("instance B accepted A's token: reason %q", r)
	}
}

func TestFrontendJWKS(t *testing.T) {
	key := rsaKey(t, 0)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	clock := newFakeClock()
	a := newAuthenticator(t, clerk.WithJWKSURL(srv.URL+"/.well-known/jwks.json"),
		clerk.WithHTTPClient(srv.Client()), clerk.WithClock(clock.Now),
		clerk.WithPublishableKey(testPublishableKey))
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err)
	}
	// The derived URL needs only the publishable key.
	if _, err := clerk.NewAuthenticator(clerk.WithFrontendJWKS(), clerk.WithPublishableKey(testPublishableKey)); err != nil {
		t.Fatal(err)
	}
}

func TestFrontendJWKSBadAnswers(t *testing.T) {
	for _, body := range []string{`not json`, `{"keys":[]}`, `{"keys":[{"kty":"EC","kid":"ins_test1"}]}`} {
		srv := newJWKSServer(t)
		b := []byte(body)
		srv.body.Store(&b)
		clock := newFakeClock()
		a := newAuthenticator(t, clerk.WithJWKSURL(srv.URL+"/.well-known/jwks.json"), clerk.WithClock(clock.Now))
		_, err := a.VerifyToken(context.Background(), validToken(t, clock.Now()))
		if r := reasonOf(err); r != clerk.ReasonJWKFailedToLoad {
			t.Errorf("%s: reason %q", body, r)
		}
	}
}

func TestJWKSWaitHonoursContext(t *testing.T) {
	key := rsaKey(t, 0)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	srv.delay.Store(int64(time.Hour))
	t.Cleanup(srv.CloseClientConnections)
	clock := newFakeClock()
	a := jwksAuthenticator(t, srv, clock)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := a.VerifyToken(ctx, validToken(t, clock.Now()))
	if r := reasonOf(err); r != clerk.ReasonJWKFailedToLoad {
		t.Fatalf("reason %q", r)
	}
}

func reasonOf(err error) clerk.Reason {
	var ae *clerk.AuthError
	if !errorsAs(err, &ae) {
		return ""
	}
	return ae.Reason
}

// awaitKeyFetch returns once no key set fetch is in flight in a: a token
// with a kid that no set holds joins a fetch in flight and waits for its
// end; with none in flight it is refused at once. Callers make sure it
// cannot start a fetch of its own: a's clock is still within the
// unknown-kid interval of the latest fetch.
func awaitKeyFetch(t *testing.T, a *clerk.Authenticator, now time.Time) {
	t.Helper()
	_, body, _ := strings.Cut(validToken(t, now), ".")
	unknown := b64([]byte(mustJSON(t, sessionHeader("ins_nobody")))) + "." + body
	if _, err := a.VerifyToken(context.Background(), unknown); reasonOf(err) != clerk.ReasonJWKKidMismatch {
		t.Fatalf("unknown kid: %v, want %s", err, clerk.ReasonJWKKidMismatch)
	}
}
