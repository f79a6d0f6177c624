package clerk_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
)

// calledService is a service that accepts any bearer token except those
// it was told to reject, and records what it received.
type calledService struct {
	*httptest.Server
	mu        sync.Mutex
	rejected  map[string]bool
	rejectAll bool     // refuse every token, as a service misconfigured for them would
	seen      []string // "Authorization|body"
}

func newCalledService(t *testing.T) *calledService {
	t.Helper()
	s := &calledService{rejected: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		s.mu.Lock()
		s.seen = append(s.seen, auth+"|"+string(body))
		bad := s.rejected[strings.TrimPrefix(auth, "Bearer ")] || auth == "" || s.rejectAll
		s.mu.Unlock()
		if bad {
			http.Error(w, "token refused", http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "ok:"+string(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *calledService) reject(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[token] = true
}

func (s *calledService) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.seen...)
}

func TestM2MTransportAttachesToken(t *testing.T) {
	f := newM2MFixture(t)
	src := mustSource(t, f.client)
	svc := newCalledService(t)
	base := &http.Client{}
	hc := src.HTTPClient(base)
	if base.Transport != nil || hc == base {
		t.Fatal("HTTPClient changed the caller's client")
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, svc.URL, strings.NewReader("hello"))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	tok, _ := src.Token(t.Context())
	if resp.StatusCode != http.StatusOK || string(body) != "ok:hello" || svc.requests()[0] != "Bearer "+tok.Token()+"|hello" {
		t.Errorf("%d %s; service saw %v", resp.StatusCode, body, svc.requests())
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("the caller's request was modified")
	}
}

// TestM2MTransportRetriesOn401: a 401 refreshes the token once and resends
// a replayable request; a request whose body cannot be replayed gets the
// 401 as it came.
func TestM2MTransportRetriesOn401(t *testing.T) {
	bodies := map[string]func() io.Reader{
		"no body":       func() io.Reader { return nil },
		"strings":       func() io.Reader { return strings.NewReader("payload") },
		"opaque reader": func() io.Reader { return io.MultiReader(strings.NewReader("payload")) },
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newM2MFixture(t)
			src := mustSource(t, f.client)
			svc := newCalledService(t)
			first, err := src.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			svc.reject(first.Token())
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, svc.URL, body())
			resp, err := src.HTTPClient(nil).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			seen := svc.requests()
			if name == "opaque reader" {
				if resp.StatusCode != http.StatusUnauthorized || len(seen) != 1 || f.creates() != 1 {
					t.Errorf("non-replayable: %d after %d requests and %d creates; want the 401, 1, 1", resp.StatusCode, len(seen), f.creates())
				}
				// The refused token is not sent again: the next request
				// goes out with a new one.
				next, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, svc.URL, body())
				resp, err = src.HTTPClient(nil).Do(next)
				if err != nil {
					t.Fatal(err)
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK || f.creates() != 2 {
					t.Errorf("the request after a refusal: %d with %d creates; want 200 with a new token, 2", resp.StatusCode, f.creates())
				}
				return
			}
			want := "ok:"
			if name == "strings" {
				want += "payload"
			}
			if resp.StatusCode != http.StatusOK || string(got) != want || len(seen) != 2 || f.creates() != 2 {
				t.Fatalf("%d %q after %d requests and %d creates; want 200 %q, 2, 2", resp.StatusCode, got, len(seen), f.creates(), want)
			}
			if seen[1] == seen[0] || !strings.HasSuffix(seen[1], "|"+strings.TrimPrefix(want, "ok:")) {
				t.Errorf("the retry sent %q after %q", seen[1], seen[0])
			}
		})
	}
}

