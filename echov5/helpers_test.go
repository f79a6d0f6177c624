package clerkecho_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
)

// rig is the emulated Clerk instance every adapter test shares; this
// package adds its router on top.
type rig struct{ *adaptertest.Rig }

func newRig(tb testing.TB, authOpts ...clerk.AuthenticatorOption) *rig {
	return &rig{adaptertest.NewRig(tb, authOpts...)}
}

func serve(h http.Handler, path string, header http.Header) *httptest.ResponseRecorder {
	return serveMethod(h, http.MethodGet, path, header)
}

func serveMethod(h http.Handler, method, path string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), method, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func bearer(token string) http.Header { return adaptertest.Bearer(token) }

// What echo's default HTTPErrorHandler writes for the guards' refusals:
// the same JSON, ended by its encoder's newline.
const (
	unauthorized = clerk.UnauthorizedJSON + "\n"
	forbidden    = clerk.ForbiddenJSON + "\n"
	unavailable  = clerk.UnavailableJSON + "\n"
)

// reverificationBody is what Clerk's front end reads to ask the user to
// verify a second factor again, for clerk.Reverification("strict").
const reverificationBody = `{"clerk_error":{"type":"forbidden","reason":"reverification-error","metadata":{"reverification":{"level":"second_factor","afterMinutes":10}}}}`
