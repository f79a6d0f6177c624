package clerkgin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	clerkgin "github.com/clerkkit/clerkkit/gin"
	"github.com/gin-gonic/gin"
)

// TestAllocationsLikeTheCore: with a repeated token (a verified-token
// cache hit) a request through Middleware, RequireAuth and GetAuth
// allocates no more than one through the core's net/http middleware,
// beyond what the same gin route allocates without them. A second home
// for the Auth (gin's Keys map) beside the request's context.Context was
// such an extra. The gin context is reused through HandleContext rather
// than gin's sync.Pool, which drops entries at random under the race
// detector.
func TestAllocationsLikeTheCore(t *testing.T) {
	r := newRig(t)
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/private", nil)
	req.Header.Set("Authorization", "Bearer "+r.SessionToken(t))
	var seen bool
	w := discard{http.Header{}}
	allocs := func(e *gin.Engine) float64 {
		c := gin.CreateTestContextOnly(w, e)
		return testing.AllocsPerRun(50, func() {
			c.Request = req
			seen = false
			e.HandleContext(c)
			if !seen {
				t.Fatal("the handler did not see the user")
			}
		})
	}

	withAuth := gin.New()
	withAuth.Use(clerkgin.Middleware(r.Auth))
	withAuth.Group("/api", clerkgin.RequireAuth()).GET("/private", func(c *gin.Context) {
		auth, _ := clerkgin.GetAuth(c)
		seen = auth.UserID() != ""
	})
	bare := gin.New()
	bare.Group("/api").GET("/private", func(*gin.Context) { seen = true })
	coreHandler := adaptertest.CoreMiddleware(r.Rig, &seen)
	core := testing.AllocsPerRun(50, func() {
		seen = false
		coreHandler.ServeHTTP(w, req)
		if !seen {
			t.Fatal("the core's handler did not see the user")
		}
	})
	if got, framework := allocs(withAuth), allocs(bare); got-framework > core {
		t.Fatalf("%v allocations per request, %v of them gin's; the core's middleware makes %v", got, framework, core)
	}
}

// discard is a ResponseWriter that allocates nothing.
type discard struct{ header http.Header }

func (w discard) Header() http.Header         { return w.header }
func (w discard) Write(p []byte) (int, error) { return len(p), nil }
func (w discard) WriteHeader(int)             {}
