package clerkfiber_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	clerk "github.com/clerkkit/clerkkit/core"
	"github.com/clerkkit/clerkkit/core/clerktest/adaptertest"
	"github.com/gofiber/fiber/v3"
)

// rig is the emulated Clerk instance every adapter test shares; this
// package adds its router on top.
type rig struct{ *adaptertest.Rig }

func newRig(tb testing.TB, authOpts ...clerk.AuthenticatorOption) *rig {
	return &rig{adaptertest.NewRig(tb, authOpts...)}
}

type result struct {
	code   int
	body   string
	header http.Header
}

func serve(t testing.TB, app *fiber.App, path string, header http.Header) result {
	t.Helper()
	res, err := do(app, path, header)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// do is serve for goroutines other than the test's. The zero TestConfig
// waits for the answer however long it takes: a slow run under -race must
// not turn into a timeout error.
func do(app *fiber.App, path string, header http.Header) (result, error) {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := app.Test(req, fiber.TestConfig{})
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{resp.StatusCode, string(body), resp.Header}, err
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
