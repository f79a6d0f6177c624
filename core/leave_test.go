package clerk_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// The caller that sent the shared request is a caller like any other: when
// its context ends it returns at once, even though others still wait for
// the request it started.
func TestTheCallerThatStartedTheRequestLeavesAtOnce(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		tokenReply(aJWT)(w, r)
	})
	c := newTestClient(t, f)
	starterCtx, leave := context.WithCancel(context.Background())
	starter := make(chan error, 1)
	go func() { _, err := c.GetToken(starterCtx, "sess_1", "test"); starter <- err }()
	<-arrived
	waiter := make(chan error, 1)
	go func() { _, err := c.GetToken(context.Background(), "sess_1", "test"); waiter <- err }()
	waitUntil(t, func() bool { return c.TokenStats().Coalesced == 1 })

	leave()
	// The request is still held at Clerk: the starter must not need it.
	if err := <-starter; !errors.Is(err, context.Canceled) {
		close(release)
		t.Fatalf("starter: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-waiter; err != nil {
		t.Fatalf("the waiter failed with the starter: %v", err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("Clerk saw %d requests, want 1", n)
	}
}
