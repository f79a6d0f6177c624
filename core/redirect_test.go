package clerk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

// redirectStatuses are the answers net/http's client follows by default.
var redirectStatuses = []int{
	http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
	http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
}

// Marks in the redirect target that no error may repeat: only the host is
// worth showing, and a query may carry anything.
const (
	redirectPathMark  = "PATHMARK"
	redirectQueryMark = "QUERYSECRET"
)

// elsewhere is the redirect target: another listener on the same host name
// (127.0.0.1, another port), over plain http. net/http re-sends
// Authorization to it because the host name matches whatever the port or
// scheme. It answers what the original request wanted, so code that follows
// the redirect succeeds.
type elsewhere struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string // the Authorization header of every request, "" when absent
}

func newElsewhere(t *testing.T, answer reply) *elsewhere {
	t.Helper()
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.auth = append(e.auth, r.Header.Get("Authorization"))
		e.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) seen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.auth...)
}

// host is what a redirect error should name: host and port, nothing else.
func (e *elsewhere) host() string { return strings.TrimPrefix(e.URL, "http://") }

func (e *elsewhere) location() string {
	return e.URL + "/" + redirectPathMark + "?leak=" + redirectQueryMark
}

// redirectTo answers every request with status and a Location on e.
func redirectTo(status int, e *elsewhere) reply {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, e.location(), status)
	}
}

// checkRedirectRefused asserts that nothing reached the redirect target
// and that err names the status and the target host, but not the target's
// path or query, nor the secret key.
func checkRedirectRefused(t *testing.T, err error, status int, e *elsewhere, secret string) {
	t.Helper()
	for _, auth := range e.seen() {
		if strings.Contains(auth, secret) {
			t.Errorf("the redirect target received the secret key (Authorization %q)", auth)
		}
	}
	if n := len(e.seen()); n != 0 {
		t.Errorf("the redirect was followed: %d request(s) reached %s", n, e.URL)
	}
	if err == nil {
		t.Fatal("no error after a redirect")
	}
	msg := err.Error()
	for _, bad := range []string{secret, redirectPathMark, redirectQueryMark} {
		if strings.Contains(msg, bad) {
			t.Errorf("error %q shows %q", msg, bad)
		}
	}
	for _, want := range []string{strconv.Itoa(status), e.host()} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if !errors.Is(err, clerk.ErrRedirect) {
		t.Errorf("errors.Is(%v, ErrRedirect) = false", err)
	}
	var redirect *clerk.RedirectError
	if !errors.As(err, &redirect) {
		t.Fatalf("%v is not a *RedirectError", err)
	}
	if redirect.StatusCode != status || redirect.Host != e.host() {
		t.Errorf("RedirectError{%d, %q}, want {%d, %q}", redirect.StatusCode, redirect.Host, status, e.host())
	}
}

func TestGetTokenRefusesRedirects(t *testing.T) {
	for _, status := range redirectStatuses {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := newElsewhere(t, tokenReply(aJWT))
			f := newFakeAPI(t, redirectTo(status, e), redirectTo(status, e), redirectTo(status, e), redirectTo(status, e))
			c := newTestClient(t, f) // four attempts: a retried redirect would show
			_, err := c.GetToken(context.Background(), "sess_1", "", clerk.WithExpiresInSeconds(60))
			checkRedirectRefused(t, err, status, e, testSecretKey)
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests: a redirect must not be retried", n)
			}
		})
	}
}

// A caller's own *http.Client follows redirects as it likes elsewhere; the
// Client must refuse them anyway, without changing the caller's client.
func TestWithHTTPClientRefusesRedirectsAndIsLeftAlone(t *testing.T) {
	var userChecks int
	userCheck := func(*http.Request, []*http.Request) error {
		userChecks++
		return nil
	}
	for _, tc := range []struct {
		name  string
		check func(*http.Request, []*http.Request) error
	}{{"default CheckRedirect", nil}, {"own CheckRedirect", userCheck}} {
		t.Run(tc.name, func(t *testing.T) {
			userChecks = 0
			e := newElsewhere(t, tokenReply(aJWT))
			f := newFakeAPI(t, redirectTo(http.StatusTemporaryRedirect, e))
			var trips int
			hc := &http.Client{
				Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					trips++
					return http.DefaultTransport.RoundTrip(r)
				}),
				CheckRedirect: tc.check,
			}
			c := newTestClient(t, f, clerk.WithHTTPClient(hc))
			_, err := c.GetToken(context.Background(), "sess_1", "")
			checkRedirectRefused(t, err, http.StatusTemporaryRedirect, e, testSecretKey)
			if trips != 1 {
				t.Errorf("%d round trips through the caller's transport, want 1", trips)
			}
			if userChecks != 0 {
				t.Errorf("the caller's CheckRedirect ran %d times for a request with the secret key", userChecks)
			}
			// The caller's client is unchanged: same CheckRedirect, and it
			// still follows redirects when used directly.
			if (hc.CheckRedirect == nil) != (tc.check == nil) {
				t.Fatal("the caller's CheckRedirect was replaced")
			}
			if hc.CheckRedirect != nil {
				if err := hc.CheckRedirect(nil, nil); err != nil || userChecks != 1 {
					t.Fatal("the caller's CheckRedirect is no longer theirs")
				}
				userChecks = 0
			}
			redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, e.URL+"/followed", http.StatusFound)
			}))
			defer redirecting.Close()
			resp, err := hc.Get(redirecting.URL)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/followed" {
				t.Errorf("the caller's client no longer follows redirects: %d at %s", resp.StatusCode, resp.Request.URL)
			}
		})
	}
}

