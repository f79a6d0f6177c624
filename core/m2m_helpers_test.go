package clerk_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest"
)

// m2mFixture is an emulator with a calling machine allowed to call an API
// machine, and an M2MClient for the caller.
type m2mFixture struct {
	srv         *clerktest.Server
	caller, api clerktest.Machine
	client      *clerk.M2MClient
}

// m2mFastRetry keeps retried calls quick.
var m2mFastRetry = clerk.WithRetry(clerk.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxRetryAfter: time.Second})

// newM2MFixture talks to the emulator over loopback.
func newM2MFixture(t testing.TB, opts ...clerk.ClientOption) *m2mFixture {
	t.Helper()
	f := newM2MServer(t)
	f.client = f.newClient(t, append([]clerk.ClientOption{clerk.WithAPIURL(f.srv.URL)}, opts...)...)
	return f
}

// newM2MServer starts the emulator and its machines, without a client. A
// synctest test calls it outside its bubble (the listener must not be in
// it) and builds clients inside with bubbleClient.
func newM2MServer(t testing.TB) *m2mFixture {
	t.Helper()
	srv := clerktest.Start(t, clerktest.WithKey(rsaKey(t, 2)))
	api, err := srv.AddMachine(clerktest.Machine{Name: "api"})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := srv.AddMachine(clerktest.Machine{Name: "worker", Scopes: []string{api.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return &m2mFixture{srv: srv, caller: caller, api: api}
}

func (f *m2mFixture) newClient(t testing.TB, opts ...clerk.ClientOption) *clerk.M2MClient {
	t.Helper()
	c, err := clerk.NewM2MClient(f.caller.SecretKey, append([]clerk.ClientOption{m2mFastRetry}, opts...)...)
	if err != nil {
		t.Fatalf("NewM2MClient: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// bubbleClient is a client that reaches the emulator in process, for use
// inside a synctest bubble: the emulator then runs on the bubble's clock.
func (f *m2mFixture) bubbleClient(t *testing.T, opts ...clerk.ClientOption) *clerk.M2MClient {
	t.Helper()
	return f.inProcessClient(t, handlerTransport{f.srv.Handler()}, opts...)
}

// inProcessClient is a client that reaches the emulator through rt.
func (f *m2mFixture) inProcessClient(t *testing.T, rt http.RoundTripper, opts ...clerk.ClientOption) *clerk.M2MClient {
	t.Helper()
	hc := &http.Client{Transport: rt}
	return f.newClient(t, append([]clerk.ClientOption{clerk.WithAPIURL(bubbleAPIURL), clerk.WithHTTPClient(hc)}, opts...)...)
}

// slowClient is bubbleClient with Clerk's answers arriving late: each
// request is handled (a create is minted and counted) at once, and its
// answer reaches the client after d, unless the request's context ends
// first.
func (f *m2mFixture) slowClient(t *testing.T, d time.Duration, opts ...clerk.ClientOption) *clerk.M2MClient {
	t.Helper()
	return f.inProcessClient(t, lateAnswers{handlerTransport{f.srv.Handler()}, d}, opts...)
}

// lateAnswers delays every answer of base by d.
type lateAnswers struct {
	base http.RoundTripper
	d    time.Duration
}

func (l lateAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(l.d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return resp, nil
	case <-req.Context().Done():
		_ = resp.Body.Close()
		return nil, context.Cause(req.Context())
	}
}

func (f *m2mFixture) creates() int { return f.srv.Requests(clerktest.EndpointCreateM2MToken) }

func mustSource(t *testing.T, c *clerk.M2MClient, opts ...clerk.M2MTokenOption) *clerk.M2MTokenSource {
	t.Helper()
	s, err := c.TokenSource(opts...)
	if err != nil {
		t.Fatalf("TokenSource: %v", err)
	}
	return s
}

// memoryM2MStore is an M2MTokenStore for tests: one map shared by the
// "replicas" of a test, counting its calls.
type memoryM2MStore struct {
	mu     sync.Mutex
	values map[string]storedM2M
	locks  map[string]time.Time // key → claim expiry
	failed error                // every call fails with it when set

	loads, stores, locksTaken, locksRefused int
}

type storedM2M struct {
	value []byte
	until time.Time
}

func newMemoryM2MStore() *memoryM2MStore {
	return &memoryM2MStore{values: map[string]storedM2M{}, locks: map[string]time.Time{}}
}

func (m *memoryM2MStore) LoadM2MToken(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	if m.failed != nil {
		return nil, m.failed
	}
	v, ok := m.values[key]
	if !ok || !time.Now().Before(v.until) {
		return nil, nil
	}
	return append([]byte(nil), v.value...), nil
}

func (m *memoryM2MStore) StoreM2MToken(_ context.Context, key string, value []byte, freshUntil time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stores++
	if m.failed != nil {
		return m.failed
	}
	m.values[key] = storedM2M{value: append([]byte(nil), value...), until: freshUntil}
	return nil
}

func (m *memoryM2MStore) LockM2MMint(_ context.Context, key string, ttl time.Duration) (func(), bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failed != nil {
		return nil, false, m.failed
	}
	if until, held := m.locks[key]; held && time.Now().Before(until) {
		m.locksRefused++
		return nil, false, nil
	}
	m.locksTaken++
	until := time.Now().Add(ttl)
	m.locks[key] = until
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.locks[key].Equal(until) {
			delete(m.locks, key)
		}
	}, true, nil
}

func (m *memoryM2MStore) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.values {
		out = append(out, k)
	}
	return out
}
