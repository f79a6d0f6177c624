package clerkredis_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerkkit/core"
	clerkredis "github.com/clerkkit/clerkkit/redis"
	"github.com/redis/go-redis/v9"
)

// EnvRedisAddr names the redis-server the tests use; make redis-test and
// make race start one and set it.
const EnvRedisAddr = "CLERKKIT_REDIS_ADDR"

// testSecret is shared by the "replicas" of a test.
var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// needRedis fails in CI and skips elsewhere when there is no Redis: a CI
// run that silently skipped these tests would prove nothing.
func needRedis(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run these tests against a redis-server (make redis-test)", why)
	}
	t.Skipf("%s; run `make redis-test` to test against a throwaway redis-server", why)
}

// redisAddr is the shared test Redis.
func redisAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv(EnvRedisAddr)
	if addr == "" {
		needRedis(t, EnvRedisAddr+" is not set")
	}
	return addr
}

func newRedisClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr:                  addr,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1, // a dead Redis should fail fast, not be retried
		// Far beyond any test's bounds: what bounds an operation is the
		// cache's timeout, through ContextTimeoutEnabled.
		DialTimeout:  30 * time.Second,
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 30 * time.Second,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// unique returns a fresh name, so tests sharing one Redis never meet.
func unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// replica builds one process's view of the shared cache: its own Redis
// connection pool, the test's secret, instance and key prefix.
type fixture struct {
	addr, instance, prefix string
}

func newFixture(t testing.TB) fixture {
	return fixture{addr: redisAddr(t), instance: unique("ins_"), prefix: unique("test") + ":"}
}

func (f fixture) cache(t testing.TB, opts ...clerkredis.Option) *clerkredis.Cache {
	t.Helper()
	return f.cacheOn(t, newRedisClient(t, f.addr), opts...)
}

// cacheOn is cache on a Redis client of the test's own, for tests that
// hook into its commands.
func (f fixture) cacheOn(t testing.TB, rdb *redis.Client, opts ...clerkredis.Option) *clerkredis.Cache {
	t.Helper()
	base := []clerkredis.Option{
		clerkredis.WithSecret(testSecret),
		clerkredis.WithInstance(f.instance),
		clerkredis.WithKeyPrefix(f.prefix),
		clerkredis.WithLogger(slog.New(slog.DiscardHandler)),
		// The tests are about behaviour, not speed: on a loaded machine a
		// slow reply must not turn into a miss. Tests of timeouts set
		// their own.
		clerkredis.WithTimeout(5 * time.Second),
	}
	c, err := clerkredis.New(rdb, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawKeys lists the fixture's keys as Redis holds them.
func (f fixture) rawKeys(t testing.TB) []string {
	t.Helper()
	keys, err := newRedisClient(t, f.addr).Keys(context.Background(), f.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// rawKey is the fixture's only key whose name contains part (":gen",
// ":lock:", ":tok:").
func (f fixture) rawKey(t testing.TB, part string) string {
	t.Helper()
	var found []string
	for _, k := range f.rawKeys(t) {
		if strings.Contains(k, part) {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		t.Fatalf("keys containing %q: %q, want exactly one", part, found)
	}
	return found[0]
}

// fakeClock is the cache's clock in tests that move time on rather than
// wait for it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeJWT is an unsigned JWT with the given times; the cache never
// verifies tokens, it only stores them.
func fakeJWT(iat, exp time.Time, marker string) string {
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"RS256","typ":"JWT"}`))
	payload := enc(fmt.Appendf(nil, `{"iat":%d,"exp":%d,"marker":%q}`, iat.Unix(), exp.Unix(), marker))
	return header + "." + payload + "." + enc([]byte("signature-"+marker))
}

func token(marker string) *clerk.Token {
	now := time.Now()
	return &clerk.Token{JWT: fakeJWT(now, now.Add(time.Minute), marker)}
}

// privateRedis is a redis-server of the test's own, for tests that kill
// or freeze it.
type privateRedis struct {
	Addr string
	bin  string
	port int
	mu   sync.Mutex
	cmd  *exec.Cmd
}

func startPrivateRedis(t testing.TB) *privateRedis {
	t.Helper()
	redisAddr(t) // no shared Redis means no redis-server here either
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		needRedis(t, "redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	p := &privateRedis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), bin: bin, port: port}
	t.Cleanup(p.Kill)
	p.Start(t)
	return p
}

// Start (re)starts the server on its port and waits until it answers.
func (p *privateRedis) Start(t testing.TB) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(p.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(p.port), "--save", "", "--appendonly", "no")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	probe := redis.NewClient(&redis.Options{Addr: p.Addr})
	defer func() { _ = probe.Close() }()
	for start := time.Now(); probe.Ping(context.Background()).Err() != nil; {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("private redis-server did not start: %s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Signal sends sig to the server (SIGSTOP freezes it).
func (p *privateRedis) Signal(sig os.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Signal(sig)
}

// Kill ends the server at once, as a crash would.
func (p *privateRedis) Kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

// blackHole accepts connections and never answers: a Redis that hangs.
func blackHole(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// TestMain quiets go-redis's own logger: the dial failures the outage tests
// provoke on purpose would bury real output.
func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	os.Exit(m.Run())
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}
