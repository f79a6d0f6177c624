package clerk_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

// lockedBuffer lets the background JWKS fetch log while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAuthLoggerShowsReasonsNeverTokens(t *testing.T) {
	var buf lockedBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := newFakeClock()
	srv := newJWKSServer(t)
	srv.down.Store(true)
	a := newAuthenticator(t, clerk.WithClient(backendClient(t, srv)), clerk.WithClock(clock.Now),
		clerk.WithLogger(logger))
	token := validToken(t, clock.Now())
	auth := a.Authenticate(context.Background(), bearer(token))
	if auth.Reason() != clerk.ReasonJWKFailedToLoad {
		t.Fatalf("reason %q", auth.Reason())
	}
	expired := mint(t, rsaKey(t, 0), sessionHeader(testKID), map[string]any{"sub": "user_1"})
	_ = a.Authenticate(context.Background(), bearer(expired))
	logged := buf.String()
	for _, want := range []string{"jwk-remote-failed-to-load", "fetching the JWKS failed", "level=WARN"} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %q:\n%s", want, logged)
		}
	}
	sig := token[strings.LastIndexByte(token, '.')+1:]
	if strings.Contains(logged, sig) || strings.Contains(logged, expired[strings.LastIndexByte(expired, '.')+1:]) ||
		strings.Contains(logged, "sk_test_abcdef") {
		t.Fatalf("log shows a token or the secret key:\n%s", logged)
	}
	// slog renders the Auth itself without its token.
	logger.Info("request", "auth", auth)
	if strings.Contains(buf.String(), sig) {
		t.Fatal("logged Auth shows the token")
	}
}
