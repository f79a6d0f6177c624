package clerk_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

// TestJWKSFailureLogSaysWhetherKeysAreKept: a failed fetch before any key
// set loaded must not claim to keep "the last good keys": there are none,
// and the line is what an operator reads at start-up.
func TestJWKSFailureLogSaysWhetherKeysAreKept(t *testing.T) {
	var buf lockedBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	clock := newFakeClock()
	key := rsaKey(t, 0)
	srv := newJWKSServer(t, jwkFor(testKID, "RS256", &key.PublicKey))
	srv.down.Store(true)
	a := jwksAuthenticator(t, srv, clock, clerk.WithLogger(logger))

	if auth := a.Authenticate(context.Background(), bearer(validToken(t, clock.Now()))); auth.Reason() != clerk.ReasonJWKFailedToLoad {
		t.Fatalf("reason %q, want %q", auth.Reason(), clerk.ReasonJWKFailedToLoad)
	}
	cold := buf.String()
	const none = "no keys loaded yet, so no token can be verified"
	if !strings.Contains(cold, none) || strings.Contains(cold, "last good keys") {
		t.Errorf("failure with no keys ever loaded logged:\n%s\nwant %q and no mention of last good keys", cold, none)
	}

	// Once a set has loaded, a failed refresh does keep it.
	srv.down.Store(false)
	clock.Advance(2 * clerk.DefaultUnknownKIDRefetchInterval)
	if _, err := a.VerifyToken(context.Background(), validToken(t, clock.Now())); err != nil {
		t.Fatal(err)
	}
	srv.down.Store(true)
	clock.Advance(2 * clerk.DefaultUnknownKIDRefetchInterval)
	// A kid the set lacks makes the cache fetch again, and fail.
	_, body, _ := strings.Cut(validToken(t, clock.Now()), ".")
	unknown := b64([]byte(mustJSON(t, sessionHeader("ins_unknown")))) + "." + body
	if _, err := a.VerifyToken(context.Background(), unknown); reasonOf(err) != clerk.ReasonJWKKidMismatch {
		t.Fatalf("unknown kid: %v", err)
	}
	warm := strings.TrimPrefix(buf.String(), cold)
	if !strings.Contains(warm, "keeping the last good keys") || strings.Contains(warm, none) {
		t.Errorf("failure with keys loaded logged:\n%s\nwant it to say the last good keys are kept", warm)
	}
}