// TestM2MTransportBoundsForcedRefreshes: a service that refuses every
// token (one not set up to accept this machine, say) must not turn each
// request into a create call, which Clerk bills: a 401 forces a refresh at
// most once per gap.
func TestM2MTransportBoundsForcedRefreshes(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	f := newM2MFixture(t, clerk.WithM2MClock(clock.Now))
	src := mustSource(t, f.client)
	svc := newCalledService(t)
	svc.rejectAll = true
	hc := src.HTTPClient(nil)
	send := func() {
		t.Helper()
		resp, err := hc.Get(svc.URL)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d; want the service's 401", resp.StatusCode)
		}
	}
	for range 20 {
		send()
	}
	if got := f.creates(); got != 2 {
		t.Errorf("20 refused requests made %d create calls; want 2 (the first token and one forced refresh)", got)
	}
	clock.Advance(clerk.M2MForcedRefreshGap)
	send()
	if got := f.creates(); got != 3 {
		t.Errorf("after the gap: %d create calls; want 3", got)
	}
}

// TestM2MTransportCoalesces401s: many requests refused with the same
// token make one create between them.
func TestM2MTransportCoalesces401s(t *testing.T) {
	f := newM2MFixture(t)
	src := mustSource(t, f.client)
	svc := newCalledService(t)
	first, err := src.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	svc.reject(first.Token())
	hc := src.HTTPClient(nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, svc.URL, nil)
			resp, err := hc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if n := f.creates(); n != 2 {
		t.Errorf("%d creates for 50 requests refused with one token, want 2 (the first token and one refresh)", n)
	}
}

// TestM2MTransportRedirects: the token follows a redirect on the same
// origin but not to another one.
func TestM2MTransportRedirects(t *testing.T) {
	f := newM2MFixture(t)
	src := mustSource(t, f.client)
	elsewhere := newCalledService(t)
	home := newCalledService(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/x", http.StatusFound)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, home.URL+"/y", http.StatusFound) })
	mux.Handle("/y", home.Config.Handler)
	redirector := httptest.NewServer(mux)
	t.Cleanup(redirector.Close)
	home.URL = redirector.URL // /here redirects to the same origin

	hc := src.HTTPClient(nil)
	for _, path := range []string{"/away", "/here"} {
		resp, err := hc.Get(redirector.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	if seen := elsewhere.requests(); len(seen) != 1 || seen[0] != "|" {
		t.Errorf("another origin received %q", seen)
	}
	if seen := home.requests(); len(seen) != 1 || !strings.HasPrefix(seen[0], "Bearer mt_") {
		t.Errorf("the same origin received %q", seen)
	}
}

// TestM2MTransportTokenError: no token, no request; the error is the
// source's.
func TestM2MTransportTokenError(t *testing.T) {
	wrong, err := clerk.NewM2MClient(testMachineKey, m2mFastRetry, clerk.WithAPIURL(newM2MFixture(t).srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	svc := newCalledService(t)
	src := mustSource(t, wrong)
	resp, err := src.HTTPClient(nil).Get(svc.URL)
	if err == nil {
		_ = resp.Body.Close()
	}
	if err == nil || len(svc.requests()) != 0 {
		t.Errorf("err = %v after %d requests", err, len(svc.requests()))
	}
}

// TestM2MSharedStoreReplacesRefusedToken: with a shared store, a token the
// called service refuses (revoked, say) is replaced and the request sent
// again, rather than the same token being read back from the store.
func TestM2MSharedStoreReplacesRefusedToken(t *testing.T) {
	f := newM2MFixture(t)
	src := mustSource(t, f.client, clerk.WithM2MTokenStore(newMemoryM2MStore()))
	svc := newCalledService(t)
	first, err := src.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	svc.reject(first.Token())
	resp, err := src.HTTPClient(nil).Get(svc.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	seen := svc.requests()
	if resp.StatusCode != http.StatusOK || len(seen) != 2 || seen[0] == seen[1] || f.creates() != 2 {
		t.Errorf("%d after %d requests (same token twice: %v) and %d creates; want 200 with a new token, 2 creates",
			resp.StatusCode, len(seen), len(seen) == 2 && seen[0] == seen[1], f.creates())
	}
	if again, err := src.Token(t.Context()); err != nil || again.ID == first.ID {
		t.Errorf("the source still hands out the refused token (%v)", err)
	}
}
