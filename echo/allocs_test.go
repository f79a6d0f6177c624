package clerkecho_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkecho "github.com/clerkkit/clerkkit/echo"
	"github.com/labstack/echo/v4"
)

// TestAllocationsLikeTheCore: with a repeated token (a verified-token
// cache hit) a request through Middleware, RequireAuth and GetAuth
// allocates no more than one through the core's net/http middleware, plus
// the closure each middleware returns: echo v4 applies middleware to the
// handler on every request, as done here. A second home for the Auth
// (echo's store map) beside the request's context.Context was an extra.
// The echo context is reset and reused as echo.ServeHTTP does, without
// its sync.Pool, which drops entries at random under the race detector.
func TestAllocationsLikeTheCore(t *testing.T) {
	r := newRig(t)
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
	req.Header.Set("Authorization", "Bearer "+r.SessionToken(t))
	var seen bool
	w := discard{http.Header{}}
	handler := func(c echo.Context) error {
		auth, _ := clerkecho.GetAuth(c)
		seen = auth.UserID() != ""
		return nil
	}
	middleware, guard := clerkecho.Middleware(r.Auth), clerkecho.RequireAuth()
	c := echo.New().NewContext(req, w)
	got := testing.AllocsPerRun(50, func() {
		c.Reset(req, w)
		seen = false
		if err := middleware(guard(handler))(c); err != nil || !seen {
			t.Fatalf("the handler did not see the user: %v", err)
		}
	})
	coreHandler := adaptertest.CoreMiddleware(r.Rig, &seen)
	core := testing.AllocsPerRun(50, func() {
		seen = false
		coreHandler.ServeHTTP(w, req)
		if !seen {
			t.Fatal("the core's handler did not see the user")
		}
	})
	const closures = 2
	if got > core+closures {
		t.Fatalf("%v allocations per request; the core's middleware makes %v, echo's closures %d", got, core, closures)
	}
}

// discard is a ResponseWriter that allocates nothing.
type discard struct{ header http.Header }

func (w discard) Header() http.Header         { return w.header }
func (w discard) Write(p []byte) (int, error) { return len(p), nil }
func (w discard) WriteHeader(int)             {}
