package adaptertest

import (
	"net/http"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
)

// CoreMiddleware is the baseline every adapter's benchmark runs beside it:
// the core's net/http Middleware and RequireAuth in front of a handler that
// reads the user and sets *seen.
func CoreMiddleware(r *Rig, seen *bool) http.Handler {
	return clerk.Middleware(r.Auth)(clerk.RequireAuth()(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		auth, _ := clerk.AuthFromContext(req.Context())
		*seen = auth.UserID() != ""
	})))
}

// BenchHandler serves req through h once per iteration, failing unless the
// handler saw the user, with a ResponseWriter that costs nothing so the
// figures are the handler's own.
func BenchHandler(b *testing.B, h http.Handler, req *http.Request, seen *bool) {
	b.Helper()
	w := discardWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		*seen = false
		h.ServeHTTP(w, req)
		if !*seen {
			b.Fatal("the handler did not see the user")
		}
	}
}

type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header         { return w.header }
func (w discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w discardWriter) WriteHeader(int)             {}