func TestBackendJWKSRefusesRedirects(t *testing.T) {
	key := rsaKey(t, 0)
	keys := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	serveKeys := func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/v1/jwks"
		keys.Config.Handler.ServeHTTP(w, r)
	}
	for _, status := range redirectStatuses {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			e := newElsewhere(t, serveKeys)
			f := newFakeAPI(t, redirectTo(status, e), redirectTo(status, e), redirectTo(status, e), redirectTo(status, e))
			clock := newFakeClock()
			a := newAuthenticator(t, clerk.WithClient(newTestClient(t, f)), clerk.WithClock(clock.Now))
			_, err := a.VerifyToken(context.Background(), validToken(t, clock.Now()))
			if r := reasonOf(err); r != clerk.ReasonJWKFailedToLoad {
				t.Errorf("reason %q, want %q", r, clerk.ReasonJWKFailedToLoad)
			}
			checkRedirectRefused(t, err, status, e, testSecretKey)
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests: a redirect must not be retried", n)
			}
		})
	}
}

// The public key set needs no key, but a redirect could still swap the
// keys tokens are checked against: it is refused too, with or without the
// caller's HTTP client.
func TestPublicJWKSRefusesRedirects(t *testing.T) {
	key := rsaKey(t, 0)
	keys := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	serveKeys := func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/.well-known/jwks.json"
		keys.Config.Handler.ServeHTTP(w, r)
	}
	for _, own := range []bool{false, true} {
		for _, status := range redirectStatuses {
			t.Run(strconv.Itoa(status)+"/own client "+strconv.FormatBool(own), func(t *testing.T) {
				e := newElsewhere(t, serveKeys)
				f := newFakeAPI(t, redirectTo(status, e), redirectTo(status, e), redirectTo(status, e), redirectTo(status, e))
				clock := newFakeClock()
				opts := []clerk.AuthenticatorOption{clerk.WithJWKSURL(f.URL + "/.well-known/jwks.json"), clerk.WithClock(clock.Now)}
				var hc *http.Client
				if own {
					hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
					opts = append(opts, clerk.WithHTTPClient(hc))
				}
				a := newAuthenticator(t, opts...)
				_, err := a.VerifyToken(context.Background(), validToken(t, clock.Now()))
				if r := reasonOf(err); r != clerk.ReasonJWKFailedToLoad {
					t.Errorf("reason %q, want %q", r, clerk.ReasonJWKFailedToLoad)
				}
				checkRedirectRefused(t, err, status, e, testSecretKey)
				if n := len(f.requests()); n != 1 {
					t.Errorf("%d requests: a redirect must not be retried", n)
				}
				if hc != nil && hc.CheckRedirect != nil {
					t.Error("the caller's JWKS HTTP client was changed")
				}
				if h := f.requests()[0].Header; h.Get("Authorization") != "" {
					t.Errorf("public key set fetched with Authorization %q", h.Get("Authorization"))
				}
			})
		}
	}
}

// A relative Location stays on Clerk's host, but it is refused all the
// same: the host it names is the API's own.
func TestRelativeRedirectIsRefused(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/"+redirectPathMark+"?leak="+redirectQueryMark)
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, f)
	_, err := c.GetToken(context.Background(), "sess_1", "")
	var redirect *clerk.RedirectError
	if !errors.As(err, &redirect) || redirect.Host != strings.TrimPrefix(f.URL, "http://") {
		t.Fatalf("got %v, want a RedirectError naming %s", err, f.URL)
	}
	if strings.Contains(err.Error(), redirectQueryMark) || strings.Contains(err.Error(), redirectPathMark) {
		t.Errorf("error %q shows the target's path or query", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want 1: the redirect was followed or retried", n)
	}
}
